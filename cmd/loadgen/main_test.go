package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot"
	"chatbot/bot/live"
	"chatbot/channels"
	"chatbot/channels/limit"
)

func TestLoopbackOnly(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8080", true},
		{"127.0.0.2:8080", true},
		{"[::1]:8080", true},
		{"localhost:8080", true},
		{"10.0.0.1:8080", false},
		{"example.com:80", false},
		{"0.0.0.0:8080", false},
		{"127.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := loopbackOnly(tt.addr)
			assert.Equal(t, tt.ok, err == nil, "%v", err)
		})
	}
}

func TestConfigBounds(t *testing.T) {
	ok := config{Addr: "127.0.0.1:1", Conns: 1, Messages: 1, Timeout: time.Second}
	require.NoError(t, ok.check())
	for name, c := range map[string]config{
		"no conns":     {Addr: ok.Addr, Conns: 0, Messages: 1, Timeout: time.Second},
		"too many":     {Addr: ok.Addr, Conns: maxConns + 1, Messages: 1, Timeout: time.Second},
		"no messages":  {Addr: ok.Addr, Conns: 1, Messages: 0, Timeout: time.Second},
		"never stops":  {Addr: ok.Addr, Conns: 1, Messages: 1},
		"not loopback": {Addr: "192.0.2.1:80", Conns: 1, Messages: 1, Timeout: time.Second},
	} {
		assert.Error(t, c.check(), name)
	}
}

func TestRunAgainstTheRealServer(t *testing.T) {
	addr := realServer(t)

	cfg := config{Addr: addr, Conns: 3, Messages: 4, Timeout: 30 * time.Second}
	rep, err := run(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 12, rep.Turns)
	assert.Empty(t, rep.Errors)
	assert.Zero(t, rep.Failed)
	assert.LessOrEqual(t, rep.percentile(50), rep.percentile(99))

	var out strings.Builder
	rep.print(&out, cfg)
	assert.Contains(t, out.String(), "turns/s")
	assert.Contains(t, out.String(), "p99")
}

func TestPercentile(t *testing.T) {
	r := report{}
	for i := 1; i <= 100; i++ {
		r.Latencies = append(r.Latencies, time.Duration(i)*time.Millisecond)
	}
	assert.Equal(t, 50*time.Millisecond, r.percentile(50))
	assert.Equal(t, 99*time.Millisecond, r.percentile(99))
	assert.Equal(t, 100*time.Millisecond, r.percentile(100))
	assert.Equal(t, time.Duration(0), report{}.percentile(50))
}

// realServer serves the built-in knowledge base with no per-address rate limit, as in
// production, until the test ends, and returns its host:port.
func realServer(t *testing.T) string {
	t.Helper()
	lib := live.New(live.Options{})
	require.NoError(t, lib.Load(context.Background()))
	b, err := bot.New(bot.Options{Engines: lib})
	require.NoError(t, err)
	srv := channels.New(channels.Options{Bot: b, IPRate: limit.Rate{Limit: -1}})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		_ = srv.Shutdown(context.Background())
		hs.Close()
	})
	return strings.TrimPrefix(hs.URL, "http://")
}
