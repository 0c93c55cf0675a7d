package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"chatbot/bot/redisclient"
)

// Comparing: loadgen starts the chatbot binary and its own echo server as separate processes on
// loopback, so each one's CPU can be read from /proc, then measures both alternately in rounds
// with the same load and reports the chatbot's throughput and CPU per turn as ratios to the
// echo's, measured in the same run on the same machine.

// compareConfig is what a comparison runs.
type compareConfig struct {
	Chatbot string // the chatbot binary to start
	Redis   string // Redis address: sessions there, and the echo does one EVAL per message
	Rounds  int
	Idle    int           // sockets to open for the idle-memory measurement (0: none)
	Settle  time.Duration // wait after opening them, before reading memory
	Load    config
}

// Bounds for the comparison.
const (
	maxRounds   = 10
	maxIdle     = 20000
	startupWait = 30 * time.Second
	dialWorkers = 64
)

// measurement is one run against one server.
type measurement struct {
	report
	CPU time.Duration // the server process's CPU time during the run
}

func (m measurement) cpuPerTurn() time.Duration {
	if m.Turns == 0 {
		return 0
	}
	return m.CPU / time.Duration(m.Turns)
}

// server is a process loadgen started and measures.
type server struct {
	name string
	addr string
	cmd  *exec.Cmd
	gc   gcWatch
}

// gcWatch follows the Go runtime's GC trace (GODEBUG=gctrace=1) on a server's stderr: after each
// collection, the heap still live and the goroutine stacks, which is the memory the server uses
// without the garbage that resident memory also counts.
type gcWatch struct {
	mu   sync.Mutex
	seq  int   // collections seen
	live int64 // bytes, after the latest collection: live heap plus stacks
}

// gcLine matches "gc 6 @0.219s 3%: ..., 7->7->2 MB, 9 MB goal, 0 MB stacks, ...".
var gcLine = regexp.MustCompile(`^gc \d+ .* \d+->\d+->(\d+) MB, \d+ MB goal, (\d+) MB stacks`)

// follow reads the server's stderr, noting collections and passing every other line on.
func (g *gcWatch) follow(r io.Reader, log io.Writer) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if sc.Text() == "GC forced" { // the runtime's periodic collection: the next line counts it
			continue
		}
		m := gcLine.FindStringSubmatch(sc.Text())
		if m == nil {
			fmt.Fprintln(log, sc.Text())
			continue
		}
		heap, _ := strconv.ParseInt(m[1], 10, 64)
		stacks, _ := strconv.ParseInt(m[2], 10, 64)
		g.mu.Lock()
		g.seq++
		g.live = (heap + stacks) << 20
		g.mu.Unlock()
	}
}

func (g *gcWatch) latest() (seq int, live int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.seq, g.live
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// stop ends the process and waits for it.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// start runs name as a server on a free loopback port and waits until ready answers.
func start(ctx context.Context, name, path string, args func(addr string) []string, env []string, ready func(ctx context.Context, addr string) error, log io.Writer) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, path, args(addr)...)
	cmd.Env = append(env, "GODEBUG=gctrace=1")
	cmd.Stdout = log
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &server{name: name, addr: addr, cmd: cmd}
	go s.gc.follow(stderr, log)
	wait, cancel := context.WithTimeout(ctx, startupWait)
	defer cancel()
	for {
		if err := ready(wait, addr); err == nil {
			return s, nil
		} else if wait.Err() != nil {
			s.stop()
			return nil, fmt.Errorf("%s did not start on %s within %s: %w", name, addr, startupWait, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func readyz(ctx context.Context, addr string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/readyz: %s", resp.Status)
	}
	return nil
}

func accepts(ctx context.Context, addr string) error {
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return c.Close()
}

// chatbotEnv is the chatbot's environment for a measurement: rate limits and the per-address
// socket cap off (every loopback socket is one address), room for the idle sockets, warnings
// only, and with Redis a key prefix of the run's own.
func chatbotEnv(redisAddr, prefix string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CHATBOT_") {
			env = append(env, kv)
		}
	}
	env = append(env, "CHATBOT_RATE_PER_IP=0", "CHATBOT_RATE_PER_SESSION=0", "CHATBOT_LOG_LEVEL=warn",
		"CHATBOT_WS_MAX_SOCKETS_PER_IP=0", fmt.Sprintf("CHATBOT_WS_MAX_SOCKETS=%d", 2*maxIdle))
	if redisAddr != "" {
		env = append(env, "CHATBOT_REDIS_ADDR="+redisAddr, "CHATBOT_REDIS_PREFIX="+prefix)
	}
	return env
}

