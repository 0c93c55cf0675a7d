package channels_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/channels"
	"chatbot/channels/limit"
)

// post sends body to /api/v1/chat and decodes the answer.
// chatResponse is a POST /api/v1/chat answer as a client reads it.
type chatResponse struct {
	Session string           `json:"session"`
	Frames  []map[string]any `json:"frames"`
}

func post(t *testing.T, ts *testServer, body string, header http.Header) (int, chatResponse, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, ts.http.URL+"/api/v1/chat", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out chatResponse
	if resp.Header.Get("Content-Type") == "application/json; charset=utf-8" {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	}
	return resp.StatusCode, out, resp.Header
}

func frame(t *testing.T, res chatResponse, i int) map[string]any {
	t.Helper()
	require.Greater(t, len(res.Frames), i, "frames: %v", res.Frames)
	return res.Frames[i]
}

func TestChatEndpoint(t *testing.T) {
	stub := newStubBot()
	ts := startServer(t, channels.Options{Bot: stub, MaxFrameBytes: 1024})

	status, res, _ := post(t, ts, `{"type":"message","id":"c1","text":"你好"}`, nil)
	require.Equal(t, http.StatusOK, status)
	require.NotEmpty(t, res.Session, "a first message starts a session")
	assert.Equal(t, "welcome", frame(t, res, 0)["type"])
	assert.Equal(t, "reply", frame(t, res, 1)["type"])
	assert.Equal(t, "c1", frame(t, res, 1)["reply_to"])
	session := res.Session

	status, res, _ = post(t, ts, `{"type":"choose","session":"`+session+`","id":"c2","value":"article:echo"}`, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, session, res.Session)
	require.Len(t, res.Frames, 1)
	assert.Equal(t, "c2", frame(t, res, 0)["reply_to"])

	_, res, _ = post(t, ts, `{"type":"message","session":"`+session+`","id":"c1","text":"你好"}`, nil)
	assert.Equal(t, true, frame(t, res, 0)["replayed"], "a re-sent id gets the stored reply")
	assert.Equal(t, 2, stub.handled)

	_, res, _ = post(t, ts, `{"type":"hello","session":"`+session+`"}`, nil)
	w := frame(t, res, 0)
	assert.Equal(t, true, w["resumed"])
	assert.Len(t, w["history"], 4)

	_, res, _ = post(t, ts, `{"type":"message","session":"ffffffffffffffffffffffffffffffff","id":"c1","text":"你好"}`, nil)
	assert.NotEqual(t, "ffffffffffffffffffffffffffffffff", res.Session)
	assert.Equal(t, true, frame(t, res, 0)["expired"], "an expired session is replaced and the user told so")
	assert.Equal(t, "c1", frame(t, res, 1)["reply_to"])

	_, res, _ = post(t, ts, `{"type":"feedback","session":"`+session+`","id":"f1","reply":"s1","useful":true}`, nil)
	assert.Equal(t, map[string]any{"type": "ack", "reply_to": "f1"}, frame(t, res, 0))
	status, res, _ = post(t, ts, `{"type":"feedback","session":"`+session+`","reply":"s1","useful":false}`, nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, []map[string]any{}, res.Frames, "feedback without an id: nothing to acknowledge")

	errs := []struct {
		name, body string
		status     int
		code       string
	}{
		{"bad json", `{"type":`, http.StatusBadRequest, "bad_json"},
		{"unknown type", `{"type":"dance","id":"x1"}`, http.StatusBadRequest, "unknown_type"},
		{"empty text", `{"type":"message","id":"x2","text":""}`, http.StatusBadRequest, "empty_text"},
		{"feedback without a session", `{"type":"feedback","id":"x5","reply":"s1","useful":true}`, http.StatusBadRequest, "not_hello_first"},
		{"too large", `{"type":"message","id":"x3","text":"` + strings.Repeat("a", 2000) + `"}`, http.StatusRequestEntityTooLarge, "too_large"},
		{"past the hard cap", `{"type":"message","id":"x4","text":"` + strings.Repeat("a", 70000) + `"}`, http.StatusRequestEntityTooLarge, "too_large"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			status, res, _ := post(t, ts, tt.body, nil)
			assert.Equal(t, tt.status, status)
			e := frame(t, res, 0)
			assert.Equal(t, tt.code, e["code"])
			assert.NotEmpty(t, e["message"])
		})
	}

	t.Run("get is not allowed", func(t *testing.T) {
		status, _, h := ts.get(t, "/api/v1/chat", nil)
		assert.Equal(t, http.StatusMethodNotAllowed, status)
		assert.Equal(t, "POST, OPTIONS", h.Get("Allow"))
	})
}

func TestChatEndpointOriginsAndCORS(t *testing.T) {
	ts := startServer(t, channels.Options{AllowedOrigins: []string{"https://www.bank.example"}})

	status, _, _ := post(t, ts, `{"type":"hello"}`, http.Header{"Origin": {"https://evil.example"}})
	assert.Equal(t, http.StatusForbidden, status)

	status, _, h := post(t, ts, `{"type":"hello"}`, http.Header{"Origin": {"https://www.bank.example"}})
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "https://www.bank.example", h.Get("Access-Control-Allow-Origin"))

	req, err := http.NewRequest(http.MethodOptions, ts.http.URL+"/api/v1/chat", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", "https://www.bank.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Access-Control-Allow-Methods"), "POST")

	_, _, h = post(t, ts, `{"type":"hello"}`, nil)
	assert.Empty(t, h.Get("Access-Control-Allow-Origin"), "same-origin answers carry no CORS grant")
}

