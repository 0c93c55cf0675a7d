// Package push carries what happens to a session outside a turn (a contact-center agent joins,
// writes, or leaves) to the sockets open on that session, on whichever instance holds them.
// Delivery is live and best effort: a socket that is not connected at that moment finds the same
// entries in its history when it resumes, so nothing depends on a push arriving.
//
// Messages are opaque bytes to this package; the bot decides what they mean.
package push

import (
	"context"
	"sync"
)

// Hub publishes messages about a session and delivers them to that session's subscribers.
// Implementations are safe for concurrent use.
type Hub interface {
	// Publish sends msg to every subscriber of session, on every instance sharing the hub.
	Publish(ctx context.Context, session string, msg []byte) error
	// Subscribe calls deliver with every message published for session until cancel is called.
	// deliver runs on the hub's goroutine: it must not block (hand the message to a queue).
	Subscribe(session string, deliver func(msg []byte)) (cancel func())
}

// Local delivers messages to subscribers in this process only: the hub of a single instance,
// and the routing table of the Redis hub.
type Local struct {
	mu   sync.Mutex
	subs map[string]map[*subscriber]struct{}
}

type subscriber struct{ deliver func([]byte) }

// NewLocal returns a hub without subscribers.
func NewLocal() *Local {
	return &Local{subs: make(map[string]map[*subscriber]struct{})}
}

// Publish implements Hub: it delivers msg to this process's subscribers of session.
func (l *Local) Publish(ctx context.Context, session string, msg []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.deliver(session, msg)
	return nil
}

// deliver calls the session's subscribers outside the lock, so a subscriber may cancel (or
// subscribe) from within deliver.
func (l *Local) deliver(session string, msg []byte) {
	l.mu.Lock()
	subs := make([]*subscriber, 0, len(l.subs[session]))
	for s := range l.subs[session] {
		subs = append(subs, s)
	}
	l.mu.Unlock()
	for _, s := range subs {
		s.deliver(msg)
	}
}

// Subscribe implements Hub.
func (l *Local) Subscribe(session string, deliver func([]byte)) (cancel func()) {
	s := &subscriber{deliver: deliver}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.subs[session] == nil {
		l.subs[session] = make(map[*subscriber]struct{})
	}
	l.subs[session][s] = struct{}{}
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			delete(l.subs[session], s)
			if len(l.subs[session]) == 0 {
				delete(l.subs, session)
			}
		})
	}
}

// Sessions reports how many sessions have subscribers here; tests use it to see that a
// cancelled subscription leaves nothing behind.
func (l *Local) Sessions() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.subs)
}
