package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"chatbot/bot/events"
	"chatbot/bot/push"
	"chatbot/bot/redisclient"
	"chatbot/bot/session"
	"chatbot/channels"
	"chatbot/channels/limit"
	"chatbot/config"
)

// redisStartTimeout bounds the start-up ping: a wrong address should stop the server with a
// clear error, not leave it half-started.
const redisStartTimeout = 5 * time.Second

// newRedisClient connects to the configured single node, Cluster or Sentinel; onError (may be
// nil) counts every failed command.
func newRedisClient(r config.Redis, onError func(command string, err error)) redis.UniversalClient {
	return redisclient.New(redisclient.Options{
		Addrs:      r.Addrs,
		MasterName: r.MasterName,
		Password:   r.Password,
		DB:         r.DB,
		OnError:    onError,
	})
}

// backend is where sessions (with the rate-limit counts) and events live, and how agents'
// messages reach the sockets: Redis, shared by every instance, or process memory for a single one.
type backend struct {
	kind   string // "redis" or "memory", for the start-up log
	store  session.Store
	events events.Sink
	push   push.Hub
	close  func()
}

// newBackend connects the backend; redisErrors counts Redis's failed commands.
func newBackend(ctx context.Context, cfg *config.Config, log *slog.Logger, redisErrors func(string, error)) (*backend, error) {
	sessions := session.Options{TTL: cfg.Session.TTL, TranscriptCap: cfg.Session.History, MaxSessions: cfg.Session.MaxSessions}
	if !cfg.Redis.Enabled() {
		return &backend{
			kind:   "memory",
			store:  session.NewMemory(sessions),
			events: events.NewMemory(events.Options{MaxLen: cfg.Events.MaxLen}),
			push:   push.NewLocal(),
			close:  func() {},
		}, nil
	}
	redisLogOnce.Do(func() { redis.SetLogger(redisLog{log}) }) // process-wide in go-redis
	client := newRedisClient(cfg.Redis, redisErrors)
	pingCtx, cancel := context.WithTimeout(ctx, redisStartTimeout)
	defer cancel()
	if err := client.Ping(pingCtx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("redis %s: %w", strings.Join(cfg.Redis.Addrs, ","), err)
	}
	hub := push.NewRedis(client, cfg.Redis.Prefix, log)
	if err := hub.Start(pingCtx); err != nil {
		client.Close()
		return nil, fmt.Errorf("redis %s: %w", strings.Join(cfg.Redis.Addrs, ","), err)
	}
	return &backend{
		kind:   "redis",
		store:  session.NewRedis(client, cfg.Redis.Prefix, sessions),
		events: events.NewRedis(client, cfg.Redis.Prefix, events.Options{MaxLen: cfg.Events.MaxLen}),
		push:   hub,
		close: func() {
			if err := hub.Close(); err != nil {
				log.Warn("closing redis subscription", "err", err)
			}
			if err := client.Close(); err != nil {
				log.Warn("closing redis client", "err", err)
			}
		},
	}, nil
}

// redisLog sends go-redis's own messages (failed dials, pool trouble) to the process log as
// warnings instead of plain lines on stderr.
type redisLog struct{ log *slog.Logger }

var redisLogOnce sync.Once

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// channelOptions turns the ws, rate, http and admin keys into the channel's options.
func channelOptions(cfg *config.Config) (channels.Options, error) {
	proxies, err := cfg.TrustedProxies()
	if err != nil {
		return channels.Options{}, err
	}
	var appKeys []string
	if cfg.WS.AppKey != "" {
		appKeys = []string{cfg.WS.AppKey}
	}
	perIP := cfg.WS.MaxSocketsPerIP
	if perIP == 0 {
		perIP = -1 // the key's 0 means no limit; the option's zero value means the default
	}
	return channels.Options{
		PublicURL:       cfg.HTTP.PublicURL,
		MaxSockets:      cfg.WS.MaxSockets,
		MaxSocketsPerIP: perIP,
		TurnTimeout:     cfg.WS.TurnTimeout,
		AllowedOrigins:  cfg.WS.AllowedOrigins,
		AppKeys:         appKeys,
		TrustedProxies:  proxies,
		AdminToken:      cfg.Admin.Token,
		MaxFrameBytes:   int64(cfg.WS.MaxFrameBytes),
		HardFrameBytes:  int64(cfg.WS.HardFrameBytes),
		SessionRate:     perMinute(cfg.Rate.PerSession),
		IPRate:          perMinute(cfg.Rate.PerIP),
		SendQueue:       cfg.WS.SendQueue,
		PingPeriod:      cfg.WS.PingPeriod,
		PongWait:        cfg.WS.PongWait(),
	}, nil
}

// perMinute is a rate of n frames a minute; 0 turns the limit off.
func perMinute(n int) limit.Rate {
	if n <= 0 {
		return limit.Rate{Limit: -1, Per: time.Minute}
	}
	return limit.Rate{Limit: n, Per: time.Minute}
}

// newRegistry is the /metrics registry: the channel's series (registered by channels.New), the Go
// runtime and process, and Redis's failed commands, counted by the client's hook wherever they
// happen (sessions, rate limits, events, pushes).
func newRegistry() (*prometheus.Registry, func(command string, err error)) {
	reg := prometheus.NewRegistry()
	redisErrors := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "chatbot_redis_errors_total",
		Help: "Redis commands and pipelines that failed (after retries), by command.",
	}, []string{"command"})
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), redisErrors)
	return reg, func(command string, _ error) { redisErrors.WithLabelValues(command).Inc() }
}
