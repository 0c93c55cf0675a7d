package channels

import (
	"context"
	"net/http"

	"chatbot/bot"
)

// CheckResult is the GET /api/v1/check body: whether the calling page may chat, whether the
// bot can serve, and the issuer's name and confirmed numbers, so a page that cannot chat can
// still say whom to call.
//
// It exists because a browser hides why a websocket failed: a refused Origin, a wrong app key
// and an unreachable server all look like close code 1006, and a refused frame looks like a
// grey box. A page asks here when it cannot connect and tells the user what they can do.
type CheckResult struct {
	Allowed bool `json:"allowed"`
	// Reason says why not: "origin" (this site is not among the allowed origins) or "app_key"
	// (an app's local page without a valid app key).
	Reason string `json:"reason,omitempty"`
	// Ready is false while the bot cannot serve (Redis unreachable, no knowledge base, shutting
	// down): chatting fails for now, trying again later helps.
	Ready bool `json:"ready"`
	// Sockets says why a socket would be refused now: "per_ip" (the caller's address holds
	// ws.max_sockets_per_ip sockets: close other chat windows) or "full" (the instance holds
	// ws.max_sockets, or is shutting down: try again later). Empty: there is room.
	Sockets string      `json:"sockets,omitempty"`
	Issuer  *bot.Issuer `json:"issuer,omitempty"` // the ?issuer= bank, when the knowledge base lists it
	// UnknownIssuer: ?issuer= names no bank of the knowledge base (a page misconfiguration).
	UnknownIssuer bool `json:"unknown_issuer,omitempty"`
}

// Check reasons.
const (
	reasonOrigin = "origin"
	reasonAppKey = "app_key"
)

// serveCheck answers GET /api/v1/check?issuer=…[&app_key=…] for any page. Every origin may read
// the answer (Access-Control-Allow-Origin: *, no credentials): it only says whether that origin
// is allowed and gives public phone numbers.
func (s *Server) serveCheck(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Headers", appKeyHeader)
	h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	h.Set("Access-Control-Max-Age", "600")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		w.Header().Set("Allow", "GET, OPTIONS")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	res := CheckResult{Allowed: s.origins.check(r)}
	if !res.Allowed {
		res.Reason = reasonOrigin
		if appOrigin(r.Header.Get("Origin")) {
			res.Reason = reasonAppKey
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.ReadyTimeout)
	defer cancel()
	res.Ready = !s.shuttingDown() && s.bot.Ready(ctx) == nil
	res.Sockets = s.socketRoom(clientIP(r, s.opts.TrustedProxies))
	if id := r.URL.Query().Get("issuer"); id != "" {
		if is, ok := s.bot.Issuer(id); ok {
			res.Issuer = &is
		} else {
			res.UnknownIssuer = true
		}
	}
	status := http.StatusOK
	if !res.Allowed {
		status = http.StatusForbidden
	}
	writeJSON(w, status, res)
}
