package channels

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot"
	"chatbot/dialog"
	"chatbot/knowledge"
)

// TestReplyFrameCarriesAnswerFields: lead, sources and copy_text reach the wire as the agreed
// protocol fields, and are left out of replies that have none.
func TestReplyFrameCarriesAnswerFields(t *testing.T) {
	out := bot.Output{ID: "s1", ReplyTo: "c1", Kind: dialog.KindAnswer, Lead: "今天就联系发卡行。",
		Text: "正文", HTML: "<p>正文</p>", Sources: []knowledge.Source{{ID: "F4.2", Title: "《…解释》第六条"}},
		CopyText: "我的协商要点", Article: "lawsuit-criminal", At: time.Unix(0, 0).UTC()}
	data, err := EncodeFrame(NewReply(out))
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(data, &got))
	assert.Equal(t, "今天就联系发卡行。", got["lead"])
	assert.Equal(t, []any{map[string]any{"id": "F4.2", "title": "《…解释》第六条"}}, got["sources"])
	assert.Equal(t, "我的协商要点", got["copy_text"])

	data, err = EncodeFrame(NewReply(bot.Output{ID: "s2", Kind: dialog.KindFallback, Text: "抱歉"}))
	require.NoError(t, err)
	got = nil
	require.NoError(t, json.Unmarshal(data, &got))
	for _, k := range []string{"lead", "sources", "copy_text"} {
		assert.NotContains(t, got, k)
	}
}
