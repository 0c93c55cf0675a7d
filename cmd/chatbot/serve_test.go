package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"chatbot/bot/bottest"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServeResumesSessionAfterRestart builds the real binary and serves with a real Redis named
// each of the three ways an operator can (config file, CHATBOT_REDIS_ADDR, --redis-addr),
// restarting between them: every restart resumes the same session over a real websocket, with
// the history so far in the welcome frame.
func TestServeResumesSessionAfterRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	_, prefix := bottest.Redis(t) // the server's keys, deleted when the test ends

	bin := buildBinary(t)
	const addr = "127.0.0.1:0" // each run listens on a port of its own, named in its log
	file := filepath.Join(t.TempDir(), "chatbot.yaml")
	require.NoError(t, os.WriteFile(file, []byte("listen: "+addr+"\nredis:\n  addr: ["+bottest.RedisAddr+"]\n  prefix: "+prefix+"\n"), 0o600))
	runs := []struct {
		name     string
		env      []string
		args     []string
		question string
		article  string
	}{
		{"config file", nil, []string{"serve", "--config", file}, "信用卡逾期了怎么跟银行协商", "negotiate-repayment"},
		{"environment", []string{"CHATBOT_REDIS_ADDR=" + bottest.RedisAddr, "CHATBOT_REDIS_PREFIX=" + prefix},
			[]string{"serve", "--listen", addr}, "逾期会影响征信吗", "credit-report"},
		{"flag", []string{"CHATBOT_REDIS_PREFIX=" + prefix},
			[]string{"serve", "--listen", addr, "--redis-addr", bottest.RedisAddr}, "怎么投诉银行或催收", "file-complaint"},
	}
	session := ""
	var said []map[string]any // the user's questions and the bot's replies so far
	for i, run := range runs {
		srv := startServer(t, bin, append([]string{"CHATBOT_LOG_FORMAT=text"}, run.env...), run.args...)
		assert.Contains(t, srv.output.String(), "sessions=redis", "%s: sessions live in Redis", run.name)
		conn := dialWS(t, srv.addr)
		welcome := exchange(t, conn, map[string]any{"type": "hello", "session": session, "locale": "zh-CN"})
		require.Equal(t, "welcome", welcome["type"], welcome)
		if i == 0 {
			session, _ = welcome["session"].(string)
			require.Len(t, session, 32, "128-bit session id in hex")
		} else {
			assert.Equal(t, session, welcome["session"], "%s: the same session resumes", run.name)
			assert.Equal(t, true, welcome["resumed"], run.name)
			history, _ := welcome["history"].([]any)
			require.Len(t, history, len(said), "%s: the history so far", run.name)
			for j, h := range history {
				entry := h.(map[string]any)
				assert.Equal(t, said[j]["role"], entry["role"], "%s: history[%d]", run.name, j)
				assert.Equal(t, said[j]["text"], entry["text"], "%s: history[%d]", run.name, j)
			}
		}

		id := fmt.Sprintf("c%d", i+1)
		reply := exchange(t, conn, map[string]any{"type": "message", "id": id, "text": run.question})
		require.Equal(t, "reply", reply["type"], reply)
		assert.Equal(t, id, reply["reply_to"])
		assert.Equal(t, "answer", reply["kind"], "%s: %q", run.name, run.question)
		assert.Equal(t, run.article, reply["article"], "%s: %q", run.name, run.question)
		assert.NotEmpty(t, reply["kb_version"])
		said = append(said, map[string]any{"role": "user", "text": run.question}, map[string]any{"role": "bot", "text": reply["text"]})

		srv.stop(t)
		assertClosedGoingAway(t, conn)
	}
}

// server is a running `chatbot serve` process.
type server struct {
	addr   string // where it listens
	cmd    *exec.Cmd
	output *syncBuffer
	exited chan struct{} // closed when the process has exited; err is then set
	err    error
}

func startServer(t *testing.T, bin string, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	s := &server{cmd: cmd, output: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s.output, s.output
	require.NoError(t, cmd.Start())
	go func() {
		s.err = cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			_ = cmd.Process.Kill()
			<-s.exited
		}
		if t.Failed() {
			t.Logf("server output:\n%s", s.output)
		}
	})
	s.addr = servingAddr(t, s.exited, s.output)
	waitHealthy(t, s.addr, s.exited, s.output)
	return s
}

