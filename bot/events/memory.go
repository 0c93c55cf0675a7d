package events

import (
	"context"
	"sync"
)

// Memory is a Sink and Reader in process memory, for the one-command default run and tests.
type Memory struct {
	opts Options

	mu         sync.Mutex
	handoffs   []Handoff
	unanswered []Unanswered
	feedback   map[string]Counts
}

// NewMemory returns an empty in-memory sink.
func NewMemory(o Options) *Memory {
	return &Memory{opts: o.withDefaults(), feedback: make(map[string]Counts)}
}

// Handoff implements Sink.
func (m *Memory) Handoff(ctx context.Context, h Handoff) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.handoffs = capped(append(m.handoffs, h), m.opts.MaxLen)
	return nil
}

// Unanswered implements Sink.
func (m *Memory) Unanswered(ctx context.Context, u Unanswered) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.unanswered = capped(append(m.unanswered, u), m.opts.MaxLen)
	return nil
}

// Feedback implements Sink.
func (m *Memory) Feedback(ctx context.Context, f Feedback) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.feedback[f.Article]
	if f.Replaces != nil {
		c.add(*f.Replaces, -1)
	}
	c.add(f.Useful, 1)
	m.feedback[f.Article] = c
	return nil
}

// Handoffs returns the handoff events so far, oldest first.
func (m *Memory) Handoffs() []Handoff {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Handoff(nil), m.handoffs...)
}

// Gaps implements Reader.
func (m *Memory) Gaps(ctx context.Context, n int) ([]Gap, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var g gapCounter
	for i := len(m.unanswered) - 1; i >= 0; i-- {
		g.add(m.unanswered[i])
	}
	return g.top(n), nil
}

// FeedbackCounts implements Reader.
func (m *Memory) FeedbackCounts(ctx context.Context) (map[string]Counts, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]Counts, len(m.feedback))
	for k, v := range m.feedback {
		out[k] = v
	}
	return out, nil
}

func (c *Counts) add(useful bool, n int64) {
	if useful {
		c.Useful += n
	} else {
		c.NotUseful += n
	}
}

// capped keeps about the last max elements: like Redis's MAXLEN ~ it trims in batches (once an
// eighth over), so an append stays cheap when the slice is full.
func capped[T any](s []T, max int64) []T {
	if int64(len(s)) > max+max/8 {
		return append(s[:0:0], s[int64(len(s))-max:]...)
	}
	return s
}
