package channels_test

// Hardening: a slow store, slow or greedy clients and sockets that never say hello never break
// the service. No test here depends on the machine's speed: each waits for the event it expects
// with a generous deadline.

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// slowStore is a session store that takes delay for every read and write, like a Redis far away
// or overloaded.
type slowStore struct {
	session.Store
	delay time.Duration
}

func (s slowStore) wait(ctx context.Context) error {
	select {
	case <-time.After(s.delay):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s slowStore) Load(ctx context.Context, id string) (session.Record, error) {
	if err := s.wait(ctx); err != nil {
		return session.Record{}, err
	}
	return s.Store.Load(ctx, id)
}

func (s slowStore) Save(ctx context.Context, id string, t session.Turn) (int64, error) {
	if err := s.wait(ctx); err != nil {
		return 0, err
	}
	return s.Store.Save(ctx, id, t)
}

// TestSlowTurnKeepsItsReply: a turn that outlasts the pong wait many times over still gets its
// reply, and the socket stays open, because reading (and so pongs) goes on while the turn runs.
func TestSlowTurnKeepsItsReply(t *testing.T) {
	eng := bottest.Engine(t)
	b, err := bot.New(bot.Options{
		Engines: bot.EngineFunc(func() *dialog.Engine { return eng }),
		Store:   slowStore{Store: session.NewMemory(session.Options{}), delay: time.Second},
	})
	require.NoError(t, err)
	ts := startServer(t, channels.Options{Bot: b, PongWait: 300 * time.Millisecond, PingPeriod: 100 * time.Millisecond,
		TurnTimeout: 30 * time.Second})
	c := dial(t, ts, nil)
	c.hello("")
	c.sendJSON(map[string]any{"type": "message", "id": "c1", "text": negotiateQuestion})
	// The turn's store call takes a second: more than three pong waits.
	r := c.read()
	assert.Equal(t, "reply", r["type"])
	assert.Equal(t, "c1", r["reply_to"])
	assert.Equal(t, negotiateArticle, r["article"])
	c.send(`{"type":"ping","id":"p1"}`)
	assert.Equal(t, "pong", c.read()["type"], "the socket is still open")
}

func TestSocketWithoutHelloIsClosed(t *testing.T) {
	ts := startServer(t, channels.Options{HelloWait: 200 * time.Millisecond})
	silent := dial(t, ts, nil)
	assert.Equal(t, websocket.ClosePolicyViolation, silent.closeCode(), "no hello: closed")

	greeted := dial(t, ts, nil)
	greeted.hello("")
	greeted.send(`{"type":"ping","id":"p1"}`)
	assert.Equal(t, "pong", greeted.read()["type"])
	// Well past the hello wait, the socket that said hello is still open.
	require.Eventually(t, func() bool { return strings.Contains(metricsText(t, ts), `chatbot_socket_closes_total{code="1008"} 1`) },
		30*time.Second, 20*time.Millisecond)
	greeted.send(`{"type":"ping","id":"p2"}`)
	assert.Equal(t, "pong", greeted.read()["type"])
}

// refused dials and returns the HTTP status and body of the refused upgrade.
func refused(t *testing.T, ts *testServer, header http.Header) (int, string) {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial(ts.wsURL(), header)
	if err == nil {
		_ = ws.Close()
		t.Fatal("the socket was accepted")
	}
	require.NotNil(t, resp, "an HTTP answer: %v", err)
	defer resp.Body.Close()
	body := make([]byte, 512)
	n, _ := resp.Body.Read(body)
	return resp.StatusCode, string(body[:n])
}

func TestSocketCaps(t *testing.T) {
	t.Run("per address", func(t *testing.T) {
		ts := startServer(t, channels.Options{MaxSocketsPerIP: 2})
		first := dial(t, ts, nil)
		dial(t, ts, nil)
		status, body := refused(t, ts, nil)
		assert.Equal(t, http.StatusTooManyRequests, status)
		assert.Contains(t, body, "窗口过多", "a sentence the page can show")
		assert.Contains(t, metricsText(t, ts), `chatbot_socket_refusals_total{status="429"} 1`)
		// A browser hides the 429 from the page; the page asks why it cannot connect.
		_, body, _ = ts.get(t, "/api/v1/check", nil)
		assert.Contains(t, body, `"sockets": "per_ip"`)

		// A closed socket frees its place.
		require.NoError(t, first.ws.Close())
		require.Eventually(t, func() bool { return strings.Contains(metricsText(t, ts), "chatbot_open_sockets 1") },
			30*time.Second, 20*time.Millisecond)
		dial(t, ts, nil).hello("")
	})
	t.Run("per forwarded address behind a trusted proxy", func(t *testing.T) {
		ts := startServer(t, channels.Options{MaxSocketsPerIP: 1, TrustedProxies: mustPrefixes(t, "127.0.0.0/8")})
		alice := http.Header{"X-Forwarded-For": {"203.0.113.7"}}
		bob := http.Header{"X-Forwarded-For": {"203.0.113.8"}}
		dial(t, ts, alice)
		status, _ := refused(t, ts, alice)
		assert.Equal(t, http.StatusTooManyRequests, status)
		dial(t, ts, bob).hello("") // another client behind the same proxy has its own count
	})
	t.Run("per instance", func(t *testing.T) {
		ts := startServer(t, channels.Options{MaxSockets: 2, MaxSocketsPerIP: -1})
		dial(t, ts, nil)
		dial(t, ts, nil)
		status, body := refused(t, ts, nil)
		assert.Equal(t, http.StatusServiceUnavailable, status)
		assert.Contains(t, body, "繁忙")
		_, body, _ = ts.get(t, "/api/v1/check", nil)
		assert.Contains(t, body, `"sockets": "full"`)
	})
	t.Run("no per-address cap", func(t *testing.T) {
		ts := startServer(t, channels.Options{MaxSocketsPerIP: -1})
		for range 5 {
			dial(t, ts, nil)
		}
	})
}

// TestPingCostsNoRedisCall: keeping a socket alive never touches Redis (no rate-limit count
// either), while a message still costs its one round trip.
func TestPingCostsNoRedisCall(t *testing.T) {
	rdb, prefix := bottest.Redis(t)
	var trips roundTrips
	rdb.AddHook(&trips)
	ts := redisInstance(t, rdb, prefix, channels.Options{})
	c := dial(t, ts, nil)
	c.hello("")
	trips.n.Store(0)
	for range 20 {
		c.send(`{"type":"ping"}`)
		assert.Equal(t, "pong", c.read()["type"])
	}
	assert.Zero(t, trips.n.Load(), "pings are answered without Redis")
	c.sendJSON(map[string]any{"type": "message", "id": "c1", "text": negotiateQuestion})
	assert.Equal(t, "reply", c.read()["type"])
	assert.EqualValues(t, 1, trips.n.Load(), "a message is counted and stored in one round trip")
}

// TestContentPolicyComesFromConfiguration: whatever Host a request claims, the page's policy
// names the configured public URL only (a Host like "x;script-src *" once injected a directive).
func TestContentPolicyComesFromConfiguration(t *testing.T) {
	ts := startServer(t, channels.Options{PublicURL: "https://chat.bank.example", AllowedOrigins: []string{"https://www.bank.example"}})
	req, err := http.NewRequest(http.MethodGet, ts.http.URL+"/", nil)
	require.NoError(t, err)
	req.Host = "evil.example;script-src *"
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	csp := resp.Header.Get("Content-Security-Policy")
	assert.Equal(t, "default-src 'self'; connect-src 'self' wss://chat.bank.example; img-src 'self' data: https:; "+
		"base-uri 'none'; form-action 'none'; frame-ancestors 'self' https://www.bank.example", csp)
	assert.NotContains(t, csp, "evil")
}

// TestOwnOriginIsTheConfiguredOne: a page is the server's own when its Origin is the public URL,
// not when it merely matches the Host header, as a DNS-rebinding page's requests would.
func TestOwnOriginIsTheConfiguredOne(t *testing.T) {
	ts := startServer(t, channels.Options{PublicURL: "https://chat.bank.example"})
	host := strings.TrimPrefix(ts.http.URL, "http://")
	for _, tt := range []struct {
		origin string
		ok     bool
	}{
		{"https://chat.bank.example", true},
		{"HTTPS://CHAT.BANK.EXAMPLE", true},
		{"http://chat.bank.example", false}, // another scheme is another origin
		{"http://" + host, false},           // Origin and Host agree: a rebinding page
		{"http://rebind.example", false},
	} {
		t.Run(tt.origin, func(t *testing.T) {
			h := http.Header{"Origin": {tt.origin}}
			ws, resp, err := websocket.DefaultDialer.Dial(ts.wsURL(), h)
			if tt.ok {
				require.NoError(t, err)
				_ = ws.Close()
				return
			}
			require.Error(t, err)
			assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		})
	}
	// Without Host tricks: a rebinding page's request carries its own name as Host.
	req, err := http.NewRequest(http.MethodPost, ts.http.URL+"/api/v1/chat", strings.NewReader(`{"type":"ping"}`))
	require.NoError(t, err)
	req.Host = "rebind.example"
	req.Header.Set("Origin", "http://rebind.example")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
}

// TestAdminAuthFailures: a failed admin authentication is logged (never what was sent) and
// counted, and an address that keeps failing is refused for a while, even with the right token.
func TestAdminAuthFailures(t *testing.T) {
	var logs syncBuffer
	ts := startServer(t, channels.Options{AdminToken: adminToken, Knowledge: nil,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	reload := func(auth string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, ts.http.URL+"/admin/reload", strings.NewReader("{}"))
		require.NoError(t, err)
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusNotFound, reload("BEARER "+adminToken), "the right token, in any case: no knowledge base to reload")
	for i := range 5 {
		assert.Equal(t, http.StatusUnauthorized, reload(fmt.Sprintf("Bearer guess-%d-0123456789", i)))
	}
	assert.Equal(t, http.StatusTooManyRequests, reload("Bearer "+adminToken), "five failures: the address waits, right token or not")

	m := metricsText(t, ts)
	assert.Contains(t, m, `chatbot_admin_auth_failures_total{reason="wrong_token"} 5`)
	assert.Contains(t, m, `chatbot_admin_auth_failures_total{reason="blocked"} 1`)
	assert.Contains(t, logs.String(), "admin authentication failed")
	assert.NotContains(t, logs.String(), "guess-", "the token sent is never logged")
	assert.NotContains(t, logs.String(), adminToken)
}

// syncBuffer collects a server's log lines while the test reads them.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestOwnOriginWithoutPublicURL: a local run (no public URL) takes a page as its own only on a
// loopback address written as such; a rebinding domain that resolves to the server is refused.
func TestOwnOriginWithoutPublicURL(t *testing.T) {
	srv := channels.New(channels.Options{Bot: newStubBot()})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		_ = srv.Shutdown(context.Background())
		hs.Close()
	})
	port := hs.Listener.Addr().(*net.TCPAddr).Port
	for _, tt := range []struct {
		host string
		ok   bool
	}{
		{"localhost", true},
		{"127.0.0.1", true},
		{"rebind.example", false},
	} {
		t.Run(tt.host, func(t *testing.T) {
			hostPort := net.JoinHostPort(tt.host, strconv.Itoa(port))
			req, err := http.NewRequest(http.MethodPost, hs.URL+"/api/v1/chat", strings.NewReader(`{"type":"ping"}`))
			require.NoError(t, err)
			req.Host = hostPort
			req.Header.Set("Origin", "http://"+hostPort)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			if tt.ok {
				assert.Equal(t, http.StatusOK, resp.StatusCode)
			} else {
				assert.Equal(t, http.StatusForbidden, resp.StatusCode)
			}
		})
	}
	_, _, h := (&testServer{http: hs}).get(t, "/", nil)
	assert.Contains(t, h.Get("Content-Security-Policy"), "connect-src 'self';", "no URL to name: 'self' covers the socket")
}

