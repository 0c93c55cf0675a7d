package channels

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Failed admin authentication is slowed per client address: after adminFailures failures
// within adminWindow an address gets 429 until the window ends, without its token even being
// compared, so guessing the token is hopeless and shows in the log and in /metrics.
const (
	adminFailures  = 5
	adminWindow    = time.Minute
	adminSweepSize = 1024 // addresses remembered before finished windows are swept
)

// adminAuth checks the admin token of /admin/* and of the detailed /readyz.
type adminAuth struct {
	srv   *Server
	token []byte
	now   func() time.Time

	mu       sync.Mutex
	failures map[string]*adminFailureWindow // by client address
}

type adminFailureWindow struct {
	end   time.Time
	count int
}

func newAdminAuth(s *Server, token string) *adminAuth {
	return &adminAuth{srv: s, token: []byte(token), now: time.Now, failures: map[string]*adminFailureWindow{}}
}

// outcome of an admin authentication.
type authResult int

const (
	authNone    authResult = iota // no Authorization header
	authOK                        // the admin token
	authFailed                    // a wrong token, or another scheme
	authBlocked                   // the address failed too often: not even checked
)

// check authenticates r's "Authorization: Bearer <token>" (the scheme in any case, as HTTP
// says), comparing in constant time. A failure is logged, without what was sent, and counted.
func (a *adminAuth) check(r *http.Request) authResult {
	header := r.Header.Get("Authorization")
	if header == "" && r.URL.Path == "/readyz" {
		return authNone // an anonymous probe, not an attempt
	}
	ip := clientIP(r, a.srv.opts.TrustedProxies)
	if a.blocked(ip) {
		a.srv.metrics.adminAuthFailures.WithLabelValues("blocked").Inc()
		return authBlocked
	}
	scheme, token, _ := strings.Cut(header, " ")
	if strings.EqualFold(scheme, "Bearer") && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), a.token) == 1 {
		return authOK
	}
	reason := "wrong_token"
	if header == "" {
		reason = "missing"
	} else if !strings.EqualFold(scheme, "Bearer") {
		reason = "not_bearer"
	}
	a.fail(ip)
	a.srv.metrics.adminAuthFailures.WithLabelValues(reason).Inc()
	a.srv.log.Warn("admin authentication failed", "path", r.URL.Path, "ip", ip, "reason", reason)
	return authFailed
}

// require admits only requests with the admin token.
func (a *adminAuth) require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch a.check(r) {
		case authOK:
			next.ServeHTTP(w, r)
		case authBlocked:
			w.Header().Set("Retry-After", strconv.Itoa(int(adminWindow.Seconds())))
			w.Header().Set("Connection", "close")
			http.Error(w, "too many failed attempts", http.StatusTooManyRequests)
		default:
			w.Header().Set("WWW-Authenticate", `Bearer realm="chatbot admin"`)
			w.Header().Set("Connection", "close") // do not wait for a body we will not read
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		}
	})
}

func (a *adminAuth) blocked(ip string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	f := a.failures[ip]
	return f != nil && a.now().Before(f.end) && f.count >= adminFailures
}

func (a *adminAuth) fail(ip string) {
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	f := a.failures[ip]
	if f == nil || !now.Before(f.end) {
		if len(a.failures) >= adminSweepSize {
			for k, old := range a.failures {
				if !now.Before(old.end) {
					delete(a.failures, k)
				}
			}
		}
		f = &adminFailureWindow{end: now.Add(adminWindow)}
		a.failures[ip] = f
	}
	f.count++
}
