package bot

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot/bottest"
	"chatbot/bot/session"
	"chatbot/dialog"
)

// roundTrips counts what a client sends: each command and each pipeline is one round trip.
type roundTrips struct{ n atomic.Int64 }

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}
func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}

// take returns the round trips since the last take.
func (h *roundTrips) take() int64 { return h.n.Swap(0) }

// TestConversationTurnIsOneRoundTrip: with the state kept decoded by the conversation, a normal
// turn (rate limits, version check, save) is one round trip to the real Redis; a turn whose kept
// state another instance made stale is refused by version, reloads and still answers.
func TestConversationTurnIsOneRoundTrip(t *testing.T) {
	ctx := context.Background()
	client, prefix := bottest.Redis(t)
	var trips roundTrips
	client.AddHook(&trips)
	instance := func() *Bot {
		return newFixture(t, func(o *Options) { o.Store = session.NewRedis(client, prefix, session.Options{}) }).bot
	}
	a, other := instance(), instance()
	limits := func(id string) []Limit {
		return []Limit{{Key: "ip:" + id, Max: 100, Per: time.Minute}, {Key: "s:" + id, Max: 100, Per: time.Minute}}
	}

	s, err := a.Open(ctx, "")
	require.NoError(t, err)
	c := s.Conversation
	require.NotNil(t, c)
	assert.Equal(t, s.ID, c.ID())
	trips.take()

	first, err := a.Turn(ctx, c, Input{MessageID: "c1", Text: negotiateQuestion, Limits: limits(s.ID)})
	require.NoError(t, err)
	assert.Equal(t, dialog.KindAnswer, first.Kind)
	assert.EqualValues(t, 1, trips.take(), "the first turn after hello: one round trip")
	second, err := a.Turn(ctx, c, Input{MessageID: "c2", Text: "逾期会影响征信吗", Limits: limits(s.ID)})
	require.NoError(t, err)
	assert.Equal(t, dialog.KindAnswer, second.Kind)
	assert.Equal(t, "s2", second.ID)
	assert.EqualValues(t, 1, trips.take(), "every normal turn: one round trip")

	// Another instance (a second tab) answers in the same session: our kept state is stale.
	_, err = other.Handle(ctx, s.ID, Input{MessageID: "t1", Text: offTopic})
	require.NoError(t, err)
	trips.take()
	third, err := a.Turn(ctx, c, Input{MessageID: "c3", Text: negotiateQuestion, Limits: limits(s.ID)})
	require.NoError(t, err)
	assert.Equal(t, "s4", third.ID, "numbered after the other tab's reply: the state was reloaded")
	assert.EqualValues(t, 3, trips.take(), "refused by version, reload, save")
	_, err = a.Turn(ctx, c, Input{MessageID: "c4", Text: negotiateQuestion, Limits: limits(s.ID)})
	require.NoError(t, err)
	assert.EqualValues(t, 1, trips.take(), "back to one")

	resumed, err := other.Open(ctx, s.ID)
	require.NoError(t, err)
	var ids []string
	for _, e := range resumed.History {
		ids = append(ids, e.ID)
	}
	assert.Equal(t, []string{"c1", "s1", "c2", "s2", "t1", "s3", "c3", "s4", "c4", "s5"}, ids, "nothing lost")
}

// TestConversationRateLimits: the turn's limits are counted in its one store call; a refused turn
// stores nothing and the conversation goes on once the window allows.
func TestConversationRateLimits(t *testing.T) {
	ctx := context.Background()
	stores := map[string]func(t *testing.T) session.Store{
		"memory": func(t *testing.T) session.Store { return session.NewMemory(session.Options{}) },
		"redis": func(t *testing.T) session.Store {
			client, prefix := bottest.Redis(t)
			return session.NewRedis(client, prefix, session.Options{})
		},
	}
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, func(o *Options) { o.Store = newStore(t) })
			s, err := f.bot.Open(ctx, "")
			require.NoError(t, err)
			c := s.Conversation
			limits := []Limit{{Key: "ip:" + s.ID, Max: 10, Per: time.Hour}, {Key: "s:" + s.ID, Max: 2, Per: time.Hour}}
			for _, id := range []string{"c1", "c2"} {
				_, err := f.bot.Turn(ctx, c, Input{MessageID: id, Text: negotiateQuestion, Limits: limits})
				require.NoError(t, err)
			}
			_, err = f.bot.Turn(ctx, c, Input{MessageID: "c3", Text: negotiateQuestion, Limits: limits})
			require.ErrorIs(t, err, ErrRateLimited)
			var limited *RateLimitError
			require.ErrorAs(t, err, &limited)
			assert.Equal(t, 1, limited.Index, "the session's limit")
			_, err = f.bot.Turn(ctx, c, Input{MessageID: "c1", Text: negotiateQuestion, Limits: limits})
			require.ErrorIs(t, err, ErrRateLimited, "a re-sent id is counted too")

			out, err := f.bot.Turn(ctx, c, Input{MessageID: "c3", Text: negotiateQuestion, Limits: limits[:1]})
			require.NoError(t, err)
			assert.Equal(t, "s3", out.ID, "the refused turns stored nothing")
			assert.Len(t, f.history(t, s.ID), 6)
		})
	}
}

// BenchmarkConversationTurn is one turn in a conversation whose state is kept between turns, as
// a socket runs it (in-memory store): no load, no decode.
func BenchmarkConversationTurn(b *testing.B) {
	f := newFixture(b, func(o *Options) { o.Logger = nil })
	ctx := context.Background()
	s, err := f.bot.Open(ctx, "")
	require.NoError(b, err)
	questions := []string{negotiateQuestion, "逾期会影响征信吗", "最低还款有什么影响", "催收打电话到单位怎么办"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, err := f.bot.Turn(ctx, s.Conversation, Input{MessageID: "c" + strconv.Itoa(i), Text: questions[i%len(questions)]}); err != nil {
			b.Fatal(err)
		}
	}
}
