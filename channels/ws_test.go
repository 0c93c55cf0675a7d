package channels_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot"
	"chatbot/bot/bottest"
	"chatbot/channels"
	"chatbot/channels/limit"
)

func TestWebsocketHappyPath(t *testing.T) {
	ts := startServer(t, channels.Options{})
	c := dial(t, ts, nil)

	w := c.hello("")
	assert.NotEmpty(t, w["session"])
	assert.EqualValues(t, 1, w["v"])
	assert.Equal(t, false, w["resumed"])
	assert.Equal(t, false, w["expired"])
	assert.Equal(t, []any{}, w["history"])

	c.send(`{"type":"message","id":"c1","text":"  你好  "}`)
	r := c.read()
	assert.Equal(t, "reply", r["type"])
	assert.Equal(t, "c1", r["reply_to"])
	assert.Equal(t, "echo: 你好", r["text"], "text is trimmed before the bot sees it")
	assert.Equal(t, "kb-test", r["kb_version"])
	assert.Equal(t, "answer", r["kind"])
	assert.Equal(t, "<p>echo</p>", r["html"], "HTML is not escaped on the wire")
	assert.Equal(t, []any{map[string]any{"label": "再问", "value": "article:echo"}}, r["buttons"])

	c.send(`{"type":"choose","id":"c2","value":"article:echo"}`)
	r = c.read()
	assert.Equal(t, "c2", r["reply_to"])
	assert.Equal(t, "echo: choice article:echo", r["text"])

	c.send(`{"type":"ping","id":"p1"}`)
	assert.Equal(t, map[string]any{"type": "pong", "reply_to": "p1"}, c.read())
}

func TestWebsocketResendIsIdempotent(t *testing.T) {
	stub := newStubBot()
	ts := startServer(t, channels.Options{Bot: stub})
	c := dial(t, ts, nil)
	session := c.hello("")["session"].(string)
	c.send(`{"type":"message","id":"c1","text":"第一次"}`)
	first := c.read()
	require.NoError(t, c.ws.Close())

	// Reconnect, resume and re-send the same id: the stored reply, no second turn.
	c2 := dial(t, ts, nil)
	w := c2.hello(session)
	assert.Equal(t, true, w["resumed"])
	assert.Len(t, w["history"], 2)
	c2.send(`{"type":"message","id":"c1","text":"第一次"}`)
	again := c2.read()
	assert.Equal(t, first["id"], again["id"])
	assert.Equal(t, true, again["replayed"])
	assert.Equal(t, 1, stub.handled)
}

// badFrame is a frame the server must refuse with an error frame, keeping the socket open.
type badFrame struct {
	name    string
	hello   bool
	send    func(t *testing.T, c *client)
	code    string
	replyTo string
}

func TestWebsocketBadFrames(t *testing.T) {
	tests := []badFrame{
		{"bad json", true, func(t *testing.T, c *client) { c.send(`{"type":"message",`) }, "bad_json", ""},
		{"field of wrong type keeps the id", true, func(t *testing.T, c *client) { c.send(`{"type":"message","id":"c1","text":5}`) }, "bad_json", "c1"},
		{"not an object", true, func(t *testing.T, c *client) { c.send(`"hello"`) }, "bad_json", ""},
		{"null", true, func(t *testing.T, c *client) { c.send(` null `) }, "bad_json", ""},
		{"unknown type", true, func(t *testing.T, c *client) { c.send(`{"type":"dance","id":"c2"}`) }, "unknown_type", "c2"},
		{"missing type", true, func(t *testing.T, c *client) { c.send(`{"id":"c3","text":"hi"}`) }, "unknown_type", "c3"},
		{"message before hello", false, func(t *testing.T, c *client) { c.send(`{"type":"message","id":"c4","text":"你好"}`) }, "not_hello_first", "c4"},
		{"choose before hello", false, func(t *testing.T, c *client) { c.send(`{"type":"choose","id":"c5","value":"x"}`) }, "not_hello_first", "c5"},
		{"over the size limit", true, func(t *testing.T, c *client) {
			c.send(`{"type":"message","id":"c6","text":"` + strings.Repeat("逾", 400) + `"}`)
		}, "too_large", "c6"},
		{"binary frame", true, func(t *testing.T, c *client) {
			require.NoError(t, c.ws.WriteMessage(websocket.BinaryMessage, []byte(`{"type":"message"}`)))
		}, "binary_frame", ""},
		{"empty text", true, func(t *testing.T, c *client) { c.send(`{"type":"message","id":"c7","text":" \n\t "}`) }, "empty_text", "c7"},
		{"empty choice", true, func(t *testing.T, c *client) { c.send(`{"type":"choose","id":"c8","value":""}`) }, "empty_text", "c8"},
		{"message without id", true, func(t *testing.T, c *client) { c.send(`{"type":"message","text":"你好"}`) }, "bad_id", ""},
		{"id with spaces", true, func(t *testing.T, c *client) { c.send(`{"type":"message","id":"c 9","text":"你好"}`) }, "bad_id", ""},
		{"feedback without useful", true, func(t *testing.T, c *client) { c.send(`{"type":"feedback","id":"f1","reply":"s1"}`) }, "bad_json", "f1"},
		{"newer protocol", false, func(t *testing.T, c *client) { c.send(`{"type":"hello","id":"h1","v":2}`) }, "unsupported_version", "h1"},
	}
	// The channel's own checks, and the same table against the real bot with sessions in Redis.
	servers := map[string]func(t *testing.T) *testServer{
		"stub bot": func(t *testing.T) *testServer { return startServer(t, channels.Options{MaxFrameBytes: 1024}) },
		"real bot, redis": func(t *testing.T) *testServer {
			rdb, prefix := bottest.Redis(t)
			return redisInstance(t, rdb, prefix, channels.Options{MaxFrameBytes: 1024})
		},
	}
	for server, start := range servers {
		t.Run(server, func(t *testing.T) { badFrames(t, start(t), tests) })
	}
}

