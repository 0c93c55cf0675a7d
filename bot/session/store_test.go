package session

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot/bottest"
	"chatbot/bot/redisclient"
)

// storeFactory builds a store for one test; advance moves that store's clock forward (a fake
// clock for memory, real sleeping for Redis, whose expiry we cannot fake).
type storeFactory func(t *testing.T, o Options) (s Store, advance func(time.Duration))

// testStore is the behaviour every Store implementation must have; each implementation's test
// runs it.
func testStore(t *testing.T, newStore storeFactory) {
	ctx := context.Background()
	newID := func(t *testing.T) string {
		id, err := NewID()
		require.NoError(t, err)
		return id
	}
	entries := func(es ...string) [][]byte {
		out := make([][]byte, len(es))
		for i, e := range es {
			out[i] = []byte(e)
		}
		return out
	}

	t.Run("unknown session is not found", func(t *testing.T) {
		s, _ := newStore(t, Options{})
		id := newID(t)
		_, err := s.Load(ctx, id)
		assert.ErrorIs(t, err, ErrNotFound)
		_, _, err = s.Resume(ctx, id, 10)
		assert.ErrorIs(t, err, ErrNotFound)
	})

	t.Run("create, load, save, resume", func(t *testing.T) {
		s, _ := newStore(t, Options{})
		id := newID(t)
		v, err := s.Save(ctx, id, Turn{State: []byte(`{"n":1}`)})
		require.NoError(t, err)
		assert.Equal(t, int64(1), v)

		rec, err := s.Load(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, Record{Version: 1, State: []byte(`{"n":1}`)}, rec)

		v, err = s.Save(ctx, id, Turn{Version: 1, State: []byte(`{"n":2}`), Append: entries("u1", "b1")})
		require.NoError(t, err)
		assert.Equal(t, int64(2), v)

		rec, lines, err := s.Resume(ctx, id, 10)
		require.NoError(t, err)
		assert.Equal(t, Record{Version: 2, State: []byte(`{"n":2}`)}, rec)
		assert.Equal(t, entries("u1", "b1"), lines)
	})

	t.Run("stale version conflicts and changes nothing", func(t *testing.T) {
		s, _ := newStore(t, Options{})
		id := newID(t)
		_, err := s.Save(ctx, id, Turn{State: []byte("a")})
		require.NoError(t, err)
		_, err = s.Save(ctx, id, Turn{Version: 1, State: []byte("b"), Append: entries("tab 1")})
		require.NoError(t, err)

		_, err = s.Save(ctx, id, Turn{Version: 1, State: []byte("c"), Append: entries("tab 2")})
		assert.ErrorIs(t, err, ErrConflict)
		rec, lines, err := s.Resume(ctx, id, 10)
		require.NoError(t, err)
		assert.Equal(t, Record{Version: 2, State: []byte("b")}, rec)
		assert.Equal(t, entries("tab 1"), lines)
	})

	t.Run("creating a taken id conflicts", func(t *testing.T) {
		s, _ := newStore(t, Options{})
		id := newID(t)
		_, err := s.Save(ctx, id, Turn{State: []byte("a")})
		require.NoError(t, err)
		_, err = s.Save(ctx, id, Turn{State: []byte("b")})
		assert.ErrorIs(t, err, ErrConflict)
	})

	t.Run("saving an unknown session at a version conflicts", func(t *testing.T) {
		s, _ := newStore(t, Options{})
		_, err := s.Save(ctx, newID(t), Turn{Version: 3, State: []byte("a")})
		assert.ErrorIs(t, err, ErrConflict)
	})

	t.Run("one of many concurrent turns wins", func(t *testing.T) {
		s, _ := newStore(t, Options{})
		id := newID(t)
		_, err := s.Save(ctx, id, Turn{State: []byte("start")})
		require.NoError(t, err)
		const tabs = 8
		errs := make([]error, tabs)
		var wg sync.WaitGroup
		for i := range tabs {
			wg.Go(func() {
				_, errs[i] = s.Save(ctx, id, Turn{Version: 1, State: fmt.Appendf(nil, "tab %d", i)})
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else {
				assert.ErrorIs(t, err, ErrConflict)
			}
		}
		assert.Equal(t, 1, won)
		rec, err := s.Load(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, int64(2), rec.Version)
	})

	t.Run("transcript is capped, oldest dropped", func(t *testing.T) {
		s, _ := newStore(t, Options{TranscriptCap: 5})
		id := newID(t)
		var v int64
		for i := range 4 {
			var err error
			v, err = s.Save(ctx, id, Turn{Version: v, State: []byte("s"),
				Append: entries(fmt.Sprintf("u%d", i), fmt.Sprintf("b%d", i))})
			require.NoError(t, err)
		}
		_, lines, err := s.Resume(ctx, id, 100)
		require.NoError(t, err)
		assert.Equal(t, entries("b1", "u2", "b2", "u3", "b3"), lines)

		_, lines, err = s.Resume(ctx, id, 2)
		require.NoError(t, err)
		assert.Equal(t, entries("u3", "b3"), lines)

		_, lines, err = s.Resume(ctx, id, 0)
		require.NoError(t, err)
		assert.Empty(t, lines)
	})

	t.Run("idle sessions expire; saves and resumes restart the TTL", func(t *testing.T) {
		const ttl = time.Hour // time passes by advance, not by the clock: nothing here races it
		s, advance := newStore(t, Options{TTL: ttl})
		id := newID(t)
		_, err := s.Save(ctx, id, Turn{State: []byte("a"), Append: entries("u0")})
		require.NoError(t, err)

		advance(ttl * 6 / 10)
		_, err = s.Save(ctx, id, Turn{Version: 1, State: []byte("b")})
		require.NoError(t, err)
		advance(ttl * 6 / 10) // past the first TTL, within the refreshed one
		_, lines, err := s.Resume(ctx, id, 10)
		require.NoError(t, err, "a save restarts the TTL")
		assert.Equal(t, entries("u0"), lines, "the transcript's TTL restarts too")

		advance(ttl * 6 / 10)
		_, err = s.Load(ctx, id)
		require.NoError(t, err, "a resume restarts the TTL")

		advance(ttl * 12 / 10)
		_, err = s.Load(ctx, id)
		assert.ErrorIs(t, err, ErrNotFound)

		// The id starts afresh: nothing of the expired transcript comes back.
		_, err = s.Save(ctx, id, Turn{State: []byte("new")})
		require.NoError(t, err)
		_, lines, err = s.Resume(ctx, id, 10)
		require.NoError(t, err)
		assert.Empty(t, lines)
	})

	t.Run("callers get copies", func(t *testing.T) {
		s, _ := newStore(t, Options{})
		id := newID(t)
		_, err := s.Save(ctx, id, Turn{State: []byte("abc"), Append: entries("x")})
		require.NoError(t, err)
		rec, lines, err := s.Resume(ctx, id, 1)
		require.NoError(t, err)
		assert.Equal(t, "abc", string(rec.State))
		rec.State[0], lines[0][0] = 'y', 'y'
		rec, lines, err = s.Resume(ctx, id, 1)
		require.NoError(t, err)
		assert.Equal(t, "abc", string(rec.State))
		assert.Equal(t, "x", string(lines[0]))
	})

	t.Run("limits are counted with the turn and refuse it whole", func(t *testing.T) {
		s, _ := newStore(t, Options{})
		id := newID(t)
		ipKey := "ip:" + id // unique per run: the counters outlive the test's sessions
		limits := []Limit{{Key: ipKey, Max: 3, Per: time.Hour}, {Key: "s:" + id, Max: 2, Per: time.Hour}}
		v, err := s.Save(ctx, id, Turn{State: []byte("0"), Limits: limits})
		require.NoError(t, err)
		v, err = s.Save(ctx, id, Turn{Version: v, State: []byte("1"), Append: entries("u1"), Limits: limits})
		require.NoError(t, err)

		_, err = s.Save(ctx, id, Turn{Version: v, State: []byte("2"), Append: entries("u2"), Limits: limits})
		require.ErrorIs(t, err, ErrLimited)
		var le *LimitError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, 1, le.Index, "the session's limit refused the third turn")
		rec, lines, err := s.Resume(ctx, id, 10)
		require.NoError(t, err)
		assert.Equal(t, Record{Version: 2, State: []byte("1")}, rec, "a refused turn writes nothing")
		assert.Equal(t, entries("u1"), lines)

		_, err = s.Save(ctx, id, Turn{Version: v, State: []byte("2"), Limits: limits[:1]})
		require.ErrorAs(t, err, &le)
		assert.Equal(t, 0, le.Index, "the refused turn was counted against the address too")

		_, err = s.Save(ctx, id, Turn{Version: 1, State: []byte("x"), Limits: limits[1:]})
		assert.ErrorIs(t, err, ErrConflict, "a stale version is refused before the limits")
	})

	t.Run("an unchanged turn only checks the version and counts", func(t *testing.T) {
		s, _ := newStore(t, Options{})
		id := newID(t)
		v, err := s.Save(ctx, id, Turn{State: []byte("a"), Append: entries("u")})
		require.NoError(t, err)
		limit := []Limit{{Key: "s:" + id, Max: 1, Per: time.Hour}}
		got, err := s.Save(ctx, id, Turn{Version: v, Limits: limit})
		require.NoError(t, err)
		assert.Equal(t, v, got, "the version stays")
		_, err = s.Save(ctx, id, Turn{Version: v, Limits: limit})
		assert.ErrorIs(t, err, ErrLimited, "counted all the same")
		_, err = s.Save(ctx, id, Turn{Version: v + 1})
		assert.ErrorIs(t, err, ErrConflict)
		rec, lines, err := s.Resume(ctx, id, 10)
		require.NoError(t, err)
		assert.Equal(t, Record{Version: 1, State: []byte("a")}, rec)
		assert.Equal(t, entries("u"), lines)
	})

	t.Run("ping", func(t *testing.T) {
		s, _ := newStore(t, Options{})
		assert.NoError(t, s.Ping(ctx))
	})
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestMemory(t *testing.T) {
	testStore(t, func(t *testing.T, o Options) (Store, func(time.Duration)) {
		clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
		o.Now = clock.Now
		return NewMemory(o), clock.Advance
	})
}

func TestMemorySweepsExpiredSessionsOnATimer(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	m := NewMemory(Options{TTL: time.Minute, Now: clock.Now, SweepEvery: 10 * time.Millisecond})
	ctx := context.Background()
	for i := range 3 {
		_, err := m.Save(ctx, fmt.Sprint("old", i), Turn{State: []byte("s")})
		require.NoError(t, err)
		clock.Advance(time.Second)
	}
	_, err := m.Save(ctx, "new", Turn{State: []byte("s")})
	require.NoError(t, err)
	clock.Advance(time.Minute - time.Second/2) // the three old ones expired, "new" has half a second left
	require.Eventually(t, func() bool { return m.Len() == 1 }, 10*time.Second, 5*time.Millisecond,
		"expired sessions are dropped without anything being written")
	_, err = m.Load(ctx, "new")
	assert.NoError(t, err)
}

func TestMemoryEvictsTheLeastRecentlyUsed(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	m := NewMemory(Options{MaxSessions: 3, Now: clock.Now})
	ctx := context.Background()
	save := func(id string, version int64) {
		t.Helper()
		_, err := m.Save(ctx, id, Turn{Version: version, State: []byte(id)})
		require.NoError(t, err)
	}
	save("a", 0)
	save("b", 0)
	save("c", 0)
	save("a", 1) // a saved turn is use
	_, _, err := m.Resume(ctx, "b", 1)
	require.NoError(t, err) // so is a resume; c is now the least recently used
	_, err = m.Load(ctx, "c")
	require.NoError(t, err) // a load is not use: it does not restart the TTL either
	save("d", 0)
	assert.Equal(t, 3, m.Len(), "never more than MaxSessions")
	_, err = m.Load(ctx, "c")
	assert.ErrorIs(t, err, ErrNotFound, "the least recently used session was evicted")
	for _, id := range []string{"a", "b", "d"} {
		_, err = m.Load(ctx, id)
		assert.NoError(t, err, id)
	}
	save("e", 0)
	_, err = m.Load(ctx, "a")
	assert.ErrorIs(t, err, ErrNotFound, "then the next least recently used")
}

func TestMemoryDefaults(t *testing.T) {
	m := NewMemory(Options{})
	assert.Equal(t, DefaultMaxSessions, m.opts.MaxSessions)
	assert.Equal(t, 100_000, DefaultMaxSessions)
	assert.Equal(t, DefaultSweepEvery, m.opts.SweepEvery)
}

func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id, err := NewID()
		require.NoError(t, err)
		assert.True(t, ValidID(id), id)
		assert.False(t, seen[id], "ids repeat")
		seen[id] = true
	}
	for _, bad := range []string{"", "abc", "0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdeg",
		"0123456789abcdef0123456789abcdef0", "x:*}{0123456789abcdef0123456789ab"} {
		assert.False(t, ValidID(bad), bad)
	}
}

