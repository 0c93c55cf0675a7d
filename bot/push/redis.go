package push

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Redis is a Hub shared by every instance on one Redis: Publish is one PUBLISH on the channel
// "<prefix>:push"; every instance subscribes to it once and hands each message to its own
// subscribers of that session.
//
// One channel for all sessions keeps an instance to one subscription however many sockets it
// holds; every instance sees every message, which is fine for what travels here (messages typed
// by people at a contact center). Pub/sub keeps nothing: an instance that is reconnecting to
// Redis misses messages, and its clients find them in their history when they resume.
type Redis struct {
	client  redis.UniversalClient
	channel string
	local   *Local
	log     *slog.Logger

	mu     sync.Mutex
	pubsub *redis.PubSub
	done   chan struct{}
}

// Channel names the pub/sub channel of a key prefix.
func Channel(prefix string) string { return prefix + ":push" }

// NewRedis returns a hub on prefix's channel. Call Start before relying on deliveries.
func NewRedis(client redis.UniversalClient, prefix string, log *slog.Logger) *Redis {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Redis{client: client, channel: Channel(prefix), local: NewLocal(), log: log}
}

// Start subscribes to the channel and delivers its messages until Close. It returns once Redis
// has confirmed the subscription, so anything published afterwards reaches this instance. If the
// connection drops later, go-redis reconnects and subscribes again on its own.
func (r *Redis) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pubsub != nil {
		return errors.New("push: already started")
	}
	ps := r.client.Subscribe(ctx, r.channel)
	if _, err := ps.Receive(ctx); err != nil {
		_ = ps.Close()
		return fmt.Errorf("subscribe to %s: %w", r.channel, err)
	}
	r.pubsub, r.done = ps, make(chan struct{})
	messages := ps.Channel()
	go func() {
		defer close(r.done)
		for m := range messages {
			r.dispatch(m.Payload)
		}
	}()
	return nil
}

// Close ends the subscription and waits until no message is being delivered.
func (r *Redis) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pubsub == nil {
		return nil
	}
	err := r.pubsub.Close()
	<-r.done
	r.pubsub = nil
	return err
}

// Publish implements Hub.
func (r *Redis) Publish(ctx context.Context, session string, msg []byte) error {
	payload := make([]byte, 0, len(session)+1+len(msg))
	payload = append(append(append(payload, session...), '\n'), msg...)
	if err := r.client.Publish(ctx, r.channel, payload).Err(); err != nil {
		return fmt.Errorf("publish to %s: %w", r.channel, err)
	}
	return nil
}

// Subscribe implements Hub.
func (r *Redis) Subscribe(session string, deliver func([]byte)) (cancel func()) {
	return r.local.Subscribe(session, deliver)
}

// dispatch hands one channel message ("<session>\n<msg>") to this instance's subscribers.
func (r *Redis) dispatch(payload string) {
	session, msg, ok := bytes.Cut([]byte(payload), []byte{'\n'})
	if !ok || len(session) == 0 {
		r.log.Warn("push: malformed message ignored", "channel", r.channel, "bytes", len(payload))
		return
	}
	r.local.deliver(string(session), msg)
}
