package push

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot/bottest"
)

// inbox collects delivered messages for a test.
type inbox struct {
	mu   sync.Mutex
	msgs []string
	got  chan struct{}
}

func newInbox() *inbox { return &inbox{got: make(chan struct{}, 100)} }

func (b *inbox) deliver(msg []byte) {
	b.mu.Lock()
	b.msgs = append(b.msgs, string(msg))
	b.mu.Unlock()
	b.got <- struct{}{}
}

func (b *inbox) all() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.msgs...)
}

// wait blocks until n messages arrived, failing after a generous 30 s.
func (b *inbox) wait(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for len(b.all()) < n {
		select {
		case <-b.got:
		case <-deadline:
			t.Fatalf("got %d messages, want %d: %q", len(b.all()), n, b.all())
		}
	}
	return b.all()
}

func TestLocal(t *testing.T) {
	ctx := context.Background()
	hub := NewLocal()
	a1, a2, b := newInbox(), newInbox(), newInbox()
	cancelA1 := hub.Subscribe("a", a1.deliver)
	cancelA2 := hub.Subscribe("a", a2.deliver)
	cancelB := hub.Subscribe("b", b.deliver)
	require.Equal(t, 2, hub.Sessions())

	require.NoError(t, hub.Publish(ctx, "a", []byte("one")))
	assert.Equal(t, []string{"one"}, a1.all(), "every socket of the session gets it")
	assert.Equal(t, []string{"one"}, a2.all())
	assert.Empty(t, b.all(), "other sessions do not")

	cancelA1()
	cancelA1() // a second cancel is harmless
	require.NoError(t, hub.Publish(ctx, "a", []byte("two")))
	assert.Equal(t, []string{"one"}, a1.all(), "a cancelled subscriber gets nothing more")
	assert.Equal(t, []string{"one", "two"}, a2.all())

	cancelA2()
	cancelB()
	assert.Equal(t, 0, hub.Sessions(), "nothing is kept for sessions without subscribers")
	require.NoError(t, hub.Publish(ctx, "nobody", []byte("x")), "publishing to no one is fine")

	cancelled, stop := context.WithCancel(ctx)
	stop()
	assert.ErrorIs(t, hub.Publish(cancelled, "a", []byte("x")), context.Canceled)
}

func TestLocalCancelFromDeliver(t *testing.T) {
	hub := NewLocal()
	var cancel func()
	calls := 0
	cancel = hub.Subscribe("a", func([]byte) { calls++; cancel() })
	require.NoError(t, hub.Publish(context.Background(), "a", []byte("x")))
	require.NoError(t, hub.Publish(context.Background(), "a", []byte("y")))
	assert.Equal(t, 1, calls, "a subscriber may cancel itself while being delivered to")
}

func TestRedisAcrossInstances(t *testing.T) {
	ctx := context.Background()
	client, prefix := bottest.Redis(t)
	a, b := NewRedis(client, prefix, nil), NewRedis(client, prefix, nil)
	require.NoError(t, a.Start(ctx))
	require.NoError(t, b.Start(ctx))
	t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
	require.Error(t, a.Start(ctx), "started twice")

	onA, onB, other := newInbox(), newInbox(), newInbox()
	a.Subscribe("s1", onA.deliver)
	b.Subscribe("s1", onB.deliver)
	b.Subscribe("s2", other.deliver)

	require.NoError(t, a.Publish(ctx, "s1", []byte("客服：您好\n第二行")))
	assert.Equal(t, []string{"客服：您好\n第二行"}, onB.wait(t, 1), "the other instance's socket gets it, newlines and all")
	assert.Equal(t, []string{"客服：您好\n第二行"}, onA.wait(t, 1), "and so does the publisher's own")

	// A message nobody here understands is ignored, and delivery goes on.
	require.NoError(t, client.Publish(ctx, Channel(prefix), "no separator").Err())
	require.NoError(t, b.Publish(ctx, "s2", []byte("ok")))
	assert.Equal(t, []string{"ok"}, other.wait(t, 1))
	assert.Len(t, onB.all(), 1)

	require.NoError(t, b.Close())
	require.NoError(t, b.Close(), "closing twice is harmless")
	require.NoError(t, a.Publish(ctx, "s1", []byte("after")))
	assert.Equal(t, []string{"客服：您好\n第二行", "after"}, onA.wait(t, 2))
	assert.Len(t, onB.all(), 1, "a closed hub delivers nothing")
}

func TestRedisGone(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	client := bottest.UnreachableRedis(t)
	hub := NewRedis(client, "gone", nil)
	assert.ErrorContains(t, hub.Start(ctx), "subscribe to gone:push")
	assert.ErrorContains(t, hub.Publish(ctx, "s1", []byte("x")), "publish to gone:push")
	require.NoError(t, hub.Close(), "closing a hub that never started is fine")
}
