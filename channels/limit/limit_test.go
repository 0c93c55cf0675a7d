package limit

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"chatbot/bot/bottest"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// clock is a settable time source shared by both implementations under test.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestLimiters(t *testing.T) {
	limiters := map[string]func(t *testing.T, c *clock) Limiter{
		"memory": func(t *testing.T, c *clock) Limiter {
			m := NewMemory()
			m.now = c.now
			return m
		},
		"redis": func(t *testing.T, c *clock) Limiter {
			rdb, prefix := bottest.Redis(t)
			l := NewRedis(rdb, prefix)
			l.now = c.now
			return l
		},
	}
	for name, newLimiter := range limiters {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
			l := newLimiter(t, c)
			rate := Rate{Limit: 3, Per: 10 * time.Second}

			allow := func(checks ...Check) int {
				t.Helper()
				refused, err := l.Allow(ctx, checks...)
				require.NoError(t, err)
				return refused
			}
			var got []int
			for range 5 {
				got = append(got, allow(Check{"s:a", rate}))
			}
			require.Equal(t, []int{-1, -1, -1, 0, 0}, got, "three allowed per window")
			require.Equal(t, -1, allow(Check{"s:b", rate}), "another key has its own count")

			c.t = c.t.Add(10 * time.Second)
			require.Equal(t, -1, allow(Check{"s:a", rate}), "the next window starts afresh")
			for range 10 {
				require.Equal(t, -1, allow(Check{"s:a", Rate{Limit: -1}}), "a negative limit is unlimited")
			}
			require.Equal(t, -1, allow(), "no checks, nothing refused")

			// Several keys in one call: each is counted, the first over its rate is named.
			ip, session := Rate{Limit: 3, Per: 10 * time.Second}, Rate{Limit: 1, Per: 10 * time.Second}
			got = nil
			for range 4 {
				got = append(got, allow(Check{"ip:x", ip}, Check{"s:x", session}))
			}
			require.Equal(t, []int{-1, 1, 1, 0}, got, "session refused from the second, the address from the fourth")
			require.Equal(t, 0, allow(Check{"ip:x", ip}), "the refused calls were counted too")
		})
	}
}

func TestMemorySweepsFinishedWindows(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	m := NewMemory()
	m.now = c.now
	rate := Rate{Limit: 1, Per: time.Second}
	for i := range sweepEvery - 1 {
		_, _ = m.Allow(context.Background(), Check{"ip:" + strconv.Itoa(i), rate})
	}
	require.Len(t, m.windows, sweepEvery-1)
	c.t = c.t.Add(2 * time.Second)
	_, _ = m.Allow(context.Background(), Check{"ip:last", rate})
	require.Len(t, m.windows, 1, "finished windows are removed")
}

func TestRedisUnavailable(t *testing.T) {
	_, err := NewRedis(bottest.UnreachableRedis(t), "x").Allow(context.Background(),
		Check{"ip:1.2.3.4", Rate{Limit: 1, Per: time.Second}}, Check{"s:a", Rate{Limit: 1, Per: time.Second}})
	require.Error(t, err)
	require.Contains(t, err.Error(), "rate limit ip:1.2.3.4, s:a")
}

func BenchmarkMemoryAllow(b *testing.B) {
	m := NewMemory()
	rate := Rate{Limit: 1 << 30, Per: time.Minute}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = m.Allow(ctx, Check{"ip:bench", rate}, Check{"s:bench", rate})
	}
}

// roundTrips counts the commands and pipelines a client sends: each is one round trip.
type roundTrips struct{ n atomic.Int64 }

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}
func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}

func TestRedisCountsEveryCheckInOneRoundTrip(t *testing.T) {
	rdb, prefix := bottest.Redis(t)
	var trips roundTrips
	rdb.AddHook(&trips)
	l := NewRedis(rdb, prefix)
	now := time.Now()
	l.now = func() time.Time { return now }
	rate := Rate{Limit: 10, Per: time.Minute}
	_, err := l.Allow(context.Background(), Check{"ip:warm", rate})
	require.NoError(t, err, "a first call may dial and set up a connection")
	trips.n.Store(0)
	refused, err := l.Allow(context.Background(), Check{"ip:a", rate}, Check{"s:a", rate})
	require.NoError(t, err)
	require.Equal(t, -1, refused)
	require.EqualValues(t, 1, trips.n.Load(), "an address and a session counted in one round trip")

	ttl, err := rdb.PTTL(context.Background(), prefix+":rl:s:a:"+strconv.FormatInt(now.UnixNano()/int64(time.Minute), 10)).Result()
	require.NoError(t, err)
	require.Greater(t, ttl, time.Duration(0), "every counter expires")
	require.LessOrEqual(t, ttl, time.Minute+time.Second)
}
