package config

import (
	"errors"
	"io/fs"
	"net"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
)

// LogLevels are the accepted values of log.level.
var LogLevels = []string{"debug", "info", "warn", "error"}

// minAdminToken keeps a guessable admin token from being configured by accident.
const minAdminToken = 16

// normalise trims what people paste with stray spaces and drops empty list items
// ("a, b," from an env variable).
func (c *Config) normalise() {
	c.Listen = strings.TrimSpace(c.Listen)
	c.Redis.Addrs = cleanList(c.Redis.Addrs)
	c.WS.AllowedOrigins = cleanList(c.WS.AllowedOrigins)
	c.HTTP.TrustedProxies = cleanList(c.HTTP.TrustedProxies)
	c.HTTP.PublicURL = strings.TrimRight(strings.TrimSpace(c.HTTP.PublicURL), "/")
	c.KB.Dir = strings.TrimSpace(c.KB.Dir)
	c.Log.Level = strings.ToLower(strings.TrimSpace(c.Log.Level))
	c.Log.Format = strings.ToLower(strings.TrimSpace(c.Log.Format))
	c.Handoff.Mode = strings.ToLower(strings.TrimSpace(c.Handoff.Mode))
}

func cleanList(items []string) []string {
	out := []string{}
	for _, s := range items {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Validate checks every key and returns the first problem found, in the order of Keys.
func (c *Config) Validate() error {
	checks := []func() error{
		// Port 0 lets the kernel pick a free port (tests); the start-up log names it.
		func() error { return checkAddr("listen", c.Listen, 0) },
		c.checkRedis,
		c.checkKB,
		func() error { return positive("session.ttl", c.Session.TTL > 0, c.Session.TTL) },
		func() error { return atLeast("session.history", c.Session.History, 1) },
		func() error { return atLeast("session.max_sessions", c.Session.MaxSessions, 1) },
		c.checkLog,
		c.checkAdmin,
		c.checkWS,
		func() error { return atLeast("rate.per_session", c.Rate.PerSession, 0) },
		func() error { return atLeast("rate.per_ip", c.Rate.PerIP, 0) },
		c.checkHTTP,
		c.checkDialog,
		func() error { return positive("shutdown.grace", c.Shutdown.Grace > 0, c.Shutdown.Grace) },
		c.checkHandoff,
		func() error { return atLeast("events.max_len", int(c.Events.MaxLen), 100) },
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func checkAddr(key, addr string, minPort int) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return problem(key, "%q is not host:port", addr)
	}
	if strings.ContainsAny(host, " /") {
		return problem(key, "%q is not a valid host", host)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return problem(key, "port %q is not a number", port)
	}
	if n < minPort || n > 65535 {
		return problem(key, "port %d out of range (%d-65535)", n, minPort)
	}
	return nil
}

func (c *Config) checkRedis() error {
	for _, addr := range c.Redis.Addrs {
		if err := checkAddr("redis.addr", addr, 1); err != nil {
			return err
		}
	}
	if c.Redis.MasterName != "" && !c.Redis.Enabled() {
		return problem("redis.master_name", "set, but redis.addr lists no Sentinel")
	}
	if c.Redis.DB < 0 {
		return problem("redis.db", "%d is negative", c.Redis.DB)
	}
	if c.Redis.DB != 0 && len(c.Redis.Addrs) > 1 && c.Redis.MasterName == "" {
		return problem("redis.db", "Redis Cluster has only database 0")
	}
	if strings.TrimSpace(c.Redis.Prefix) == "" || strings.ContainsAny(c.Redis.Prefix, " \t\r\n") {
		return problem("redis.prefix", "%q must be non-empty and without spaces", c.Redis.Prefix)
	}
	return nil
}

func (c *Config) checkKB() error {
	if c.KB.Dir == "" {
		return nil
	}
	info, err := os.Stat(c.KB.Dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return problem("kb.dir", "%s: no such directory", c.KB.Dir)
	case err != nil:
		return problem("kb.dir", "%s: %s", c.KB.Dir, pathProblem(err))
	case !info.IsDir():
		return problem("kb.dir", "%s: not a directory", c.KB.Dir)
	}
	if _, err := os.ReadDir(c.KB.Dir); err != nil {
		return problem("kb.dir", "%s: cannot read: %s", c.KB.Dir, pathProblem(err))
	}
	return nil
}

// pathProblem is the reason of a path error without the path, which the caller names already.
func pathProblem(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func (c *Config) checkLog() error {
	if !slices.Contains(LogLevels, c.Log.Level) {
		return problem("log.level", "unknown level %q (%s)", c.Log.Level, strings.Join(LogLevels, "|"))
	}
	if c.Log.Format != "json" && c.Log.Format != "text" {
		return problem("log.format", "unknown format %q (json|text)", c.Log.Format)
	}
	return nil
}

func (c *Config) checkAdmin() error {
	if t := c.Admin.Token; t != "" && len(t) < minAdminToken {
		return problem("admin.token", "too short (at least %d characters)", minAdminToken)
	}
	return nil
}

func (c *Config) checkWS() error {
	for _, o := range c.WS.AllowedOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return problem("ws.allowed_origins", "%q is not an origin like https://bank.example.com", o)
		}
	}
	if err := atLeast("ws.max_frame_bytes", c.WS.MaxFrameBytes, 256); err != nil {
		return err
	}
	if c.WS.HardFrameBytes < c.WS.MaxFrameBytes {
		return problem("ws.hard_frame_bytes", "%d is below ws.max_frame_bytes (%d)", c.WS.HardFrameBytes, c.WS.MaxFrameBytes)
	}
	if err := positive("ws.ping_period", c.WS.PingPeriod > 0, c.WS.PingPeriod); err != nil {
		return err
	}
	if err := positive("ws.turn_timeout", c.WS.TurnTimeout > 0, c.WS.TurnTimeout); err != nil {
		return err
	}
	// A turn longer than the pong wait outlives the server's own notion of a vanished client:
	// its reply would be written for nobody, and a shutdown would wait on it.
	if c.WS.TurnTimeout >= c.WS.PongWait() {
		return problem("ws.turn_timeout", "%s is not shorter than the pong wait (2 × ws.ping_period = %s)", c.WS.TurnTimeout, c.WS.PongWait())
	}
	if err := atLeast("ws.send_queue", c.WS.SendQueue, 1); err != nil {
		return err
	}
	if err := atLeast("ws.max_sockets", c.WS.MaxSockets, 1); err != nil {
		return err
	}
	return atLeast("ws.max_sockets_per_ip", c.WS.MaxSocketsPerIP, 0)
}

func (c *Config) checkHTTP() error {
	if _, err := c.TrustedProxies(); err != nil {
		return err
	}
	if u := c.HTTP.PublicURL; u != "" {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.Path != "" ||
			p.RawQuery != "" || p.Fragment != "" || p.User != nil {
			return problem("http.public_url", "%q is not a URL like https://chat.bank.example", u)
		}
	}
	if err := positive("http.read_timeout", c.HTTP.ReadTimeout > 0, c.HTTP.ReadTimeout); err != nil {
		return err
	}
	// A JSON turn is answered within ws.turn_timeout; the response must still fit in.
	if c.HTTP.WriteTimeout <= c.WS.TurnTimeout {
		return problem("http.write_timeout", "%s is not longer than ws.turn_timeout (%s)", c.HTTP.WriteTimeout, c.WS.TurnTimeout)
	}
	return nil
}

// TrustedProxies parses http.trusted_proxies; a single IP is a one-address prefix.
func (c *Config) TrustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range c.HTTP.TrustedProxies {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, problem("http.trusted_proxies", "%q is not an IP address or CIDR", s)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// HandoffModes are the accepted values of handoff.mode.
var HandoffModes = []string{"none", "stream"}

func (c *Config) checkHandoff() error {
	if !slices.Contains(HandoffModes, c.Handoff.Mode) {
		return problem("handoff.mode", "%q is not one of %s", c.Handoff.Mode, strings.Join(HandoffModes, ", "))
	}
	return positive("handoff.wait_timeout", c.Handoff.WaitTimeout > 0, c.Handoff.WaitTimeout)
}

func (c *Config) checkDialog() error {
	d := c.Dialog
	if d.AnswerThreshold <= 0 || d.AnswerThreshold > 1 {
		return problem("dialog.answer_threshold", "%v out of range (0-1]", d.AnswerThreshold)
	}
	if d.ClarifyMargin < 0 || d.ClarifyMargin >= 1 {
		return problem("dialog.clarify_margin", "%v out of range [0-1)", d.ClarifyMargin)
	}
	if d.LeaveFlowThreshold <= 0 || d.LeaveFlowThreshold > 1 {
		return problem("dialog.leave_flow_threshold", "%v out of range (0-1]", d.LeaveFlowThreshold)
	}
	if d.FollowUpBoost < 0 || d.FollowUpBoost >= 1 {
		return problem("dialog.follow_up_boost", "%v out of range [0-1)", d.FollowUpBoost)
	}
	return atLeast("dialog.fallbacks_before_handoff", d.FallbacksBeforeHandoff, 1)
}

func positive(key string, ok bool, value any) error {
	if !ok {
		return problem(key, "%v must be positive", value)
	}
	return nil
}

func atLeast(key string, value, min int) error {
	if value < min {
		return problem(key, "%d is below the minimum %d", value, min)
	}
	return nil
}
