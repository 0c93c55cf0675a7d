package limit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"testing"
	"time"

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
			rdb, prefix := testRedis(t)
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

			var got []bool
			for range 5 {
				ok, err := l.Allow(ctx, "s:a", rate)
				require.NoError(t, err)
				got = append(got, ok)
			}
			require.Equal(t, []bool{true, true, true, false, false}, got, "three allowed per window")

			ok, err := l.Allow(ctx, "s:b", rate)
			require.NoError(t, err)
			require.True(t, ok, "another key has its own count")

			c.t = c.t.Add(10 * time.Second)
			ok, err = l.Allow(ctx, "s:a", rate)
			require.NoError(t, err)
			require.True(t, ok, "the next window starts afresh")

			for range 10 {
				ok, err = l.Allow(ctx, "s:a", Rate{Limit: -1})
				require.NoError(t, err)
				require.True(t, ok, "a negative limit is unlimited")
			}
		})
	}
}

func TestMemorySweepsFinishedWindows(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	m := NewMemory()
	m.now = c.now
	rate := Rate{Limit: 1, Per: time.Second}
	for i := range sweepEvery - 1 {
		_, _ = m.Allow(context.Background(), "ip:"+strconv.Itoa(i), rate)
	}
	require.Len(t, m.windows, sweepEvery-1)
	c.t = c.t.Add(2 * time.Second)
	_, _ = m.Allow(context.Background(), "ip:last", rate)
	require.Len(t, m.windows, 1, "finished windows are removed")
}

func TestRedisUnavailable(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = rdb.Close() })
	_, err := NewRedis(rdb, "x").Allow(context.Background(), "s:a", Rate{Limit: 1, Per: time.Second})
	require.Error(t, err)
	require.Contains(t, err.Error(), "rate limit s:a")
}

func BenchmarkMemoryAllow(b *testing.B) {
	m := NewMemory()
	rate := Rate{Limit: 1 << 30, Per: time.Minute}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = m.Allow(ctx, "s:bench", rate)
	}
}

// testRedis returns a client for the local Redis and a key prefix unique to this test; the test's
// keys are deleted when it ends. Without Redis the test is skipped, or fails when CI=true.
func testRedis(t *testing.T) (redis.UniversalClient, string) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	ctx := context.Background()
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis at 127.0.0.1:6379 is required when CI=true: %v", err)
		}
		t.Skipf("redis at 127.0.0.1:6379 not reachable: %v", err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	prefix := "test:limit:" + hex.EncodeToString(b)
	t.Cleanup(func() {
		iter := rdb.Scan(ctx, 0, prefix+":*", 100).Iterator()
		for iter.Next(ctx) {
			_ = rdb.Del(ctx, iter.Val()).Err()
		}
		_ = rdb.Close()
	})
	return rdb, prefix
}