func badFrames(t *testing.T, ts *testServer, tests []badFrame) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, ts, nil)
			if tt.hello {
				c.hello("")
			}
			tt.send(t, c)
			e := c.read()
			assert.Equal(t, "error", e["type"])
			assert.Equal(t, tt.code, e["code"])
			if tt.replyTo == "" {
				assert.NotContains(t, e, "reply_to")
			} else {
				assert.Equal(t, tt.replyTo, e["reply_to"])
			}
			assert.Equal(t, channels.Code(tt.code).UserMessage(), e["message"])
			assert.NotEmpty(t, e["message"])

			// The socket stays open.
			c.send(`{"type":"ping","id":"alive"}`)
			assert.Equal(t, "pong", c.read()["type"])
		})
	}
}

func TestWebsocketHardCapCloses1009(t *testing.T) {
	ts := startServer(t, channels.Options{MaxFrameBytes: 1024, HardFrameBytes: 4096})
	c := dial(t, ts, nil)
	c.hello("")
	c.send(`{"type":"message","id":"c1","text":"` + strings.Repeat("a", 5000) + `"}`)
	assert.Equal(t, websocket.CloseMessageTooBig, c.closeCode())
}

func TestWebsocketOrigins(t *testing.T) {
	ts := startServer(t, channels.Options{
		AllowedOrigins: []string{"https://www.bank.example/"},
		AppKeys:        []string{"app-123"},
	})
	self := ts.http.URL
	tests := []struct {
		name   string
		origin string
		query  string
		header string
		ok     bool
	}{
		{"no origin (not a browser)", "", "", "", true},
		{"same host", self, "", "", true},
		{"allowed bank site", "https://www.bank.example", "", "", true},
		{"allowed, other case", "HTTPS://WWW.BANK.EXAMPLE", "", "", true},
		{"other site", "https://evil.example", "", "", false},
		{"bank site over http", "http://www.bank.example", "", "", false},
		{"null without app key", "null", "", "", false},
		{"null with app key in query", "null", "?app_key=app-123", "", true},
		{"null with app key header", "null", "", "app-123", true},
		{"null with wrong key", "null", "?app_key=nope", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			if tt.header != "" {
				h.Set("X-App-Key", tt.header)
			}
			ws, resp, err := websocket.DefaultDialer.Dial(ts.wsURL()+tt.query, h)
			if tt.ok {
				require.NoError(t, err)
				_ = ws.Close()
				return
			}
			require.Error(t, err)
			require.NotNil(t, resp)
			assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		})
	}
}

