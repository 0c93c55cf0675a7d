package channels_test

// The page's context (issuer, channel), app keys for webviews, and the check a page makes when
// it cannot connect.

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot"
	"chatbot/bot/bottest"
	"chatbot/bot/session"
	"chatbot/channels"
	"chatbot/dialog"
)

func TestHelloContext(t *testing.T) {
	ts := memoryBotServer(t, channels.Options{Logger: quiet})
	c := dial(t, ts, nil)

	t.Run("unknown issuer: an error frame, the socket stays open", func(t *testing.T) {
		c.send(`{"type":"hello","id":"h1","context":{"issuer":"nosuchbank","channel":"web"}}`)
		e := c.read()
		assert.Equal(t, "error", e["type"])
		assert.Equal(t, "unknown_issuer", e["code"])
		assert.Equal(t, "h1", e["reply_to"])
		assert.Contains(t, e["message"], "发卡银行")
	})
	t.Run("unknown channel", func(t *testing.T) {
		c.send(`{"type":"hello","id":"h2","context":{"channel":"fax"}}`)
		e := c.read()
		assert.Equal(t, "bad_context", e["code"])
		assert.Equal(t, "h2", e["reply_to"])
	})
	t.Run("malformed context", func(t *testing.T) {
		c.send(`{"type":"hello","id":"h3","context":"cmb"}`)
		assert.Equal(t, "bad_json", c.read()["code"])
	})

	c.send(`{"type":"hello","id":"h4","context":{"issuer":"cmb","channel":"web"}}`)
	w := c.read()
	require.Equal(t, "welcome", w["type"], "frame: %v", w)
	c.send(`{"type":"message","id":"c1","text":"客服电话是多少"}`)
	r := c.read()
	require.Equal(t, "reply", r["type"], "frame: %v", r)
	assert.Contains(t, r["text"], "95555", "the issuer's own number")
	assert.NotContains(t, r["text"], "95588", "no other bank's")

	c.send(`{"type":"message","id":"c2","text":"帮我准备一下怎么跟银行协商"}`)
	c.read()
	c.send(`{"type":"choose","id":"c3","value":"flow:negotiation"}`)
	r = c.read()
	assert.NotContains(t, r["text"], "哪家银行", "the flow does not ask for the bank the page named")

	t.Run("over HTTP, a first message starts a session in its context", func(t *testing.T) {
		status, res, _ := post(t, ts, `{"type":"message","id":"c1","text":"客服电话是多少","context":{"issuer":"ccb","channel":"app"}}`, nil)
		require.Equal(t, http.StatusOK, status)
		assert.Contains(t, frame(t, res, 1)["text"], "95533")
	})
}

func TestWebviewAppKey(t *testing.T) {
	ts := startServer(t, channels.Options{AppKeys: []string{"app-123"}, Logger: quiet})
	for _, origin := range []string{"null", "file://"} {
		t.Run(origin, func(t *testing.T) {
			for _, tt := range []struct {
				name          string
				query, header string
				ok            bool
			}{
				{"key in query", "?app_key=app-123", "", true},
				{"key in header", "", "app-123", true},
				{"no key", "", "", false},
				{"wrong key", "", "nope", false},
			} {
				t.Run(tt.name, func(t *testing.T) {
					h := http.Header{"Origin": {origin}}
					if tt.header != "" {
						h.Set("X-App-Key", tt.header)
					}
					ws, resp, err := websocket.DefaultDialer.Dial(ts.wsURL()+tt.query, h)
					if tt.ok {
						require.NoError(t, err)
						_ = ws.Close()
					} else {
						require.Error(t, err)
						assert.Equal(t, http.StatusForbidden, resp.StatusCode)
					}

					req, err := http.NewRequest(http.MethodPost, ts.http.URL+"/api/v1/chat"+tt.query, strings.NewReader(`{"type":"hello"}`))
					require.NoError(t, err)
					req.Header = h.Clone()
					resp, err = http.DefaultClient.Do(req)
					require.NoError(t, err)
					_ = resp.Body.Close()
					if tt.ok {
						assert.Equal(t, http.StatusOK, resp.StatusCode)
						assert.Equal(t, origin, resp.Header.Get("Access-Control-Allow-Origin"))
					} else {
						assert.Equal(t, http.StatusForbidden, resp.StatusCode)
					}
				})
			}

			t.Run("the preflight allows the X-App-Key header", func(t *testing.T) {
				resp := preflight(t, ts, origin)
				assert.Equal(t, http.StatusNoContent, resp.StatusCode)
				assert.Equal(t, origin, resp.Header.Get("Access-Control-Allow-Origin"))
				assert.Contains(t, resp.Header.Get("Access-Control-Allow-Headers"), "X-App-Key")
			})
		})
	}

	t.Run("no app keys configured: no grant for app pages", func(t *testing.T) {
		plain := startServer(t, channels.Options{Logger: quiet})
		resp := preflight(t, plain, "null")
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
	})
}

