package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"chatbot/bot/events"
	"chatbot/bot/push"
	"chatbot/bot/session"
	"chatbot/dialog"
)

// EngineSource hands out the dialog engine to answer with. A live knowledge base (bot/live)
// swaps engines on reload; each turn asks once and answers wholly from that engine.
type EngineSource interface {
	Engine() *dialog.Engine // nil while no knowledge base is loaded
}

// EngineFunc adapts a function to EngineSource.
type EngineFunc func() *dialog.Engine

// Engine implements EngineSource.
func (f EngineFunc) Engine() *dialog.Engine { return f() }

// Options configures a Bot. Only Engines is required.
type Options struct {
	Engines EngineSource
	// Store keeps sessions; nil means an in-memory store with default options.
	Store session.Store
	// Events receives handoff, unanswered-question and feedback events; nil means in memory.
	Events events.Sink
	// Push carries what an agent writes (and an agent joining or leaving) to the sockets open
	// on the session, on every instance; nil means this process only (push.NewLocal), right for
	// a single instance. Pass a started push.Redis when several instances share Redis.
	Push push.Hub
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// History is how many transcript entries Open returns on resume (default 50).
	History int
	// Attempts bounds how often a turn is computed when another tab or instance changed the
	// session first (default 3); past it Handle returns ErrConflict.
	Attempts int
	// Logger gets one line per turn (masked text only at debug level); nil discards.
	Logger *slog.Logger
	// HandoffMode says whether a contact center takes conversations; "" means HandoffModeNone.
	HandoffMode HandoffMode
	// WaitTimeout is how long a user waits for a person in stream mode (default
	// DefaultWaitTimeout) before being told nobody joined and given the hotline.
	WaitTimeout time.Duration
}

// Defaults for zero Options fields.
const (
	DefaultHistory  = 50
	DefaultAttempts = 3
)

// Bot runs conversation turns. It holds no per-session state of its own, so any number of
// instances may serve the same sessions through a shared store. Safe for concurrent use.
type Bot struct {
	engines  EngineSource
	store    session.Store
	events   events.Sink
	push     push.Hub
	now      func() time.Time
	history  int
	attempts int
	log      *slog.Logger

	handoffMode HandoffMode
	waitTimeout time.Duration
}

