package session

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot/bottest"
	"chatbot/bot/redisclient"
)

func TestRedis(t *testing.T) {
	testStore(t, func(t *testing.T, o Options) (Store, func(time.Duration)) {
		client, prefix := bottest.Redis(t)
		return NewRedis(client, prefix, o), func(d time.Duration) { ageKeys(t, client, prefix, d) }
	})
}

// ageKeys makes d pass for the keys under prefix, as far as their TTLs go: each loses d, and
// one with d or less left is gone. Unlike sleeping, it does not depend on the machine's speed.
func ageKeys(t *testing.T, client redis.UniversalClient, prefix string, d time.Duration) {
	t.Helper()
	ctx := context.Background()
	iter := client.Scan(ctx, 0, prefix+":*", 100).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		ttl, err := client.PTTL(ctx, key).Result()
		require.NoError(t, err)
		switch {
		case ttl < 0: // no expiry, or gone meanwhile
		case ttl <= d:
			require.NoError(t, client.Del(ctx, key).Err())
		default:
			require.NoError(t, client.PExpire(ctx, key, ttl-d).Err())
		}
	}
	require.NoError(t, iter.Err())
}

func TestRedisKeysAndTTL(t *testing.T) {
	client, prefix := bottest.Redis(t)
	ctx := context.Background()
	s := NewRedis(client, prefix, Options{TTL: time.Hour})
	id, err := NewID()
	require.NoError(t, err)
	_, err = s.Save(ctx, id, Turn{State: []byte(`{}`), Append: [][]byte{[]byte("u"), []byte("b")}})
	require.NoError(t, err)

	stateKey, transcriptKey := prefix+":s:{"+id+"}", prefix+":t:{"+id+"}"
	for _, key := range []string{stateKey, transcriptKey} {
		ttl, err := client.PTTL(ctx, key).Result()
		require.NoError(t, err)
		assert.InDelta(t, time.Hour.Seconds(), ttl.Seconds(), 5, key)
	}
	// Shorten the TTLs by hand; a save must set both back to the full idle TTL.
	require.NoError(t, client.PExpire(ctx, stateKey, time.Minute).Err())
	require.NoError(t, client.PExpire(ctx, transcriptKey, time.Minute).Err())
	_, err = s.Save(ctx, id, Turn{Version: 1, State: []byte(`{}`)})
	require.NoError(t, err)
	for _, key := range []string{stateKey, transcriptKey} {
		ttl, err := client.PTTL(ctx, key).Result()
		require.NoError(t, err)
		assert.InDelta(t, time.Hour.Seconds(), ttl.Seconds(), 5, key)
	}
}

func TestRedisGone(t *testing.T) {
	client := redisclient.New(redisclient.Options{
		Addrs:      []string{bottest.RefusingAddr(t)},
		Timeout:    200 * time.Millisecond,
		MaxRetries: 1,
	})
	defer client.Close()
	s := NewRedis(client, "gone", Options{})
	ctx := context.Background()
	id, err := NewID()
	require.NoError(t, err)

	calls := map[string]func() error{
		"load":   func() error { _, err := s.Load(ctx, id); return err },
		"resume": func() error { _, _, err := s.Resume(ctx, id, 10); return err },
		"save":   func() error { _, err := s.Save(ctx, id, Turn{State: []byte("x")}); return err },
		"ping":   func() error { return s.Ping(ctx) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			require.Error(t, err)
			assert.NotErrorIs(t, err, ErrNotFound)
			assert.NotErrorIs(t, err, ErrConflict)
			assert.ErrorIs(t, err, syscall.ECONNREFUSED, "the cause is kept, wrapped")
			assert.Contains(t, err.Error(), name)
		})
	}
}
