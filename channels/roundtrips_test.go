package channels_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot/bottest"
	"chatbot/channels"
)

// roundTrips counts what a client sends: each command and each pipeline is one round trip.
type roundTrips struct{ n atomic.Int64 }

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}
func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}

// TestOneRedisRoundTripPerTurn: over a real socket and the real Redis, a message answered from
// the knowledge base costs one round trip, rate limits included: the socket keeps the session's
// state between turns.
func TestOneRedisRoundTripPerTurn(t *testing.T) {
	rdb, prefix := bottest.Redis(t)
	var trips roundTrips
	rdb.AddHook(&trips)
	ts := redisInstance(t, rdb, prefix, channels.Options{})
	c := dial(t, ts, nil)
	c.hello("")
	for i, q := range []string{negotiateQuestion, "逾期会影响征信吗", negotiateQuestion} {
		trips.n.Store(0)
		c.sendJSON(map[string]any{"type": "message", "id": "c" + string(rune('1'+i)), "text": q})
		r := c.read()
		require.Equal(t, "reply", r["type"])
		require.Equal(t, "answer", r["kind"])
		assert.EqualValues(t, 1, trips.n.Load(), "turn %d: rate limits, version check and save in one round trip", i+1)
	}
	assert.Contains(t, metricsText(t, ts), `chatbot_turns_total{channel="ws",kind="answer"} 3`)
}
