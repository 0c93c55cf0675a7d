package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/config"
)

// result is what one in-process run of the command line printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the chatbot command line in-process, as the binary would.
func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func TestAsk(t *testing.T) {
	r := runCLI(t, "ask", "信用卡逾期了怎么跟银行协商")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "\narticle: negotiate-repayment\n")
	assert.Contains(t, r.stdout, "kind: answer\n")
	assert.Contains(t, r.stdout, "协商", "the answer text comes first")
}

func TestAskJSONIsTheReplyFrame(t *testing.T) {
	r := runCLI(t, "ask", "--json", "信用卡逾期了怎么跟银行协商")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 1, strings.Count(r.stdout, "\n"), "one frame, one line")
	frame := decodeJSON(t, r.stdout)
	for _, field := range []string{"type", "id", "reply_to", "kind", "text", "html", "article", "kb_version", "buttons", "handoff", "at"} {
		assert.Contains(t, frame, field)
	}
	assert.Equal(t, "reply", frame["type"])
	assert.Equal(t, "c1", frame["reply_to"])
	assert.Equal(t, "answer", frame["kind"])
	assert.Equal(t, "negotiate-repayment", frame["article"])
	assert.Contains(t, r.stdout, "<p>", "HTML is not escaped, as on the websocket")
}

func TestAskExplain(t *testing.T) {
	r := runCLI(t, "ask", "--explain", "信用卡逾期了怎么跟银行协商")
	require.Equal(t, exitOK, r.code, r.stderr)
	for _, want := range []string{"normalised: ", "rules:\n", "candidates:\n  1. negotiate-repayment", "decision: "} {
		assert.Contains(t, r.stdout, want)
	}
}

// TestAskExplainsScopeAndDays: the trace shows the scope model's decision and how the days
// overdue were read.
func TestAskExplainsScopeAndDays(t *testing.T) {
	r := runCLI(t, "ask", "--explain", "信用卡分期能提前一次还清吗")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "kind: fallback\n")
	assert.Contains(t, r.stdout, "scope: out of scope: everyday service early-repayment")
	assert.Contains(t, r.stdout, "日常业务", "the knowledge base's scope reply")

	r = runCLI(t, "ask", "--explain", "能推迟3天再还吗")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "days overdue: 3: 「延期3天」")
	assert.Contains(t, r.stdout, "article: grace-period\n")
}

func TestAskFallsBackPolitely(t *testing.T) {
	r := runCLI(t, "ask", "今天天气怎么样")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "article: -\n", "no random article")
	assert.Contains(t, r.stdout, "kind: fallback\n")
}

func TestHelpListsEveryCommand(t *testing.T) {
	r := runCLI(t, "--help")
	require.Equal(t, exitOK, r.code)
	for _, cmd := range []string{"serve", "ask", "eval", "kb", "healthcheck"} {
		assert.Regexp(t, regexp.MustCompile(`(?m)^  `+cmd+`\s+\S`), r.stdout, "a line with a description for %s", cmd)
	}
	for _, cmd := range []string{"kb lint", "kb stats", "kb test", "kb gaps", "kb feedback"} {
		assert.Contains(t, r.stdout, cmd, "the top-level help names the kb commands too")
	}
	r = runCLI(t, "kb", "--help")
	require.Equal(t, exitOK, r.code)
	for _, cmd := range []string{"lint", "stats", "test", "gaps", "feedback"} {
		assert.Regexp(t, regexp.MustCompile(`(?m)^  `+cmd+`\s+\S`), r.stdout, "kb %s", cmd)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"chat"}, `unknown command "chat" for "chatbot" (see chatbot --help)`},
		{"unknown kb command", []string{"kb", "fix"}, `unknown command "fix" for "chatbot kb"`},
		{"unknown flag", []string{"serve", "--port", "80"}, "unknown flag: --port"},
		{"ask without a question", []string{"ask"}, "requires at least 1 arg(s), only received 0 (see chatbot ask --help)"},
		{"ask with a blank question", []string{"ask", "  "}, "the question is empty"},
		{"eval without a file", []string{"eval"}, "accepts 1 arg"},
		{"json and explain", []string{"ask", "--json", "--explain", "x"}, "use --json or --explain"},
		{"gaps without redis", []string{"kb", "gaps"}, "set redis.addr"},
		{"stats of a missing folder", []string{"kb", "stats", "/nope"}, "knowledge base: kb.dir: /nope: no such directory\n"},
		{"test of a file", []string{"kb", "test", "/etc/hostname"}, "/etc/hostname: not a directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.args...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.want)
		})
	}
}

