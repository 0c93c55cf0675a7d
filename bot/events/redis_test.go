package events

import (
	"context"
	"encoding/json"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot/bottest"
)

func TestRedis(t *testing.T) {
	testSink(t, func(t *testing.T, o Options) sinkReader {
		client, prefix := bottest.Redis(t)
		return NewRedis(client, prefix, o)
	})
}

func TestRedisHandoffStream(t *testing.T) {
	client, prefix := bottest.Redis(t)
	ctx := context.Background()
	s := NewRedis(client, prefix, Options{})
	at := time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC)
	require.NoError(t, s.Handoff(ctx, Handoff{
		Event:      HandoffRequested,
		Session:    "0123456789abcdef0123456789abcdef",
		Reason:     ReasonFallbacks,
		Slots:      map[string]string{"bank": "cmb", "days_overdue": "45"},
		Transcript: []Line{{Role: "user", Text: "卡号6222********7890", At: at}, {Role: "bot", Text: "抱歉", At: at}},
		At:         at,
	}))

	msgs, err := client.XRange(ctx, prefix+":handoff", "-", "+").Result()
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	v := msgs[0].Values
	assert.Equal(t, "requested", v["event"])
	assert.Equal(t, "0123456789abcdef0123456789abcdef", v["session"])
	assert.Equal(t, "fallbacks", v["reason"])
	assert.Equal(t, "2026-03-04T05:06:07.000000008Z", v["at"])
	assert.JSONEq(t, `{"bank":"cmb","days_overdue":"45"}`, v["slots"].(string))
	var lines []Line
	require.NoError(t, json.Unmarshal([]byte(v["transcript"].(string)), &lines))
	assert.Equal(t, []Line{{Role: "user", Text: "卡号6222********7890", At: at}, {Role: "bot", Text: "抱歉", At: at}}, lines)

	require.NoError(t, s.Handoff(ctx, Handoff{Event: AgentLeft, Session: "0123456789abcdef0123456789abcdef", Agent: "a", At: at}))
	msgs, err = client.XRange(ctx, prefix+":handoff", "-", "+").Result()
	require.NoError(t, err)
	require.Len(t, msgs, 2)
	assert.Equal(t, "{}", msgs[1].Values["slots"], "no slots: an empty object, never null")
	assert.Equal(t, "[]", msgs[1].Values["transcript"], "no transcript: an empty array, never null")
}

func TestRedisStreamsAreCapped(t *testing.T) {
	client, prefix := bottest.Redis(t)
	ctx := context.Background()
	s := NewRedis(client, prefix, Options{MaxLen: 10})
	for range 500 {
		require.NoError(t, s.Unanswered(ctx, Unanswered{Text: "x", Normalised: "x"}))
	}
	n, err := client.XLen(ctx, prefix+":unanswered").Result()
	require.NoError(t, err)
	// MAXLEN ~ trims whole stream nodes (100 entries by default), never below the cap.
	assert.GreaterOrEqual(t, n, int64(10))
	assert.Less(t, n, int64(200))
}

func TestRedisGapsPages(t *testing.T) {
	client, prefix := bottest.Redis(t)
	ctx := context.Background()
	s := NewRedis(client, prefix, Options{})
	// More entries than one page: the counts must include every page.
	pipe := client.Pipeline()
	for i := range gapPage + 250 {
		norm := "a"
		if i%5 == 0 {
			norm = "b"
		}
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: UnansweredStream(prefix), Values: map[string]any{"text": norm, "normalised": norm}})
	}
	_, err := pipe.Exec(ctx)
	require.NoError(t, err)
	gaps, err := s.Gaps(ctx, 0)
	require.NoError(t, err)
	require.Len(t, gaps, 2)
	assert.Equal(t, Gap{Normalised: "a", Example: "a", Count: 1000}, gaps[0])
	assert.Equal(t, Gap{Normalised: "b", Example: "b", Count: 250}, gaps[1])
}

func TestRedisGone(t *testing.T) {
	s := NewRedis(bottest.UnreachableRedis(t), "gone", Options{})
	ctx := context.Background()
	no := false
	for name, call := range map[string]func() error{
		"handoff":    func() error { return s.Handoff(ctx, Handoff{Session: "x"}) },
		"unanswered": func() error { return s.Unanswered(ctx, Unanswered{Text: "x"}) },
		"feedback":   func() error { return s.Feedback(ctx, Feedback{Article: "a", Replaces: &no}) },
		"gaps":       func() error { _, err := s.Gaps(ctx, 5); return err },
		"counts":     func() error { _, err := s.FeedbackCounts(ctx); return err },
	} {
		t.Run(name, func(t *testing.T) {
			assert.ErrorIs(t, call(), syscall.ECONNREFUSED)
		})
	}
}
