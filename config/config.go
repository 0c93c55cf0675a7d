// Package config is the one source of truth for the chatbot's settings. Values come, lowest
// precedence first, from built-in defaults, a YAML file (--config), CHATBOT_* environment
// variables (key upper-cased, "." -> "_") and command-line flags; Load returns them as one
// validated Config or one clear error naming the key that is wrong.
package config

import (
	"time"

	"chatbot/dialog"
)

// Config is every setting of the chatbot, validated. Packages never read the environment
// themselves: cmd/chatbot turns the parts of Config into each package's Options.
type Config struct {
	// File is the configuration file that was read ("" when none).
	File string `mapstructure:"config"`
	// Listen is the HTTP and websocket address, host:port.
	Listen   string   `mapstructure:"listen"`
	Redis    Redis    `mapstructure:"redis"`
	KB       KB       `mapstructure:"kb"`
	Session  Session  `mapstructure:"session"`
	Log      Log      `mapstructure:"log"`
	Admin    Admin    `mapstructure:"admin"`
	WS       WS       `mapstructure:"ws"`
	Rate     Rate     `mapstructure:"rate"`
	HTTP     HTTP     `mapstructure:"http"`
	Dialog   Dialog   `mapstructure:"dialog"`
	Shutdown Shutdown `mapstructure:"shutdown"`
	Handoff  Handoff  `mapstructure:"handoff"`
	Events   Events   `mapstructure:"events"`
}

// Events bounds the event streams in Redis (handoff, unanswered questions).
type Events struct {
	// MaxLen is about how many entries each stream keeps; older ones are trimmed (XADD MAXLEN ~).
	MaxLen int64 `mapstructure:"max_len"`
}

// Handoff says whether a contact center takes conversations from the bot.
type Handoff struct {
	// Mode: "none" (no contact center: asking for a person gets the issuer's hotline, honestly)
	// or "stream" (handoff events go to the Redis stream a contact center reads).
	Mode string `mapstructure:"mode"`
	// WaitTimeout: in stream mode, a user nobody has joined by then is told so and given the hotline.
	WaitTimeout time.Duration `mapstructure:"wait_timeout"`
}

// Redis says where sessions, transcripts and events live. No address means in-memory sessions.
type Redis struct {
	// Addrs is one address for a single node, several for Cluster, or the Sentinels' addresses
	// when MasterName is set (key redis.addr, comma-separated in env and flags).
	Addrs      []string `mapstructure:"addr"`
	MasterName string   `mapstructure:"master_name"`
	Password   string   `mapstructure:"password"`
	DB         int      `mapstructure:"db"`
	Prefix     string   `mapstructure:"prefix"`
}

// Enabled reports whether a Redis address is configured.
func (r Redis) Enabled() bool { return len(r.Addrs) > 0 }

// KB says which knowledge base to serve.
type KB struct {
	// Dir is an editor's knowledge-base folder; "" serves the embedded one.
	Dir string `mapstructure:"dir"`
	// Watch reloads Dir when a file in it changes.
	Watch bool `mapstructure:"watch"`
}

// Session bounds how long and how much of a conversation is kept.
type Session struct {
	TTL     time.Duration `mapstructure:"ttl"`     // idle lifetime
	History int           `mapstructure:"history"` // transcript entries kept and sent on resume
	// MaxSessions caps the in-memory store (no Redis): past it the least recently used session
	// is evicted.
	MaxSessions int `mapstructure:"max_sessions"`
}

// Log configures log/slog output.
type Log struct {
	Level  string `mapstructure:"level"`  // debug, info, warn, error
	Format string `mapstructure:"format"` // json or text
}

// Admin protects the /admin/* endpoints; an empty Token turns them off.
type Admin struct {
	Token string `mapstructure:"token"`
}

// WS holds the websocket channel's limits.
type WS struct {
	// AllowedOrigins lists the Origins (scheme://host[:port]) that may open a socket;
	// empty allows the server's own host only.
	AllowedOrigins []string `mapstructure:"allowed_origins"`
	// AppKey, when set, lets an app webview that sends "Origin: null" connect if it presents
	// this key; without it such sockets are refused.
	AppKey string `mapstructure:"app_key"`
	// MaxFrameBytes: a bigger text frame gets an error frame and the socket stays open.
	MaxFrameBytes int `mapstructure:"max_frame_bytes"`
	// HardFrameBytes: a bigger frame closes the socket with 1009.
	HardFrameBytes int           `mapstructure:"hard_frame_bytes"`
	PingPeriod     time.Duration `mapstructure:"ping_period"`
	// TurnTimeout bounds one turn (websocket and HTTP); past it the client gets "unavailable".
	TurnTimeout time.Duration `mapstructure:"turn_timeout"`
	SendQueue   int           `mapstructure:"send_queue"` // frames and pushes waiting per socket
	// MaxSockets caps open websockets per instance, MaxSocketsPerIP per client address (0: no cap).
	MaxSockets      int `mapstructure:"max_sockets"`
	MaxSocketsPerIP int `mapstructure:"max_sockets_per_ip"`
}

