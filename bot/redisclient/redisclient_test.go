package redisclient_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot/bottest"
	"chatbot/bot/redisclient"
)

// counted collects what the error hook reports.
type counted struct {
	mu       sync.Mutex
	commands []string
}

func (c *counted) add(command string, _ error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.commands = append(c.commands, command)
}

func (c *counted) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.commands
	c.commands = nil
	return out
}

func TestErrorHookCountsFailuresOnly(t *testing.T) {
	rdb, prefix := bottest.Redis(t) // keeps the test's keys apart and cleans them up
	var errs counted
	rdb.AddHook(redisclient.ErrorHook(errs.add))
	ctx := context.Background()

	require.ErrorIs(t, rdb.Get(ctx, prefix+":missing").Err(), redis.Nil)
	require.NoError(t, rdb.Set(ctx, prefix+":k", "v", time.Minute).Err())
	script := redis.NewScript("return '" + prefix + "'") // a script Redis has not seen: NOSCRIPT, then EVAL
	require.NoError(t, script.Run(ctx, rdb, []string{prefix + ":k"}).Err())
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.Error(t, rdb.Get(cancelled, prefix+":k").Err())
	assert.Empty(t, errs.take(), "a missing key, NOSCRIPT and the caller giving up are not Redis errors")

	require.Error(t, rdb.Incr(ctx, prefix+":k").Err(), "INCR of a non-number")
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Incr(ctx, prefix+":k")
		p.Get(ctx, prefix+":k")
		return nil
	})
	require.Error(t, err)
	assert.Equal(t, []string{"incr", "pipeline"}, errs.take(), "each failed command or pipeline once")
}

func TestNewCountsUnreachableRedis(t *testing.T) {
	var errs counted
	rdb := redisclient.New(redisclient.Options{Addrs: []string{bottest.RefusingAddr(t)}, Timeout: 200 * time.Millisecond,
		MaxRetries: -1, OnError: errs.add})
	defer rdb.Close()
	require.Error(t, rdb.Ping(context.Background()).Err())
	assert.Equal(t, []string{"ping"}, errs.take())
}