func preflight(t *testing.T, ts *testServer, origin string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodOptions, ts.http.URL+"/api/v1/chat", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type,x-app-key")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	return resp
}

func TestCheckEndpoint(t *testing.T) {
	stub := newStubBot()
	ts := startServer(t, channels.Options{Bot: stub, AllowedOrigins: []string{"https://www.bank.example"},
		AppKeys: []string{"app-123"}, Logger: quiet})
	tests := []struct {
		name, path, origin string
		status             int
		want               channels.CheckResult
	}{
		{"allowed site with its issuer", "/api/v1/check?issuer=cmb", "https://www.bank.example", http.StatusOK,
			channels.CheckResult{Allowed: true, Ready: true, Issuer: &bankCMB}},
		{"refused site still learns whom to call", "/api/v1/check?issuer=cmb", "https://evil.example", http.StatusForbidden,
			channels.CheckResult{Allowed: false, Reason: "origin", Ready: true, Issuer: &bankCMB}},
		{"app page without key", "/api/v1/check", "null", http.StatusForbidden,
			channels.CheckResult{Reason: "app_key", Ready: true}},
		{"app page with key", "/api/v1/check?app_key=app-123", "file://", http.StatusOK,
			channels.CheckResult{Allowed: true, Ready: true}},
		{"unknown issuer", "/api/v1/check?issuer=nosuchbank", "", http.StatusOK,
			channels.CheckResult{Allowed: true, Ready: true, UnknownIssuer: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			status, body, header := ts.get(t, tt.path, h)
			assert.Equal(t, tt.status, status)
			assert.Equal(t, "*", header.Get("Access-Control-Allow-Origin"), "any page may read the verdict")
			var got channels.CheckResult
			require.NoError(t, json.Unmarshal([]byte(body), &got))
			assert.Equal(t, tt.want, got)
		})
	}

	t.Run("the bot cannot serve", func(t *testing.T) {
		stub.set(func(b *stubBot) { b.notReady = assert.AnError })
		defer stub.set(func(b *stubBot) { b.notReady = nil })
		_, body, _ := ts.get(t, "/api/v1/check", nil)
		var got channels.CheckResult
		require.NoError(t, json.Unmarshal([]byte(body), &got))
		assert.Equal(t, channels.CheckResult{Allowed: true, Ready: false}, got)
	})
}

var bankCMB = bot.Issuer{ID: "cmb", Name: "招商银行", Hotline: "95555"}

// TestContextOutlivesAnExpiredSession: when the session idles out under an open socket, the new
// session the server starts keeps the page's issuer.
func TestContextOutlivesAnExpiredSession(t *testing.T) {
	now := time.Date(2026, 5, 6, 7, 8, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	eng := bottest.Engine(t)
	b, err := bot.New(bot.Options{Engines: bot.EngineFunc(func() *dialog.Engine { return eng }),
		Store: session.NewMemory(session.Options{TTL: time.Minute, Now: clock})})
	require.NoError(t, err)
	ts := startServer(t, channels.Options{Bot: b, Logger: quiet})
	c := dial(t, ts, nil)
	c.send(`{"type":"hello","id":"h1","context":{"issuer":"cmb","channel":"web"}}`)
	first := c.read()
	require.Equal(t, "welcome", first["type"])

	mu.Lock()
	now = now.Add(2 * time.Minute) // the session idles out
	mu.Unlock()
	c.send(`{"type":"message","id":"c1","text":"客服电话是多少"}`)
	w := c.read()
	require.Equal(t, "welcome", w["type"], "frame: %v", w)
	assert.Equal(t, true, w["expired"])
	assert.NotEqual(t, first["session"], w["session"])
	r := c.read()
	assert.Contains(t, r["text"], "95555", "still the issuer's number in the new session")
	assert.NotContains(t, r["text"], "95588", "and no other bank's")
}