func TestInvalidConfigStopsWithOneLine(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"port out of range", []string{"serve", "--listen", "127.0.0.1:70000"}, nil, "config: listen: port 70000 out of range (0-65535)"},
		{"unknown log level from env", []string{"serve"}, map[string]string{"CHATBOT_LOG_LEVEL": "loud"}, `config: log.level: unknown level "loud" (debug|info|warn|error)`},
		{"missing kb dir", []string{"serve", "--kb-dir", "/nope"}, nil, "config: kb.dir: /nope: no such directory"},
		{"same check for ask", []string{"ask", "--kb-dir", "/nope", "问题"}, nil, "config: kb.dir: /nope: no such directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			r := runCLI(t, tt.args...)
			assert.Equal(t, exitUsage, r.code)
			assert.Equal(t, tt.want+"\n", r.stderr, "exactly one line")
			assert.Empty(t, r.stdout)
		})
	}
}

func TestEval(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.tsv")
	require.NoError(t, os.WriteFile(good, []byte("# question\ttopic\n信用卡逾期了怎么跟银行协商\tnegotiate-repayment\n今天天气怎么样\t_fallback\n"), 0o644))
	bad := filepath.Join(dir, "bad.tsv")
	require.NoError(t, os.WriteFile(bad, []byte("信用卡逾期了怎么跟银行协商 negotiate-repayment\n"), 0o644))

	r := runCLI(t, "eval", good)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "top-1 accuracy: 100.0% (2/2)")
	assert.Contains(t, r.stdout, "fallback recall: 100.0% (1/1)")

	r = runCLI(t, "eval", bad)
	assert.Equal(t, exitFailures, r.code)
	assert.Contains(t, r.stderr, "line 1")

	// Save a run, then compare a relabelled file with it: one newly wrong, one skipped topic.
	run := filepath.Join(dir, "run.json")
	r = runCLI(t, "eval", "--save", run, good)
	require.Equal(t, exitOK, r.code, r.stderr)
	relabelled := filepath.Join(dir, "relabelled.tsv")
	require.NoError(t, os.WriteFile(relabelled, []byte("信用卡逾期了怎么跟银行协商\tnegotiate-repayment\n今天天气怎么样\t_fallback\n被法院判了\tno-such-topic\n"), 0o644))
	r = runCLI(t, "eval", "--compare", run, relabelled)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "skipped: 1 questions labelled with topics that have no article (no-such-topic 1)")
	assert.Contains(t, r.stdout, "newly right: 0, newly wrong: 0, wrong differently: 0")
	r = runCLI(t, "eval", "--compare", filepath.Join(dir, "missing.json"), good)
	assert.Equal(t, exitFailures, r.code)
	assert.Contains(t, r.stderr, "eval --compare")

	r = runCLI(t, "eval", filepath.Join(dir, "missing.tsv"))
	assert.Equal(t, exitFailures, r.code)
	assert.Contains(t, r.stderr, "no such file")
}

func TestHealthcheck(t *testing.T) {
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
		}
	}))
	defer healthy.Close()
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer sick.Close()

	r := runCLI(t, "healthcheck", "--listen", strings.TrimPrefix(healthy.URL, "http://"))
	assert.Equal(t, exitOK, r.code, r.stderr)
	r = runCLI(t, "healthcheck", "--listen", strings.TrimPrefix(sick.URL, "http://"))
	assert.Equal(t, exitFailures, r.code)
	assert.Contains(t, r.stderr, "503")
}

func TestHealthzURL(t *testing.T) {
	tests := map[string]string{
		"0.0.0.0:8080":   "http://127.0.0.1:8080/healthz",
		":8080":          "http://127.0.0.1:8080/healthz",
		"[::]:8080":      "http://127.0.0.1:8080/healthz",
		"10.1.2.3:9000":  "http://10.1.2.3:9000/healthz",
		"127.0.0.1:8080": "http://127.0.0.1:8080/healthz",
	}
	for listen, want := range tests {
		t.Run(listen, func(t *testing.T) {
			assert.Equal(t, want, healthzURL(listen))
		})
	}
}

func TestLogsAreMaskedAtEveryLevel(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(config.Log{Level: "debug", Format: "json"}, &buf)
	log.Debug("text 13812345678", "text", "卡号6222021234567890", "session", "0123456789abcdef0123456789abcdef")
	log.Error("failed", "err", errors.New("request quoted 密码是abc123 and a@b.example"))
	out := buf.String()
	for _, leak := range []string{"13812345678", "6222021234567890", "abc123", "a@b.example"} {
		assert.NotContains(t, out, leak)
	}
	assert.Contains(t, out, "0123456789abcdef0123456789abcdef", "session ids stay whole")
	assert.Contains(t, out, "138****5678")
}
