package channels_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot"
	"chatbot/bot/bottest"
	"chatbot/bot/live"
	"chatbot/channels"
)

// The real bot and the live knowledge base satisfy what channels need.
var (
	_ channels.Bot       = (*bot.Bot)(nil)
	_ channels.Knowledge = (*live.Library)(nil)
)

// editableKB copies the built-in knowledge base into a folder an editor could change, and serves
// it through the real bot.
func editableKB(t *testing.T, opts channels.Options) (*testServer, *live.Library, string) {
	t.Helper()
	dir := bottest.KBCopy(t)
	lib := live.New(live.Options{Dir: dir})
	require.NoError(t, lib.Load(context.Background()))
	b, err := bot.New(bot.Options{Engines: lib})
	require.NoError(t, err)
	opts.Bot, opts.Knowledge = b, lib
	return startServer(t, opts), lib, dir
}

func postReload(t *testing.T, ts *testServer, auth string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, ts.http.URL+"/admin/reload", nil)
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func TestAdminReload(t *testing.T) {
	off, _, _ := editableKB(t, channels.Options{})
	status, _ := postReload(t, off, "Bearer anything")
	assert.Equal(t, http.StatusNotFound, status, "no token configured: admin is off")

	// Each refused attempt comes from an address of its own (behind a trusted proxy), so none is
	// slowed down (TestAdminAuthFailures).
	ts, lib, dir := editableKB(t, channels.Options{AdminToken: "s3cret", TrustedProxies: mustPrefixes(t, "127.0.0.0/8")})
	serving := lib.Status().Version
	for i, auth := range []string{"", "Bearer wrong", "s3cret", "Basic s3cret", "Bearer s3cret2"} {
		status, _ = postReload(t, ts, auth, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
		assert.Equal(t, http.StatusUnauthorized, status, "Authorization: %q", auth)
	}
	status, _ = postReload(t, ts, "bearer s3cret")
	assert.Equal(t, http.StatusOK, status, "the scheme is case-insensitive")

	status, body := postReload(t, ts, "Bearer s3cret")
	assert.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"reloaded": true`)

	// A broken edit: the reload is refused with the editor's problems, the old version serves on.
	broken := filepath.Join(dir, "articles", "broken.md")
	require.NoError(t, os.WriteFile(broken, []byte("---\nid: broken\n---\n"), 0o644))
	status, body = postReload(t, ts, "Bearer s3cret")
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, "broken.md")
	assert.Contains(t, body, serving, "the previous knowledge base keeps serving")

	// /readyz shows the problems to the admin without taking the instance out of service;
	// anonymous callers learn only that the last reload was rejected.
	status, body, _ = ts.get(t, "/readyz", http.Header{"Authorization": {"Bearer s3cret"}})
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "broken.md")
	assert.Contains(t, body, dir, "the admin sees the folder")
	status, body, _ = ts.get(t, "/readyz", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"kb": "last reload rejected"`)
	assert.NotContains(t, body, "broken.md")
	assert.NotContains(t, body, dir)
}

// TestReloadWhileChatting reloads edited knowledge bases while several sockets chat: no socket
// drops, every message gets its reply, and each reply names a version that was serving.
func TestReloadWhileChatting(t *testing.T) {
	ts, lib, dir := editableKB(t, channels.Options{AdminToken: "t"})
	versions := map[string]bool{lib.Status().Version: true}

	const sockets, messages = 4, 8
	var wg sync.WaitGroup
	replies := make(chan map[string]any, sockets*messages)
	for i := range sockets {
		c := dial(t, ts, nil)
		c.hello("")
		wg.Go(func() {
			for j := range messages {
				c.sendJSON(map[string]any{"type": "message", "id": fmt.Sprintf("c%d-%d", i, j), "text": negotiateQuestion})
				f, err := c.tryRead(10 * time.Second)
				if err != nil {
					t.Errorf("socket %d lost during reloads: %v", i, err)
					return
				}
				replies <- f
			}
		})
	}
	article := filepath.Join(dir, "articles", "grace-period.md")
	for k := range 3 {
		f, err := os.OpenFile(article, os.O_APPEND|os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = fmt.Fprintf(f, "\n编辑第 %d 次。\n", k+1)
		require.NoError(t, err)
		require.NoError(t, f.Close())
		status, body := postReload(t, ts, "Bearer t")
		require.Equal(t, http.StatusOK, status, body)
		versions[lib.Status().Version] = true
	}
	wg.Wait()
	close(replies)

	assert.Len(t, versions, 4, "every edit made a new version")
	n := 0
	for f := range replies {
		n++
		assert.Equal(t, "reply", f["type"], "frame: %v", f)
		assert.True(t, versions[f["kb_version"].(string)], "reply from an unknown version %v", f["kb_version"])
	}
	assert.Equal(t, sockets*messages, n)
}
