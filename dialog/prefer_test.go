package dialog

import (
	"strings"
	"testing"

	"chatbot/knowledge"
)

// preferEngine is testEngine with extra rules appended after the built-in ones.
func preferEngine(t *testing.T, rules ...*knowledge.Rule) *Engine {
	t.Helper()
	kb := testKB()
	kb.Rules = append(kb.Rules, rules...)
	e, err := New(kb.Index(), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func prefer(id, article string, patterns ...string) *knowledge.Rule {
	r := &knowledge.Rule{ID: id, Kind: knowledge.RulePrefer, Article: article}
	for _, p := range patterns {
		r.Patterns = append(r.Patterns, strings.Split(p, "&"))
	}
	return r
}

func ruleTrace(r Reply, id string) (RuleTrace, bool) {
	for _, rt := range r.Trace.Rules {
		if rt.ID == id {
			return rt, true
		}
	}
	return RuleTrace{}, false
}

func TestPreferRules(t *testing.T) {
	shortDelay := prefer("short-delay", "grace-period", "征信")
	shortDelay.When = map[string][]string{"days_overdue": {"1-5"}}
	shortDelay.Unless = [][]string{{"协商"}}
	fees := prefer("fees", "late-fees", "征信")
	waiver := prefer("waiver", "annual-fee-waiver", "年费")
	everything := prefer("card", "grace-period", "信用卡")
	despair := prefer("despair", "grace-period", "不想活")

	tests := []struct {
		name    string
		rules   []*knowledge.Rule
		in      string
		kind    Kind
		article string
		rule    string // the prefer rule traced as matched, "" for none
		pattern string // substring of that rule's traced pattern
	}{
		{"without a rule, scoring decides", nil, "晚了2天 会影响征信吗", KindAnswer, "credit-report", "", ""},
		{"a matching rule lifts its article", []*knowledge.Rule{shortDelay}, "晚了2天 会影响征信吗", KindAnswer, "grace-period",
			"short-delay", "征信 (when days_overdue=2 in [1-5])"},
		{"when not met: scoring decides", []*knowledge.Rule{shortDelay}, "逾期两个月了 会影响征信吗", KindAnswer, "credit-report", "", ""},
		{"unless cancels", []*knowledge.Rule{shortDelay}, "晚了2天 想协商 会影响征信吗", "", "", "", ""},
		{"the first matching prefer rule wins", []*knowledge.Rule{shortDelay, fees}, "晚了2天 会影响征信吗", KindAnswer, "grace-period", "short-delay", ""},
		{"a later one applies when the first does not match", []*knowledge.Rule{shortDelay, fees}, "逾期两个月了 会影响征信吗", KindAnswer, "late-fees", "fees", ""},
		{"settles what would be a clarify", []*knowledge.Rule{waiver}, "信用卡年费怎么收", KindAnswer, "annual-fee-waiver", "waiver", ""},
		{"never turns a fallback into an answer", []*knowledge.Rule{everything}, "怎么申请一张新信用卡", KindFallback, "", "card", ""},
		{"acting rules still act", []*knowledge.Rule{despair}, "我不想活了", KindAnswer, "emotional-support", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := preferEngine(t, tt.rules...)
			r, _ := e.Explain(State{}, Input{Text: tt.in})
			if tt.kind != "" && (r.Kind != tt.kind || r.Article != tt.article) {
				t.Errorf("got %s %q, want %s %q (%s)", r.Kind, r.Article, tt.kind, tt.article, r.Trace.Decision)
			}
			var matched []RuleTrace
			for _, rt := range r.Trace.Rules {
				if rt.Matched && strings.Contains(" short-delay fees waiver card despair ", " "+rt.ID+" ") {
					matched = append(matched, rt)
				}
			}
			if tt.rule == "" {
				if len(matched) > 0 {
					t.Errorf("prefer rules matched: %+v", matched)
				}
				return
			}
			if len(matched) != 1 || matched[0].ID != tt.rule || !strings.Contains(matched[0].Pattern, tt.pattern) {
				t.Errorf("matched prefer rules = %+v, want only %s with pattern containing %q", matched, tt.rule, tt.pattern)
			}
		})
	}
}

func TestPreferIsExplained(t *testing.T) {
	r := prefer("short-delay", "grace-period", "征信")
	r.When = map[string][]string{"days_overdue": {"1-5"}}
	e := preferEngine(t, r)

	got, _ := e.Explain(State{}, Input{Text: "晚了2天 会影响征信吗"})
	top := got.Trace.Candidates[0]
	if top.Article != "grace-period" || top.Parts[partPrefer] <= 0 {
		t.Errorf("top candidate = %+v, want grace-period with a %q part", top, partPrefer)
	}
	if !strings.Contains(got.Trace.Decision, "prefer short-delay: grace-period lifted by") ||
		!strings.Contains(got.Trace.Decision, "chosen by prefer rule short-delay") {
		t.Errorf("decision = %q", got.Trace.Decision)
	}
	if s := got.Trace.String(); !strings.Contains(s, "+ short-delay [征信 (when days_overdue=2 in [1-5])]") {
		t.Errorf("trace lacks the prefer rule:\n%s", s)
	}

	got, _ = e.Explain(State{}, Input{Text: "逾期两个月了 会影响征信吗"})
	rt, ok := ruleTrace(got, "short-delay")
	if !ok || rt.Matched || !strings.Contains(rt.Pattern, "when days_overdue=60 in [1-5] not met") {
		t.Errorf("rule trace = %+v, want a condition not met", rt)
	}
}

func TestPreferWithinAFlow(t *testing.T) {
	// While a flow waits for a slot, a prefer rule decides which article the message leaves for.
	e := preferEngine(t, prefer("fees", "late-fees", "征信"))
	rs, _ := say(e, State{}, "帮我跟银行谈", "逾期会影响征信吗 记录保留几年")
	if rs[1].Article != "late-fees" {
		t.Errorf("left the flow for %q, want late-fees (%s)", rs[1].Article, rs[1].Trace.Decision)
	}
}

func TestRefusalArticlesAreNotScored(t *testing.T) {
	e := testEngine(t)
	for _, in := range []string{"信用卡一直不还会有什么事", "不还信用卡的话"} {
		r, _ := e.Explain(State{}, Input{Text: in})
		if r.Article == "refuse-evasion" {
			t.Errorf("%q refused without a refusal rule (%s)", in, r.Trace.Decision)
		}
		for _, c := range r.Trace.Candidates {
			if c.Article == "refuse-evasion" {
				t.Errorf("%q: refuse-evasion scored: %+v", in, c)
			}
		}
	}
	// The rule still answers with it.
	if r, _ := e.Explain(State{}, Input{Text: "怎么才能不还信用卡"}); r.Article != "refuse-evasion" {
		t.Errorf("refusal rule answered %q", r.Article)
	}
}

func TestNearestOutOfScopeExampleDecides(t *testing.T) {
	kb := testKB()
	// Many unrelated out-of-scope questions make their average wording say little, so the
	// article whose keyword (宽限期) the message names outscores them as a whole.
	kb.OutOfScope = append(kb.OutOfScope, examples("out-of-scope.yaml", "宽限期能换积分吗", "给我讲个笑话",
		"附近有什么好吃的", "帮我订一张机票", "今天星期几", "怎么减肥最快", "推荐一部电影", "手机没信号怎么办")...)
	e, err := New(kb.Index(), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	r, _ := e.Explain(State{}, Input{Text: "宽限期积分"})
	if r.Kind != KindFallback {
		t.Fatalf("got %s %q, want a fallback:\n%s", r.Kind, r.Article, r.Trace)
	}
	if top := r.Trace.Candidates[0]; top.Article != outOfScope || top.Parts[partNearest] <= 0 {
		t.Errorf("top = %+v, want out of scope lifted by its nearest example", top)
	}
}

// TestRuleWordsSurviveRewrites: a rule word that a longer vocabulary variant swallows (还了 in
// 全还了 -> 还清) is still found; alternatives (a|b) match any one of them.
func TestRuleWordsSurviveRewrites(t *testing.T) {
	e := embedded(t)
	tests := []struct {
		pattern []string
		in      string
		want    bool
	}{
		{[]string{"还了", "催收"}, "钱早就全还了 还在催款", true},
		{[]string{"还了", "催收"}, "钱还清了 还在催款", false}, // 还清 holds no 还了, as written or not
		{[]string{"逾期|违约", "能用|再用"}, "违约过的卡还能再用吗", true},
		{[]string{"逾期|违约", "能用|再用"}, "违约金怎么算", false},
	}
	for _, tt := range tests {
		m := e.norm.normalise(tt.in)
		got, ok := firstMatch(compilePatterns(e.norm, [][]string{tt.pattern}), &m)
		if ok != tt.want {
			t.Errorf("%v in %q: matched %v (%q), want %v", tt.pattern, tt.in, ok, got, tt.want)
		}
	}
}

// TestAskedClause: in a message of several clauses, unless_asked cancels a prefer rule only from
// the clause that asks; a word said in passing elsewhere does not turn the rule off.
func TestAskedClause(t *testing.T) {
	fees := prefer("fees", "late-fees", "逾期&违约金")
	plan := prefer("plan", "credit-report", "逾期&协商")
	plan.UnlessAsked = [][]string{{"违约金"}}
	tests := []struct {
		name, in, want, trace string
	}{
		{"said in passing does not cancel", "逾期了 违约金好几千 想跟银行协商一下", "plan", ""},
		{"asked in the question clause cancels", "逾期了 想协商违约金", "fees", "unless asked 违约金"},
		{"one clause: the whole message is asked", "逾期了违约金交了想协商", "fees", "unless asked 违约金"},
		{"a short question clause asks with the clause before", "逾期了想协商违约金 行吗", "fees", "unless asked 违约金"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := preferEngine(t, plan, fees)
			r, _ := e.Explain(State{}, Input{Text: tt.in})
			var matched, traces []string
			for _, rt := range r.Trace.Rules {
				if rt.ID == "fees" || rt.ID == "plan" {
					if rt.Matched {
						matched = append(matched, rt.ID)
					}
					traces = append(traces, rt.Pattern)
				}
			}
			if len(matched) != 1 || matched[0] != tt.want {
				t.Errorf("matched %v, want %q; traces %q", matched, tt.want, traces)
			}
			if tt.trace != "" && !strings.Contains(strings.Join(traces, " | "), tt.trace) {
				t.Errorf("traces %q lack %q", traces, tt.trace)
			}
		})
	}
}

// TestCourtesyLeftOutOfScoring: a greeting in front of a real question does not make it a
// greeting; a greeting alone still is one.
func TestCourtesyLeftOutOfScoring(t *testing.T) {
	e := embedded(t)
	r, _ := e.Explain(State{}, Input{Text: "你好 请问一下 信用卡逾期三个月了会不会被起诉"})
	if r.Article == "smalltalk-greeting" || !strings.Contains(r.Trace.Decision, "courtesy") {
		t.Errorf("got %s (%s), want the question answered without the greeting", r.Article, r.Trace.Decision)
	}
	if r, _ := e.Explain(State{}, Input{Text: "你好呀"}); r.Article != "smalltalk-greeting" {
		t.Errorf("a greeting alone: got %s", r.Article)
	}
	c := e.courtesy
	for in, want := range map[string]string{"你好我想问一下信用卡逾期了怎么办": "信用卡逾期了怎么办", "你好 逾期了怎么办": "你好 逾期了怎么办", "谢谢": "谢谢"} {
		text := e.norm.normalise(in).Text
		got, _ := c.strip(text)
		if got != e.norm.normalise(want).Text && !(got == text && want == in) {
			t.Errorf("strip(%q) = %q, want %q", text, got, want)
		}
	}
}
