package bot

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"time"

	"chatbot/bot/events"
	"chatbot/bot/session"
	"chatbot/dialog"
	"chatbot/dialog/pii"
	"chatbot/knowledge"
)

// MaxMessageIDLength bounds Input.MessageID: client frame ids are short ("c12"); anything longer
// is refused with ErrBadInput rather than stored.
const MaxMessageIDLength = 64

// Handle runs one turn: load the session, mask personal numbers in the user's text (before the
// engine, the store, the logs and the events see it), answer with the current engine (or, during a
// handoff, acknowledge), and commit state, transcript and the message id's reply in one store
// call. A message id the session has already answered returns that reply (Replayed), never a
// second turn. Events (handoff, unanswered question) are sent after the commit.
//
// Errors: ErrUnknownSession, ErrBadInput, ErrConflict (other tabs kept winning), ErrUnavailable
// (store or knowledge base), or the context's error.
func (b *Bot) Handle(ctx context.Context, sessionID string, in Input) (Output, error) {
	return b.Turn(ctx, NewConversation(sessionID), in)
}

// Turn is Handle in a conversation whose state the caller keeps between turns: a normal turn is
// one store call (in.Limits counted, the version checked, the turn saved). ErrRateLimited when
// one of in.Limits refused it.
func (b *Bot) Turn(ctx context.Context, c *Conversation, in Input) (Output, error) {
	started := time.Now()
	sessionID := c.id
	if !session.ValidID(sessionID) {
		return Output{}, ErrUnknownSession
	}
	typed := strings.TrimSpace(in.Text)
	in, found, err := maskInput(in)
	if err != nil {
		return Output{}, err
	}
	eng := b.engines.Engine()
	if eng == nil {
		return Output{}, fmt.Errorf("%w: no knowledge base loaded", ErrUnavailable)
	}

	var t turn
	u, err := b.update(ctx, c, func(st *state) ([]Entry, error) {
		t = b.turn(eng, st, in)
		return t.entries, t.err
	}, in.Limits)
	if err != nil {
		return Output{}, err
	}
	if t.replayed != nil {
		return b.replay(ctx, sessionID, *t.replayed)
	}
	if in.Text != typed {
		t.out.UserText = in.Text
	}
	b.afterTurn(ctx, sessionID, in, t)
	if b.log.Enabled(ctx, slog.LevelInfo) { // the arguments cost allocations even when not logged
		b.log.InfoContext(ctx, "turn", "session", LogID(sessionID), "message", in.MessageID, "reply", t.out.ID,
			"kind", t.out.Kind, "article", t.out.Article, "kb_version", t.out.KBVersion,
			"handoff", t.handoff, "pii", found, "attempts", u.attempts, "ms", time.Since(started).Milliseconds())
		b.log.DebugContext(ctx, "turn text", "session", LogID(sessionID), "text", in.Text, "choice", in.Choice)
	}
	return t.out, nil
}

// maskInput trims and masks the input and checks it is a message at all.
func maskInput(in Input) (Input, []pii.Kind, error) {
	if len(in.MessageID) > MaxMessageIDLength {
		return Input{}, nil, fmt.Errorf("%w: message id longer than %d bytes", ErrBadInput, MaxMessageIDLength)
	}
	text, textKinds := pii.Mask(strings.TrimSpace(in.Text))
	choice, choiceKinds := pii.Mask(strings.TrimSpace(in.Choice))
	if text == "" && choice == "" {
		return Input{}, nil, ErrBadInput
	}
	return Input{MessageID: in.MessageID, Text: text, Choice: choice, Limits: in.Limits, Explain: in.Explain}, append(textKinds, choiceKinds...), nil
}

// turn is the outcome of one attempt at a turn.
type turn struct {
	out     Output
	entries []Entry
	err     error
	handoff HandoffState // after the turn

	replayed   *sent             // the message id was answered before: resend that reply
	requested  string            // a handoff started, for this reason
	cancelled  bool              // the user left the queue for a person
	forwarded  string            // the user's (masked) words, for the person they wait for or talk to
	agent      string            // the agent who has the conversation, if any
	urgent     bool              // the user may be in danger: the handoff events say so
	timedOut   bool              // the user's wait for a person ended unanswered with this turn
	at         time.Time         // when the turn happens
	unanswered string            // the engine's normalised text of a question it could not answer
	slots      map[string]string // the dialog's slots after a turn that requested a handoff
}

