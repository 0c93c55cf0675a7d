package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot/events"
	"chatbot/dialog"
)

func (f *fixture) handoffState(t *testing.T, id string) HandoffState {
	t.Helper()
	s, err := f.bot.Open(context.Background(), id)
	require.NoError(t, err)
	return s.Handoff
}

func TestHandoffLifecycle(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := f.open(t)
	f.say(t, id, "c1", "我逾期90天了，电话13812345678")

	out := f.say(t, id, "c2", askForPerson)
	assert.Equal(t, dialog.KindHandoff, out.Kind)
	assert.True(t, out.Handoff)
	assert.Equal(t, HandoffWaiting, f.handoffState(t, id))

	hs := f.events.Handoffs()
	require.Len(t, hs, 1)
	h := hs[0]
	assert.Equal(t, events.HandoffRequested, h.Event)
	assert.Equal(t, id, h.Session)
	assert.Equal(t, events.ReasonAsked, h.Reason)
	assert.Equal(t, out.At, h.At)
	require.Len(t, h.Transcript, 4, "the whole conversation so far, the handoff reply included")
	assert.Equal(t, "我逾期90天了，电话138****5678", h.Transcript[0].Text, "masked")
	assert.Equal(t, askForPerson, h.Transcript[2].Text)

	t.Run("while waiting, messages are kept and acknowledged", func(t *testing.T) {
		ack := f.say(t, id, "c3", negotiateQuestion)
		assert.Equal(t, dialog.KindHandoff, ack.Kind)
		assert.Empty(t, ack.Article, "the engine did not answer")
		assert.Equal(t, testEngine(t).KB().Version, ack.KBVersion)
		assert.Equal(t, "s3", ack.ID)
		hist := f.history(t, id)
		assert.Equal(t, negotiateQuestion, hist[len(hist)-2].Text)
	})

	t.Run("an agent joins", func(t *testing.T) {
		require.NoError(t, f.bot.AgentJoined(ctx, id, "agent-7"))
		assert.Equal(t, HandoffAgent, f.handoffState(t, id))
		require.NoError(t, f.bot.AgentJoined(ctx, id, "agent-7"), "the same call again is a no-op")
		assert.ErrorIs(t, f.bot.AgentJoined(ctx, id, "agent-8"), ErrHandoffState)

		ack := f.say(t, id, "c4", "你好，我想协商还款")
		assert.Equal(t, dialog.KindHandoff, ack.Kind)
		assert.Equal(t, agentReply.Text, ack.Text)
	})

	t.Run("the agent leaves and the bot answers again", func(t *testing.T) {
		require.NoError(t, f.bot.AgentLeft(ctx, id))
		assert.Equal(t, HandoffBot, f.handoffState(t, id))
		require.NoError(t, f.bot.AgentLeft(ctx, id), "leaving twice is a no-op")
		out := f.say(t, id, "c5", negotiateQuestion)
		assert.Equal(t, negotiateArticle, out.Article)
	})

	var got []events.HandoffEvent
	for _, h := range f.events.Handoffs() {
		got = append(got, h.Event)
		if h.Event == events.AgentJoined || h.Event == events.AgentLeft {
			assert.Equal(t, "agent-7", h.Agent)
		}
	}
	assert.Equal(t, []events.HandoffEvent{events.HandoffRequested, events.AgentJoined, events.AgentLeft}, got)

	var texts []string
	for _, e := range f.history(t, id) {
		texts = append(texts, e.Text)
	}
	joined := strings.Join(texts, "\n")
	assert.Contains(t, joined, agentJoinedText)
	assert.Contains(t, joined, agentLeftText)
}

func TestHandoffCancelledByUser(t *testing.T) {
	f := newFixture(t)
	id := f.open(t)
	f.say(t, id, "c1", askForPerson)
	ack := f.say(t, id, "c2", "还要等多久")
	require.Contains(t, ack.Buttons, waitingReply.Buttons[0], "the way back to the bot is offered")

	out, err := f.bot.Handle(context.Background(), id, Input{MessageID: "c3", Choice: dialog.ChoiceRestart})
	require.NoError(t, err)
	assert.NotEqual(t, agentReply.Text, out.Text)
	assert.Equal(t, HandoffBot, f.handoffState(t, id))
	hs := f.events.Handoffs()
	require.Len(t, hs, 2)
	assert.Equal(t, events.HandoffCancelled, hs[1].Event)
	assert.ErrorIs(t, f.bot.AgentJoined(context.Background(), id, "late"), ErrHandoffState)
}

func TestHandoffAfterRepeatedFallbacks(t *testing.T) {
	f := newFixture(t)
	id := f.open(t)
	var out Output
	for i, q := range []string{offTopic, "火星上有信号吗", "猫为什么喜欢纸箱", "月亮有多重"} {
		out = f.say(t, id, "c"+string(rune('1'+i)), q)
		if out.Kind == dialog.KindHandoff {
			break
		}
	}
	require.Equal(t, dialog.KindHandoff, out.Kind, "fallbacks pile up into a handoff")
	hs := f.events.Handoffs()
	require.Len(t, hs, 1)
	assert.Equal(t, events.ReasonFallbacks, hs[0].Reason)

	gaps, err := f.events.Gaps(context.Background(), 10)
	require.NoError(t, err)
	assert.NotEmpty(t, gaps, "the questions it could not answer are listed for the editors")
}

func TestAgentCallsOnUnknownSessions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	assert.ErrorIs(t, f.bot.AgentJoined(ctx, "bad", "a"), ErrUnknownSession)
	assert.ErrorIs(t, f.bot.AgentLeft(ctx, "bad"), ErrUnknownSession)
	id := f.open(t)
	assert.ErrorIs(t, f.bot.AgentJoined(ctx, id, "a"), ErrHandoffState, "nobody is waiting")
	assert.NoError(t, f.bot.AgentLeft(ctx, id))
}

func TestFeedback(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := f.open(t)
	answer := f.say(t, id, "c1", negotiateQuestion)
	fallback := f.say(t, id, "c2", offTopic)

	counts := func() map[string]events.Counts {
		c, err := f.events.FeedbackCounts(ctx)
		require.NoError(t, err)
		return c
	}
	require.NoError(t, f.bot.Feedback(ctx, id, answer.ID, true))
	require.NoError(t, f.bot.Feedback(ctx, id, answer.ID, true))
	assert.Equal(t, map[string]events.Counts{negotiateArticle: {Useful: 1}}, counts(), "the same verdict twice counts once")

	require.NoError(t, f.bot.Feedback(ctx, id, answer.ID, false))
	assert.Equal(t, map[string]events.Counts{negotiateArticle: {NotUseful: 1}}, counts(), "a changed verdict moves")

	require.NoError(t, f.bot.Feedback(ctx, id, fallback.ID, false))
	assert.Equal(t, map[string]events.Counts{negotiateArticle: {NotUseful: 1}}, counts(), "no article, nothing to count")

	assert.ErrorIs(t, f.bot.Feedback(ctx, id, "s99", true), ErrUnknownReply)
	assert.ErrorIs(t, f.bot.Feedback(ctx, "bad", "s1", true), ErrUnknownSession)
	other := f.open(t)
	assert.ErrorIs(t, f.bot.Feedback(ctx, other, answer.ID, true), ErrUnknownReply, "replies belong to their session")
}
