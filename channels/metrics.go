package channels

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"chatbot/bot/events"
)

// metrics are the channel's Prometheus series. Labels are small closed sets (reply kinds, error
// codes, channel names): never session ids, articles typed by users, or text.
type metrics struct {
	turns             *prometheus.CounterVec   // by channel and reply kind
	turnErrors        *prometheus.CounterVec   // by channel and error code
	turnLatency       *prometheus.HistogramVec // by channel
	fallbacks         prometheus.Counter
	handoffs          *prometheus.CounterVec // by reason: asked, fallbacks
	replayed          prometheus.Counter
	feedback          *prometheus.CounterVec // by useful
	openSockets       prometheus.Gauge
	rateLimited       *prometheus.CounterVec // by scope
	queueOverflow     prometheus.Counter
	closes            *prometheus.CounterVec // by close code
	socketRefusals    *prometheus.CounterVec // by HTTP status
	adminAuthFailures *prometheus.CounterVec // by reason
	agentActions      *prometheus.CounterVec // by action: join, leave, message
	pushed            prometheus.Counter
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		turns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chatbot_turns_total", Help: "Turns answered, by channel and reply kind.",
		}, []string{"channel", "kind"}),
		turnErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chatbot_turn_errors_total", Help: "Client frames answered with an error frame, by channel and code.",
		}, []string{"channel", "code"}),
		turnLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "chatbot_turn_duration_seconds",
			Help:    "Time from a message or choose frame to its reply, by channel.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"channel"}),
		fallbacks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chatbot_fallbacks_total", Help: "Replies of kind fallback (the knowledge base could not answer).",
		}),
		handoffs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chatbot_handoffs_total",
			Help: "Users put in the queue for a person, by reason: asked, or fallbacks (the bot failed repeatedly).",
		}, []string{"reason"}),
		replayed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chatbot_turns_replayed_total", Help: "Re-sent message ids answered with the stored reply.",
		}),
		feedback: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chatbot_feedback_total", Help: "Feedback on replies, by whether the reply was useful.",
		}, []string{"useful"}),
		openSockets: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "chatbot_open_sockets", Help: "Websockets open on this instance.",
		}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chatbot_rate_limited_total", Help: "Frames refused by a rate limit, by scope (session, ip).",
		}, []string{"scope"}),
		queueOverflow: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chatbot_send_queue_overflows_total", Help: "Sockets closed (1013) because an entry pushed to them found their queue full.",
		}),
		closes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chatbot_socket_closes_total", Help: "Websockets the server closed, by close code.",
		}, []string{"code"}),
		socketRefusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chatbot_socket_refusals_total", Help: "Websocket upgrades refused by a socket cap or shutdown, by HTTP status (429: the address holds ws.max_sockets_per_ip, 503: the instance is full or stopping).",
		}, []string{"status"}),
		adminAuthFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chatbot_admin_auth_failures_total", Help: "Refused admin authentications (/admin/*, detailed /readyz), by reason: missing, not_bearer, wrong_token, blocked (the address failed too often).",
		}, []string{"reason"}),
		agentActions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chatbot_agent_actions_total", Help: "Contact-center requests applied, by action (join, leave, message).",
		}, []string{"action"}),
		pushed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chatbot_pushed_frames_total", Help: "Entries pushed to open sockets outside a turn (agents' messages, agents joining or leaving).",
		}),
	}
	reg.MustRegister(m.turns, m.turnErrors, m.turnLatency, m.fallbacks, m.handoffs, m.replayed,
		m.feedback, m.openSockets, m.rateLimited, m.queueOverflow, m.closes, m.socketRefusals, m.adminAuthFailures, m.agentActions, m.pushed)
	for _, reason := range []string{events.ReasonAsked, events.ReasonFallbacks} {
		m.handoffs.WithLabelValues(reason) // present at 0, so rates work from the start
	}
	return m
}

// newRegistry is the default registry: the channel's series plus Go runtime and process ones.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}