// PongWait is how long a socket may stay silent (no frame, no pong) before it is dropped: a
// peer may miss one ping.
func (w WS) PongWait() time.Duration { return 2 * w.PingPeriod }

// Rate limits messages per minute, shared across instances when Redis is configured.
type Rate struct {
	PerSession int `mapstructure:"per_session"`
	PerIP      int `mapstructure:"per_ip"`
}

// HTTP holds settings about the clients in front of the server.
type HTTP struct {
	// TrustedProxies are load balancers (IP or CIDR) whose X-Forwarded-For header is believed when
	// finding a client's address for rate.per_ip.
	TrustedProxies []string `mapstructure:"trusted_proxies"`
	// PublicURL is where users reach the chat server (https://chat.bank.example). The chat
	// page's content policy names it, and a page whose Origin it is may open /ws; the Host
	// header, which any client can set, is never trusted for either. Empty: a local run, whose
	// page is its own only on localhost, 127.0.0.1 or [::1].
	PublicURL string `mapstructure:"public_url"`
	// ReadTimeout bounds reading a whole request, body included; WriteTimeout bounds writing a
	// response (websockets, once upgraded, bound themselves with pings and write deadlines).
	ReadTimeout  time.Duration `mapstructure:"read_timeout"`
	WriteTimeout time.Duration `mapstructure:"write_timeout"`
}

// Dialog holds the engine's decision thresholds.
type Dialog struct {
	AnswerThreshold        float64 `mapstructure:"answer_threshold"`
	ClarifyMargin          float64 `mapstructure:"clarify_margin"`
	LeaveFlowThreshold     float64 `mapstructure:"leave_flow_threshold"`
	FollowUpBoost          float64 `mapstructure:"follow_up_boost"`
	FallbacksBeforeHandoff int     `mapstructure:"fallbacks_before_handoff"`
}

// Shutdown bounds a graceful stop.
type Shutdown struct {
	// Grace is how long turns in flight may take to finish before sockets are closed anyway.
	Grace time.Duration `mapstructure:"grace"`
}

// Key is one configuration key with its default and meaning; Keys lists them all, in the order
// the README's table shows them.
type Key struct {
	Name    string
	Default any
	Flag    string // "" when the key has no flag
	Usage   string
}

// Env is the environment variable that sets the key.
func (k Key) Env() string { return envName(k.Name) }

