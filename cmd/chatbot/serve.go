package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"chatbot/bot"
	"chatbot/bot/live"
	"chatbot/channels"
	"chatbot/config"
)

// HTTP timeouts besides http.read_timeout and http.write_timeout. Those two do not limit
// websockets: the upgrade clears the connection's deadlines, and a socket bounds itself with
// pings and write deadlines.
const (
	readHeaderTimeout = 10 * time.Second  // headers must arrive this fast (slowloris)
	idleTimeout       = 120 * time.Second // an idle keep-alive connection is closed
)

func newServeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the chat page, websocket, HTTP API, health and metrics",
		Long: "Serve the chat page (/), the websocket (/ws), the JSON API (/api/v1/chat), /healthz, /readyz,\n" +
			"/metrics and, with admin.token, POST /admin/reload and the contact center's\n" +
			"POST /admin/sessions/{id}/agent. Sessions are kept in Redis when\n" +
			"redis.addr is set, else in memory. SIGINT or SIGTERM stops gracefully: no new sockets,\n" +
			"turns in flight finish, sockets close with 1001.",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return serve(ctx, stop, cfg, cmd.ErrOrStderr())
		},
	}
	config.AddFlags(cmd.Flags(), "listen", "redis-addr", "kb-dir", "log-level")
	return cmd
}

// serve runs the server until ctx is done, then shuts down gracefully. stopSignals is called once
// shutdown starts, so a second Ctrl-C ends the process at once.
func serve(ctx context.Context, stopSignals func(), cfg *config.Config, logOut io.Writer) error {
	log := newLogger(cfg.Log, logOut)
	reg, redisErrors := newRegistry()
	b, err := newBackend(ctx, cfg, log, redisErrors)
	if err != nil {
		return err
	}
	defer b.close()

	lib := live.New(live.Options{Dir: cfg.KB.Dir, Dialog: cfg.DialogConfig(), Logger: log})
	if err := lib.Load(ctx); err != nil {
		st := lib.Status()
		if len(st.Problems) == 0 {
			return fmt.Errorf("knowledge base %s: %w", st.Source, err)
		}
		return fmt.Errorf("knowledge base %s does not load, nothing is serving (chatbot kb lint shows why):\n%s",
			st.Source, strings.Join(st.Problems, "\n"))
	}
	chatbot, err := bot.New(bot.Options{
		Engines:     lib,
		Store:       b.store,
		Events:      b.events,
		Push:        b.push,
		History:     cfg.Session.History,
		Logger:      log,
		HandoffMode: bot.HandoffMode(cfg.Handoff.Mode),
		WaitTimeout: cfg.Handoff.WaitTimeout,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close() // if serving never starts; closing it twice is harmless
	opts, err := channelOptions(cfg)
	if err != nil {
		return err
	}
	opts.Bot, opts.Knowledge, opts.Logger, opts.Registry = chatbot, lib, log, reg
	opts.Agents, opts.Live = chatbot, chatbot
	channel := channels.New(opts)

	active := &activeConns{conns: map[net.Conn]struct{}{}}
	httpServer := &http.Server{
		ConnState:         active.track,
		Handler:           channel.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       cfg.HTTP.ReadTimeout,
		WriteTimeout:      cfg.HTTP.WriteTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(ln) }()

	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	if cfg.KB.Dir != "" && cfg.KB.Watch {
		if _, err := lib.Watch(watchCtx); err != nil {
			log.Error("knowledge base not watched; edits need POST /admin/reload or a restart", "dir", cfg.KB.Dir, "err", err)
		}
	}
	st := lib.Status()
	log.Info("serving", "addr", ln.Addr().String(), "public_url", opts.PublicURL, "sessions", b.kind, "kb", st.Source, "kb_version", st.Version,
		"watch", cfg.KB.Dir != "" && cfg.KB.Watch, "admin", cfg.Admin.Token != "")

	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	stopSignals()
	stopWatch()
	log.Info("shutting down", "grace", cfg.Shutdown.Grace.String())
	active.stopReading()
	return shutdown(httpServer, channel, cfg.Shutdown.Grace, log)
}

// activeConns tracks the connections serving a request, so that a shutdown can stop reading
// from them: a request whose body is still arriving (or never will) ends at once instead of
// holding the shutdown for its whole grace period, while a request already read finishes its
// turn and its answer (turns do not depend on the request's context). Websockets leave the set
// when they are upgraded; the channel server closes those.
type activeConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (a *activeConns) track(c net.Conn, state http.ConnState) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if state == http.StateActive {
		a.conns[c] = struct{}{}
	} else {
		delete(a.conns, c)
	}
}

func (a *activeConns) stopReading() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for c := range a.conns {
		_ = c.SetReadDeadline(time.Now())
	}
}

// shutdown stops accepting connections and lets turns in flight finish, within grace. The HTTP
// server does not track hijacked websockets, so the channel server closes those itself.
func shutdown(httpServer *http.Server, channel *channels.Server, grace time.Duration, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	var wg sync.WaitGroup
	var httpErr, channelErr error
	wg.Add(2)
	go func() { defer wg.Done(); httpErr = httpServer.Shutdown(ctx) }()
	go func() { defer wg.Done(); channelErr = channel.Shutdown(ctx) }()
	wg.Wait()
	if err := errors.Join(httpErr, channelErr); err != nil {
		return fmt.Errorf("shutdown after %s: %w", grace, err)
	}
	log.Info("stopped")
	return nil
}
