package dialog

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestEvaluate(t *testing.T) {
	f, err := os.Open("testdata/eval.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := Evaluate(testEngine(t), f)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range rep.Items {
		got[it.Question] = it.Got
	}
	want := map[string]string{
		"逾期了征信会受影响吗": "credit-report",
		"明天会不会下雨":    FallbackLabel,
		"写个排序算法":     FallbackLabel,
		"转人工":        "human-agent",          // a handoff the user asked for
		"年费":         clarifyLabel,           // a clarify is a miss
		"信用卡逾期有什么后果": "overdue-consequences", // a flow asking counts as its article
		"怎么跟银行协商还款":  "negotiate-repayment",
	}
	for q, w := range want {
		if got[q] != w {
			t.Errorf("%s: got %q, want %q", q, got[q], w)
		}
	}
	if len(rep.Items) != 9 || rep.Correct != 7 {
		t.Errorf("items=%d correct=%d, want 9 and 7", len(rep.Items), rep.Correct)
	}
	if rep.FallbackRecall() != 1 || rep.FallbackPrecision() != 1 {
		t.Errorf("fallback precision %.2f recall %.2f, want 1 and 1", rep.FallbackPrecision(), rep.FallbackRecall())
	}

	var out bytes.Buffer
	if err := rep.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"top-1 accuracy: 77.8% (7/9)",
		"fallback precision: 100.0% (2/2)",
		"fallback recall: 100.0% (2/2)",
		"late-fees                    100.0% (1/1)",
		"1  credit-report -> negotiate-repayment",
		"line 11: 怎么跟银行协商还款\n    want credit-report, got negotiate-repayment",
		"line 8: 年费\n    want annual-fee, got _clarify",
	} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("report lacks %q:\n%s", s, out.String())
		}
	}
	var again bytes.Buffer
	rep2, _ := Evaluate(testEngine(t), strings.NewReader(readFile(t, "testdata/eval.tsv")))
	rep2.Write(&again)
	if again.String() != out.String() {
		t.Error("two evaluations of the same file print different reports")
	}
}

func TestEvaluateRejectsMalformedLines(t *testing.T) {
	for _, in := range []string{"no tab here\n", "问题\t\n", "\tcredit-report\n", "a\tb\tc\n"} {
		_, err := Evaluate(testEngine(t), strings.NewReader("逾期会影响征信吗\tcredit-report\n"+in))
		if err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%q: err = %v, want an error naming line 2", in, err)
		}
	}
}

func TestRunConversations(t *testing.T) {
	res := RunConversations(testEngine(t))
	if len(res) != 2 {
		t.Fatalf("got %d results, want 2", len(res))
	}
	if !res[0].Passed() {
		t.Errorf("conversation %q failed: %v", res[0].Name, res[0].Failures)
	}
	if res[1].Passed() || len(res[1].Failures) != 2 {
		t.Fatalf("conversation %q: failures %v, want 2 (article and contains)", res[1].Name, res[1].Failures)
	}
	first := res[1].Failures[0].String()
	if !strings.HasPrefix(first, "conversations/t.yaml:9: turn 1 (逾期会影响征信吗): article: want \"grace-period\", got \"credit-report\"") {
		t.Errorf("failure = %q", first)
	}
	if got := res[1].Failures[1].Message; got != `text does not contain "7年"` {
		t.Errorf("failure = %q", got)
	}
}

