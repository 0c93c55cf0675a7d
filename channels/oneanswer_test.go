package channels_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot"
	"chatbot/bot/bottest"
	"chatbot/channels"
	"chatbot/dialog"
)

// TestEveryFrameWithAnIDGetsExactlyOneAnswer sends each kind of client frame, good and bad, with
// an id, then a ping, and checks that exactly one frame carrying reply_to = that id came back
// before the pong, and nothing else but pushes of its own.
func TestEveryFrameWithAnIDGetsExactlyOneAnswer(t *testing.T) {
	eng := bottest.Engine(t)
	b, err := bot.New(bot.Options{Engines: bot.EngineFunc(func() *dialog.Engine { return eng })})
	require.NoError(t, err)
	ts := startServer(t, channels.Options{Bot: b, MaxFrameBytes: 1024, Logger: quiet})

	tests := []struct {
		name  string
		hello bool // say hello first
		frame string
		want  string // the answering frame's type, or the error code
	}{
		{"hello", false, `{"type":"hello","id":"x1"}`, "welcome"},
		{"hello resuming an unknown session", false, `{"type":"hello","id":"x1","session":"00000000000000000000000000000000"}`, "welcome"},
		{"second hello", true, `{"type":"hello","id":"x1"}`, "welcome"},
		{"hello, newer protocol", false, `{"type":"hello","id":"x1","v":9}`, "unsupported_version"},
		{"message", true, `{"type":"message","id":"x1","text":"` + negotiateQuestion + `"}`, "reply"},
		{"message, off topic", true, `{"type":"message","id":"x1","text":"` + offTopicQuestion + `"}`, "reply"},
		{"message asking for a person", true, `{"type":"message","id":"x1","text":"转人工"}`, "reply"},
		{"choose", true, `{"type":"choose","id":"x1","value":"article:` + negotiateArticle + `"}`, "reply"},
		{"choose, a value never offered", true, `{"type":"choose","id":"x1","value":"nonsense"}`, "reply"},
		{"feedback on an unknown reply", true, `{"type":"feedback","id":"x1","reply":"s1","useful":true}`, "unknown_reply"},
		{"ping", false, `{"type":"ping","id":"x1"}`, "pong"},
		{"message before hello", false, `{"type":"message","id":"x1","text":"你好"}`, "not_hello_first"},
		{"feedback before hello", false, `{"type":"feedback","id":"x1","reply":"s1","useful":true}`, "not_hello_first"},
		{"unknown type", true, `{"type":"dance","id":"x1"}`, "unknown_type"},
		{"wrong field type", true, `{"type":"message","id":"x1","text":["a"]}`, "bad_json"},
		{"empty text", true, `{"type":"message","id":"x1","text":""}`, "empty_text"},
		{"too large", true, `{"type":"message","id":"x1","text":"` + strings.Repeat("好", 400) + `"}`, "too_large"},
		{"feedback without useful", true, `{"type":"feedback","id":"x1","reply":"s1"}`, "bad_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, ts, nil)
			if tt.hello {
				c.hello("")
			}
			c.send(tt.frame)
			c.send(`{"type":"ping","id":"end"}`)
			var answers []map[string]any
			for {
				f := c.read()
				if f["reply_to"] == "end" {
					break
				}
				if f["reply_to"] == "x1" {
					answers = append(answers, f)
					continue
				}
				t.Errorf("unexpected frame %v", f)
			}
			require.Len(t, answers, 1, "exactly one answer")
			got := answers[0]["type"]
			if got == "error" {
				got = answers[0]["code"]
			}
			assert.Equal(t, tt.want, got)
		})
	}

	t.Run("feedback", func(t *testing.T) {
		c := dial(t, ts, nil)
		c.hello("")
		c.send(`{"type":"message","id":"c1","text":"` + negotiateQuestion + `"}`)
		reply := c.read()
		c.sendJSON(map[string]any{"type": "feedback", "id": "x1", "reply": reply["id"], "useful": true})
		assert.Equal(t, map[string]any{"type": "ack", "reply_to": "x1"}, c.read())
		c.sendJSON(map[string]any{"type": "feedback", "reply": reply["id"], "useful": false})
		c.send(`{"type":"ping","id":"end"}`)
		assert.Equal(t, map[string]any{"type": "pong", "reply_to": "end"}, c.read(),
			"feedback without an id is answered only when it fails")
	})
}
