package main

// The knowledge-base commands an editor runs: kb lint, stats, test, gaps and feedback.

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot/bottest"
	"chatbot/bot/events"
)

func TestKBLint(t *testing.T) {
	t.Run("built-in knowledge base is clean", func(t *testing.T) {
		r := runCLI(t, "kb", "lint")
		assert.Equal(t, exitOK, r.code, r.stdout+r.stderr)
		assert.Contains(t, r.stderr, "knowledge/zh-CN (embedded): 0 errors")
	})
	t.Run("broken folder prints file:line and exits 1", func(t *testing.T) {
		dir := bottest.KBCopy(t)
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
		dir := bottest.KBCopy(t)
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

func TestKBGaps(t *testing.T) {
	rdb, prefix := bottest.Redis(t)
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

	r := runCLI(t, "kb", "gaps", "--redis-addr", bottest.RedisAddr)
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3, r.stdout)
	assert.Regexp(t, `^COUNT\s+LAST ASKED\s+NORMALISED\s+LATEST WORDING$`, lines[0])
	assert.Regexp(t, `^2\s+.*信用卡能换积分吗\s+信用卡能换积分吗？$`, lines[1], "most frequent first, latest wording")
	assert.Regexp(t, `^1\s+.*怎么开通网银`, lines[2])

	r = runCLI(t, "kb", "gaps", "--redis-addr", bottest.RedisAddr, "--top", "1")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), 2)
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
		{"legal statement without sources", "articles/credit-report.md", replaceLine(`sources: .*`, ""),
			`legal or regulatory statement without sources \(.*\): cite the facts it rests on in sources \(ids from facts.yaml\)`},
		{"unknown source id", "articles/credit-report.md", replaceFirst("sources: [", "sources: [F99.9, "),
			`source "F99.9" is not in facts.yaml`},
		{"lead of two sentences", "articles/credit-report.md", replaceLine(`lead: .*`, "lead: 先还清。再查征信。"),
			`lead is one sentence: join the parts with ， or ；, or move the rest to the body`},
		{"lead too long", "articles/credit-report.md", replaceLine(`lead: .*`, "lead: "+strings.Repeat("请先联系发卡行，", 11)),
			`lead has 88 characters \(with placeholders filled the longest way\); at most 80`},
		{"example routed to another article", "articles/grace-period.md", replaceLine(`questions:`, "questions:\n  - 征信报告一年能免费查几次呀"),
			`example question "征信报告一年能免费查几次呀" of grace-period is routed to credit-report `},
		{"topic with no article", "topics.yaml", appendText("  - {id: card-activation, title: 信用卡激活}"),
			`topic "card-activation" has no article \(add articles/card-activation.md\)`},
		{"unconfirmed hotline", "articles/bank-hotlines.md", appendText("浦发信用卡中心：400-820-8788。"),
			`states "400-820-8788" \(浦发信用卡中心电话\), which KB-FACTS F6 marks UNCONFIRMED`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := bottest.KBCopy(t)
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
	rdb, prefix := bottest.Redis(t)
	t.Setenv("CHATBOT_REDIS_PREFIX", prefix)

	r := runCLI(t, "kb", "feedback", "--redis-addr", bottest.RedisAddr)
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
	r = runCLI(t, "kb", "feedback", "--redis-addr", bottest.RedisAddr)
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
