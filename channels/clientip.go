package channels

import (
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

// clientIP is the address rate limits count against: the TCP peer, or, when the peer is one of
// our trusted proxies, the right-most X-Forwarded-For entry that is not (entries further left
// are whatever the client chose to write).
func clientIP(r *http.Request, trusted []netip.Prefix) string {
	peer := remoteAddr(r.RemoteAddr)
	if !isTrusted(peer, trusted) {
		return addrString(peer, r.RemoteAddr)
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for _, hop := range slices.Backward(hops) {
		addr, err := netip.ParseAddr(strings.TrimSpace(hop))
		if err != nil {
			break
		}
		if !isTrusted(addr.Unmap(), trusted) {
			return addr.Unmap().String()
		}
	}
	return peer.String()
}

func remoteAddr(hostport string) netip.Addr {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return addr.Unmap()
}

func isTrusted(addr netip.Addr, trusted []netip.Prefix) bool {
	if !addr.IsValid() {
		return false
	}
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

func addrString(addr netip.Addr, fallback string) string {
	if addr.IsValid() {
		return addr.String()
	}
	return fallback
}