func TestChatEndpointRateLimit(t *testing.T) {
	ts := startServer(t, channels.Options{IPRate: limit.Rate{Limit: 2, Per: 30 * time.Second}})
	for range 2 {
		status, _, _ := post(t, ts, `{"type":"ping"}`, nil)
		require.Equal(t, http.StatusOK, status)
	}
	status, res, h := post(t, ts, `{"type":"message","id":"c9","text":"你好"}`, nil)
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, "30", h.Get("Retry-After"))
	assert.Equal(t, "rate_limited", frame(t, res, 0)["code"])
	assert.Equal(t, "c9", frame(t, res, 0)["reply_to"])
}

func TestChatEndpointTrustedProxy(t *testing.T) {
	// The test client is 127.0.0.1: as a trusted proxy, its X-Forwarded-For names the client,
	// so two cardholders behind the balancer have separate limits.
	ts := startServer(t, channels.Options{
		IPRate:         limit.Rate{Limit: 1, Per: time.Minute},
		TrustedProxies: mustPrefixes(t, "127.0.0.0/8"),
	})
	for _, ip := range []string{"203.0.113.7", "203.0.113.8"} {
		status, _, _ := post(t, ts, `{"type":"ping"}`, http.Header{"X-Forwarded-For": {"198.51.100.1, " + ip}})
		assert.Equal(t, http.StatusOK, status, ip)
	}
	status, _, _ := post(t, ts, `{"type":"ping"}`, http.Header{"X-Forwarded-For": {"10.9.9.9, 203.0.113.7"}})
	assert.Equal(t, http.StatusTooManyRequests, status, "entries left of the client's own are not believed")
}

func TestHealthAndReadiness(t *testing.T) {
	stub := newStubBot()
	ts := startServer(t, channels.Options{Bot: stub, AdminToken: adminToken})

	status, body, _ := ts.get(t, "/healthz", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok\n", body)

	status, body, _ = ts.get(t, "/readyz", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"ready": true`)

	stub.set(func(b *stubBot) { b.notReady = errors.New("redis 10.0.0.7:6379: connection refused") })
	status, body, _ = ts.get(t, "/readyz", nil)
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Contains(t, body, `"bot": "unavailable"`, "anyone sees which check fails")
	assert.NotContains(t, body, "10.0.0.7", "only the admin sees the details")
	status, body, _ = ts.get(t, "/readyz", http.Header{"Authorization": {"Bearer " + adminToken}})
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Contains(t, body, "redis 10.0.0.7:6379: connection refused", "the admin sees why")
	status, _, _ = ts.get(t, "/readyz", http.Header{"Authorization": {"Bearer wrong"}})
	assert.Equal(t, http.StatusUnauthorized, status, "a wrong token is a failed admin authentication")

	stub.set(func(b *stubBot) { b.notReady = nil })
	require.NoError(t, ts.Shutdown(context.Background()))
	status, body, _ = ts.get(t, "/readyz", nil)
	assert.Equal(t, http.StatusServiceUnavailable, status, "a draining instance leaves the balancer")
	assert.Contains(t, body, "shutting down")
}

func TestMetrics(t *testing.T) {
	ts := startServer(t, channels.Options{})
	c := dial(t, ts, nil)
	c.hello("")
	assert.Contains(t, metricsText(t, ts), "chatbot_open_sockets 1")
	c.send(`{"type":"message","id":"c1","text":"你好"}`)
	c.read()
	c.send(`{"type":"dance"}`)
	c.read()
	m := metricsText(t, ts)
	for _, want := range []string{
		`chatbot_turns_total{channel="ws",kind="answer"} 1`,
		`chatbot_turn_duration_seconds_count{channel="ws"} 1`,
		`chatbot_turn_errors_total{channel="ws",code="unknown_type"} 1`,
		`go_goroutines`,
	} {
		assert.Contains(t, m, want)
	}
}

func TestStaticPages(t *testing.T) {
	ts := startServer(t, channels.Options{AllowedOrigins: []string{"https://www.bank.example"}})
	tests := []struct {
		path, contentType, contains string
	}{
		{"/", "text/html; charset=utf-8", `<html lang="zh-CN">`},
		{"/static/chat.js", "text/javascript; charset=utf-8", "'hello'"},
		{"/static/chat.css", "text/css; charset=utf-8", ".bubble"},
		{"/widget.js", "text/javascript; charset=utf-8", "embed=1"},
		{"/demo", "text/html; charset=utf-8", `data-issuer="cmb"`},
		{"/static/demo.js", "text/javascript; charset=utf-8", "ChatbotWidget"},
		{"/favicon.ico", "image/x-icon", "\x00\x00\x01\x00"},
		{"/favicon.svg", "image/svg+xml", "<svg"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			status, body, h := ts.get(t, tt.path, nil)
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, tt.contentType, h.Get("Content-Type"))
			assert.Contains(t, body, tt.contains)
			assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
		})
	}
	_, _, h := ts.get(t, "/", nil)
	assert.Contains(t, h.Get("Content-Security-Policy"), "frame-ancestors 'self' https://www.bank.example")
	for _, path := range []string{"/static/", "/nope", "/static/missing.js"} {
		status, _, _ := ts.get(t, path, nil)
		assert.Equal(t, http.StatusNotFound, status, path)
	}
}