func TestWebsocketRateLimit(t *testing.T) {
	t.Run("session: errors, then close 1008", func(t *testing.T) {
		ts := startServer(t, channels.Options{SessionRate: limit.Rate{Limit: 3, Per: time.Minute}, RateStrikes: 3})
		c := dial(t, ts, nil)
		c.hello("") // counted for the address only: there is no session yet
		for _, id := range []string{"c1", "c2", "c3"} {
			c.send(`{"type":"message","id":"` + id + `","text":"你好"}`)
			assert.Equal(t, "reply", c.read()["type"])
		}
		for _, id := range []string{"c4", "c5", "c6"} {
			c.send(`{"type":"message","id":"` + id + `","text":"你好"}`)
			e := c.read()
			assert.Equal(t, "rate_limited", e["code"])
			assert.Equal(t, id, e["reply_to"])
		}
		assert.Equal(t, websocket.ClosePolicyViolation, c.closeCode())
		assert.Contains(t, metricsText(t, ts), `chatbot_rate_limited_total{scope="session"} 3`)
	})
	t.Run("address", func(t *testing.T) {
		ts := startServer(t, channels.Options{IPRate: limit.Rate{Limit: 2, Per: time.Minute}})
		c := dial(t, ts, nil)
		c.hello("")
		c.send(`{"type":"message","id":"c1","text":"你好"}`)
		assert.Equal(t, "reply", c.read()["type"])
		c.send(`{"type":"message","id":"c2","text":"你好"}`)
		assert.Equal(t, "rate_limited", c.read()["code"])
		// A calm client is not closed: the next allowed frame resets the strikes.
	})
	t.Run("off", func(t *testing.T) {
		ts := startServer(t, channels.Options{SessionRate: limit.Rate{Limit: -1}, IPRate: limit.Rate{Limit: -1}})
		c := dial(t, ts, nil)
		c.hello("")
		for range 30 {
			c.send(`{"type":"ping"}`)
			assert.Equal(t, "pong", c.read()["type"])
		}
	})
}

func TestWebsocketFeedbackAck(t *testing.T) {
	stub := newStubBot()
	ts := startServer(t, channels.Options{Bot: stub})
	c := dial(t, ts, nil)
	session := c.hello("")["session"].(string)
	c.send(`{"type":"feedback","id":"f1","reply":"s1","useful":false}`)
	assert.Equal(t, map[string]any{"type": "ack", "reply_to": "f1"}, c.read())
	assert.Equal(t, []string{session + "/s1/false"}, stub.feedback)
	assert.Contains(t, metricsText(t, ts), `chatbot_feedback_total{useful="no"} 1`)
}

func TestWebsocketBotErrorsArePolite(t *testing.T) {
	tests := []struct {
		err  error
		code string
	}{
		{bot.ErrUnavailable, "unavailable"},
		{bot.ErrConflict, "conflict"},
		{errors.New("redis: pool exhausted at 10.0.0.7"), "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			stub := newStubBot()
			stub.fail = tt.err
			ts := startServer(t, channels.Options{Bot: stub})
			c := dial(t, ts, nil)
			c.hello("")
			c.send(`{"type":"message","id":"c1","text":"你好"}`)
			e := c.read()
			assert.Equal(t, tt.code, e["code"])
			assert.Equal(t, "c1", e["reply_to"])
			assert.NotContains(t, e["message"], "redis", "Go errors never reach the user")
		})
	}
}

func TestWebsocketTurnTimeoutIsUnavailable(t *testing.T) {
	stub := newStubBot()
	stub.delay = time.Second
	ts := startServer(t, channels.Options{Bot: stub, TurnTimeout: 50 * time.Millisecond})
	c := dial(t, ts, nil)
	c.hello("")
	c.send(`{"type":"message","id":"c1","text":"你好"}`)
	assert.Equal(t, "unavailable", c.read()["code"])
}

func TestWebsocketExpiredSession(t *testing.T) {
	t.Run("hello with an unknown id", func(t *testing.T) {
		ts := startServer(t, channels.Options{})
		for _, id := range []string{"0123456789abcdef0123456789abcdef", "not a valid id!"} {
			c := dial(t, ts, nil)
			w := c.hello(id)
			assert.Equal(t, true, w["expired"])
			assert.Equal(t, false, w["resumed"])
			assert.NotEqual(t, id, w["session"])
			assert.Contains(t, w["notice"], "已过期")
		}
	})
	t.Run("expires while connected", func(t *testing.T) {
		stub := newStubBot()
		ts := startServer(t, channels.Options{Bot: stub})
		c := dial(t, ts, nil)
		old := c.hello("")["session"].(string)
		stub.set(func(b *stubBot) { delete(b.sessions, old) })
		c.send(`{"type":"message","id":"c1","text":"你好"}`)
		w := c.read()
		assert.Equal(t, "welcome", w["type"])
		assert.Equal(t, true, w["expired"])
		assert.NotContains(t, w, "reply_to", "only the reply answers c1")
		assert.NotEqual(t, old, w["session"])
		r := c.read()
		assert.Equal(t, "reply", r["type"])
		assert.Equal(t, "c1", r["reply_to"], "the message is still answered, in the new session")
	})
}

