package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot/events"
	"chatbot/knowledge"
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
		{"port out of range", []string{"serve", "--listen", "127.0.0.1:70000"}, nil, "config: listen: port 70000 out of range (1-65535)"},
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

func TestKBLint(t *testing.T) {
	t.Run("built-in knowledge base is clean", func(t *testing.T) {
		r := runCLI(t, "kb", "lint")
		assert.Equal(t, exitOK, r.code, r.stdout+r.stderr)
		assert.Contains(t, r.stderr, "knowledge/zh-CN (embedded): 0 errors")
	})
	t.Run("broken folder prints file:line and exits 1", func(t *testing.T) {
		dir := copyKB(t)
		article := filepath.Join(dir, "articles", "negotiate-repayment.md")
		data, err := os.ReadFile(article)
		require.NoError(t, err)
		broken := strings.Replace(string(data), "related: [", "related: [no-such-article, ", 1)
		require.NotEqual(t, string(data), broken, "the article lists related ids")
		require.NoError(t, os.WriteFile(article, []byte(broken), 0o644))

		r := runCLI(t, "kb", "lint", dir)
		assert.Equal(t, exitFailures, r.code, r.stdout+r.stderr)
		assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(article)+`:\d+: .*no-such-article`, r.stdout)
		assert.Contains(t, r.stderr, dir+": 1 errors")
	})
	t.Run("missing folder", func(t *testing.T) {
		r := runCLI(t, "kb", "lint", "/nope")
		assert.Equal(t, exitUsage, r.code)
		assert.Equal(t, "knowledge base: kb.dir: /nope: no such directory\n", r.stderr)
	})
}

func TestKBStats(t *testing.T) {
	r := runCLI(t, "kb", "stats")
	require.Equal(t, exitOK, r.code, r.stderr)
	for _, want := range []string{"knowledge/zh-CN (embedded)", "articles:", "example questions:", "vocabulary:", "unconfirmed:", "topics covered:", "topics missing:"} {
		assert.Contains(t, r.stdout, want)
	}
}

func TestKBTest(t *testing.T) {
	t.Run("built-in conversations pass", func(t *testing.T) {
		r := runCLI(t, "kb", "test")
		assert.Equal(t, exitOK, r.code, r.stdout+r.stderr)
		assert.Regexp(t, `passed, 0 failed\n$`, r.stdout)
	})
	t.Run("a failing conversation exits 1 and names its line", func(t *testing.T) {
		dir := copyKB(t)
		file := filepath.Join(dir, "conversations", "zz-broken.yaml")
		require.NoError(t, os.WriteFile(file, []byte(
			"- name: 故意写错的期望\n  turns:\n    - say: 信用卡逾期了怎么跟银行协商\n      expect: {kind: answer, article: credit-report}\n"), 0o644))
		r := runCLI(t, "kb", "test", dir)
		assert.Equal(t, exitFailures, r.code, r.stdout+r.stderr)
		assert.Contains(t, r.stdout, "FAIL 故意写错的期望")
		assert.Regexp(t, regexp.QuoteMeta(file)+`:\d+: turn 1 .*article`, r.stdout)
		assert.Regexp(t, `1 failed\n$`, r.stdout)
	})
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

// copyKB copies the embedded knowledge base into a temporary folder an editor could change.
func copyKB(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "kb")
	require.NoError(t, os.CopyFS(dir, knowledge.Embedded()))
	return dir
}

func TestKBGaps(t *testing.T) {
	rdb := requireRedis(t)
	prefix := "chatbot-gaps-" + randomHex(t, 6)
	t.Cleanup(func() { deleteKeys(t, rdb, prefix) })
	sink := events.NewRedis(rdb, prefix, events.Options{})
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i, q := range []struct{ text, normalised string }{
		{"信用卡能换积分吗", "信用卡能换积分吗"},
		{"怎么开通网银", "怎么开通网银"},
		{"信用卡能换积分吗？", "信用卡能换积分吗"},
	} {
		u := events.Unanswered{Session: "s", Text: q.text, Normalised: q.normalised, At: at.Add(time.Duration(i) * time.Minute)}
		require.NoError(t, sink.Unanswered(context.Background(), u))
	}
	t.Setenv("CHATBOT_REDIS_PREFIX", prefix)

	r := runCLI(t, "kb", "gaps", "--redis-addr", testRedisAddr)
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3, r.stdout)
	assert.Regexp(t, `^COUNT\s+LAST ASKED\s+NORMALISED\s+LATEST WORDING$`, lines[0])
	assert.Regexp(t, `^2\s+.*信用卡能换积分吗\s+信用卡能换积分吗？$`, lines[1], "most frequent first, latest wording")
	assert.Regexp(t, `^1\s+.*怎么开通网银`, lines[2])

	r = runCLI(t, "kb", "gaps", "--redis-addr", testRedisAddr, "--top", "1")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), 2)
}

func TestServeStopsWhenRedisIsUnreachable(t *testing.T) {
	nobody := freeAddr(t) // closed again: nothing listens there
	r := runCLI(t, "serve", "--listen", freeAddr(t), "--redis-addr", nobody)
	assert.Equal(t, exitFailures, r.code)
	assert.Contains(t, r.stderr, "redis 127.0.0.1:")
	assert.Contains(t, r.stderr, "connection refused")
}