// compare runs the whole comparison and writes its report to w.
func compare(ctx context.Context, cc compareConfig, w io.Writer) error {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	prefix := "loadgen-" + hex.EncodeToString(b)
	if cc.Redis != "" {
		defer func() {
			if n, err := deletePrefix(cc.Redis, prefix); err != nil {
				fmt.Fprintf(w, "warning: deleting %d keys under %s: %v\n", n, prefix, err)
			}
		}()
	}
	chatbot, err := start(ctx, "chatbot", cc.Chatbot, func(addr string) []string { return []string{"serve", "--listen", addr} },
		chatbotEnv(cc.Redis, prefix), readyz, os.Stderr)
	if err != nil {
		return err
	}
	defer chatbot.stop()
	sizes, err := probe(ctx, chatbot.addr)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	echoName := "echo"
	if cc.Redis != "" {
		echoName = "echo+EVAL"
	}
	echo, err := start(ctx, echoName, self, func(addr string) []string { return echoArgs(addr, sizes, cc.Redis, prefix) },
		os.Environ(), accepts, os.Stderr)
	if err != nil {
		return err
	}
	defer echo.stop()

	printMachine(w, cc, sizes)
	if cc.Idle > 0 {
		for _, s := range []*server{echo, chatbot} {
			rss, live, err := idleMemory(ctx, s, cc.Idle, cc.Settle)
			if err != nil {
				return fmt.Errorf("idle sockets on %s: %w", s.name, err)
			}
			fmt.Fprintf(w, "idle        %-10s %d sockets: live heap and stacks %+.1f MB = %.1f KB per socket (resident %+.1f MB = %.1f KB)\n",
				s.name, cc.Idle, float64(live)/1e6, float64(live)/1e3/float64(cc.Idle), float64(rss)/1e6, float64(rss)/1e3/float64(cc.Idle))
		}
	}

	warm := cc.Load
	warm.Messages = min(warm.Messages, 20)
	for _, s := range []*server{echo, chatbot} {
		if _, err := measure(ctx, s, warm); err != nil {
			return fmt.Errorf("warm-up %s: %w", s.name, err)
		}
	}
	var throughput, cpu []float64
	for round := 1; round <= cc.Rounds; round++ {
		var got [2]measurement
		for i, s := range []*server{echo, chatbot} {
			m, err := measure(ctx, s, cc.Load)
			if err != nil {
				return fmt.Errorf("round %d, %s: %w", round, s.name, err)
			}
			got[i] = m
			fmt.Fprintf(w, "round %d     %-10s %6d turns %8.0f turns/s  %6.1f µs CPU/turn  p50 %-9s p99 %-9s%s\n",
				round, s.name, m.Turns, m.rate(), micros(m.cpuPerTurn()), m.percentile(50), m.percentile(99), m.problems())
		}
		throughput = append(throughput, got[1].rate()/got[0].rate())
		if got[0].CPU > 0 {
			cpu = append(cpu, micros(got[1].cpuPerTurn())/micros(got[0].cpuPerTurn()))
		}
	}
	fmt.Fprintf(w, "ratio       chatbot/%s: throughput %s (median %.2f×)", echoName, ratios(throughput), median(throughput))
	if len(cpu) == len(throughput) {
		fmt.Fprintf(w, ", CPU per turn %s (median %.2f×)\n", ratios(cpu), median(cpu))
	} else {
		fmt.Fprintf(w, "; too few turns to time the echo's CPU (%s a tick): raise -messages\n", time.Second/clockTicks)
	}
	return nil
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func ratios(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprintf("%.2f×", x)
	}
	return strings.Join(s, " ")
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func printMachine(w io.Writer, cc compareConfig, sizes []int) {
	fmt.Fprintf(w, "machine     %s, %d CPUs, %s; loadgen, chatbot, echo%s on the same CPUs\n",
		cpuModel(), runtime.NumCPU(), runtime.Version(), map[bool]string{true: " and Redis", false: ""}[cc.Redis != ""])
	fmt.Fprintf(w, "load        %d sockets x %d messages, %d rounds; %d questions, all answered, replies %d-%d bytes\n",
		cc.Load.Conns, cc.Load.Messages, cc.Rounds, len(questions), slices.Min(sizes), slices.Max(sizes))
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// measure runs the load against s and reads s's CPU time around it.
func measure(ctx context.Context, s *server, load config) (measurement, error) {
	load.Addr = s.addr
	before, err := processCPU(s.pid())
	if err != nil {
		return measurement{}, err
	}
	rep, err := run(ctx, load)
	if err != nil {
		return measurement{}, err
	}
	after, err := processCPU(s.pid())
	if err != nil {
		return measurement{}, err
	}
	return measurement{report: rep, CPU: after - before}, nil
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux we run on.
const clockTicks = 100

// processCPU is the user plus system CPU time pid has used.
func processCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("process CPU (Linux /proc needed): %w", err)
	}
	// The command name (field 2) may hold spaces; the fields after it are plain numbers.
	rest := string(data[strings.LastIndexByte(string(data), ')')+2:])
	f := strings.Fields(rest) // f[0] is field 3 (state); utime and stime are fields 14 and 15
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// processRSS is pid's resident memory in bytes.
func processRSS(pid int) (int64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// idleMemory opens n sockets to s, each saying hello and then nothing, and returns how much
// memory they added to s: resident, and live (heap and stacks after the first collection once
// all are open, waiting up to settle for one), then closes them.
func idleMemory(ctx context.Context, s *server, n int, settle time.Duration) (rss, live int64, err error) {
	rssBefore, err := processRSS(s.pid())
	if err != nil {
		return 0, 0, err
	}
	_, liveBefore := s.gc.latest()
	socks := make([]*websocket.Conn, n)
	defer func() {
		for _, ws := range socks {
			if ws != nil {
				_ = ws.Close()
			}
		}
	}()
	url := "ws://" + s.addr + "/ws"
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		next     = make(chan int)
	)
	for range dialWorkers {
		wg.Go(func() {
			for i := range next {
				ws, err := helloOnly(ctx, url)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				socks[i] = ws
				mu.Unlock()
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return 0, 0, firstErr
	}
	opened, _ := s.gc.latest()
	deadline := time.Now().Add(settle)
	for seq, _ := s.gc.latest(); seq == opened; seq, _ = s.gc.latest() {
		if time.Now().After(deadline) {
			return 0, 0, fmt.Errorf("no garbage collection within %s of opening the sockets: raise -settle", settle)
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		}
	}
	_, liveAfter := s.gc.latest()
	rssAfter, err := processRSS(s.pid())
	if err != nil {
		return 0, 0, err
	}
	return rssAfter - rssBefore, liveAfter - liveBefore, nil
}

func helloOnly(ctx context.Context, url string) (*websocket.Conn, error) {
	ws, resp, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	_ = resp.Body.Close()
	if err := ws.WriteJSON(map[string]any{"type": "hello", "v": 1}); err != nil {
		_ = ws.Close()
		return nil, err
	}
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := await(ws, ""); err != nil {
		_ = ws.Close()
		return nil, err
	}
	_ = ws.SetReadDeadline(time.Time{})
	go func() { // reading answers the server's pings, as a browser does
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	return ws, nil
}

// probe asks the chatbot each question once and returns its reply frames' sizes, refusing
// questions that do not get an answer: the comparison must make every turn do the full work.
func probe(ctx context.Context, addr string) ([]int, error) {
	ws, resp, err := websocket.DefaultDialer.DialContext(ctx, "ws://"+addr+"/ws", nil)
	if err != nil {
		return nil, err
	}
	_ = resp.Body.Close()
	defer ws.Close()
	if err := ws.WriteJSON(map[string]any{"type": "hello", "v": 1}); err != nil {
		return nil, err
	}
	if _, err := await(ws, ""); err != nil {
		return nil, err
	}
	sizes := make([]int, len(questions))
	for i, q := range questions {
		id := "p" + strconv.Itoa(i)
		if err := ws.WriteJSON(map[string]any{"type": "message", "id": id, "text": q}); err != nil {
			return nil, err
		}
		f, err := await(ws, id)
		if err != nil {
			return nil, err
		}
		if f.Kind != "answer" {
			return nil, fmt.Errorf("question %q got a reply of kind %q: the load must use questions that get an answer", q, f.Kind)
		}
		sizes[i] = f.size
	}
	return sizes, nil
}

// deletePrefix removes the run's keys from Redis.
func deletePrefix(addr, prefix string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rdb := redisclient.New(redisclient.Options{Addrs: []string{addr}})
	defer rdb.Close()
	n := 0
	iter := rdb.Scan(ctx, 0, prefix+":*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 1000 {
			if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
				return n, err
			}
			n, batch = n+len(batch), batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return n, err
	}
	if len(batch) > 0 {
		if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
			return n, err
		}
	}
	return n + len(batch), nil
}