// Keys is every configuration key. Defaults here are the built-in layer of the precedence; the
// dialog thresholds default to the values the engine was tuned with.
var Keys = []Key{
	{Name: "listen", Default: "127.0.0.1:8080", Flag: "listen", Usage: "HTTP and websocket address (host:port)"},
	{Name: "redis.addr", Default: "", Flag: "redis-addr", Usage: "Redis address; comma-separated for Cluster or Sentinel; empty = in-memory sessions"},
	{Name: "redis.master_name", Default: "", Usage: "Sentinel master name (redis.addr then lists the Sentinels)"},
	{Name: "redis.password", Default: "", Usage: "Redis password"},
	{Name: "redis.db", Default: 0, Usage: "Redis database number (single node and Sentinel)"},
	{Name: "redis.prefix", Default: "chatbot", Usage: "prefix of every Redis key"},
	{Name: "kb.dir", Default: "", Flag: "kb-dir", Usage: "knowledge-base folder to serve; empty = the embedded one"},
	{Name: "kb.watch", Default: true, Usage: "reload kb.dir when a file in it changes"},
	{Name: "session.ttl", Default: 30 * time.Minute, Usage: "idle session lifetime"},
	{Name: "session.history", Default: 50, Usage: "transcript entries kept per session and returned on resume"},
	{Name: "session.max_sessions", Default: 100000, Usage: "sessions the in-memory store keeps (without Redis); past it the least recently used is evicted"},
	{Name: "log.level", Default: "info", Flag: "log-level", Usage: "log level: debug, info, warn, error"},
	{Name: "log.format", Default: "json", Usage: "log format: json or text"},
	{Name: "admin.token", Default: "", Usage: "bearer token for /admin/*; empty = admin endpoints off"},
	{Name: "ws.allowed_origins", Default: []string{}, Usage: "Origins allowed to open a websocket; empty = the server's own host"},
	{Name: "ws.app_key", Default: "", Usage: "key an app webview sends to connect with Origin: null; empty = refused"},
	{Name: "ws.max_frame_bytes", Default: 8192, Usage: "larger client frames get an error frame"},
	{Name: "ws.hard_frame_bytes", Default: 65536, Usage: "larger client frames close the socket (1009)"},
	{Name: "ws.ping_period", Default: 30 * time.Second, Usage: "keepalive ping interval; a peer silent for two periods is dropped"},
	{Name: "ws.turn_timeout", Default: 10 * time.Second, Usage: "bound on one turn, then `unavailable`; shorter than the pong wait (2 × ws.ping_period)"},
	{Name: "ws.send_queue", Default: 16, Usage: "frames and pushes waiting per socket; a push finding it full closes the socket (1013)"},
	{Name: "ws.max_sockets", Default: 10000, Usage: "open websockets per instance; more get HTTP 503"},
	{Name: "ws.max_sockets_per_ip", Default: 100, Usage: "open websockets per client address (see http.trusted_proxies); more get HTTP 429; 0 = no limit"},
	{Name: "rate.per_session", Default: 60, Usage: "messages per minute per session; 0 = no limit"},
	{Name: "rate.per_ip", Default: 1200, Usage: "messages per minute per client IP (many people share a mobile carrier's address); 0 = no limit"},
	{Name: "http.trusted_proxies", Default: []string{}, Usage: "load balancers (IP or CIDR) whose X-Forwarded-For names the client; empty = the TCP peer is the client"},
	{Name: "http.public_url", Default: "", Usage: "URL users reach the server at, e.g. https://chat.bank.example: the page's content policy and its own Origin; empty = a local run (pages on localhost only)"},
	{Name: "http.read_timeout", Default: 30 * time.Second, Usage: "bound on reading a request, body included"},
	{Name: "http.write_timeout", Default: 30 * time.Second, Usage: "bound on writing a non-websocket response; longer than ws.turn_timeout"},
	{Name: "dialog.answer_threshold", Default: dialog.DefaultConfig().AnswerThreshold, Usage: "lowest match score that is answered; below it the bot falls back"},
	{Name: "dialog.clarify_margin", Default: dialog.DefaultConfig().ClarifyMargin, Usage: "relative: candidates within this share of the top score are offered with it as a choice"},
	{Name: "dialog.leave_flow_threshold", Default: dialog.DefaultConfig().LeaveFlowThreshold, Usage: "while a flow waits for an answer, another article scoring this much leaves the flow"},
	{Name: "dialog.follow_up_boost", Default: dialog.DefaultConfig().FollowUpBoost, Usage: "score added to the previous article for a short follow-up question"},
	{Name: "dialog.fallbacks_before_handoff", Default: dialog.DefaultConfig().FallbacksBeforeHandoff, Usage: "consecutive fallbacks before a human is offered"},
	{Name: "shutdown.grace", Default: 10 * time.Second, Usage: "time turns in flight get to finish on SIGINT/SIGTERM"},
	{Name: "handoff.mode", Default: "none", Usage: "none: no contact center is connected, asking for a person gets the issuer's hotline; stream: handoff events go to the Redis stream for a contact center"},
	{Name: "events.max_len", Default: 10000, Usage: "about how many entries the handoff and unanswered streams keep; older ones are trimmed"},
	{Name: "handoff.wait_timeout", Default: 3 * time.Minute, Usage: "in stream mode, after this long with nobody joining, the waiting user is told so and given the hotline"},
}

// DialogConfig is the engine's part of the configuration.
func (c *Config) DialogConfig() dialog.Config {
	return dialog.Config{
		AnswerThreshold:        c.Dialog.AnswerThreshold,
		ClarifyMargin:          c.Dialog.ClarifyMargin,
		LeaveFlowThreshold:     c.Dialog.LeaveFlowThreshold,
		FollowUpBoost:          c.Dialog.FollowUpBoost,
		FallbacksBeforeHandoff: c.Dialog.FallbacksBeforeHandoff,
	}
}
