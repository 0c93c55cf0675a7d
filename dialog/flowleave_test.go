package dialog

import (
	"strings"
	"testing"

	"chatbot/knowledge"
)

// strictLeave is the default configuration with a leave-flow threshold no score reaches, so a
// test sees only what lets a message leave a flow below it.
func strictLeave(t *testing.T, kb *knowledge.KB) *Engine {
	t.Helper()
	cfg := DefaultConfig()
	cfg.LeaveFlowThreshold = 0.99
	e, err := New(kb, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestDistressLeavesAFlowAtTheAnswerThreshold(t *testing.T) {
	noSafetyRule := testKB()
	noSafetyRule.Rules = noSafetyRule.Rules[1:] // emotional-support is then an ordinary article
	tests := []struct {
		name    string
		kb      *knowledge.KB
		in      string
		kind    Kind
		article string
	}{
		{"distress leaves", testKB(), "心里有点难受", KindAnswer, "emotional-support"},
		{"an ordinary article needs the leave threshold", noSafetyRule.Index(), "心里有点难受", KindAsk, "negotiate-repayment"},
		{"a readable answer is taken", testKB(), "招行 心里有点难受", KindAsk, "negotiate-repayment"},
		{"noise is asked again", testKB(), "嗯嗯", KindAsk, "negotiate-repayment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := strictLeave(t, tt.kb)
			rs, st := say(e, State{}, "帮我跟银行谈", tt.in)
			r := rs[1]
			if r.Kind != tt.kind || r.Article != tt.article {
				t.Fatalf("got %s %q, want %s %q (%s)", r.Kind, r.Article, tt.kind, tt.article, r.Trace.Decision)
			}
			if tt.kind == KindAnswer {
				if st.Flow != nil {
					t.Errorf("flow still running: %+v", st.Flow)
				}
				if !hasButton(r.Buttons, "flow:negotiation") {
					t.Errorf("buttons %s do not offer to resume the flow", buttonValues(r.Buttons))
				}
				if !strings.Contains(r.Trace.Decision, "(a safety article)") {
					t.Errorf("decision %q does not say why the flow was left", r.Trace.Decision)
				}
			}
		})
	}
}

func TestUnsureRepliesStayInTheFlow(t *testing.T) {
	kb := testKB()
	kb.Articles = append(kb.Articles, &knowledge.Article{ID: "forgot-due-date", Title: "忘了还款日",
		Questions: examples("articles/forgot-due-date.md", "不记得还款日了", "忘了哪天还款", "记不清账单日了"),
		Body:      body("在官方App里可以查到还款日。")})
	e, err := New(kb.Index(), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	steps := []step{
		{in: "帮我跟银行谈", kind: KindAsk, slot: "bank"},
		{in: "招行", kind: KindAsk, slot: "days_overdue"},
		{in: "不记得了", kind: KindAsk, slot: "days_overdue", text: []string{notUnderstoodText}},
		{in: "具体多久我也记不清", kind: KindAnswer, article: "forgot-due-date"}, // a second miss leaves
	}
	play(t, e, State{}, steps)

	// Not unsure: a question about the due date leaves at once.
	rs, _ := say(e, State{}, "帮我跟银行谈", "招行", "我不记得还款日了 在哪查")
	if rs[2].Article != "forgot-due-date" {
		t.Errorf("got %s %q, want forgot-due-date (%s)", rs[2].Kind, rs[2].Article, rs[2].Trace.Decision)
	}
}

func TestIsUnsure(t *testing.T) {
	w := testEngine(t).words
	for in, want := range map[string]bool{
		"不记得了": true, "具体多久我也不清楚": true, "忘了": true, "真的不知道啊": true,
		"不知道好累": false, "不记得还款日了": false, "两个月": false, "": false,
	} {
		if got := w.isUnsure(in); got != want {
			t.Errorf("isUnsure(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestUnknownBankIsOther(t *testing.T) {
	for _, in := range []string{"不记得了", "忘了是哪家的", "不清楚"} {
		rs, st := say(testEngine(t), State{}, "帮我跟银行谈", in)
		if rs[1].Slot != "days_overdue" || st.Slots[SlotBank] != BankOther {
			t.Errorf("%q: got %s asking %q, bank %q; want days_overdue asked, bank %q (%s)",
				in, rs[1].Kind, rs[1].Slot, st.Slots[SlotBank], BankOther, rs[1].Trace.Decision)
		}
	}
}

func TestOnlyANumberInAFlowAsksAgain(t *testing.T) {
	rs, st := say(testEngine(t), State{}, "帮我跟银行谈", "招行", "卡号是6222021234567890123")
	r := rs[2]
	if r.Kind != KindAsk || r.Slot != "days_overdue" || !strings.HasPrefix(r.Text, privacyReminderText) {
		t.Fatalf("got %s %q %q, want days_overdue asked again after the reminder (%s)", r.Kind, r.Slot, r.Text, r.Trace.Decision)
	}
	if strings.Contains(r.Text, "7890123") || st.Flow == nil || st.Flow.Misses != 0 {
		t.Errorf("text %q, flow %+v: want no digits and no miss counted", r.Text, st.Flow)
	}
}
