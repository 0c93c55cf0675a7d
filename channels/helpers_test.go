package channels_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"chatbot/bot"
	"chatbot/bot/session"
	"chatbot/channels"
	"chatbot/dialog"
	"chatbot/knowledge"
)

// stubBot is a scriptable bot for the channel's mechanics (framing, limits, closing): it echoes,
// remembers sessions and reply ids in memory, and can be made slow, verbose or failing.
// End-to-end behaviour is tested with the real bot in e2e_test.go.
type stubBot struct {
	mu       sync.Mutex
	sessions map[string]*stubSession
	next     int
	delay    time.Duration // each Handle sleeps this long
	padding  int           // bytes of filler added to each reply's text
	fail     error         // returned by Handle when set
	notReady error         // returned by Ready
	handled  int           // turns actually run (not replayed)
	started  chan struct{} // receives when a Handle starts, if non-nil
	gate     chan struct{} // if non-nil, a turn waits until it is closed
	feedback []string
	counts   *session.Memory // rate-limit counts, as the real bot's in-memory store keeps them
}

type stubSession struct {
	history []bot.Entry
	replies map[string]bot.Output // by message id
}

func newStubBot() *stubBot {
	return &stubBot{sessions: map[string]*stubSession{}, counts: session.NewMemory(session.Options{})}
}

func (b *stubBot) Allow(ctx context.Context, limits ...bot.Limit) (int, error) {
	return b.counts.Count(ctx, limits)
}

func (b *stubBot) OpenWith(_ context.Context, requested string, _ bot.Context) (bot.Session, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.sessions[requested]; ok {
		return bot.Session{ID: requested, Resumed: true, History: append([]bot.Entry(nil), s.history...),
			Conversation: bot.NewConversation(requested)}, nil
	}
	b.next++
	id := fmt.Sprintf("sess%04d", b.next)
	b.sessions[id] = &stubSession{replies: map[string]bot.Output{}}
	return bot.Session{ID: id, Expired: requested != "", Conversation: bot.NewConversation(id)}, nil
}

func (b *stubBot) Turn(ctx context.Context, c *bot.Conversation, in bot.Input) (bot.Output, error) {
	sessionID := c.ID()
	if refused, _ := b.counts.Count(ctx, in.Limits); refused >= 0 {
		return bot.Output{}, &bot.RateLimitError{Index: refused}
	}
	b.mu.Lock()
	started, delay, fail := b.started, b.delay, b.fail
	b.mu.Unlock()
	if started != nil {
		started <- struct{}{}
	}
	if b.gate != nil {
		<-b.gate
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return bot.Output{}, ctx.Err()
		}
	}
	if fail != nil {
		return bot.Output{}, fail
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.sessions[sessionID]
	if !ok {
		return bot.Output{}, bot.ErrUnknownSession
	}
	if out, ok := s.replies[in.MessageID]; ok {
		out.Replayed = true
		return out, nil
	}
	b.handled++
	said := in.Text
	if in.Choice != "" {
		said = "choice " + in.Choice
	}
	out := bot.Output{
		ID: fmt.Sprintf("s%d", len(s.replies)+1), ReplyTo: in.MessageID, Kind: dialog.KindAnswer,
		Text: "echo: " + said + strings.Repeat("x", b.padding), HTML: "<p>echo</p>", Article: "echo",
		KBVersion: "kb-test", Buttons: []knowledge.Button{{Label: "再问", Value: "article:echo"}}, At: time.Now(),
	}
	s.replies[in.MessageID] = out
	s.history = append(s.history,
		bot.Entry{Role: "user", ID: in.MessageID, Text: said, At: out.At},
		bot.Entry{Role: "bot", ID: out.ID, ReplyTo: in.MessageID, Kind: out.Kind, Text: out.Text, At: out.At})
	return out, nil
}

func (b *stubBot) FeedbackOn(_ context.Context, c *bot.Conversation, replyID string, useful bool) error {
	sessionID := c.ID()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.feedback = append(b.feedback, fmt.Sprintf("%s/%s/%v", sessionID, replyID, useful))
	return nil
}

func (b *stubBot) Ready(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.notReady
}

