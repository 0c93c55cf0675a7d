package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot/events"
	"chatbot/dialog"
	"chatbot/knowledge"
)

// manualClock moves only when told to (and a millisecond per reading, so entries keep their order).
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Millisecond)
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (f *fixture) press(t testing.TB, id, msgID, value string) Output {
	t.Helper()
	out, err := f.bot.Handle(context.Background(), id, Input{MessageID: msgID, Choice: value})
	require.NoError(t, err)
	return out
}

func TestNoContactCenterSaysSoHonestly(t *testing.T) {
	f := newFixture(t) // handoff.mode none is the default
	t.Run("asked in words, bank known", func(t *testing.T) {
		id := f.open(t)
		f.say(t, id, "c1", "招商银行的信用卡逾期了怎么办")
		out := f.say(t, id, "c2", askForPerson)
		assert.Equal(t, dialog.KindAnswer, out.Kind)
		assert.Equal(t, "human-agent", out.Article)
		assert.False(t, out.Handoff, "nobody is going to take over")
		assert.Empty(t, out.HandoffReason)
		assert.Contains(t, out.Text, noPersonLead)
		assert.Contains(t, out.Text, "400-820-5555", "the issuer's card line")
		assert.NotContains(t, out.Text, "请稍候")
		assert.NotContains(t, out.Text, "转接时")
		assert.Equal(t, HandoffBot, f.handoffState(t, id))
		for _, b := range out.Buttons {
			assert.NotEqual(t, dialog.ChoiceHandoff, b.Value)
		}
		next := f.say(t, id, "c3", negotiateQuestion)
		assert.Equal(t, negotiateArticle, next.Article, "the bot keeps answering")
	})
	t.Run("the button under a fallback", func(t *testing.T) {
		id := f.open(t)
		fb := f.say(t, id, "c1", offTopic)
		require.Equal(t, dialog.KindFallback, fb.Kind)
		require.Contains(t, fb.Buttons, handoffButton(fb.Buttons))
		out := f.press(t, id, "c2", dialog.ChoiceHandoff)
		assert.Contains(t, out.Text, noPersonLead)
		assert.Contains(t, out.Text, unknownIssuerLine, "no bank known: where to find the number")
	})
	t.Run("after fallbacks", func(t *testing.T) {
		id := f.open(t)
		var out Output
		for i, q := range []string{offTopic, "火星上有信号吗", "猫为什么喜欢纸箱"} {
			out = f.say(t, id, "c"+string(rune('1'+i)), q)
		}
		require.Equal(t, "human-agent", out.Article)
		assert.Contains(t, out.Text, noPersonAfterFails+noPersonLead)
		assert.Equal(t, HandoffBot, f.handoffState(t, id))
	})
	assert.Empty(t, f.events.Handoffs(), "no contact center: no handoff events")
}

func handoffButton(bs []knowledge.Button) knowledge.Button {
	for _, b := range bs {
		if b.Value == dialog.ChoiceHandoff {
			return b
		}
	}
	return knowledge.Button{}
}

func TestStreamModeQueuesWithoutSendingTheUserAway(t *testing.T) {
	f := newFixture(t, streamMode)
	id := f.open(t)
	out := f.say(t, id, "c1", askForPerson)
	assert.True(t, out.Handoff)
	assert.Equal(t, queuedText(DefaultWaitTimeout), out.Text)
	assert.Contains(t, out.Text, "3分钟")
	assert.NotContains(t, out.Text, "95", "no hotline yet: a person is coming")
	assert.Equal(t, HandoffWaiting, f.handoffState(t, id))
}

func TestWaitTimeoutOnTheNextMessage(t *testing.T) {
	clk := &manualClock{now: time.Date(2026, 5, 6, 7, 8, 0, 0, time.UTC)}
	f := newFixture(t, streamMode, func(o *Options) { o.Now, o.WaitTimeout = clk.Now, time.Hour })
	id := f.open(t)
	f.say(t, id, "c1", "建设银行信用卡逾期两个月了")
	f.say(t, id, "c2", askForPerson)
	ack := f.say(t, id, "c3", "还要等多久")
	assert.Equal(t, waitingReply.Text, ack.Text, "within the timeout the message waits for the person")

	clk.Advance(time.Hour)
	out := f.say(t, id, "c4", negotiateQuestion)
	assert.Contains(t, out.Text, noWaitLead)
	assert.Contains(t, out.Text, "95533", "the issuer's hotline")
	assert.Equal(t, negotiateArticle, out.Article, "and the message itself is answered")
	assert.Equal(t, HandoffBot, f.handoffState(t, id))
	hs := f.events.Handoffs()
	assert.Equal(t, events.HandoffTimedOut, hs[len(hs)-1].Event)
	assert.ErrorIs(t, f.bot.AgentJoined(context.Background(), id, "late"), ErrHandoffState)
}