// turn computes one attempt at a turn on st. It does no I/O.
func (b *Bot) turn(eng *dialog.Engine, st *state, in Input) turn {
	if prior, ok := st.answered(in.MessageID); ok {
		return turn{replayed: &prior, err: errUnchanged}
	}
	var t turn
	now := b.now()
	userText := in.Text
	if userText == "" {
		userText = st.label(in.Choice)
	}

	var reply dialog.Reply
	var waitEnded string // set when this message found the user waited for a person too long
	if b.waitExpired(st, now) {
		if _, ok := endWait(eng.KB(), st, st.WaitingSince, now); ok {
			waitEnded, t.timedOut = timedOutText(eng.KB(), st), true
		}
	}
	t.at = now
	switch {
	case st.Handoff == HandoffWaiting && in.Choice == dialog.ChoiceRestart:
		st.Handoff, t.cancelled = HandoffBot, true
		reply = b.respond(eng, st, in, &t)
	case st.Handoff != HandoffBot && isCrisis(eng, in.Text):
		reply = crisisDuringHandoff(eng, st, in, userText, &t)
	case st.Handoff == HandoffWaiting:
		reply, t.forwarded = waitingReply, userText
	case st.Handoff == HandoffAgent:
		reply, t.forwarded, t.agent = agentReply, userText, st.Agent
	default:
		reply = b.respond(eng, st, in, &t)
	}
	if reply.KBVersion == "" {
		reply.KBVersion = eng.KB().Version
	}
	if waitEnded != "" {
		reply.Text = waitEnded + "\n\n" + reply.Text
		reply.HTML = paragraphs(waitEnded) + reply.HTML
	}
	if reply.Priority == dialog.PriorityCrisis {
		st.Crisis = true
	}
	if t.requested != "" && st.Crisis {
		t.urgent = true // a person asked for after a crisis answer is needed first
	}

	t.out = Output{
		ID:        st.nextReplyID(),
		ReplyTo:   in.MessageID,
		Kind:      reply.Kind,
		Lead:      reply.Lead,
		Text:      reply.Text,
		HTML:      reply.HTML,
		Sources:   reply.Sources,
		CopyText:  reply.CopyText,
		Article:   reply.Article,
		KBVersion: reply.KBVersion,
		Buttons:   reply.Buttons,
		Handoff:   reply.Handoff || reply.Kind == dialog.KindHandoff,
		At:        now,
		Trace:     reply.Trace,
		Priority:  reply.Priority,

		HandoffReason: t.requested,
	}
	st.pointToRepeat(&t.out)
	st.Buttons = reply.Buttons
	st.remember(sent{MessageID: in.MessageID, ReplyID: t.out.ID, Kind: t.out.Kind,
		Article: t.out.Article, KBVersion: t.out.KBVersion})
	t.handoff = st.Handoff
	if t.requested != "" {
		t.slots = maps.Clone(st.Dialog.Slots) // for the handoff event, sent after the commit
	}
	t.entries = []Entry{
		{Role: "user", ID: in.MessageID, Text: userText, At: now},
		botEntry(t.out),
	}
	return t
}

// respond asks the engine and moves the session into a handoff when the engine hands off.
func (b *Bot) respond(eng *dialog.Engine, st *state, in Input, t *turn) dialog.Reply {
	before := st.Dialog
	respond := eng.Respond
	if in.Explain {
		respond = eng.Explain
	}
	reply, next := respond(st.Dialog, dialog.Input{Text: in.Text, Choice: in.Choice})
	st.Dialog = next
	if reply.Kind == dialog.KindHandoff || reply.Handoff {
		reason := events.ReasonAsked
		if in.Choice != dialog.ChoiceHandoff && before.Fallbacks >= eng.Config().FallbacksBeforeHandoff {
			reason = events.ReasonFallbacks
		}
		if b.handoffMode != HandoffModeStream {
			return withCrisisLines(st, noPersonReply(eng.KB(), st, reply, reason))
		}
		st.Handoff, st.WaitingSince = HandoffWaiting, t.at
		t.requested = reason
		reply = withCrisisLines(st, queuedReply(reply, reason, b.waitTimeout))
	}
	if reply.Kind == dialog.KindFallback && in.Text != "" {
		t.unanswered = in.Text
		if n := eng.Normalise(in.Text); n != "" {
			t.unanswered = n
		}
	}
	return reply
}

func botEntry(o Output) Entry {
	return Entry{Role: "bot", ID: o.ID, ReplyTo: o.ReplyTo, Kind: o.Kind, Lead: o.Lead, Text: o.Text, HTML: o.HTML,
		Sources: o.Sources, CopyText: o.CopyText, Article: o.Article, Buttons: o.Buttons, Priority: o.Priority, At: o.At}
}