// TestCount: both stores count limits the same way, in fixed windows, each key on its own.
func TestCount(t *testing.T) {
	stores := map[string]func(t *testing.T, now func() time.Time) Store{
		"memory": func(t *testing.T, now func() time.Time) Store { return NewMemory(Options{Now: now}) },
		"redis": func(t *testing.T, now func() time.Time) Store {
			client, prefix := bottest.Redis(t)
			return NewRedis(client, prefix, Options{Now: now})
		},
	}
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clock := &fakeClock{now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
			s := newStore(t, clock.Now)
			count := func(limits ...Limit) int {
				t.Helper()
				refused, err := s.Count(ctx, limits)
				require.NoError(t, err)
				return refused
			}
			rate := func(key string, max int) Limit { return Limit{Key: key, Max: max, Per: 10 * time.Second} }
			var got []int
			for range 5 {
				got = append(got, count(rate("s:a", 3)))
			}
			assert.Equal(t, []int{-1, -1, -1, 0, 0}, got, "three allowed per window")
			assert.Equal(t, -1, count(rate("s:b", 3)), "another key has its own count")
			clock.Advance(10 * time.Second)
			assert.Equal(t, -1, count(rate("s:a", 3)), "the next window starts afresh")
			assert.Equal(t, -1, count(), "no limits, nothing refused")

			got = nil
			for range 4 {
				got = append(got, count(rate("ip:x", 3), rate("s:x", 1)))
			}
			assert.Equal(t, []int{-1, 1, 1, 0}, got, "session refused from the second, the address from the fourth")
			assert.Equal(t, 0, count(rate("ip:x", 3)), "the refused calls were counted too")
		})
	}
}

