package bot

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot/bottest"
	"chatbot/bot/events"
	"chatbot/bot/session"
	"chatbot/dialog"
)

// The built-in knowledge base answers these the way the product promises (issue 2).
const (
	negotiateQuestion = "信用卡逾期了怎么跟银行协商"
	negotiateArticle  = "negotiate-repayment"
	offTopic          = "今天天气怎么样"
	askForPerson      = "转人工"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second) // every reading a second later: entries have distinct times
	return c.now
}

type fixture struct {
	bot    *Bot
	store  session.Store
	events *events.Memory
	logs   *bytes.Buffer
}

// newFixture builds a bot on the embedded knowledge base with in-memory store and events and a
// debug-level log captured in logs; change adjusts the options.
func newFixture(t testing.TB, change ...func(*Options)) *fixture {
	t.Helper()
	f := &fixture{events: events.NewMemory(events.Options{}), logs: &bytes.Buffer{}}
	o := Options{
		Engines: EngineFunc(func() *dialog.Engine { return bottest.Engine(t) }),
		Store:   session.NewMemory(session.Options{}),
		Events:  f.events,
		Now:     (&clock{now: time.Date(2026, 5, 6, 7, 8, 0, 0, time.UTC)}).Now,
		Logger:  slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, c := range change {
		c(&o)
	}
	b, err := New(o)
	require.NoError(t, err)
	f.bot, f.store = b, o.Store
	return f
}

func (f *fixture) open(t testing.TB) string {
	t.Helper()
	s, err := f.bot.Open(context.Background(), "")
	require.NoError(t, err)
	return s.ID
}

func (f *fixture) say(t testing.TB, id, msgID, text string) Output {
	t.Helper()
	out, err := f.bot.Handle(context.Background(), id, Input{MessageID: msgID, Text: text})
	require.NoError(t, err)
	return out
}

// explain is say with the engine's trace asked for.
func (f *fixture) explain(t testing.TB, id, msgID, text string) Output {
	t.Helper()
	out, err := f.bot.Handle(context.Background(), id, Input{MessageID: msgID, Text: text, Explain: true})
	require.NoError(t, err)
	require.NotNil(t, out.Trace, "trace asked for")
	return out
}

func (f *fixture) history(t testing.TB, id string) []Entry {
	t.Helper()
	s, err := f.bot.Open(context.Background(), id)
	require.NoError(t, err)
	require.True(t, s.Resumed)
	return s.History
}

func TestNewNeedsEngines(t *testing.T) {
	_, err := New(Options{})
	assert.Error(t, err)
}

func TestOpen(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	fresh, err := f.bot.Open(ctx, "")
	require.NoError(t, err)
	assert.True(t, session.ValidID(fresh.ID))
	assert.False(t, fresh.Resumed)
	assert.False(t, fresh.Expired)
	assert.Empty(t, fresh.History)
	assert.Equal(t, HandoffBot, fresh.Handoff)

	unknown, _ := session.NewID()
	for name, requested := range map[string]string{
		"unknown id":   unknown,
		"malformed id": "not-an-id:*",
	} {
		t.Run(name, func(t *testing.T) {
			s, err := f.bot.Open(ctx, requested)
			require.NoError(t, err)
			assert.True(t, s.Expired)
			assert.False(t, s.Resumed)
			assert.NotEqual(t, requested, s.ID)
			assert.True(t, session.ValidID(s.ID))
		})
	}

	t.Run("resume returns the history", func(t *testing.T) {
		out := f.say(t, fresh.ID, "c1", negotiateQuestion)
		s, err := f.bot.Open(ctx, fresh.ID)
		require.NoError(t, err)
		assert.True(t, s.Resumed)
		assert.False(t, s.Expired)
		require.Len(t, s.History, 2)
		assert.Equal(t, Entry{Role: "user", ID: "c1", Text: negotiateQuestion, At: s.History[0].At}, s.History[0])
		assert.Equal(t, botEntry(out), s.History[1])
	})
}

func TestHandleAnswers(t *testing.T) {
	f := newFixture(t)
	id := f.open(t)
	out := f.say(t, id, "c1", negotiateQuestion)
	assert.Equal(t, "s1", out.ID)
	assert.Equal(t, "c1", out.ReplyTo)
	assert.Equal(t, dialog.KindAnswer, out.Kind)
	assert.Equal(t, negotiateArticle, out.Article)
	assert.Equal(t, bottest.Engine(t).KB().Version, out.KBVersion)
	assert.NotEmpty(t, out.Text)
	assert.NotEmpty(t, out.HTML)
	assert.Nil(t, out.Trace, "a trace only when asked for")
	assert.False(t, out.Replayed)
	assert.False(t, out.At.IsZero())

	out2 := f.say(t, id, "c2", offTopic)
	assert.Equal(t, "s2", out2.ID)
	assert.Equal(t, dialog.KindFallback, out2.Kind)
	assert.Equal(t, bottest.Engine(t).KB().Version, out2.KBVersion)
}

func TestHandleBadInput(t *testing.T) {
	f := newFixture(t)
	id := f.open(t)
	unknown, _ := session.NewID()
	long := string(bytes.Repeat([]byte("x"), MaxMessageIDLength+1))
	tests := []struct {
		name    string
		session string
		in      Input
		want    error
	}{
		{"empty text", id, Input{MessageID: "c1"}, ErrBadInput},
		{"only spaces", id, Input{MessageID: "c1", Text: " \t\n"}, ErrBadInput},
		{"message id too long", id, Input{MessageID: long, Text: "你好"}, ErrBadInput},
		{"malformed session", "abc", Input{MessageID: "c1", Text: "你好"}, ErrUnknownSession},
		{"unknown session", unknown, Input{MessageID: "c1", Text: "你好"}, ErrUnknownSession},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.bot.Handle(context.Background(), tt.session, tt.in)
			assert.ErrorIs(t, err, tt.want)
		})
	}
	assert.Len(t, f.history(t, id), 0, "refused input leaves no trace")
}