// New returns a Bot.
func New(o Options) (*Bot, error) {
	if o.Engines == nil {
		return nil, errors.New("bot: Options.Engines is required")
	}
	b := &Bot{
		engines:  o.Engines,
		store:    o.Store,
		events:   o.Events,
		push:     o.Push,
		now:      o.Now,
		history:  o.History,
		attempts: o.Attempts,
		log:      o.Logger,

		handoffMode: o.HandoffMode,
		waitTimeout: o.WaitTimeout,
	}
	switch b.handoffMode {
	case "":
		b.handoffMode = HandoffModeNone
	case HandoffModeNone, HandoffModeStream:
	default:
		return nil, fmt.Errorf("bot: unknown handoff mode %q (none or stream)", o.HandoffMode)
	}
	if b.waitTimeout <= 0 {
		b.waitTimeout = DefaultWaitTimeout
	}
	if b.store == nil {
		b.store = session.NewMemory(session.Options{})
	}
	if b.events == nil {
		b.events = events.NewMemory(events.Options{})
	}
	if b.push == nil {
		b.push = push.NewLocal()
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.history <= 0 {
		b.history = DefaultHistory
	}
	if b.attempts <= 0 {
		b.attempts = DefaultAttempts
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	return b, nil
}

// Open starts or resumes a conversation without page context: OpenWith(ctx, requestedID,
// Context{}).
func (b *Bot) Open(ctx context.Context, requestedID string) (Session, error) {
	return b.OpenWith(ctx, requestedID, Context{})
}

// OpenWith starts or resumes a conversation. An empty id starts a new session; an id that is
// malformed, unknown or expired starts a new one with Expired set (so the client can say so
// politely); a known id resumes it with its history. c is what the embedding page knows (its
// issuer and channel): a new session keeps it, a resumed one takes its non-empty fields.
// Errors: ErrUnknownIssuer and ErrBadChannel for a context the bot cannot use (nothing is
// opened), ErrUnavailable for store failures.
func (b *Bot) OpenWith(ctx context.Context, requestedID string, c Context) (Session, error) {
	if err := b.checkContext(c); err != nil {
		return Session{}, err
	}
	if requestedID == "" {
		return b.create(ctx, false, c)
	}
	if !session.ValidID(requestedID) {
		return b.create(ctx, true, c)
	}
	rec, lines, err := b.store.Resume(ctx, requestedID, b.history)
	if errors.Is(err, session.ErrNotFound) {
		return b.create(ctx, true, c)
	}
	if err != nil {
		return Session{}, b.storeError(ctx, "resume", err)
	}
	st, err := decodeState(rec.State)
	if err != nil {
		b.log.ErrorContext(ctx, "unreadable session: starting a new one", "session", LogID(requestedID), "err", err)
		return b.create(ctx, true, c)
	}
	conv := &Conversation{id: requestedID, st: st, version: rec.Version, known: true}
	// The page may say something new about itself (another bank's site, say): keep it. With the
	// state just loaded and nothing new, update makes no store call.
	if _, err := b.update(ctx, conv, func(st *state) ([]Entry, error) {
		if !st.setContext(c) {
			return nil, errUnchanged
		}
		return nil, nil
	}, nil); err != nil {
		return Session{}, err
	}
	if b.waitExpired(&st, b.now()) { // nobody joined while the user was away: say so first
		if err := b.expireWait(ctx, requestedID, st.WaitingSince); err != nil {
			return Session{}, err
		}
		return b.OpenWith(ctx, requestedID, c)
	}
	history, bad := decodeEntries(lines)
	if bad > 0 {
		b.log.WarnContext(ctx, "skipped unreadable transcript lines", "session", LogID(requestedID), "lines", bad)
	}
	return Session{ID: requestedID, Resumed: true, History: history, Handoff: conv.st.Handoff,
		Context: conv.st.context(), Conversation: conv}, nil
}

// checkContext refuses an issuer the current knowledge base does not list and an unknown
// channel, so a misconfigured page learns it at once instead of chatting with a wrong bank.
func (b *Bot) checkContext(c Context) error {
	switch c.Channel {
	case "", ChannelWeb, ChannelApp:
	default:
		return fmt.Errorf("%w %.40q", ErrBadChannel, c.Channel)
	}
	if c.Issuer == "" {
		return nil
	}
	eng := b.engines.Engine()
	if eng == nil {
		return fmt.Errorf("%w: no knowledge base loaded", ErrUnavailable)
	}
	if _, ok := eng.KB().Bank(c.Issuer); !ok {
		return fmt.Errorf("%w %.40q", ErrUnknownIssuer, c.Issuer)
	}
	return nil
}

func (b *Bot) create(ctx context.Context, expired bool, c Context) (Session, error) {
	st := state{Created: b.now(), Handoff: HandoffBot}
	st.setContext(c)
	raw, err := st.encode()
	if err != nil {
		return Session{}, err
	}
	for range 2 { // a second try only if 128 random bits ever collide
		id, err := session.NewID()
		if err != nil {
			return Session{}, err
		}
		v, err := b.store.Save(ctx, id, session.Turn{State: raw})
		if errors.Is(err, session.ErrConflict) {
			continue
		}
		if err != nil {
			return Session{}, b.storeError(ctx, "create", err)
		}
		b.log.InfoContext(ctx, "session opened", "session", LogID(id), "expired_requested", expired,
			"issuer", c.Issuer, "channel", c.Channel)
		return Session{ID: id, Expired: expired, History: []Entry{}, Handoff: HandoffBot, Context: st.context(),
			Conversation: &Conversation{id: id, st: st, version: v, known: true}}, nil
	}
	return Session{}, fmt.Errorf("create session: %w", ErrConflict)
}

// Ready reports whether the bot can serve turns: a knowledge base is loaded and the store
// answers.
func (b *Bot) Ready(ctx context.Context) error {
	if b.engines.Engine() == nil {
		return errors.New("no knowledge base loaded")
	}
	if err := b.store.Ping(ctx); err != nil {
		return b.storeError(ctx, "ping", err)
	}
	return nil
}

// storeError maps a store failure to the bot's errors: a missing session, a conflict that
// outlasted the retries, the caller giving up, or the store being unavailable.
func (b *Bot) storeError(ctx context.Context, op string, err error) error {
	switch {
	case errors.Is(err, session.ErrNotFound):
		return ErrUnknownSession
	case errors.Is(err, session.ErrConflict):
		return fmt.Errorf("%s: %w", op, ErrConflict)
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", op, ctx.Err())
	}
	b.log.ErrorContext(ctx, "session store failed", "op", op, "err", err)
	return fmt.Errorf("%s: %w: %w", op, ErrUnavailable, err)
}

// emit sends an event after its turn is committed. An event that cannot be sent is logged (and
// counted as a Redis error by the client's hook) but does not fail the turn: the user already
// has the reply.
func (b *Bot) emit(ctx context.Context, kind string, send func(context.Context) error) {
	if err := send(ctx); err != nil {
		b.log.ErrorContext(ctx, "event not sent", "event", kind, "err", err)
	}
}
