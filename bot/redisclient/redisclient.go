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

// Client defaults: a chat turn should fail fast and clearly rather than hang when Redis is gone,
// and ride out a failover or a dropped pooled connection with a couple of quick retries.
const (
	DefaultTimeout  = time.Second
	DefaultRetries  = 2
	minRetryBackoff = 10 * time.Millisecond
	maxRetryBackoff = 200 * time.Millisecond
	// go-redis also retries a failed dial (5 times, 100 ms apart, by default) inside every
	// command attempt; with Redis down that alone would hold a turn for seconds.
	dialRetries    = 1
	dialRetryPause = 50 * time.Millisecond
)

// New returns a client for o.
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
	})
	if o.OnError != nil {
		c.AddHook(ErrorHook(o.OnError))
	}
	return c
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