func TestHandleMasksPersonalNumbers(t *testing.T) {
	f := newFixture(t)
	id := f.open(t)
	const card, mobile = "6222021234567890", "13812345678"
	// The off-topic message comes first, in a fresh conversation, so it is a fallback (and goes
	// to the unanswered stream) whatever flow the overdue question may start.
	f.say(t, id, "c1", "天气"+mobile)
	out := f.explain(t, id, "c2", "我的卡号"+card+"，电话"+mobile+"，逾期了怎么办")

	h := f.history(t, id)
	require.Len(t, h, 4)
	assert.Equal(t, "天气138****5678", h[0].Text)
	assert.Equal(t, "我的卡号6222********7890，电话138****5678，逾期了怎么办", h[2].Text)
	gaps, err := f.events.Gaps(context.Background(), 10)
	require.NoError(t, err)
	require.NotEmpty(t, gaps)

	for where, text := range map[string]string{
		"trace":      out.Trace.Normalised,
		"reply":      out.Text,
		"logs":       f.logs.String(),
		"gap":        gaps[0].Example + gaps[0].Normalised,
		"transcript": h[0].Text + h[1].Text + h[2].Text + h[3].Text,
	} {
		assert.NotContains(t, text, card, where)
		assert.NotContains(t, text, mobile, where)
	}
	assert.Contains(t, f.logs.String(), "6222********7890", "debug logs show the masked text")
}

