package channels

import (
	"crypto/subtle"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// originPolicy decides which pages may talk to the chat endpoints. Browsers always send Origin on
// websocket upgrades and cross-origin requests, so it is what stops another site from driving a
// cardholder's chat. A request without Origin comes from a non-browser client (curl, an app's
// native code), which could send any header it likes, so it is let through.
type originPolicy struct {
	allowed map[string]bool // lower-cased "scheme://host[:port]"
	self    string          // the chat server's own origin (Options.PublicURL), lower-cased; "" when not configured
	appKeys [][]byte
}

// nullOrigin is what an app's webview (file:// pages, sandboxed frames) sends; some webviews
// send fileOrigin for a local page instead, which means the same: no web site, an app.
const (
	nullOrigin = "null"
	fileOrigin = "file://"
)

// appOrigin reports whether origin is an app's local page, which needs an app key.
func appOrigin(origin string) bool {
	return origin == nullOrigin || strings.EqualFold(origin, fileOrigin)
}

// appKeyParam and appKeyHeader carry an app key for Origin: null.
const (
	appKeyParam  = "app_key"
	appKeyHeader = "X-App-Key"
)

func newOriginPolicy(origins, appKeys []string, publicURL string) *originPolicy {
	p := &originPolicy{allowed: make(map[string]bool, len(origins)), self: normalOrigin(publicURL)}
	for _, o := range origins {
		p.allowed[normalOrigin(o)] = true
	}
	for _, k := range appKeys {
		if k != "" {
			p.appKeys = append(p.appKeys, []byte(k))
		}
	}
	return p
}

// check reports whether r's Origin may use the chat.
func (p *originPolicy) check(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	switch {
	case origin == "":
		return true
	case appOrigin(origin):
		return p.validAppKey(r)
	default:
		return p.allowed[strings.ToLower(origin)] || p.own(r, origin)
	}
}

// own reports whether origin is the chat server's own (its page, the widget's iframe). It is
// compared with the configured public URL, not with the Host header: a DNS-rebinding page has
// its own hostname resolve to the chat server, and its requests carry a Host matching their
// Origin. Without a public URL (a local run) a page is its own only on a loopback address
// written as such (localhost, 127.0.0.1, [::1]), which a rebinding domain never is.
func (p *originPolicy) own(r *http.Request, origin string) bool {
	if p.self != "" {
		return strings.ToLower(origin) == p.self
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// crossOrigin reports whether r comes from an allowed page on another host, which needs CORS
// headers to read the answer.
func (p *originPolicy) crossOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	return origin != "" && !p.own(r, origin) && p.check(r)
}

// appPreflight reports whether r is a CORS preflight from an app's local page while app keys
// are configured. A preflight never carries the X-App-Key header it asks permission for, so it
// is granted on the origin alone; the request that follows must still carry a valid key.
func (p *originPolicy) appPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && len(p.appKeys) > 0 && appOrigin(r.Header.Get("Origin"))
}

func (p *originPolicy) validAppKey(r *http.Request) bool {
	key := r.Header.Get(appKeyHeader)
	if key == "" {
		key = r.URL.Query().Get(appKeyParam)
	}
	if key == "" {
		return false
	}
	for _, k := range p.appKeys {
		if subtle.ConstantTimeCompare([]byte(key), k) == 1 {
			return true
		}
	}
	return false
}

// frameAncestors is the CSP frame-ancestors value letting allowed sites embed the chat page.
func (p *originPolicy) frameAncestors() string {
	parts := []string{"'self'"}
	for o := range p.allowed {
		parts = append(parts, o)
	}
	// Map order is random; keep the header stable for caches and tests.
	slices.Sort(parts[1:])
	return strings.Join(parts, " ")
}

// normalOrigin is an origin or URL as Origin headers write it: "scheme://host[:port]", lower-cased.
func normalOrigin(s string) string {
	return strings.ToLower(strings.TrimRight(strings.TrimSpace(s), "/"))
}

// connectSources is the CSP connect-src value: this server, and its websocket URL named
// explicitly for older webviews where 'self' does not cover ws: and wss:.
func connectSources(publicURL string) string {
	u, err := url.Parse(normalOrigin(publicURL))
	if err != nil || u.Host == "" {
		return "'self'"
	}
	scheme := "ws"
	if u.Scheme == "https" {
		scheme = "wss"
	}
	return "'self' " + scheme + "://" + u.Host
}