// TestLogsNeverHoldASessionID: a session id alone grants the whole conversation, so logs, at
// every level, show a short hash of it instead.
func TestLogsNeverHoldASessionID(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	eng := bottest.Engine(t)
	b, err := bot.New(bot.Options{Engines: bot.EngineFunc(func() *dialog.Engine { return eng }), Logger: log})
	require.NoError(t, err)
	ts := startServer(t, channels.Options{Bot: b, Logger: log})
	c := dial(t, ts, nil)
	id := c.hello("")["session"].(string)
	c.sendJSON(map[string]any{"type": "message", "id": "c1", "text": negotiateQuestion})
	require.Equal(t, "reply", c.read()["type"])
	c.sendJSON(map[string]any{"type": "feedback", "id": "f1", "reply": "s1", "useful": true})
	require.Equal(t, "ack", c.read()["type"])

	assert.Contains(t, logs.String(), `"session":"`+bot.LogID(id)+`"`, "turns are logged with the hash")
	assert.NotContains(t, logs.String(), id)
	assert.Len(t, bot.LogID(id), 8)
}

// fakeLive lets a test push entries to the sockets listening to a session.
type fakeLive struct {
	mu      sync.Mutex
	deliver map[string]func(bot.Entry)
}

func (l *fakeLive) Listen(session string, deliver func(bot.Entry)) func() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.deliver[session] = deliver
	return func() {}
}

