package bot

import (
	"context"

	"chatbot/bot/events"
	"chatbot/bot/session"
)

// Feedback records whether a reply was useful. The verdict is kept with the reply in the session
// and counted per article (a changed verdict moves between the counts; the same verdict twice
// counts once). Replies without an article (fallbacks, handoff acknowledgements) are recorded
// but not counted. ErrUnknownReply when the session has no such reply among its recent ones.
func (b *Bot) Feedback(ctx context.Context, sessionID, replyID string, useful bool) error {
	return b.FeedbackOn(ctx, NewConversation(sessionID), replyID, useful)
}

// FeedbackOn is Feedback in a conversation whose state the caller keeps between turns.
func (b *Bot) FeedbackOn(ctx context.Context, c *Conversation, replyID string, useful bool) error {
	sessionID := c.id
	if !session.ValidID(sessionID) {
		return ErrUnknownSession
	}
	var count *events.Feedback
	u, err := b.update(ctx, c, func(st *state) ([]Entry, error) {
		count = nil
		r, ok := st.reply(replyID)
		if !ok {
			return nil, ErrUnknownReply
		}
		if r.Useful != nil && *r.Useful == useful {
			return nil, errUnchanged
		}
		count = &events.Feedback{Session: sessionID, Reply: replyID, Article: r.Article, Useful: useful, Replaces: r.Useful}
		r.Useful = &useful
		return nil, nil
	}, nil)
	if err != nil || !u.saved {
		return err
	}
	b.log.InfoContext(ctx, "feedback", "session", LogID(sessionID), "reply", replyID, "useful", useful)
	if count != nil && count.Article != "" {
		b.emit(ctx, "feedback", func(ctx context.Context) error { return b.events.Feedback(ctx, *count) })
	}
	return nil
}
