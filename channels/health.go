package channels

import (
	"context"
	"encoding/json"
	"net/http"

	"chatbot/bot/live"
)

// Knowledge is the live knowledge base as the admin and readiness endpoints see it;
// *live.Library is one.
type Knowledge interface {
	// Reload loads the knowledge base again and swaps it in; on error the previous one keeps
	// serving, and Reload has logged the problems.
	Reload(ctx context.Context) error
	// Status describes the knowledge base serving now and the problems of the last failed reload.
	Status() live.Status
}

// Readiness is the /readyz body. Anonymous callers (a load balancer) learn which check fails;
// the details (the store's error, which names the Redis address; the knowledge base's folder,
// warnings and rejected lines) go to the log and to callers with the admin token.
type Readiness struct {
	Ready  bool              `json:"ready"`
	Checks map[string]string `json:"checks"` // check name -> "ok" or what is wrong
	KB     *live.Status      `json:"kb,omitempty"`
}

func serveHealthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// serveReadyz reports whether this instance should get traffic: the bot's stores answer and a
// knowledge base is loaded, and the server is not shutting down. A failed reload does not make
// the instance unready (the previous knowledge base serves) but its problems are listed.
func (s *Server) serveReadyz(w http.ResponseWriter, r *http.Request) {
	detailed := false
	if s.admin != nil {
		switch s.admin.check(r) {
		case authOK:
			detailed = true
		case authFailed, authBlocked:
			w.Header().Set("WWW-Authenticate", `Bearer realm="chatbot admin"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.ReadyTimeout)
	defer cancel()
	rd := Readiness{Ready: true, Checks: map[string]string{"bot": "ok", "accepting": "ok"}}
	if err := s.bot.Ready(ctx); err != nil {
		rd.Ready = false
		rd.Checks["bot"] = "unavailable"
		if detailed {
			rd.Checks["bot"] = err.Error()
		}
		s.log.Warn("not ready", "check", "bot", "err", err.Error())
	}
	if s.shuttingDown() {
		rd.Ready = false
		rd.Checks["accepting"] = "shutting down"
	}
	if s.opts.Knowledge != nil {
		st := s.opts.Knowledge.Status()
		rd.Checks["kb"] = "ok"
		if len(st.Problems) > 0 {
			rd.Checks["kb"] = "last reload rejected" // the previous version serves: still ready
		}
		if !detailed {
			st = live.Status{Loaded: st.Loaded, Version: st.Version, LoadedAt: st.LoadedAt, LastAttempt: st.LastAttempt}
		}
		rd.KB = &st
	}
	status := http.StatusOK
	if !rd.Ready {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, rd)
}

// ReloadResult is the POST /admin/reload body.
type ReloadResult struct {
	Reloaded bool        `json:"reloaded"`
	Error    string      `json:"error,omitempty"`
	KB       live.Status `json:"kb"`
}

// serveReload reloads the knowledge base. Sockets and sessions are untouched: turns already
// running finish on the version they started with.
func (s *Server) serveReload(w http.ResponseWriter, r *http.Request) {
	if s.opts.Knowledge == nil {
		http.Error(w, "no reloadable knowledge base", http.StatusNotFound)
		return
	}
	err := s.opts.Knowledge.Reload(r.Context())
	res := ReloadResult{Reloaded: err == nil, KB: s.opts.Knowledge.Status()}
	status := http.StatusOK
	if err != nil {
		res.Error = err.Error()
		status = http.StatusUnprocessableEntity
		// The knowledge base logs what it rejected; the problems are not repeated here.
		s.log.Warn("knowledge base reload failed", "problems", len(res.KB.Problems))
	} else {
		s.log.Info("knowledge base reloaded", "version", res.KB.Version)
	}
	writeJSON(w, status, res)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
