package session

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		const ttl = time.Second
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
		state := []byte("abc")
		_, err := s.Save(ctx, id, Turn{State: state, Append: entries("x")})
		require.NoError(t, err)
		state[0] = 'z'
		rec, lines, err := s.Resume(ctx, id, 1)
		require.NoError(t, err)
		assert.Equal(t, "abc", string(rec.State))
		rec.State[0], lines[0][0] = 'y', 'y'
		rec, lines, err = s.Resume(ctx, id, 1)
		require.NoError(t, err)
		assert.Equal(t, "abc", string(rec.State))
		assert.Equal(t, "x", string(lines[0]))
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

func TestMemorySweepsExpiredSessions(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	m := NewMemory(Options{TTL: time.Minute, Now: clock.Now})
	ctx := context.Background()
	for i := range 3 {
		_, err := m.Save(ctx, fmt.Sprint("old", i), Turn{State: []byte("s")})
		require.NoError(t, err)
	}
	clock.Advance(2 * time.Minute)
	_, err := m.Save(ctx, "new", Turn{State: []byte("s")})
	require.NoError(t, err)
	m.mu.Lock()
	defer m.mu.Unlock()
	assert.Len(t, m.sessions, 1, "expired sessions are dropped, not kept forever")
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