func TestHandleIsIdempotent(t *testing.T) {
	f := newFixture(t)
	id := f.open(t)
	first := f.say(t, id, "c1", negotiateQuestion)
	again := f.say(t, id, "c1", negotiateQuestion)

	assert.True(t, again.Replayed)
	assert.Equal(t, first.ID, again.ID)
	assert.Equal(t, first.ReplyTo, again.ReplyTo)
	assert.Equal(t, first.Kind, again.Kind)
	assert.Equal(t, first.Text, again.Text)
	assert.Equal(t, first.HTML, again.HTML)
	assert.Equal(t, first.Buttons, again.Buttons)
	assert.Equal(t, first.Article, again.Article)
	assert.Equal(t, first.KBVersion, again.KBVersion)
	assert.Equal(t, first.At, again.At)
	assert.Len(t, f.history(t, id), 2, "no second turn")

	// Even with different text: the id decides.
	other := f.say(t, id, "c1", offTopic)
	assert.True(t, other.Replayed)
	assert.Equal(t, "s1", other.ID)

	next := f.say(t, id, "c2", offTopic)
	assert.Equal(t, "s2", next.ID)
	assert.False(t, next.Replayed)
}

func TestButtonLabelInTranscript(t *testing.T) {
	f := newFixture(t)
	id := f.open(t)
	out := f.say(t, id, "c1", negotiateQuestion)
	require.NotEmpty(t, out.Buttons)
	pressed := out.Buttons[len(out.Buttons)-1]
	_, err := f.bot.Handle(context.Background(), id, Input{MessageID: "c2", Choice: pressed.Value})
	require.NoError(t, err)
	h := f.history(t, id)
	require.Len(t, h, 4)
	assert.Equal(t, pressed.Label, h[2].Text)
}

// racingStore lets another writer in between a turn's Load and its Save, once.
type racingStore struct {
	session.Store
	once  sync.Once
	other func()
}

func (r *racingStore) Save(ctx context.Context, id string, t session.Turn) (int64, error) {
	if t.Version > 0 {
		r.once.Do(r.other)
	}
	return r.Store.Save(ctx, id, t)
}

func TestConcurrentTabs(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T, otherMsgID string) (tab1, tab2 *fixture, id string, tab2Out *Output) {
		shared := session.NewMemory(session.Options{})
		racing := &racingStore{Store: shared}
		tab1 = newFixture(t, func(o *Options) { o.Store = racing })
		tab2 = newFixture(t, func(o *Options) { o.Store = shared })
		id = tab1.open(t)
		tab2Out = &Output{}
		racing.other = func() { *tab2Out = tab2.say(t, id, otherMsgID, offTopic) }
		return tab1, tab2, id, tab2Out
	}

	t.Run("the later turn is recomputed on fresh state", func(t *testing.T) {
		tab1, _, id, tab2Out := setup(t, "tab2-c1")
		out := tab1.say(t, id, "tab1-c1", negotiateQuestion)
		assert.Equal(t, "s1", tab2Out.ID)
		assert.Equal(t, "s2", out.ID)
		assert.Equal(t, negotiateArticle, out.Article)
		h := tab1.history(t, id)
		require.Len(t, h, 4)
		assert.Equal(t, []string{"tab2-c1", "s1", "tab1-c1", "s2"}, []string{h[0].ID, h[1].ID, h[2].ID, h[3].ID})
	})

	t.Run("the same message from two tabs is one turn", func(t *testing.T) {
		tab1, _, id, tab2Out := setup(t, "c1")
		out := tab1.say(t, id, "c1", negotiateQuestion)
		assert.True(t, out.Replayed)
		assert.Equal(t, tab2Out.ID, out.ID)
		assert.Len(t, tab1.history(t, id), 2)
	})

	t.Run("conflicts past the attempts are ErrConflict", func(t *testing.T) {
		store := &conflictingStore{Memory: session.NewMemory(session.Options{})}
		f := newFixture(t, func(o *Options) { o.Store = store; o.Attempts = 4 })
		id := f.open(t)
		_, err := f.bot.Handle(ctx, id, Input{MessageID: "c1", Text: negotiateQuestion})
		assert.ErrorIs(t, err, ErrConflict)
		assert.Equal(t, int32(4), store.loads.Load())
	})
}

