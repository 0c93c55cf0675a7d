package session

import (
	"bytes"
	"context"
	"sync"
	"time"
)

// Memory is a Store in process memory, for the one-command default run and tests. Sessions do
// not survive a restart and are not shared between instances.
type Memory struct {
	opts Options

	mu        sync.Mutex
	sessions  map[string]*memSession
	lastSweep time.Time
}

type memSession struct {
	rec        Record
	transcript [][]byte
	expires    time.Time
}

// sweepEvery bounds how often Save walks all sessions to drop expired ones, so abandoned
// sessions do not pile up while each Save stays cheap.
const sweepEvery = time.Minute

// NewMemory returns an empty in-memory store.
func NewMemory(o Options) *Memory {
	return &Memory{opts: o.withDefaults(), sessions: make(map[string]*memSession)}
}

// Load implements Store.
func (m *Memory) Load(ctx context.Context, id string) (Record, error) {
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
func (m *Memory) Resume(ctx context.Context, id string, n int) (Record, [][]byte, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.live(id)
	if !ok {
		return Record{}, nil, ErrNotFound
	}
	s.expires = m.opts.Now().Add(m.opts.TTL)
	tail := s.transcript[len(s.transcript)-min(max(n, 0), len(s.transcript)):]
	return copyRecord(s.rec), copyEntries(tail), nil
}

// Save implements Store.
func (m *Memory) Save(ctx context.Context, id string, t Turn) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep()
	s, ok := m.live(id)
	var current int64
	if ok {
		current = s.rec.Version
	}
	if current != t.Version {
		return 0, ErrConflict
	}
	if !ok {
		s = &memSession{}
		m.sessions[id] = s
	}
	s.rec = Record{Version: current + 1, State: bytes.Clone(t.State)}
	s.transcript = append(s.transcript, copyEntries(t.Append)...)
	if over := len(s.transcript) - m.opts.TranscriptCap; over > 0 {
		s.transcript = append([][]byte(nil), s.transcript[over:]...)
	}
	s.expires = m.opts.Now().Add(m.opts.TTL)
	return s.rec.Version, nil
}

// Ping implements Store; memory is always there.
func (m *Memory) Ping(ctx context.Context) error { return ctx.Err() }

// live returns the session if it exists and has not expired, dropping it if it has.
func (m *Memory) live(id string) (*memSession, bool) {
	s, ok := m.sessions[id]
	if !ok {
		return nil, false
	}
	if !m.opts.Now().Before(s.expires) {
		delete(m.sessions, id)
		return nil, false
	}
	return s, true
}

func (m *Memory) sweep() {
	now := m.opts.Now()
	if now.Sub(m.lastSweep) < sweepEvery {
		return
	}
	m.lastSweep = now
	for id, s := range m.sessions {
		if !now.Before(s.expires) {
			delete(m.sessions, id)
		}
	}
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