// stop sends SIGTERM and expects a graceful exit with status 0.
func (s *server) stop(t *testing.T) {
	t.Helper()
	select {
	case <-s.exited:
		return
	default:
	}
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-s.exited:
		require.NoError(t, s.err, "graceful shutdown exits 0:\n%s", s.output)
	case <-time.After(20 * time.Second):
		t.Fatalf("server did not stop within 20s of SIGTERM:\n%s", s.output)
	}
}

func dialWS(t *testing.T, addr string) *websocket.Conn {
	t.Helper()
	header := http.Header{"Origin": {"http://" + addr}}
	conn, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", header)
	if resp != nil {
		resp.Body.Close()
	}
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

// exchange sends one frame and returns the next frame the server sends.
func exchange(t *testing.T, conn *websocket.Conn, frame map[string]any) map[string]any {
	t.Helper()
	require.NoError(t, conn.SetWriteDeadline(time.Now().Add(5*time.Second)))
	require.NoError(t, conn.WriteJSON(frame))
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	var got map[string]any
	require.NoError(t, conn.ReadJSON(&got))
	return got
}

// assertClosedGoingAway checks that a server shutting down closed the socket with 1001.
func assertClosedGoingAway(t *testing.T, conn *websocket.Conn) {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue // a frame sent before the close
		}
		assert.True(t, websocket.IsCloseError(err, websocket.CloseGoingAway), "want close 1001, got %v", err)
		return
	}
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "chatbot")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build:\n%s", out)
	return bin
}

// TestServeDefaultRun is the README's run command in-process: embedded knowledge base, sessions
// in memory, the chat page at / and the websocket at /ws; cancelling stops it gracefully.
func TestServeDefaultRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := serveInProcess(t, ctx)
	addr, exited, stderr := s.addr, s.exited, s.stderr

	resp, err := http.Get("http://" + addr + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")

	conn := dialWS(t, addr)
	welcome := exchange(t, conn, map[string]any{"type": "hello", "session": "", "locale": "zh-CN"})
	require.Equal(t, "welcome", welcome["type"], welcome)
	reply := exchange(t, conn, map[string]any{"type": "message", "id": "c1", "text": "信用卡逾期了怎么跟银行协商"})
	assert.Equal(t, "negotiate-repayment", reply["article"], reply)
	reply = exchange(t, conn, map[string]any{"type": "message", "id": "c2", "text": "今天天气怎么样"})
	assert.Equal(t, "fallback", reply["kind"], reply)
	assert.Equal(t, "", reply["article"], "no random article")

	cancel()
	select {
	case <-exited:
		assert.Equal(t, exitOK, *s.code, stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20s of cancellation")
	}
	assertClosedGoingAway(t, conn)
	assert.Contains(t, stderr.String(), `"msg":"stopped"`)
}

func TestServeRefusesBrokenKnowledgeBase(t *testing.T) {
	dir := bottest.KBCopy(t)
	article := filepath.Join(dir, "articles", "negotiate-repayment.md")
	data, err := os.ReadFile(article)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(article, []byte(strings.Replace(string(data), "related: [", "related: [no-such-article, ", 1)), 0o644))

	r := runCLI(t, "serve", "--listen", "127.0.0.1:0", "--kb-dir", dir)
	assert.Equal(t, exitFailures, r.code)
	assert.Contains(t, r.stderr, "knowledge base "+dir+" does not load, nothing is serving")
	assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(article)+`:\d+: .*no-such-article`, r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "no-such-article"), "the problem is printed once:\n%s", r.stderr)
	assert.NotContains(t, r.stderr, "previous version", "nothing was serving before")
}

// inProcess is `chatbot serve --listen 127.0.0.1:0` run in this process, healthy.
type inProcess struct {
	addr   string
	exited <-chan struct{} // closed when run returns
	code   *int            // run's exit code, once exited is closed
	stderr *syncBuffer
}

// serveInProcess starts serve in-process until ctx is cancelled and waits until it is healthy.
func serveInProcess(t *testing.T, ctx context.Context) inProcess {
	t.Helper()
	stderr := &syncBuffer{}
	exited := make(chan struct{})
	code := -1
	go func() {
		code = run(ctx, []string{"serve", "--listen", "127.0.0.1:0"}, &syncBuffer{}, stderr)
		close(exited)
	}()
	addr := servingAddr(t, exited, stderr)
	waitHealthy(t, addr, exited, stderr)
	return inProcess{addr: addr, exited: exited, code: &code, stderr: stderr}
}