// conflictingStore loses every turn's Save to an imaginary other tab.
type conflictingStore struct {
	*session.Memory
	loads atomic.Int32
}

func (c *conflictingStore) Load(ctx context.Context, id string) (session.Record, error) {
	c.loads.Add(1)
	return c.Memory.Load(ctx, id)
}

func (c *conflictingStore) Save(ctx context.Context, id string, t session.Turn) (int64, error) {
	if t.Version > 0 {
		return 0, session.ErrConflict
	}
	return c.Memory.Save(ctx, id, t)
}

func TestReady(t *testing.T) {
	ctx := context.Background()
	assert.NoError(t, newFixture(t).bot.Ready(ctx))
	noKB := newFixture(t, func(o *Options) { o.Engines = EngineFunc(func() *dialog.Engine { return nil }) })
	assert.Error(t, noKB.bot.Ready(ctx))
	_, err := noKB.bot.Handle(ctx, noKB.open(t), Input{Text: "你好"})
	assert.ErrorIs(t, err, ErrUnavailable)
}

func TestReplayAfterTranscriptTrimmed(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.Store = session.NewMemory(session.Options{TranscriptCap: 2}) })
	id := f.open(t)
	first := f.say(t, id, "c1", negotiateQuestion)
	f.say(t, id, "c2", offTopic)
	again := f.say(t, id, "c1", negotiateQuestion)
	assert.True(t, again.Replayed)
	assert.Equal(t, first.ID, again.ID)
	assert.Equal(t, answeredBeforeText, again.Text, "a polite stand-in, never a second turn")
	assert.Len(t, f.history(t, id), 2)
}

func BenchmarkHandle(b *testing.B) {
	f := newFixture(b, func(o *Options) { o.Logger = nil })
	ctx := context.Background()
	id := f.open(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, err := f.bot.Handle(ctx, id, Input{MessageID: "c" + strconv.Itoa(i), Text: negotiateQuestion}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAnswerFieldsTravel: the lead, the sources and the copy block of an answer reach the output,
// the history a reconnecting page gets, and the replay of a re-sent message.
func TestAnswerFieldsTravel(t *testing.T) {
	f := newFixture(t)
	id := f.open(t)
	out := f.say(t, id, "c1", "欠信用卡不还会不会坐牢")
	require.Equal(t, "lawsuit-criminal", out.Article)
	require.NotEmpty(t, out.Lead)
	require.NotEmpty(t, out.Sources)
	assert.Equal(t, "F4.2", out.Sources[0].ID)
	assert.Contains(t, out.Sources[0].Title, "第六条")

	h := f.history(t, id)
	require.Len(t, h, 2)
	assert.Equal(t, out.Lead, h[1].Lead)
	assert.Equal(t, out.Sources, h[1].Sources)

	again := f.say(t, id, "c1", "欠信用卡不还会不会坐牢")
	require.True(t, again.Replayed)
	assert.Equal(t, out.Lead, again.Lead)
	assert.Equal(t, out.Sources, again.Sources)

	// A negotiation plan offers itself as one block to copy, in the output and the history.
	steps := []string{"帮我准备一下怎么跟银行谈", "招行", "两个月", "失业了", "每月能还两千"}
	var plan Output
	for i, s := range steps {
		plan = f.say(t, id, "n"+strconv.Itoa(i), s)
	}
	require.Equal(t, dialog.KindAnswer, plan.Kind, plan.Text)
	assert.Contains(t, plan.CopyText, "我的协商要点")
	assert.Contains(t, plan.CopyText, "95555")
	h = f.history(t, id)
	assert.Equal(t, plan.CopyText, h[len(h)-1].CopyText)
}

// streamMode connects a contact center: handoffs put the user in the queue for a person.
func streamMode(o *Options) { o.HandoffMode = HandoffModeStream }
