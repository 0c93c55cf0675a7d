package bot

import (
	"context"
	"errors"
	"fmt"

	"chatbot/bot/session"
)

// Conversation is one session as the single goroutine that serves it (a socket's conversation)
// keeps it between turns: the decoded state and the version it was stored at. A turn then costs
// one store call, which checks that version, counts the turn's rate limits and saves, instead of a
// load, a decode and a save. When another tab, instance or agent changed the session in between,
// the store refuses the stale version and the turn reloads and runs again.
//
// A Conversation is not safe for concurrent use; the bot keeps nothing of it.
type Conversation struct {
	id      string
	st      state
	version int64
	known   bool // st and version are what the store had after our last load or save
}

// ID is the session's id.
func (c *Conversation) ID() string { return c.id }

// NewConversation returns a conversation on a session id the caller has not opened (one HTTP
// request, a contact-center call): its first turn loads the session. Bot.Open returns one that
// already holds the state.
func NewConversation(sessionID string) *Conversation {
	return &Conversation{id: sessionID}
}

// Limit is a rate limit a turn is counted against, in the same store call as the turn.
type Limit = session.Limit

// RateLimitError says which of Input.Limits refused a turn; errors.Is(err, ErrRateLimited).
type RateLimitError = session.LimitError

// ErrRateLimited: one of the turn's limits refused it; nothing was stored.
var ErrRateLimited = session.ErrLimited

// Allow counts one frame that is not a turn (hello, ping, feedback, a bad frame) against limits,
// in the same counts as the turns' Input.Limits, and returns the index of the first over its
// rate, or -1. Store failures are ErrUnavailable.
func (b *Bot) Allow(ctx context.Context, limits ...Limit) (refused int, err error) {
	refused, err = b.store.Count(ctx, limits)
	if err != nil {
		return -1, b.storeError(ctx, "rate limits", err)
	}
	return refused, nil
}

// load reads and decodes the session's current state.
func (b *Bot) load(ctx context.Context, c *Conversation) error {
	rec, err := b.store.Load(ctx, c.id)
	if err != nil {
		return b.storeError(ctx, "load", err)
	}
	st, err := decodeState(rec.State)
	if err != nil {
		b.log.ErrorContext(ctx, "unreadable session", "session", LogID(c.id), "err", err)
		return fmt.Errorf("%w: %w", ErrUnknownSession, err)
	}
	c.st, c.version, c.known = st, rec.Version, true
	return nil
}

// errUnchanged tells update that a change has nothing to write.
var errUnchanged = errors.New("nothing to save")

// change computes a session's next state and the transcript entries to append. update calls it
// again on fresh state when another writer got in first, so it must only touch st and results
// it fully overwrites on every call. It must not change st when it returns errUnchanged (the
// state is kept as it is); after any other error the state is dropped and reloaded.
type change func(st *state) ([]Entry, error)

// updated says how an update went.
type updated struct {
	attempts int  // how often the change was computed
	saved    bool // false when the change had nothing to write
}

// update applies fn to the conversation's state and commits the result, with limits, in one
// store call. When the version it computed from is stale it reloads and recomputes, up to
// b.attempts times. After any failure the kept state is dropped, to be reloaded by the next turn.
func (b *Bot) update(ctx context.Context, c *Conversation, fn change, limits []Limit) (u updated, err error) {
	defer func() {
		if err != nil {
			c.known = false
		}
	}()
	for attempt := 1; ; attempt++ {
		u.attempts = attempt
		if !c.known {
			if err := b.load(ctx, c); err != nil {
				return u, err
			}
		}
		entries, err := fn(&c.st)
		unchanged := errors.Is(err, errUnchanged)
		if err != nil && !unchanged {
			return u, err
		}
		if unchanged && len(limits) == 0 {
			return u, nil
		}
		t := session.Turn{Version: c.version, Limits: limits}
		if !unchanged {
			if t.State, err = c.st.encode(); err != nil {
				return u, err
			}
			if t.Append, err = encodeEntries(entries); err != nil {
				return u, err
			}
		}
		v, err := b.store.Save(ctx, c.id, t)
		if errors.Is(err, session.ErrConflict) && attempt < b.attempts {
			c.known = false
			continue
		}
		if errors.Is(err, session.ErrLimited) {
			return u, err
		}
		if err != nil {
			return u, b.storeError(ctx, "save", err)
		}
		c.version = v
		u.saved = !unchanged
		return u, nil
	}
}
