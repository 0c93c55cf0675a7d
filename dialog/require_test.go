package dialog

import (
	"strings"
	"testing"

	"chatbot/knowledge"
)

func requireRule(id, article string, patterns ...string) *knowledge.Rule {
	r := prefer(id, article, patterns...)
	r.Kind = knowledge.RuleRequire
	return r
}

func TestRequireRules(t *testing.T) {
	waiverWords := requireRule("require-waiver", "late-fees-waiver", "减免")
	waiverAlso := requireRule("require-waiver-2", "late-fees-waiver", "免掉")
	tests := []struct {
		name    string
		rules   []*knowledge.Rule
		in      string
		article string
		held    bool // late-fees-waiver must not be a candidate at all
	}{
		{"without a rule, scoring decides", nil, "违约金可以免吗", "late-fees-waiver", false},
		{"unmet: the article is not offered", []*knowledge.Rule{waiverWords}, "违约金可以免吗", "late-fees", true},
		{"met: scored as usual", []*knowledge.Rule{waiverWords}, "违约金可以减免吗", "late-fees-waiver", false},
		{"any of an article's require rules will do", []*knowledge.Rule{waiverWords, waiverAlso}, "违约金可以免掉吗", "late-fees-waiver", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := preferEngine(t, tt.rules...).Explain(State{}, Input{Text: tt.in})
			if r.Kind != KindAnswer || r.Article != tt.article {
				t.Errorf("got %s %q, want answer %q (%s)", r.Kind, r.Article, tt.article, r.Trace.Decision)
			}
			for _, c := range r.Trace.Candidates {
				if tt.held && c.Article == "late-fees-waiver" {
					t.Errorf("held-back article among the candidates: %+v", r.Trace.Candidates)
				}
			}
		})
	}
}

func TestRequireRulesAreTraced(t *testing.T) {
	e := preferEngine(t, requireRule("require-waiver", "late-fees-waiver", "减免"))
	r, _ := e.Explain(State{}, Input{Text: "违约金可以免吗"})
	if rt, ok := ruleTrace(r, "require-waiver"); !ok || rt.Matched {
		t.Errorf("rule trace = %+v (found %v), want require-waiver checked and not matched", rt, ok)
	}
	r, _ = e.Explain(State{}, Input{Text: "违约金可以减免吗"})
	if s := r.Trace.String(); !strings.Contains(s, "+ require-waiver [减免]") {
		t.Errorf("trace lacks the met require rule:\n%s", s)
	}
}

func TestRequireRulesDoNotStopActingRules(t *testing.T) {
	e := preferEngine(t, requireRule("require-support", "emotional-support", "欠款"))
	r, _ := e.Explain(State{}, Input{Text: "我不想活了"})
	if r.Article != "emotional-support" {
		t.Errorf("got %s %q, want the safety rule's emotional-support (%s)", r.Kind, r.Article, r.Trace.Decision)
	}
}

func TestFollowUpFavoursTheRelatedArticlesOffered(t *testing.T) {
	e := testEngine(t)
	// negotiate-repayment offers credit-report, grace-period and late-fees (not the 4th related).
	r, _ := e.Explain(State{Article: "negotiate-repayment"}, Input{Text: "那逾期利息怎么算"})
	got := map[string]float64{}
	for _, c := range r.Trace.Candidates {
		got[c.Article] = c.Parts[partPrior]
	}
	if got["late-fees"] != e.cfg.FollowUpBoost/2 {
		t.Errorf("late-fees prior = %v, want %v (candidates %+v)", got["late-fees"], e.cfg.FollowUpBoost/2, r.Trace.Candidates)
	}
	if got["late-fees-waiver"] != 0 || got["overdue-consequences"] != 0 {
		t.Errorf("articles not offered got a prior: %v", got)
	}
	// Not a follow-up: no prior at all.
	r, _ = e.Explain(State{Article: "negotiate-repayment"}, Input{Text: "信用卡逾期以后利息到底是怎么计算的"})
	for _, c := range r.Trace.Candidates {
		if c.Parts[partPrior] != 0 {
			t.Errorf("%s got a prior for a message that is no follow-up", c.Article)
		}
	}
}

func TestPreferWhenSeesOnlyTheMessage(t *testing.T) {
	// Days known from earlier in the conversation do not make a later question a short delay.
	r := prefer("short-delay", "grace-period", "征信")
	r.When = map[string][]string{"days_overdue": {"1-5"}}
	e := preferEngine(t, r)
	got, _ := e.Explain(State{Slots: map[string]string{SlotDays: "3"}}, Input{Text: "会影响征信吗"})
	if got.Article != "credit-report" {
		t.Errorf("got %s %q, want credit-report (%s)", got.Kind, got.Article, got.Trace.Decision)
	}
	if rt, _ := ruleTrace(got, "short-delay"); rt.Matched || !strings.Contains(rt.Pattern, "days_overdue=? in [1-5] not met") {
		t.Errorf("rule trace = %+v, want its condition not met by the message", rt)
	}
}