func (l *fakeLive) push(session string, e bot.Entry) {
	l.mu.Lock()
	deliver := l.deliver[session]
	l.mu.Unlock()
	deliver(e)
}

// TestPushIsNeverDroppedSilently: pushes wait behind a running turn and arrive after its reply;
// one that finds the socket's queue full closes the socket with 1013 instead of being dropped
// (the client finds it in its history on resume), and the push hub is never blocked.
func TestPushIsNeverDroppedSilently(t *testing.T) {
	stub := newStubBot()
	stub.started, stub.gate = make(chan struct{}, 1), make(chan struct{})
	live := &fakeLive{deliver: map[string]func(bot.Entry){}}
	ts := startServer(t, channels.Options{Bot: stub, Live: live, SendQueue: 2})
	c := dial(t, ts, nil)
	session := c.hello("")["session"].(string)

	c.send(`{"type":"message","id":"c1","text":"你好"}`)
	<-stub.started     // the turn runs, held at the gate
	for i := range 3 { // two fit in the queue, the third does not
		live.push(session, bot.Entry{ID: fmt.Sprintf("s%d", 10+i), Kind: bot.KindAgent, Text: "您好"})
	}
	close(stub.gate)
	r := c.read()
	assert.Equal(t, "c1", r["reply_to"], "the turn's reply comes first")
	assert.Equal(t, websocket.CloseTryAgainLater, c.closeCode())
	assert.Contains(t, metricsText(t, ts), "chatbot_send_queue_overflows_total 1")
}
