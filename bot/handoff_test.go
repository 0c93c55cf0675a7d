package bot

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot/bottest"
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
	f := newFixture(t, streamMode)
	id := f.open(t)
	f.say(t, id, "c1", "我逾期90天了，电话13812345678")

	out := f.say(t, id, "c2", askForPerson)
	assert.Equal(t, dialog.KindHandoff, out.Kind)
	assert.True(t, out.Handoff)
	assert.Equal(t, events.ReasonAsked, out.HandoffReason)
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
		assert.Equal(t, bottest.Engine(t).KB().Version, ack.KBVersion)
		assert.Equal(t, "s3", ack.ID)
		assert.Empty(t, ack.HandoffReason, "an acknowledgement is not a new handoff")
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
	assert.Equal(t, []events.HandoffEvent{events.HandoffRequested, events.UserMessage, events.AgentJoined,
		events.UserMessage, events.AgentLeft}, got)
	forwarded := f.events.Handoffs()[3]
	assert.Equal(t, "agent-7", forwarded.Agent, "what the user says reaches the agent who has the session")
	assert.Equal(t, []events.Line{{Role: "user", Text: "你好，我想协商还款", At: forwarded.At}}, forwarded.Transcript)

	var texts []string
	for _, e := range f.history(t, id) {
		texts = append(texts, e.Text)
	}
	joined := strings.Join(texts, "\n")
	assert.Contains(t, joined, agentJoinedText)
	assert.Contains(t, joined, agentLeftText)
}

func TestHandoffCancelledByUser(t *testing.T) {
	f := newFixture(t, streamMode)
	id := f.open(t)
	f.say(t, id, "c1", askForPerson)
	ack := f.say(t, id, "c2", "还要等多久")
	require.Contains(t, ack.Buttons, waitingReply.Buttons[0], "the way back to the bot is offered")

	out, err := f.bot.Handle(context.Background(), id, Input{MessageID: "c3", Choice: dialog.ChoiceRestart})
	require.NoError(t, err)
	assert.NotEqual(t, agentReply.Text, out.Text)
	assert.Equal(t, HandoffBot, f.handoffState(t, id))
	hs := f.events.Handoffs()
	require.Len(t, hs, 3)
	assert.Equal(t, events.UserMessage, hs[1].Event, "the question asked while waiting is passed on")
	assert.Equal(t, events.HandoffCancelled, hs[2].Event)
	assert.ErrorIs(t, f.bot.AgentJoined(context.Background(), id, "late"), ErrHandoffState)
}

func TestHandoffAfterRepeatedFallbacks(t *testing.T) {
	f := newFixture(t, streamMode)
	id := f.open(t)
	var out Output
	for i, q := range []string{offTopic, "火星上有信号吗", "猫为什么喜欢纸箱", "月亮有多重"} {
		out = f.say(t, id, "c"+string(rune('1'+i)), q)
		if out.Kind == dialog.KindHandoff {
			break
		}
	}
	require.Equal(t, dialog.KindHandoff, out.Kind, "fallbacks pile up into a handoff")
	assert.Equal(t, events.ReasonFallbacks, out.HandoffReason)
	hs := f.events.Handoffs()
	require.Len(t, hs, 1)
	assert.Equal(t, events.ReasonFallbacks, hs[0].Reason)

	gaps, err := f.events.Gaps(context.Background(), 10)
	require.NoError(t, err)
	assert.NotEmpty(t, gaps, "the questions it could not answer are listed for the editors")
}

func TestAgentCallsOnUnknownSessions(t *testing.T) {
	f := newFixture(t, streamMode)
	ctx := context.Background()
	assert.ErrorIs(t, f.bot.AgentJoined(ctx, "bad", "a"), ErrUnknownSession)
	assert.ErrorIs(t, f.bot.AgentLeft(ctx, "bad"), ErrUnknownSession)
	id := f.open(t)
	assert.ErrorIs(t, f.bot.AgentJoined(ctx, id, "a"), ErrHandoffState, "nobody is waiting")
	assert.NoError(t, f.bot.AgentLeft(ctx, id))
}

