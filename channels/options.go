package channels

import (
	"context"
	"log/slog"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"chatbot/bot"
	"chatbot/channels/limit"
)

// Bot is what channels need from the bot: these calls of bot.Bot. A socket keeps the
// bot.Conversation its hello opened and runs every turn in it, its rate limits counted in the
// turn's one store call; every other frame is counted with Allow, in the same counts (shared by
// every instance when the bot's store is Redis). An HTTP request continues a conversation by id
// (bot.NewConversation). Tests pass the real bot; anything with these methods will do.
type Bot interface {
	OpenWith(ctx context.Context, requestedID string, c bot.Context) (bot.Session, error)
	Allow(ctx context.Context, limits ...bot.Limit) (refused int, err error)
	Turn(ctx context.Context, c *bot.Conversation, in bot.Input) (bot.Output, error)
	FeedbackOn(ctx context.Context, c *bot.Conversation, replyID string, useful bool) error
	Ready(ctx context.Context) error
	// Issuer looks a bank up by id, for pages that cannot chat and must say whom to call.
	Issuer(id string) (bot.Issuer, bool)
}

// Defaults for Options' zero values.
const (
	DefaultMaxFrameBytes   = 8 << 10  // 8 KiB: about 2,700 Chinese characters, far more than a question
	DefaultHardFrameBytes  = 64 << 10 // 64 KiB: past this the socket is closed (1009) without reading on
	DefaultSendQueue       = 16       // frames waiting for a slow client before it is disconnected (1013)
	DefaultRateStrikes     = 3        // rejected frames in a row before a flood is closed (1008)
	DefaultMaxSockets      = 10000    // open websockets per instance; more are refused with 503
	DefaultMaxSocketsPerIP = 100      // open websockets per client address; more are refused with 429
	DefaultHelloWait       = 5 * time.Second
	DefaultPongWait        = 60 * time.Second
	DefaultWriteWait       = 10 * time.Second
	DefaultTurnTimeout     = 10 * time.Second
	DefaultReadyTimeout    = 2 * time.Second
	DefaultCloseGrace      = time.Second
	defaultSessionRateN    = 60
	defaultIPRateN         = 1200
	defaultRatePer         = time.Minute
	defaultPingPeriodRatio = 0.5 // a peer may miss one ping before it is dropped
	minSendQueue           = 2
)

