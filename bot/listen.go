package bot

import (
	"context"
	"encoding/json"
	"fmt"
)

// Listen calls deliver with every transcript entry added to the session outside the user's own
// turns (an agent's message, an agent joining or leaving), on whichever instance it was added,
// until stop is called. Channels use it to push those entries to open sockets. deliver runs on
// the push hub's goroutine and must not block.
//
// Delivery is best effort: entries added while this instance was cut off from Redis are not
// delivered, but they are in the transcript the next welcome returns.
func (b *Bot) Listen(sessionID string, deliver func(Entry)) (stop func()) {
	return b.push.Subscribe(sessionID, func(msg []byte) {
		var e Entry
		if err := json.Unmarshal(msg, &e); err != nil {
			b.log.Error("push: unreadable entry ignored", "session", LogID(sessionID), "err", err)
			return
		}
		deliver(e)
	})
}

// publish pushes a committed entry to the session's listeners. A failed push is logged and
// counted but does not fail the call: the entry is stored, and the user sees it on resume.
func (b *Bot) publish(ctx context.Context, sessionID string, e Entry) {
	b.emit(ctx, "push", func(ctx context.Context) error {
		msg, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode entry %s: %w", e.ID, err)
		}
		return b.push.Publish(ctx, sessionID, msg)
	})
}