// Issuer knows one bank, enough for the channel's checks.
func (b *stubBot) Issuer(id string) (bot.Issuer, bool) {
	if id != "cmb" {
		return bot.Issuer{}, false
	}
	return bot.Issuer{ID: "cmb", Name: "招商银行", Hotline: "95555"}, true
}

func (b *stubBot) set(f func(b *stubBot)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f(b)
}

// testServer runs a channels.Server on httptest and shuts both down when the test ends.
type testServer struct {
	*channels.Server
	http *httptest.Server
}

func startServer(t *testing.T, opts channels.Options) *testServer {
	t.Helper()
	if opts.Bot == nil {
		opts.Bot = newStubBot()
	}
	hs := httptest.NewUnstartedServer(nil)
	if opts.PublicURL == "" {
		opts.PublicURL = "http://" + hs.Listener.Addr().String()
	}
	srv := channels.New(opts)
	hs.Config.Handler = srv.Handler()
	hs.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		hs.Close()
	})
	return &testServer{Server: srv, http: hs}
}

func (ts *testServer) wsURL() string { return "ws" + strings.TrimPrefix(ts.http.URL, "http") + "/ws" }

// client is a gorilla websocket client speaking frames as maps, so tests see exactly the wire.
type client struct {
	t  *testing.T
	ws *websocket.Conn
}

func dial(t *testing.T, ts *testServer, header http.Header) *client {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial(ts.wsURL(), header)
	require.NoError(t, err)
	_ = resp.Body.Close()
	t.Cleanup(func() { _ = ws.Close() })
	return &client{t: t, ws: ws}
}

func (c *client) send(frame string) {
	c.t.Helper()
	require.NoError(c.t, c.ws.WriteMessage(websocket.TextMessage, []byte(frame)))
}

func (c *client) sendJSON(frame map[string]any) {
	c.t.Helper()
	require.NoError(c.t, c.ws.WriteJSON(frame))
}

// read returns the next frame, failing the test after 5s.
func (c *client) read() map[string]any {
	c.t.Helper()
	f, err := c.tryRead(30 * time.Second) // generous: a busy machine may be slow, never wrong
	require.NoError(c.t, err)
	return f
}

func (c *client) tryRead(wait time.Duration) (map[string]any, error) {
	_ = c.ws.SetReadDeadline(time.Now().Add(wait))
	mt, data, err := c.ws.ReadMessage()
	if err != nil {
		return nil, err
	}
	if mt != websocket.TextMessage {
		return nil, fmt.Errorf("server sent frame type %d", mt)
	}
	var f map[string]any
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("server frame is not JSON: %w: %s", err, data)
	}
	return f, nil
}

// hello sends hello for session (empty: new) and returns the welcome.
func (c *client) hello(session string) map[string]any {
	c.t.Helper()
	c.sendJSON(map[string]any{"type": "hello", "session": session, "locale": "zh-CN", "v": 1})
	w := c.read()
	require.Equal(c.t, "welcome", w["type"], "frame: %v", w)
	return w
}

// closeCode reads until the server closes the socket and returns the close code (1006 when the
// connection simply ended). It fails the test if the socket stays open for 30s.
func (c *client) closeCode() int {
	c.t.Helper()
	for {
		_, err := c.tryRead(30 * time.Second)
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		var netErr interface{ Timeout() bool }
		if errors.As(err, &netErr) && netErr.Timeout() {
			c.t.Fatal("the server did not close the socket")
		}
		return websocket.CloseAbnormalClosure
	}
}

// get fetches path from the server and returns status and body.
func (ts *testServer) get(t *testing.T, path string, header http.Header) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.http.URL+path, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body), resp.Header
}

// metricsText scrapes /metrics.
func metricsText(t *testing.T, ts *testServer) string {
	t.Helper()
	status, body, _ := ts.get(t, "/metrics", nil)
	require.Equal(t, http.StatusOK, status)
	return body
}

func mustPrefixes(t *testing.T, cidrs ...string) []netip.Prefix {
	t.Helper()
	out := make([]netip.Prefix, len(cidrs))
	for i, c := range cidrs {
		out[i] = netip.MustParsePrefix(c)
	}
	return out
}
