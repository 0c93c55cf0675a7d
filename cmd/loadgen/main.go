// Command loadgen measures the chat server: N websocket connections each send M messages, one at
// a time, and it prints turns per second and reply latency percentiles. It only talks to a
// loopback address and stops by itself, so it cannot be pointed at someone else's server.
//
//	go run ./cmd/loadgen -addr 127.0.0.1:8080 -conns 50 -messages 20
//
// The server's per-address rate limit counts every connection from loopback as one client; raise
// it for the measurement or the report will show rate_limited errors.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"time"
)

// Bounds that keep a run finite and the machine usable.
const (
	maxConns    = 2000
	maxMessages = 10000
)

func main() {
	cfg := config{}
	flag.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "server address (loopback only)")
	flag.IntVar(&cfg.Conns, "conns", 50, fmt.Sprintf("websocket connections (1-%d)", maxConns))
	flag.IntVar(&cfg.Messages, "messages", 20, fmt.Sprintf("messages per connection (1-%d)", maxMessages))
	flag.DurationVar(&cfg.Timeout, "timeout", 2*time.Minute, "stop after this long whatever happens")
	flag.DurationVar(&cfg.Think, "think", 0, "pause between a reply and the next message")
	flag.Parse()

	if err := cfg.check(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	rep.print(os.Stdout, cfg)
}

type config struct {
	Addr     string
	Conns    int
	Messages int
	Timeout  time.Duration
	Think    time.Duration
}

// check refuses settings that would not stop or would leave the machine.
func (c config) check() error {
	if c.Conns < 1 || c.Conns > maxConns {
		return fmt.Errorf("-conns must be 1-%d, got %d", maxConns, c.Conns)
	}
	if c.Messages < 1 || c.Messages > maxMessages {
		return fmt.Errorf("-messages must be 1-%d, got %d", maxMessages, c.Messages)
	}
	if c.Timeout <= 0 {
		return errors.New("-timeout must be positive")
	}
	return loopbackOnly(c.Addr)
}

// loopbackOnly accepts host:port where host is localhost or a loopback IP.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q: only loopback addresses (127.0.0.1, ::1, localhost) are allowed", addr)
	}
	return nil
}

func (r report) print(w io.Writer, cfg config) {
	fmt.Fprintf(w, "connections %d x messages %d against %s\n", cfg.Conns, cfg.Messages, cfg.Addr)
	fmt.Fprintf(w, "turns       %d in %s (%.1f turns/s)\n", r.Turns, r.Elapsed.Round(time.Millisecond), r.rate())
	if r.Turns > 0 {
		fmt.Fprintf(w, "latency     p50 %s  p90 %s  p99 %s  max %s\n",
			r.percentile(50), r.percentile(90), r.percentile(99), r.percentile(100))
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(w, "errors      %v\n", r.Errors)
	}
	if r.Failed > 0 {
		fmt.Fprintf(w, "connections failed: %d (first: %v)\n", r.Failed, r.FirstFailure)
	}
}
