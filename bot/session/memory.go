package session

import (
	"bytes"
	"container/list"
	"context"
	"runtime"
	"sync"
	"time"
)

// Memory is a Store in process memory, for the one-command default run and tests. Sessions do
// not survive a restart and are not shared between instances.
//
// It holds at most Options.MaxSessions sessions: a new session past the cap evicts the least
// recently used one. Sessions are kept in one list ordered by last use (a save or a resume,
// which are also what restart the idle TTL), so the least recently used session is also the next
// to expire: both eviction and the sweep of expired sessions take sessions off the list's back,
// never walking the rest. The sweep runs every Options.SweepEvery on a timer, so idle memory is
// given back even when nothing is written.
type Memory struct {
	*memory // the sweeper holds only this, so a Memory nobody uses is collected and stops it
}

type memory struct {
	opts Options

	mu       sync.Mutex
	sessions map[string]*list.Element // of *memSession
	lru      list.List                // front: most recently used
	windows  map[string]*window       // rate-limit counts by key
}

type memSession struct {
	id         string
	rec        Record
	transcript [][]byte
	expires    time.Time
}

// window is one fixed rate-limit window's count for a key.
type window struct {
	index int64
	end   time.Time
	count int
}

// NewMemory returns an empty in-memory store and starts its timed sweep, which stops when the
// store is no longer referenced.
func NewMemory(o Options) *Memory {
	m := &Memory{&memory{
		opts:     o.withDefaults(),
		sessions: make(map[string]*list.Element),
		windows:  make(map[string]*window),
	}}
	stop := make(chan struct{})
	go m.memory.sweepEvery(m.opts.SweepEvery, stop)
	runtime.AddCleanup(m, func(stop chan struct{}) { close(stop) }, stop)
	return m
}

// Len returns how many sessions the store holds (expired ones not yet swept included).
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sessions)
}

// Load implements Store.
func (m *memory) Load(ctx context.Context, id string) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.live(id)
	if !ok {
		return Record{}, ErrNotFound
	}
	return copyRecord(s.rec), nil
}

// Resume implements Store.
func (m *memory) Resume(ctx context.Context, id string, n int) (Record, [][]byte, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.live(id)
	if !ok {
		return Record{}, nil, ErrNotFound
	}
	m.touch(s)
	tail := s.transcript[len(s.transcript)-min(max(n, 0), len(s.transcript)):]
	return copyRecord(s.rec), copyEntries(tail), nil
}

// Save implements Store.
func (m *memory) Save(ctx context.Context, id string, t Turn) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.live(id)
	var current int64
	if ok {
		current = s.rec.Version
	}
	if current != t.Version {
		return 0, ErrConflict
	}
	if refused := m.count(t.Limits); refused >= 0 {
		return 0, &LimitError{Index: refused}
	}
	if t.State == nil {
		return current, nil
	}
	if !ok {
		m.sweep()
		for len(m.sessions) >= m.opts.MaxSessions {
			m.remove(m.lru.Back())
		}
		s = &memSession{id: id}
		m.sessions[id] = m.lru.PushFront(s)
	}
	s.rec = Record{Version: current + 1, State: t.State} // Save owns t's slices
	s.transcript = append(s.transcript, t.Append...)
	if over := len(s.transcript) - m.opts.TranscriptCap; over > 0 {
		// Drop the oldest by reslicing (append moves the kept ones to a new array now and then,
		// so trimming costs O(1) a turn), letting go of the dropped entries at once.
		clear(s.transcript[:over])
		s.transcript = s.transcript[over:]
	}
	m.touch(s)
	return s.rec.Version, nil
}

// Count implements Store. It never fails.
func (m *memory) Count(ctx context.Context, limits []Limit) (int, error) {
	if err := ctx.Err(); err != nil {
		return -1, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.count(limits), nil
}

// Ping implements Store; memory is always there.
func (m *memory) Ping(ctx context.Context) error { return ctx.Err() }

// live returns the session if it exists and has not expired, dropping it if it has.
func (m *memory) live(id string) (*memSession, bool) {
	e, ok := m.sessions[id]
	if !ok {
		return nil, false
	}
	s := e.Value.(*memSession)
	if !m.opts.Now().Before(s.expires) {
		m.remove(e)
		return nil, false
	}
	return s, true
}

// touch restarts the session's idle TTL and makes it the most recently used.
func (m *memory) touch(s *memSession) {
	s.expires = m.opts.Now().Add(m.opts.TTL)
	m.lru.MoveToFront(m.sessions[s.id])
}

func (m *memory) remove(e *list.Element) {
	delete(m.sessions, m.lru.Remove(e).(*memSession).id)
}

// sweep drops expired sessions, oldest first, and finished rate-limit windows.
func (m *memory) sweep() {
	now := m.opts.Now()
	for e := m.lru.Back(); e != nil && !now.Before(e.Value.(*memSession).expires); e = m.lru.Back() {
		m.remove(e)
	}
	for k, w := range m.windows {
		if !now.Before(w.end) {
			delete(m.windows, k)
		}
	}
}

func (m *memory) sweepEvery(every time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			m.mu.Lock()
			m.sweep()
			m.mu.Unlock()
		case <-stop:
			return
		}
	}
}

// count counts one event for every limit and returns the index of the first over its rate, or
// -1. Every limit is counted, whatever the others say.
func (m *memory) count(limits []Limit) int {
	refused := -1
	now := m.opts.Now()
	for i, l := range limits {
		index, end := windowOf(now, l.Per)
		w := m.windows[l.Key]
		if w == nil || w.index != index {
			w = &window{index: index, end: end}
			m.windows[l.Key] = w
		}
		w.count++
		if w.count > l.Max && refused < 0 {
			refused = i
		}
	}
	return refused
}

func copyRecord(r Record) Record {
	r.State = bytes.Clone(r.State)
	return r
}

func copyEntries(es [][]byte) [][]byte {
	out := make([][]byte, len(es))
	for i, e := range es {
		out[i] = bytes.Clone(e)
	}
	return out
}