// Options configure a Server. Only Bot is required; every other zero value means the default
// documented on the field.
type Options struct {
	// Bot answers turns. Required.
	Bot Bot
	// Knowledge is the live knowledge base: POST /admin/reload reloads it and /readyz reports
	// its version and the problems of the last failed reload. Nil: both only report the bot.
	Knowledge Knowledge
	// Agents, with AdminToken, turns on POST /admin/sessions/{id}/agent for a contact-center
	// system: take a waiting user's session, write to them, give it back. Nil: off (404).
	Agents Agents
	// Live pushes what agents write to the sockets open on the session. Nil: users see agents'
	// messages only in the history of their next welcome.
	Live Live
	// Logger receives JSON-friendly structured logs. Nil: slog.Default(). User text is never logged.
	Logger *slog.Logger
	// Registry receives the channel's metrics and is served on /metrics. Nil: a new registry
	// with the Go runtime and process collectors.
	Registry *prometheus.Registry

	// PublicURL is the chat server's own origin as users reach it ("https://chat.bank.example"):
	// its pages may open /ws and call /api/v1/chat, and the page's content policy names its
	// websocket URL. The Host header is never trusted for either (DNS rebinding, header
	// injection). Empty (a local run): pages on localhost, 127.0.0.1 or [::1] are the server's own.
	PublicURL string
	// AllowedOrigins are the exact origins ("https://www.bank.example") whose pages may open
	// /ws and call /api/v1/chat, and may frame the chat page, besides PublicURL's. Default: none.
	AllowedOrigins []string
	// AppKeys let an app's webview, which sends "Origin: null", connect when it presents one of
	// them in the app_key query parameter or the X-App-Key header. Default: none, so
	// "Origin: null" is refused.
	AppKeys []string
	// TrustedProxies are the load balancers whose X-Forwarded-For is believed when finding the
	// client address for IPRate. Default: none; the TCP peer is the client.
	TrustedProxies []netip.Prefix
	// AdminToken protects /admin/* (Authorization: Bearer <token>). Empty: /admin/* is off (404).
	AdminToken string

	// MaxFrameBytes: a larger client frame gets a too_large error and the socket stays open.
	// Default 8 KiB.
	MaxFrameBytes int64
	// HardFrameBytes: a frame past this closes the socket with 1009 without being read.
	// Default 64 KiB; raised to MaxFrameBytes if smaller.
	HardFrameBytes int64
	// SessionRate caps frames per session, IPRate frames per client address; both are shared
	// across instances when the bot keeps sessions in Redis. Defaults 60 and 1200 a minute (mobile carriers
	// put many people behind one address). A negative Limit turns a rate off.
	SessionRate limit.Rate
	IPRate      limit.Rate
	// RateStrikes is how many rate-limited frames in a row a socket may send before it is
	// closed with 1008. Default 3.
	RateStrikes int
	// SendQueue is how many items may wait in one socket's inbox: frames read while a turn runs
	// and entries pushed to the session. A full inbox stops the reader (a flooding client is
	// slowed down); a push finding it full closes the socket with 1013 (try again later)
	// instead of blocking the push hub or dropping the entry silently: the client reconnects and
	// finds it in its history. Default 16, at least 2.
	SendQueue int
	// MaxSockets caps open websockets on this instance; more get 503. Default 10000.
	MaxSockets int
	// MaxSocketsPerIP caps open websockets per client address (see TrustedProxies), so one
	// client cannot take every socket; more get 429. Default 100; negative means no cap.
	MaxSocketsPerIP int
	// HelloWait: a socket that has not sent hello this long after connecting is closed (1008).
	// Default 5s.
	HelloWait time.Duration
	// PongWait: a socket with no frame or pong for this long is closed. Default 60s.
	PongWait time.Duration
	// PingPeriod: how often the server pings. Default half of PongWait, so one lost ping is
	// forgiven; must be shorter than PongWait.
	PingPeriod time.Duration
	// WriteWait bounds one frame write; a client that cannot take a frame this fast is dropped.
	// Default 10s.
	WriteWait time.Duration
	// TurnTimeout bounds one bot call; past it the client gets "unavailable". Default 10s.
	// Sockets stay alive however long a turn takes (reading and pinging go on meanwhile);
	// the configuration keeps it shorter than PongWait.
	TurnTimeout time.Duration
	// ReadyTimeout bounds the checks behind /readyz. Default 2s.
	ReadyTimeout time.Duration
	// CloseGrace is how long a closing socket waits for the client's close frame. Default 1s.
	CloseGrace time.Duration
}

// withDefaults returns o with every zero value replaced by its default.
func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxFrameBytes <= 0 {
		o.MaxFrameBytes = DefaultMaxFrameBytes
	}
	if o.HardFrameBytes <= 0 {
		o.HardFrameBytes = DefaultHardFrameBytes
	}
	if o.HardFrameBytes < o.MaxFrameBytes {
		o.HardFrameBytes = o.MaxFrameBytes
	}
	if o.SessionRate.Limit == 0 {
		o.SessionRate = limit.Rate{Limit: defaultSessionRateN, Per: defaultRatePer}
	}
	if o.IPRate.Limit == 0 {
		o.IPRate = limit.Rate{Limit: defaultIPRateN, Per: defaultRatePer}
	}
	if o.RateStrikes <= 0 {
		o.RateStrikes = DefaultRateStrikes
	}
	if o.SendQueue <= 0 {
		o.SendQueue = DefaultSendQueue
	}
	// One frame can produce two (a welcome for a new session, then the reply).
	o.SendQueue = max(o.SendQueue, minSendQueue)
	if o.MaxSockets <= 0 {
		o.MaxSockets = DefaultMaxSockets
	}
	if o.MaxSocketsPerIP == 0 {
		o.MaxSocketsPerIP = DefaultMaxSocketsPerIP
	}
	if o.HelloWait <= 0 {
		o.HelloWait = DefaultHelloWait
	}
	if o.PongWait <= 0 {
		o.PongWait = DefaultPongWait
	}
	if o.PingPeriod <= 0 || o.PingPeriod >= o.PongWait {
		o.PingPeriod = time.Duration(float64(o.PongWait) * defaultPingPeriodRatio)
	}
	if o.WriteWait <= 0 {
		o.WriteWait = DefaultWriteWait
	}
	if o.TurnTimeout <= 0 {
		o.TurnTimeout = DefaultTurnTimeout
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = DefaultReadyTimeout
	}
	if o.CloseGrace <= 0 {
		o.CloseGrace = DefaultCloseGrace
	}
	return o
}