// servingAddr waits for the server's "serving" log line (JSON or text) and returns the address
// it names: servers in tests listen on port 0, so the kernel picks a free port and no other
// process can take it between choosing and listening.
func servingAddr(t *testing.T, exited <-chan struct{}, output fmt.Stringer) string {
	t.Helper()
	re := regexp.MustCompile(`"msg":"serving","addr":"([^"]+)"|msg=serving addr=(\S+)`)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(output.String()); m != nil {
			return m[1] + m[2]
		}
		select {
		case <-exited:
			t.Fatalf("serve exited before serving:\n%s", output)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not log its address within 60s:\n%s", output)
	return ""
}

// waitHealthy polls /healthz until it answers 200, failing if the server exits first.
func waitHealthy(t *testing.T, addr string, exited <-chan struct{}, output fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("serve exited before it was healthy:\n%s", output)
		default:
		}
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("not healthy on %s within 60s:\n%s", addr, output)
}

func TestServeStopsWhenRedisIsUnreachable(t *testing.T) {
	nobody := bottest.RefusingAddr(t)
	r := runCLI(t, "serve", "--listen", "127.0.0.1:0", "--redis-addr", nobody)
	assert.Equal(t, exitFailures, r.code)
	assert.Contains(t, r.stderr, "redis 127.0.0.1:")
	assert.Contains(t, r.stderr, "connection refused")
}

// TestServeCutsRequestsWhoseBodyNeverArrives: http.read_timeout bounds a request's body, on the
// chat endpoint and on an admin endpoint refused for its missing token, so such connections are
// not held forever and a SIGTERM does not wait for them through its whole grace period.
func TestServeCutsRequestsWhoseBodyNeverArrives(t *testing.T) {
	t.Setenv("CHATBOT_HTTP_READ_TIMEOUT", "1s")
	t.Setenv("CHATBOT_WS_TURN_TIMEOUT", "1s")
	t.Setenv("CHATBOT_HTTP_WRITE_TIMEOUT", "2s")
	t.Setenv("CHATBOT_ADMIN_TOKEN", "admin-token-0123456789")
	t.Setenv("CHATBOT_SHUTDOWN_GRACE", "10m")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := serveInProcess(t, ctx)
	addr, exited := s.addr, s.exited
	conn := dialWS(t, addr) // a websocket outlives both timeouts: the upgrade clears them
	opened := time.Now()
	require.Equal(t, "welcome", exchange(t, conn, map[string]any{"type": "hello"})["type"])

	// held sends a request's headers and the start of a body that never continues, and returns
	// a channel that receives what the server wrote once it closes the connection.
	held := func(path string) <-chan string {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close() })
		_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"type\":", path, addr)
		require.NoError(t, err)
		closed := make(chan string, 1)
		go func() {
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Minute))
			data, _ := io.ReadAll(conn) // returns when the server closes the connection
			closed <- string(data)
		}()
		return closed
	}
	for _, path := range []string{"/api/v1/chat", "/admin/reload"} {
		select {
		case answer := <-held(path):
			if path == "/admin/reload" {
				assert.Contains(t, answer, "401 Unauthorized", "refused, then the connection closed")
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("%s: the connection is still held after 60s", path)
		}
	}

	time.Sleep(time.Until(opened.Add(3 * time.Second))) // past the read and write timeouts
	reply := exchange(t, conn, map[string]any{"type": "message", "id": "c1", "text": "信用卡逾期了怎么跟银行协商"})
	assert.Equal(t, "reply", reply["type"], "the socket is still served: %v", reply)

	held("/api/v1/chat") // a body still missing when the server is told to stop
	cancel()
	select {
	case <-exited:
	case <-time.After(60 * time.Second):
		t.Fatal("serve waited for a request whose body never arrives (grace 10m)")
	}
}

// TestServeStopsWithoutWaitingForABody: with the default read timeout, longer than it should
// take to stop, a request whose body never arrives does not hold SIGTERM: the shutdown stops
// reading from such connections, while a turn already read is answered.
func TestServeStopsWithoutWaitingForABody(t *testing.T) {
	t.Setenv("CHATBOT_HTTP_READ_TIMEOUT", "10m")
	t.Setenv("CHATBOT_HTTP_WRITE_TIMEOUT", "10m")
	t.Setenv("CHATBOT_SHUTDOWN_GRACE", "10m")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := serveInProcess(t, ctx)
	addr, exited, stderr := s.addr, s.exited, s.stderr

	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /api/v1/chat HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", addr)
	require.NoError(t, err)
	// The server is reading the body once /healthz answers on another connection after it.
	waitHealthy(t, addr, exited, stderr)

	cancel()
	select {
	case <-exited:
	case <-time.After(60 * time.Second):
		t.Fatal("serve waited for a request whose body never arrives (grace and read timeout 10m)")
	}
}