func TestWebsocketKeepalive(t *testing.T) {
	ts := startServer(t, channels.Options{PongWait: time.Second, PingPeriod: 200 * time.Millisecond})

	t.Run("a reading client stays connected", func(t *testing.T) {
		c := dial(t, ts, nil)
		c.hello("")
		// gorilla answers pings while reading; nothing else arrives.
		_, err := c.tryRead(3 * time.Second)
		require.Error(t, err)
		var netErr interface{ Timeout() bool }
		require.ErrorAs(t, err, &netErr)
		assert.True(t, netErr.Timeout(), "only our own read deadline ended the read: %v", err)
	})
	t.Run("a silent client is dropped", func(t *testing.T) {
		c := dial(t, ts, nil)
		c.hello("")
		// Not reading: no pongs. The server drops the socket after the pong wait.
		require.Eventually(t, func() bool { return strings.Contains(metricsText(t, ts), "chatbot_open_sockets 0") },
			30*time.Second, 20*time.Millisecond)
		assert.Equal(t, websocket.CloseAbnormalClosure, c.closeCode())
	})
}

func TestWebsocketClientThatStopsReadingIsDropped(t *testing.T) {
	stub := newStubBot()
	stub.padding = 256 << 10 // big replies fill the socket buffers quickly
	ts := startServer(t, channels.Options{
		Bot: stub, WriteWait: 500 * time.Millisecond,
		SessionRate: limit.Rate{Limit: -1}, IPRate: limit.Rate{Limit: -1},
	})
	c := dial(t, ts, nil)
	c.hello("")
	for i := range 100 {
		if c.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"message","id":"c`+strconv.Itoa(i)+`","text":"hi"}`)) != nil {
			break
		}
	}
	// The client reads nothing: the server gives up on it after WriteWait instead of blocking
	// forever; its turns are stored and it resumes after reconnecting.
	require.Eventually(t, func() bool { return strings.Contains(metricsText(t, ts), "chatbot_open_sockets 0") },
		30*time.Second, 20*time.Millisecond)
	assert.Contains(t, metricsText(t, ts), `chatbot_socket_closes_total{code="1006"} 1`)
	assert.Equal(t, websocket.CloseAbnormalClosure, c.closeCode())
}

func TestShutdownFinishesTurnsThenCloses1001(t *testing.T) {
	stub := newStubBot()
	stub.delay = 300 * time.Millisecond
	stub.started = make(chan struct{}, 1)
	ts := startServer(t, channels.Options{Bot: stub})
	c := dial(t, ts, nil)
	idle := dial(t, ts, nil)
	c.hello("")
	idle.hello("")

	c.send(`{"type":"message","id":"c1","text":"你好"}`)
	<-stub.started
	done := make(chan error, 1)
	go func() { done <- ts.Shutdown(context.Background()) }()

	r := c.read()
	assert.Equal(t, "reply", r["type"], "the turn in flight finishes and its reply is sent")
	assert.Equal(t, "c1", r["reply_to"])
	assert.Equal(t, websocket.CloseGoingAway, c.closeCode())
	assert.Equal(t, websocket.CloseGoingAway, idle.closeCode())
	require.NoError(t, <-done)

	_, resp, err := websocket.DefaultDialer.Dial(ts.wsURL(), nil)
	require.Error(t, err, "no new sockets after shutdown")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
}

// BenchmarkWebsocketTurn measures the channel's own cost of one turn over a real socket: frame
// decoding, rate limiting, the queue and the writer (the stub bot answers at once).
func BenchmarkWebsocketTurn(b *testing.B) {
	srv := channels.New(channels.Options{Bot: newStubBot(),
		SessionRate: limit.Rate{Limit: -1}, IPRate: limit.Rate{Limit: -1}})
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	defer func() { _ = srv.Shutdown(context.Background()) }()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(hs.URL, "http")+"/ws", nil)
	require.NoError(b, err)
	defer ws.Close()
	require.NoError(b, ws.WriteJSON(map[string]any{"type": "hello"}))
	_, _, err = ws.ReadMessage()
	require.NoError(b, err)

	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		msg := `{"type":"message","id":"c` + strconv.Itoa(i) + `","text":"你好"}`
		if err := ws.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			b.Fatal(err)
		}
		if _, _, err := ws.ReadMessage(); err != nil {
			b.Fatal(err)
		}
	}
}