func TestRedisCountersExpire(t *testing.T) {
	client, prefix := bottest.Redis(t)
	s := NewRedis(client, prefix, Options{})
	ctx := context.Background()
	now := time.Now()
	_, err := s.Count(ctx, []Limit{{Key: "s:a", Max: 10, Per: time.Minute}})
	require.NoError(t, err)
	keys, err := client.Keys(ctx, prefix+":rl:s:a:*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.Equal(t, prefix+":rl:s:a:"+strconv.FormatInt(now.UnixNano()/int64(time.Minute), 10), keys[0],
		"the key channels and turns share")
	ttl, err := client.PTTL(ctx, keys[0]).Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, time.Duration(0), "every counter expires")
	assert.LessOrEqual(t, ttl, time.Minute+time.Second)
}

func TestRedisUnavailableCount(t *testing.T) {
	client := redisclient.New(redisclient.Options{Addrs: []string{bottest.RefusingAddr(t)}, Timeout: 200 * time.Millisecond, MaxRetries: -1})
	defer client.Close()
	_, err := NewRedis(client, "x", Options{}).Count(context.Background(),
		[]Limit{{Key: "ip:1.2.3.4", Max: 1, Per: time.Second}, {Key: "s:a", Max: 1, Per: time.Second}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rate limit ip:1.2.3.4, s:a")
}
