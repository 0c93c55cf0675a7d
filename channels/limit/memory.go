package limit

import (
	"context"
	"sync"
	"time"
)

// sweepEvery bounds how many Allow calls may pass between removals of finished windows, so the
// map holds only keys seen recently.
const sweepEvery = 1024

// Memory is a Limiter for a single instance. The zero value is not usable; call NewMemory.
type Memory struct {
	now func() time.Time

	mu      sync.Mutex
	windows map[string]*counter
	calls   int
}

type counter struct {
	index int64
	end   time.Time
	count int
}

// NewMemory returns an in-memory limiter.
func NewMemory() *Memory {
	return &Memory{now: time.Now, windows: make(map[string]*counter)}
}

// Allow implements Limiter. It never fails.
func (m *Memory) Allow(_ context.Context, checks ...Check) (int, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.calls%sweepEvery == 0 {
		m.sweep(now)
	}
	refused := -1
	for i, ch := range checks {
		if ch.Rate.Unlimited() {
			continue
		}
		index, end := window(now, ch.Rate.Per)
		c := m.windows[ch.Key]
		if c == nil || c.index != index {
			c = &counter{index: index, end: end}
			m.windows[ch.Key] = c
		}
		c.count++
		if c.count > ch.Rate.Limit && refused < 0 {
			refused = i
		}
	}
	return refused, nil
}

func (m *Memory) sweep(now time.Time) {
	for k, c := range m.windows {
		if !now.Before(c.end) {
			delete(m.windows, k)
		}
	}
}