func TestWaitTimeoutOnReconnect(t *testing.T) {
	clk := &manualClock{now: time.Date(2026, 5, 6, 7, 8, 0, 0, time.UTC)}
	f := newFixture(t, streamMode, func(o *Options) { o.Now, o.WaitTimeout = clk.Now, time.Hour })
	id := f.open(t)
	f.say(t, id, "c1", askForPerson)
	clk.Advance(2 * time.Hour)
	s, err := f.bot.Open(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, HandoffBot, s.Handoff)
	last := s.History[len(s.History)-1]
	assert.Contains(t, last.Text, noWaitLead)
	assert.Contains(t, last.Text, unknownIssuerLine)
}

// The wait ends without any message from the user: the notice reaches their open sockets.
func TestWaitTimeoutFiresByItself(t *testing.T) {
	f := newFixture(t, streamMode, func(o *Options) { o.Now, o.WaitTimeout = nil, 50*time.Millisecond })
	id := f.open(t)
	got := make(chan Entry, 4)
	stop := f.bot.Listen(id, func(e Entry) { got <- e })
	defer stop()
	f.say(t, id, "c1", askForPerson)
	select {
	case e := <-got:
		assert.Contains(t, e.Text, noWaitLead)
		assert.Equal(t, "bot", e.Role)
	case <-time.After(30 * time.Second):
		t.Fatal("the wait for a person never ended")
	}
	assert.Equal(t, HandoffBot, f.handoffState(t, id))
	hs := f.events.Handoffs()
	assert.Equal(t, events.HandoffTimedOut, hs[len(hs)-1].Event)
}

func TestAgentJoiningInTimeStopsTheTimeout(t *testing.T) {
	clk := &manualClock{now: time.Date(2026, 5, 6, 7, 8, 0, 0, time.UTC)}
	f := newFixture(t, streamMode, func(o *Options) { o.Now, o.WaitTimeout = clk.Now, time.Hour })
	id := f.open(t)
	f.say(t, id, "c1", askForPerson)
	require.NoError(t, f.bot.AgentJoined(context.Background(), id, "agent-1"))
	clk.Advance(2 * time.Hour)
	out := f.say(t, id, "c2", "你好")
	assert.Equal(t, agentReply.Text, out.Text)
	assert.Equal(t, HandoffAgent, f.handoffState(t, id))
}

func TestUnknownHandoffMode(t *testing.T) {
	_, err := New(Options{Engines: EngineFunc(func() *dialog.Engine { return nil }), HandoffMode: "phone"})
	assert.ErrorContains(t, err, "phone")
}

func TestWaitWords(t *testing.T) {
	assert.Equal(t, "3分钟", waitWords(3*time.Minute))
	assert.Equal(t, "90秒", waitWords(90*time.Second))
	assert.Equal(t, "1秒", waitWords(50*time.Millisecond))
}

func TestHandoffAfterCrisisRepeatsTheResources(t *testing.T) {
	for _, mode := range []HandoffMode{HandoffModeNone, HandoffModeStream} {
		t.Run(string(mode), func(t *testing.T) {
			f := newFixture(t, func(o *Options) { o.HandoffMode = mode })
			id := f.open(t)
			f.say(t, id, "c1", "真的撑不下去了 想死")
			out := f.press(t, id, "c2", dialog.ChoiceHandoff)
			assert.True(t, strings.HasPrefix(out.Text, crisisLines), out.Text)
			assert.Equal(t, dialog.PriorityCrisis, out.Priority)
		})
	}
	f := newFixture(t)
	id := f.open(t)
	out := f.say(t, id, "c1", askForPerson)
	assert.NotContains(t, out.Text, "12356", "no crisis, no crisis lines")
}

// TestNoContactCenterShowsOnlyTheIssuersNumbers: with the page's issuer (or a bank the user
// named), the handoff reply in mode none gives that issuer's numbers and no other bank's.
func TestNoContactCenterShowsOnlyTheIssuersNumbers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s, err := f.bot.OpenWith(ctx, "", Context{Issuer: "ccb", Channel: ChannelWeb})
	require.NoError(t, err)
	out := f.say(t, s.ID, "c1", askForPerson)
	require.Equal(t, "human-agent", out.Article)
	for _, body := range []string{out.Text, out.HTML} {
		assert.Contains(t, body, "95533", "the issuer's hotline")
		for _, other := range []string{"95588", "95555", "400-820-5555", "95577"} {
			assert.NotContains(t, body, other, "another bank's number")
		}
		assert.Contains(t, body, "接通前准备好", "the rest of the article stays")
	}

	t.Run("bank named in the conversation", func(t *testing.T) {
		id := f.open(t)
		f.say(t, id, "c1", "招商银行的信用卡逾期了怎么办")
		out := f.say(t, id, "c2", askForPerson)
		assert.Contains(t, out.Text, "400-820-5555")
		assert.NotContains(t, out.Text, "95588", "another bank's number")
		assert.NotContains(t, out.HTML, "95588", "another bank's number")
	})
	t.Run("no bank known: the common numbers stay", func(t *testing.T) {
		id := f.open(t)
		out := f.say(t, id, "c1", askForPerson)
		assert.Contains(t, out.Text, "95588")
	})
}
