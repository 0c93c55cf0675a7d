// Package redisclient builds the one Redis client a chatbot process uses for sessions, rate
// limits, events and pushes, with retries and timeouts for interactive use and one count of
// Redis errors, taken by a go-redis hook wherever a command fails.
package redisclient

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Options says how to reach Redis: one address for a single node, several for Cluster, or the
// Sentinels' addresses together with MasterName.
type Options struct {
	Addrs      []string
	MasterName string
	Password   string
	DB         int
	// Timeout bounds dialling and each read or write; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxRetries is how often go-redis retries a command that failed on the network
	// (0 means DefaultRetries, negative means never).
	MaxRetries int
	// OnError, if set, is called once for every command or pipeline that failed after its
	// retries, with the command's name ("evalsha", "pipeline", ...) for a metric label.
	OnError func(command string, err error)
}

// Client defaults: a chat turn should fail fast and clearly rather than hang when Redis is gone
// or hung, and ride out a dropped pooled connection with a quick retry. A hung Redis (one that
// accepts and never answers) costs a command at most two attempts of DefaultTimeout (the
// callBound hook holds pipelines and transactions to that too), so a frame is answered
// "unavailable" within about a second (docs/protocol.md promises 1.5 s). A healthy Redis answers
// in well under a millisecond, so 400 ms is a wide margin even on a busy machine.
const (
	DefaultTimeout  = 400 * time.Millisecond
	DefaultRetries  = 1
	minRetryBackoff = 10 * time.Millisecond
	maxRetryBackoff = 200 * time.Millisecond
	// go-redis also retries a failed dial (5 times, 100 ms apart, by default) inside every
	// command attempt; with Redis down that alone would hold a turn for seconds.
	dialRetries    = 1
	dialRetryPause = 50 * time.Millisecond
)

// New returns a client for o. A caller's context deadline also bounds each command, so a caller
// can wait less than the timeouts (the channel's rate limiter does).
func New(o Options) redis.UniversalClient {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultRetries
	}
	c := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:              o.Addrs,
		MasterName:         o.MasterName,
		Password:           o.Password,
		DB:                 o.DB,
		MaxRetries:         o.MaxRetries,
		MinRetryBackoff:    minRetryBackoff,
		MaxRetryBackoff:    maxRetryBackoff,
		DialerRetries:      dialRetries,
		DialerRetryTimeout: dialRetryPause,
		DialTimeout:        o.Timeout,
		ReadTimeout:        o.Timeout,
		WriteTimeout:       o.Timeout,
		// Neither is needed, and each would cost a command on every new connection that a
		// Redis older than 7.2 answers with an error (which the hook would count).
		DisableIdentity:          true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
		// Without this go-redis ignores context deadlines while waiting on the socket.
		ContextTimeoutEnabled: true,
	})
	if o.OnError != nil {
		c.AddHook(ErrorHook(o.OnError)) // outermost: it also counts calls callBound cut short
	}
	c.AddHook(callBound{limit: time.Duration(max(o.MaxRetries, 0)+1) * o.Timeout})
	return c
}

// callBound gives every command and pipeline, its retries included, at most limit: the
// attempts' own timeouts bound single commands, but a transaction against a hung Redis took
// 1.7 s (several reads, each with its own timeout). No command the chatbot sends blocks on
// purpose; pub/sub receives do not pass through this hook.
type callBound struct{ limit time.Duration }

func (b callBound) DialHook(next redis.DialHook) redis.DialHook { return next }

func (b callBound) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		ctx, cancel := context.WithTimeout(ctx, b.limit)
		defer cancel()
		return next(ctx, cmd)
	}
}

func (b callBound) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		ctx, cancel := context.WithTimeout(ctx, b.limit)
		defer cancel()
		return next(ctx, cmds)
	}
}

// ErrorHook returns a go-redis hook that calls onError for every failed command or pipeline.
// A missing key (redis.Nil) is an answer, not a failure; neither is the caller giving up (its
// context's error) nor NOSCRIPT, which go-redis answers by sending the script itself.
func ErrorHook(onError func(command string, err error)) redis.Hook {
	return errorHook{onError}
}

type errorHook struct{ onError func(string, error) }

func (h errorHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h errorHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if failed(ctx, err) {
			h.onError(strings.ToLower(cmd.Name()), err)
		}
		return err
	}
}

func (h errorHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		if failed(ctx, err) {
			h.onError("pipeline", err)
		}
		return err
	}
}

func failed(ctx context.Context, err error) bool {
	return err != nil && !errors.Is(err, redis.Nil) && ctx.Err() == nil && !redis.HasErrorPrefix(err, "NOSCRIPT")
}
