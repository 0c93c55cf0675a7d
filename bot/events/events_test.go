package events

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type sinkReader interface {
	Sink
	Reader
}

// testSink is the behaviour every Sink and Reader must have; each implementation's test runs it.
func testSink(t *testing.T, newSink func(t *testing.T, o Options) sinkReader) {
	ctx := context.Background()
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

	t.Run("gaps group by normalised text, most frequent first", func(t *testing.T) {
		s := newSink(t, Options{})
		for i, u := range []Unanswered{
			{Text: "怎么开发票？", Normalised: "怎么开发票"},
			{Text: "ABC", Normalised: "abc"},
			{Text: "怎么开发票", Normalised: "怎么开发票"},
			{Text: "xyz", Normalised: "xyz"},
			{Text: "abc!", Normalised: "abc"},
			{Text: "怎么 开发票", Normalised: "怎么开发票"},
		} {
			u.Session, u.At = "s1", at.Add(time.Duration(i)*time.Minute)
			require.NoError(t, s.Unanswered(ctx, u))
		}
		gaps, err := s.Gaps(ctx, 2)
		require.NoError(t, err)
		assert.Equal(t, []Gap{
			{Normalised: "怎么开发票", Example: "怎么 开发票", Count: 3, LastAt: at.Add(5 * time.Minute)},
			{Normalised: "abc", Example: "abc!", Count: 2, LastAt: at.Add(4 * time.Minute)},
		}, gaps)

		all, err := s.Gaps(ctx, 0)
		require.NoError(t, err)
		require.Len(t, all, 3)
		assert.Equal(t, "xyz", all[2].Normalised)
	})

	t.Run("no unanswered questions, no gaps", func(t *testing.T) {
		s := newSink(t, Options{})
		gaps, err := s.Gaps(ctx, 10)
		require.NoError(t, err)
		assert.Empty(t, gaps)
	})

	t.Run("feedback counted per article; a changed verdict moves", func(t *testing.T) {
		s := newSink(t, Options{})
		no := false
		for _, f := range []Feedback{
			{Article: "negotiate-repayment", Reply: "s1", Useful: true},
			{Article: "negotiate-repayment", Reply: "s2", Useful: false},
			{Article: "negotiate-repayment", Reply: "s2", Useful: true, Replaces: &no},
			{Article: "credit-report", Reply: "s3", Useful: false},
		} {
			require.NoError(t, s.Feedback(ctx, f))
		}
		counts, err := s.FeedbackCounts(ctx)
		require.NoError(t, err)
		assert.Equal(t, map[string]Counts{
			"negotiate-repayment": {Useful: 2},
			"credit-report":       {NotUseful: 1},
		}, counts)
	})
}

func TestMemory(t *testing.T) {
	testSink(t, func(t *testing.T, o Options) sinkReader { return NewMemory(o) })
}

func TestMemoryHandoffsAndCap(t *testing.T) {
	ctx := context.Background()
	m := NewMemory(Options{MaxLen: 16})
	for i := range 100 {
		require.NoError(t, m.Handoff(ctx, Handoff{Event: HandoffRequested, Session: "s", Reason: ReasonAsked,
			Transcript: []Line{{Role: "user", Text: "转人工"}}, At: time.Unix(int64(i), 0)}))
	}
	hs := m.Handoffs()
	assert.LessOrEqual(t, len(hs), 16+16/8)
	assert.GreaterOrEqual(t, len(hs), 16)
	assert.Equal(t, time.Unix(99, 0), hs[len(hs)-1].At, "the newest events are kept")
}

func TestMemoryHonoursCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m := NewMemory(Options{})
	assert.ErrorIs(t, m.Unanswered(ctx, Unanswered{Text: "x"}), context.Canceled)
	_, err := m.Gaps(ctx, 1)
	assert.ErrorIs(t, err, context.Canceled)
}
