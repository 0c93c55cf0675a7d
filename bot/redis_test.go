package bot

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot/bottest"
	"chatbot/bot/events"
	"chatbot/bot/redisclient"
	"chatbot/bot/session"
)

// TestTwoInstancesOnOneRedis: a conversation continues on another instance, as behind a load
// balancer after a reconnect.
func TestTwoInstancesOnOneRedis(t *testing.T) {
	ctx := context.Background()
	client, prefix := bottest.Redis(t)
	instance := func() *Bot {
		return newFixture(t, func(o *Options) {
			o.Store = session.NewRedis(client, prefix, session.Options{})
			o.Events = events.NewRedis(client, prefix, events.Options{})
		}).bot
	}
	a, b := instance(), instance()

	s, err := a.Open(ctx, "")
	require.NoError(t, err)
	first, err := a.Handle(ctx, s.ID, Input{MessageID: "c1", Text: negotiateQuestion})
	require.NoError(t, err)

	resumed, err := b.Open(ctx, s.ID)
	require.NoError(t, err)
	assert.True(t, resumed.Resumed)
	require.Len(t, resumed.History, 2)
	assert.Equal(t, first.Text, resumed.History[1].Text)

	replayed, err := b.Handle(ctx, s.ID, Input{MessageID: "c1", Text: negotiateQuestion})
	require.NoError(t, err)
	assert.True(t, replayed.Replayed, "the other instance knows the message was answered")
	assert.Equal(t, first.Text, replayed.Text)

	second, err := b.Handle(ctx, s.ID, Input{MessageID: "c2", Text: offTopic})
	require.NoError(t, err)
	assert.Equal(t, "s2", second.ID)

	require.NoError(t, a.Feedback(ctx, s.ID, first.ID, true))
	sink := events.NewRedis(client, prefix, events.Options{})
	counts, err := sink.FeedbackCounts(ctx)
	require.NoError(t, err)
	assert.Equal(t, events.Counts{Useful: 1}, counts[negotiateArticle])
	gaps, err := sink.Gaps(ctx, 5)
	require.NoError(t, err)
	require.Len(t, gaps, 1)
	assert.Equal(t, offTopic, gaps[0].Example)
}

func TestRedisGoneIsUnavailable(t *testing.T) {
	ctx := context.Background()
	var failed []string // what the client's error hook counted
	client := redisclient.New(redisclient.Options{
		Addrs: []string{bottest.RefusingAddr(t)}, Timeout: 200 * time.Millisecond, MaxRetries: -1,
		OnError: func(command string, _ error) { failed = append(failed, command) }})
	defer client.Close()
	f := newFixture(t, func(o *Options) {
		o.Store = session.NewRedis(client, "gone", session.Options{})
		o.Events = events.NewRedis(client, "gone", events.Options{})
	})
	id, _ := session.NewID()

	_, err := f.bot.Open(ctx, "")
	assert.ErrorIs(t, err, ErrUnavailable)
	_, err = f.bot.Open(ctx, id)
	assert.ErrorIs(t, err, ErrUnavailable)
	_, err = f.bot.Handle(ctx, id, Input{MessageID: "c1", Text: negotiateQuestion})
	assert.ErrorIs(t, err, ErrUnavailable)
	assert.ErrorIs(t, f.bot.Feedback(ctx, id, "s1", true), ErrUnavailable)
	_, err = f.bot.AgentMessage(ctx, id, "a", "您好")
	assert.ErrorIs(t, err, ErrUnavailable)
	assert.ErrorIs(t, f.bot.Ready(ctx), ErrUnavailable)
	assert.Equal(t, []string{"evalsha", "pipeline", "hmget", "hmget", "hmget", "ping"}, failed,
		"each failure is counted once: create, resume, three loads, ping")
}

func TestCancelledContextIsNotUnavailable(t *testing.T) {
	client, prefix := bottest.Redis(t)
	var failed []string
	client.AddHook(redisclient.ErrorHook(func(command string, _ error) { failed = append(failed, command) }))
	f := newFixture(t, func(o *Options) { o.Store = session.NewRedis(client, prefix, session.Options{}) })
	id := f.open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.bot.Handle(ctx, id, Input{MessageID: "c1", Text: negotiateQuestion})
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrUnavailable)
	assert.Empty(t, failed, "the caller giving up is not a Redis error")
}
