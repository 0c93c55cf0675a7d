// Command loadgen measures the chat server: N websocket connections each send M messages, one at
// a time, and it prints turns per second and reply latency percentiles. It only talks to
// loopback addresses and stops by itself, so it cannot be pointed at someone else's server.
//
//	go run ./cmd/loadgen -addr 127.0.0.1:8080 -conns 50 -messages 20
//
// The server's per-address rate limit counts every connection from loopback as one client; raise
// it for the measurement or the report will show rate_limited errors.
//
// With -chatbot it compares: it starts that chatbot binary (rate limits off) and a bare gorilla
// websocket echo server of its own speaking the same protocol (with -redis, the chatbot keeps
// sessions in that Redis and the echo does one EVAL per message), both as separate processes,
// and measures them alternately with the same load. It reports throughput and the server
// process's CPU per turn, and the chatbot's as ratios to the echo's; with -idle N, the resident
// memory N idle sockets (hello, then nothing) add to each.
//
//	go build -o /tmp/chatbot ./cmd/chatbot
//	go run ./cmd/loadgen -chatbot /tmp/chatbot -conns 50 -messages 200 -rounds 3 -idle 10000
//	go run ./cmd/loadgen -chatbot /tmp/chatbot -redis 127.0.0.1:6379 -conns 50 -messages 200
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
	flag.DurationVar(&cfg.Timeout, "timeout", 5*time.Minute, "stop after this long whatever happens")
	flag.DurationVar(&cfg.Think, "think", 0, "pause between a reply and the next message")
	cc := compareConfig{}
	flag.StringVar(&cc.Chatbot, "chatbot", "", "compare: start this chatbot binary and an echo server, measure both")
	flag.StringVar(&cc.Redis, "redis", "", "compare: Redis address (loopback) for the chatbot's sessions and the echo's EVAL")
	flag.IntVar(&cc.Rounds, "rounds", 3, fmt.Sprintf("compare: rounds of echo then chatbot (1-%d)", maxRounds))
	flag.IntVar(&cc.Idle, "idle", 0, fmt.Sprintf("compare: idle sockets to open for the memory measurement (0-%d)", maxIdle))
	flag.DurationVar(&cc.Settle, "settle", 150*time.Second, "compare: wait this long with the idle sockets open before reading memory (past Go's forced collection every 2 minutes, so garbage from the handshakes is not counted)")
	echoAddr := flag.String("serve-echo", "", "run as the echo server on this address (loadgen starts it so)")
	echoSizes := flag.String("echo-sizes", "", "the echo's reply sizes, one per question")
	redisPrefix := flag.String("redis-prefix", "", "the echo's Redis key prefix")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *echoAddr != "" {
		if err := runEchoServer(ctx, *echoAddr, *echoSizes, cc.Redis, *redisPrefix); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen echo:", err)
			os.Exit(1)
		}
		return
	}
	if cc.Chatbot != "" {
		cc.Load = cfg
		if err := cc.check(); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(2)
		}
		ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
		defer cancel()
		if err := compare(ctx, cc, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		return
	}
	if err := cfg.check(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
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

// check refuses comparisons that would not stop or would leave the machine.
func (cc compareConfig) check() error {
	load := cc.Load
	load.Addr = "127.0.0.1:1" // the servers' addresses are chosen by loadgen
	if err := load.check(); err != nil {
		return err
	}
	if cc.Rounds < 1 || cc.Rounds > maxRounds {
		return fmt.Errorf("-rounds must be 1-%d, got %d", maxRounds, cc.Rounds)
	}
	if cc.Idle < 0 || cc.Idle > maxIdle {
		return fmt.Errorf("-idle must be 0-%d, got %d", maxIdle, cc.Idle)
	}
	if cc.Redis != "" {
		if err := loopbackOnly(cc.Redis); err != nil {
			return fmt.Errorf("-redis: %w", err)
		}
	}
	return nil
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
