// Package channels puts the bot on the wire: a websocket channel speaking the frame protocol of
// docs/protocol.md, a JSON endpoint for clients that cannot keep a socket, the embedded chat page
// and widget, and the health, readiness, metrics and admin endpoints. It translates frames to
// bot calls and bot errors to polite user messages; it knows nothing of matching.
package channels

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server serves the chat channels. Create it with New; it is safe for concurrent use.
type Server struct {
	opts     Options
	bot      Bot
	log      *slog.Logger
	registry *prometheus.Registry
	metrics  *metrics
	origins  *originPolicy
	admin    *adminAuth // nil when no admin token is configured
	upgrader websocket.Upgrader
	handler  http.Handler

	limiterDownUntil atomic.Int64 // unix nanoseconds: until then frames skip the failed limiter

	mu       sync.Mutex
	closing  bool
	quit     chan struct{}  // closed when Shutdown starts
	admitted int            // sockets admitted, upgraded or about to be
	perIP    map[string]int // admitted sockets by client address
	conns    map[*conn]struct{}
	sockets  sync.WaitGroup // one per admitted socket
}

// New returns a Server for opts. It panics if opts.Bot is nil, a programming error.
func New(opts Options) *Server {
	if opts.Bot == nil {
		panic("channels.New: Options.Bot is required")
	}
	opts = opts.withDefaults()
	reg := opts.Registry
	if reg == nil {
		reg = newRegistry()
	}
	s := &Server{
		opts:     opts,
		bot:      opts.Bot,
		log:      opts.Logger,
		registry: reg,
		metrics:  newMetrics(reg),
		origins:  newOriginPolicy(opts.AllowedOrigins, opts.AppKeys, opts.PublicURL),
		quit:     make(chan struct{}),
		perIP:    make(map[string]int),
		conns:    make(map[*conn]struct{}),
	}
	s.upgrader = websocket.Upgrader{
		// An idle socket holds no write buffer (each write takes one from the pool) and a small
		// read buffer instead of the HTTP server's 4 KB one: a client frame is a line of text.
		ReadBufferSize:  1024,
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     s.origins.check,
		// Refusals are answered with a plain status; the page shows its own reconnect notice.
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			s.log.Info("websocket upgrade refused", "status", status, "reason", reason.Error(), "origin", r.Header.Get("Origin"))
			http.Error(w, http.StatusText(status), status)
		},
	}
	if opts.AdminToken != "" {
		s.admin = newAdminAuth(s, opts.AdminToken)
	}
	s.handler = s.routes()
	return s
}

// Handler returns the HTTP handler serving every route:
//
//	GET  /                chat page            GET  /healthz   process is up
//	GET  /widget.js       embeddable widget    GET  /readyz    bot ready, knowledge base loaded
//	GET  /static/...      page assets          GET  /metrics   Prometheus
//	GET  /ws              websocket            POST /admin/reload  reload the knowledge base
//	POST /api/v1/chat     JSON turns           POST /admin/sessions/{id}/agent  contact center
//	GET  /api/v1/check    may this page chat, whom to call if not
//	GET  /demo            sample bank page     GET  /favicon.ico, /favicon.svg
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	pages := http.Handler(staticHandler())
	mux.Handle("GET /{$}", withContentPolicy(connectSources(s.opts.PublicURL), s.origins.frameAncestors(), pages))
	mux.Handle("GET /static/", pages)
	mux.Handle("GET /widget.js", pages)
	mux.Handle("GET /demo", pages)
	mux.Handle("GET /favicon.ico", pages)
	mux.Handle("GET /favicon.svg", pages)
	mux.HandleFunc("GET /ws", s.serveWS)
	mux.Handle("/api/v1/chat", allowCORS(s.origins, http.HandlerFunc(s.serveChat)))
	mux.HandleFunc("/api/v1/check", s.serveCheck)
	mux.HandleFunc("GET /healthz", serveHealthz)
	mux.HandleFunc("GET /readyz", s.serveReadyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{Registry: s.registry}))
	if s.admin != nil {
		mux.Handle("POST /admin/reload", s.admin.require(http.HandlerFunc(s.serveReload)))
		if s.opts.Agents != nil {
			mux.Handle("POST /admin/sessions/{id}/agent", s.admin.require(http.HandlerFunc(s.serveAgent)))
		}
	}
	return chain(mux, recoverPanics(s.log), securityHeaders)
}

// Shutdown stops accepting sockets, lets every turn in flight finish and send its reply, then
// closes each socket with 1001 (going away). It returns when all sockets are closed, or with
// ctx's error after closing whatever is left abruptly. Call it alongside http.Server.Shutdown,
// which does not track hijacked connections.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closing {
		s.closing = true
		close(s.quit)
	}
	s.mu.Unlock()

	done := make(chan struct{})
	go func() {
		s.sockets.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			_ = c.ws.NetConn().Close()
		}
		s.mu.Unlock()
		<-done
		return errors.Join(errors.New("channels shutdown: sockets closed abruptly"), ctx.Err())
	}
}

// admit reserves a socket for a client at ip before the upgrade, or returns the HTTP status
// that refuses it (see refusal). Every admitted socket is released with leave.
func (s *Server) admit(ip string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if status := s.refusal(ip); status != 0 {
		return status
	}
	s.admitted++
	s.perIP[ip]++
	s.sockets.Add(1)
	s.metrics.openSockets.Inc()
	return 0
}

// refusal is the HTTP status refusing a socket for ip now, or 0: 503 while shutting down or
// when the instance holds MaxSockets, 429 when the address holds MaxSocketsPerIP. Call it with
// mu held.
func (s *Server) refusal(ip string) int {
	switch {
	case s.closing, s.admitted >= s.opts.MaxSockets:
		return http.StatusServiceUnavailable
	case s.opts.MaxSocketsPerIP > 0 && s.perIP[ip] >= s.opts.MaxSocketsPerIP:
		return http.StatusTooManyRequests
	}
	return 0
}

// socketRoom says why a socket for ip would be refused now: "per_ip", "full", or "" (room).
func (s *Server) socketRoom(ip string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.refusal(ip) {
	case 0:
		return ""
	case http.StatusTooManyRequests:
		return "per_ip"
	default:
		return "full"
	}
}

// track lists an upgraded socket, so that Shutdown can close it if its grace runs out.
func (s *Server) track(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns[c] = struct{}{}
}

// leave releases what admit reserved for ip (and forgets c, if it was upgraded).
func (s *Server) leave(c *conn, ip string) {
	s.mu.Lock()
	delete(s.conns, c)
	s.admitted--
	if s.perIP[ip]--; s.perIP[ip] <= 0 {
		delete(s.perIP, ip)
	}
	s.mu.Unlock()
	s.metrics.openSockets.Dec()
	s.sockets.Done()
}

func (s *Server) shuttingDown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}