func TestFeedback(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, streamMode)
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

// listener collects the entries Listen delivers.
type listener struct {
	mu      sync.Mutex
	entries []Entry
}

func (l *listener) deliver(e Entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e)
}

func (l *listener) all() []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Entry(nil), l.entries...)
}

func TestAgentConversation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, streamMode)
	id := f.open(t)
	var l, other listener
	stop := f.bot.Listen(id, l.deliver)
	defer stop()
	defer f.bot.Listen(f.open(t), other.deliver)()

	f.say(t, id, "c1", askForPerson)
	_, err := f.bot.AgentMessage(ctx, id, "王女士", "您好")
	assert.ErrorIs(t, err, ErrHandoffState, "nobody can write before joining")
	require.NoError(t, f.bot.AgentJoined(ctx, id, "客服 8012"))

	e, err := f.bot.AgentMessage(ctx, id, "", "  您好，我是客服。\n请问您的卡号 6222021234567890123 是哪家银行的？\n\n<b>稍等</b>  ")
	require.NoError(t, err)
	assert.Equal(t, "agent", e.Role)
	assert.Equal(t, KindAgent, e.Kind)
	assert.Equal(t, "客服 8012", e.Agent, "named after the agent who joined")
	assert.Equal(t, "s3", e.ID, "agent messages are numbered with the replies")
	assert.NotContains(t, e.Text, "6222021234567890123", "personal numbers are masked")
	assert.Equal(t, "<p>您好，我是客服。<br>请问您的卡号 "+strings.Split(strings.Split(e.Text, "卡号 ")[1], " ")[0]+
		" 是哪家银行的？</p><p>&lt;b&gt;稍等&lt;/b&gt;</p>", e.HTML, "escaped, paragraphs and line breaks kept")

	ack := f.say(t, id, "c2", "招商银行的")
	assert.Equal(t, "s4", ack.ID)
	require.NoError(t, f.bot.AgentLeft(ctx, id))

	got := l.all()
	require.Len(t, got, 3, "joined, the message, left: %+v", got)
	assert.Equal(t, agentJoinedText, got[0].Text)
	assert.Equal(t, "s2", got[0].ID)
	assert.Equal(t, e, got[1])
	assert.Equal(t, agentLeftText, got[2].Text)
	assert.Equal(t, "s5", got[2].ID)
	assert.Empty(t, other.all(), "other sessions hear nothing")

	hist := f.history(t, id)
	var roles []string
	for _, h := range hist {
		roles = append(roles, h.Role)
	}
	assert.Equal(t, []string{"user", "bot", "bot", "agent", "user", "bot", "bot"}, roles, "the history holds the agent's words too")
	assert.Equal(t, e, hist[3])

	stop()
	f.say(t, id, "c3", askForPerson)
	require.NoError(t, f.bot.AgentJoined(ctx, id, "客服 8013"))
	assert.Len(t, l.all(), 3, "a stopped listener hears nothing more")
}

func TestAgentMessageRefusals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, streamMode)
	id := f.open(t)
	f.say(t, id, "c1", askForPerson)
	require.NoError(t, f.bot.AgentJoined(ctx, id, "a"))
	tests := []struct {
		name    string
		session string
		text    string
		want    error
	}{
		{"malformed session", "bad", "您好", ErrUnknownSession},
		{"unknown session", strings.Repeat("0", 32), "您好", ErrUnknownSession},
		{"empty", id, " \n ", ErrBadInput},
		{"too long", id, strings.Repeat("好", MaxAgentTextLength+1), ErrBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.bot.AgentMessage(ctx, tt.session, "a", tt.text)
			assert.ErrorIs(t, err, tt.want)
		})
	}
	_, err := f.bot.AgentMessage(ctx, id, "a", strings.Repeat("好", MaxAgentTextLength))
	assert.NoError(t, err, "the longest allowed message")
}