// TestKBLintReportsEveryProblemKind is what an editor sees: one mistake in a copy of the built-in
// knowledge base, `chatbot kb lint DIR`, exit 1 and a file:line: message naming it. The error count
// checks that one mistake is reported once, not again at every reference to what it broke.
func TestKBLintReportsEveryProblemKind(t *testing.T) {
	tests := []struct {
		name string
		file string                       // the file the message names, relative to the knowledge base
		edit func(t *testing.T, f string) // changes f, the file's full path
		want string                       // regexp of the message after "file:line: "
	}{
		{"bad YAML", "articles/negotiate-repayment.md", replaceLine(`title: .*`, "title: 协商: 还款"),
			`invalid YAML: mapping values are not allowed in this context`},
		{"missing required field", "articles/credit-report.md", replaceLine(`title: .*`, ""),
			`missing required field "title"`},
		{"duplicate id", "articles/credit-report-copy.md", copyFrom("credit-report.md"),
			`duplicate article id "credit-report" \(also in articles/credit-report.md:1\)`},
		{"unknown related id", "articles/negotiate-repayment.md", replaceFirst("related: [", "related: [no-such-article, "),
			`related id "no-such-article" does not exist`},
		{"unsafe link", "articles/negotiate-repayment.md", appendText("详情见[这里](javascript:alert(1))。"),
			`unsafe link "javascript:alert\(1\)": only https://, http:// and tel: links are allowed`},
		{"raw HTML", "articles/negotiate-repayment.md", appendText("请<br>注意。"),
			`raw HTML is not allowed: "<br>"; use Markdown`},
		{"numbers without sources", "articles/credit-report.md", replaceLine(`sources: .*`, ""),
			`numbers stated without sources: .*; add the KB-FACTS ids to sources`},
		{"example routed to another article", "articles/grace-period.md", replaceLine(`questions:`, "questions:\n  - 征信报告一年能免费查几次呀"),
			`example question "征信报告一年能免费查几次呀" of grace-period is routed to credit-report `},
		{"topic with no article", "topics.yaml", appendText("  - {id: card-activation, title: 信用卡激活}"),
			`topic "card-activation" has no article \(add articles/card-activation.md\)`},
		{"unconfirmed hotline", "articles/bank-hotlines.md", appendText("浦发信用卡中心：400-820-8788。"),
			`states "400-820-8788" \(浦发信用卡中心电话\), which KB-FACTS F6 marks UNCONFIRMED`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyKB(t)
			path := filepath.Join(dir, tt.file)
			tt.edit(t, path)

			r := runCLI(t, "kb", "lint", dir)
			assert.Equal(t, exitFailures, r.code, r.stdout+r.stderr)
			assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(path)+`:\d+: `+tt.want, r.stdout)
			assert.Contains(t, r.stderr, dir+": 1 errors,", "one mistake, one error:\n%s", r.stdout)
		})
	}
}

// editFile returns an edit that rewrites a file with change, which must change it.
func editFile(change func(src string) string) func(t *testing.T, f string) {
	return func(t *testing.T, f string) {
		t.Helper()
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		edited := change(string(src))
		require.NotEqual(t, string(src), edited, "the edit changes %s", f)
		require.NoError(t, os.WriteFile(f, []byte(edited), 0o644))
	}
}

// replaceLine replaces the first line matching pattern with the given text.
func replaceLine(pattern, with string) func(t *testing.T, f string) {
	re := regexp.MustCompile(`(?m)^` + pattern + `.*$`)
	return editFile(func(src string) string {
		loc := re.FindStringIndex(src)
		if loc == nil {
			return src
		}
		return src[:loc[0]] + with + src[loc[1]:]
	})
}

func replaceFirst(old, with string) func(t *testing.T, f string) {
	return editFile(func(src string) string { return strings.Replace(src, old, with, 1) })
}

func appendText(text string) func(t *testing.T, f string) {
	return editFile(func(src string) string { return strings.TrimRight(src, "\n") + "\n\n" + text + "\n" })
}

// copyFrom makes f a copy of another file in its folder, as an editor starting a new article does.
func copyFrom(name string) func(t *testing.T, f string) {
	return func(t *testing.T, f string) {
		t.Helper()
		src, err := os.ReadFile(filepath.Join(filepath.Dir(f), name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(f, src, 0o644))
	}
}

func TestKBFeedback(t *testing.T) {
	rdb := requireRedis(t)
	prefix := "chatbot-feedback-" + randomHex(t, 6)
	t.Cleanup(func() { deleteKeys(t, rdb, prefix) })
	t.Setenv("CHATBOT_REDIS_PREFIX", prefix)

	r := runCLI(t, "kb", "feedback", "--redis-addr", testRedisAddr)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "no feedback recorded\n", r.stdout)

	sink := events.NewRedis(rdb, prefix, events.Options{})
	no := false
	for _, f := range []events.Feedback{
		{Article: "credit-report", Useful: true},
		{Article: "credit-report", Useful: true},
		{Article: "credit-report", Useful: false},
		{Article: "negotiate-repayment", Useful: true},
		{Article: "negotiate-repayment", Useful: false},
		{Article: "negotiate-repayment", Useful: false},
		{Article: "negotiate-repayment", Useful: true, Replaces: &no}, // a user changed their mind
		{Article: "late-fees", Useful: true},
	} {
		require.NoError(t, sink.Feedback(context.Background(), f))
	}
	r = runCLI(t, "kb", "feedback", "--redis-addr", testRedisAddr)
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 4, r.stdout)
	assert.Regexp(t, `^NOT USEFUL\s+USEFUL\s+USEFUL %\s+ARTICLE$`, lines[0])
	assert.Regexp(t, `^1\s+2\s+67%\s+credit-report$`, lines[1], "least useful first; ties: most votes first")
	assert.Regexp(t, `^1\s+2\s+67%\s+negotiate-repayment$`, lines[2])
	assert.Regexp(t, `^0\s+1\s+100%\s+late-fees$`, lines[3])

	t.Setenv("CHATBOT_REDIS_ADDR", "")
	r = runCLI(t, "kb", "feedback")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "redis.addr")
}