func TestCheckRouting(t *testing.T) {
	// The twins share their only example: one of them cannot get it.
	ps := CheckRouting(testEngine(t))
	if len(ps) != 1 || !strings.HasPrefix(ps[0].String(), "articles/annual-fee") {
		t.Fatalf("hand-built knowledge base: routing problems %v, want only the twins'", ps)
	}
	kb := testKB()
	a, _ := kb.Article("grace-period")
	a.Questions = append(a.Questions, examples("articles/grace-period.md", "", "", "", "", "", "逾期会影响征信")[5])
	e, err := New(kb, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ps = CheckRouting(e)
	if len(ps) != 2 {
		t.Fatalf("problems = %v, want the twins' and one more", ps)
	}
	want := "articles/grace-period.md:9: example question \"逾期会影响征信\" of grace-period is routed to credit-report"
	if !strings.HasPrefix(ps[0].String(), want) && !strings.HasPrefix(ps[1].String(), want) {
		t.Errorf("problems = %v, want one starting %q", ps, want)
	}
}

func TestCheckRoutingReportsAnsweredOutOfScopeExamples(t *testing.T) {
	kb := testKB()
	kb.OutOfScope = append(kb.OutOfScope, examples("out-of-scope.yaml", "", "", "", "", "信用卡有没有宽限期")[4])
	e, err := New(kb, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	want := `out-of-scope.yaml:8: out-of-scope question "信用卡有没有宽限期" is answered as grace-period`
	ps := CheckRouting(e)
	if len(ps) != 2 || !strings.HasPrefix(ps[1].String(), want) {
		t.Errorf("problems = %v, want the twins' and one starting %q", ps, want)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEvaluateSkipsTopicsWithoutArticle(t *testing.T) {
	in := "逾期会影响征信吗\tcredit-report\n被法院判了怎么办\tcourt-enforcement\n限高了能坐火车吗\tcourt-enforcement\n明天会下雨吗\t_fallback\n"
	rep, err := Evaluate(testEngine(t), strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Items) != 2 || rep.SkippedTotal() != 2 || rep.Skipped["court-enforcement"] != 2 {
		t.Fatalf("items=%d skipped=%v, want 2 asked and court-enforcement 2 skipped", len(rep.Items), rep.Skipped)
	}
	var out bytes.Buffer
	rep.Write(&out)
	if want := "skipped: 2 questions labelled with topics that have no article (court-enforcement 2)"; !strings.Contains(out.String(), want) {
		t.Errorf("report lacks %q:\n%s", want, out.String())
	}
}

func TestEvalRunSaveAndCompare(t *testing.T) {
	e := testEngine(t)
	before, err := Evaluate(e, strings.NewReader("逾期了征信会受影响吗\tcredit-report\n明天会不会下雨\tgrace-period\n写个排序算法\t_fallback\n晚还一天算不算逾期\tlate-fees\n"))
	if err != nil {
		t.Fatal(err)
	}
	var saved bytes.Buffer
	if err := before.Run("v1").WriteJSON(&saved); err != nil {
		t.Fatal(err)
	}
	run, err := ReadRun(&saved)
	if err != nil {
		t.Fatal(err)
	}
	if run.KBVersion != "v1" || len(run.Items) != 4 {
		t.Fatalf("round trip: %+v", run)
	}
	// The labels changed since: one answer is now right, one now wrong, one wrong differently;
	// one question is new.
	after, err := Evaluate(e, strings.NewReader("逾期了征信会受影响吗\tcredit-report\n明天会不会下雨\t_fallback\n写个排序算法\tgrace-period\n转人工\thuman-agent\n"))
	if err != nil {
		t.Fatal(err)
	}
	// Simulate an engine change for the fourth saved question by editing the saved outcome.
	run.Items[3].Question, run.Items[3].Want, run.Items[3].Got = "转人工", "human-agent", "_fallback"
	c := Compare(run, after)
	if len(c.NewlyRight) != 1 || c.NewlyRight[0].Question != "转人工" {
		t.Errorf("newly right = %+v, want 转人工", c.NewlyRight)
	}
	if len(c.NewlyWrong) != 0 || c.Added != 2 || c.Removed != 2 {
		t.Errorf("newly wrong %+v, added %d, removed %d; want none, 2, 2 (two labels changed)", c.NewlyWrong, c.Added, c.Removed)
	}
	run.Items[0].Got = "credit-report"
	after.Items[0].Got = "grace-period"
	c = Compare(run, after)
	if len(c.NewlyWrong) != 1 || c.NewlyWrong[0].Before != "credit-report" || c.NewlyWrong[0].After != "grace-period" {
		t.Errorf("newly wrong = %+v", c.NewlyWrong)
	}
	var out bytes.Buffer
	if err := c.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"newly right: 1, newly wrong: 1", "newly wrong:\n  line 1: 逾期了征信会受影响吗\n    want credit-report: was credit-report, now grace-period"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("comparison lacks %q:\n%s", s, out.String())
		}
	}
	if _, err := ReadRun(strings.NewReader(`{"items": [], "extra": 1}`)); err == nil {
		t.Error("a file with unknown fields was read as a run")
	}
}