// replay rebuilds the reply to a re-sent message id from the transcript, which holds its text.
func (b *Bot) replay(ctx context.Context, sessionID string, prior sent) (Output, error) {
	_, lines, err := b.store.Resume(ctx, sessionID, 2*recentReplies)
	if err != nil {
		return Output{}, b.storeError(ctx, "replay", err)
	}
	entries, _ := decodeEntries(lines)
	out := Output{ID: prior.ReplyID, ReplyTo: prior.MessageID, Kind: prior.Kind, Article: prior.Article,
		KBVersion: prior.KBVersion, Handoff: prior.Kind == dialog.KindHandoff, Replayed: true,
		Text: answeredBeforeText, HTML: "<p>" + answeredBeforeText + "</p>"} // unless the transcript still has it
	for _, e := range entries {
		if e.Role == "bot" && e.ID == prior.ReplyID {
			out.Text, out.HTML, out.Buttons, out.At, out.Priority = e.Text, e.HTML, e.Buttons, e.At, e.Priority
			out.Lead, out.Sources, out.CopyText = e.Lead, e.Sources, e.CopyText
			break
		}
	}
	b.log.InfoContext(ctx, "turn replayed", "session", LogID(sessionID), "message", prior.MessageID, "reply", prior.ReplyID)
	return out, nil
}

// afterTurn sends the events of a committed turn.
func (b *Bot) afterTurn(ctx context.Context, sessionID string, in Input, t turn) {
	now := t.out.At
	if t.requested != "" {
		b.emit(ctx, "handoff", func(ctx context.Context) error {
			lines, err := b.transcript(ctx, sessionID)
			if err != nil {
				return err
			}
			return b.events.Handoff(ctx, events.Handoff{Event: events.HandoffRequested, Session: sessionID,
				Reason: t.requested, Slots: t.slots, Transcript: lines, Urgent: t.urgent, At: now})
		})
	}
	if t.forwarded != "" {
		b.emit(ctx, "handoff", func(ctx context.Context) error {
			return b.events.Handoff(ctx, events.Handoff{Event: events.UserMessage, Session: sessionID, Agent: t.agent,
				Transcript: []events.Line{{Role: "user", Text: t.forwarded, At: now}}, Urgent: t.urgent, At: now})
		})
	}
	if t.cancelled {
		b.emit(ctx, "handoff", func(ctx context.Context) error {
			return b.events.Handoff(ctx, events.Handoff{Event: events.HandoffCancelled, Session: sessionID, At: now})
		})
	}
	if t.timedOut {
		b.emit(ctx, "handoff", func(ctx context.Context) error {
			return b.events.Handoff(ctx, events.Handoff{Event: events.HandoffTimedOut, Session: sessionID, At: now})
		})
	}
	if t.requested != "" {
		b.scheduleWaitTimeout(sessionID, now)
	}
	if t.unanswered != "" {
		b.emit(ctx, "unanswered", func(ctx context.Context) error {
			return b.events.Unanswered(ctx, events.Unanswered{Session: sessionID, Text: in.Text,
				Normalised: t.unanswered, KBVersion: t.out.KBVersion, At: now})
		})
	}
}

// transcript reads the session's (masked) transcript for a handoff event.
func (b *Bot) transcript(ctx context.Context, sessionID string) ([]events.Line, error) {
	_, raw, err := b.store.Resume(ctx, sessionID, b.history)
	if err != nil {
		return nil, fmt.Errorf("read transcript: %w", err)
	}
	entries, _ := decodeEntries(raw)
	lines := make([]events.Line, len(entries))
	for i, e := range entries {
		lines[i] = events.Line{Role: e.Role, Text: e.Text, Article: e.Article, At: e.At}
	}
	return lines, nil
}

// answeredBeforeText stands in for a replayed reply whose text the capped transcript no longer
// holds (only when the store keeps fewer than MinTranscriptCap entries).
const answeredBeforeText = "这条消息之前已经回复过了，请查看上面的对话。"

// Acknowledgements while a person has, or is about to take, the conversation.
var (
	waitingReply = dialog.Reply{
		Kind:    dialog.KindHandoff,
		Handoff: true,
		Text:    "已记录您的留言，人工客服接入后会看到您和我的全部对话，请稍候。着急的话，也可以拨打信用卡背面或发卡行官方App里公布的客服电话。",
		HTML:    "<p>已记录您的留言，人工客服接入后会看到您和我的全部对话，请稍候。</p><p>着急的话，也可以拨打信用卡背面或发卡行官方App里公布的客服电话。</p>",
		Buttons: []knowledge.Button{{Label: "返回智能助手", Value: dialog.ChoiceRestart}},
	}
	agentReply = dialog.Reply{
		Kind:    dialog.KindHandoff,
		Handoff: true,
		Text:    "您的消息已转给人工客服。",
		HTML:    "<p>您的消息已转给人工客服。</p>",
	}
)
