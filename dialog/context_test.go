package dialog

import (
	"strings"
	"testing"
)

func TestIsEnglish(t *testing.T) {
	e := embedded(t)
	tests := []struct {
		in   string
		want bool
	}{
		{"My credit card is overdue, what should I do?", true},
		{"hi, can you help me", true},
		{"I can't pay this month", true},
		{"hello", false},                // one word: a greeting, answered as one
		{"xyk yq le zen me ban", false}, // pinyin shorthand
		{"hb逾期了 what", false},           // Chinese in it: answered in Chinese
		{"OK", false},
		{"cvv", false},
	}
	for _, tt := range tests {
		if got := e.isEnglish(tt.in); got != tt.want {
			t.Errorf("isEnglish(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestEnglishAnswer: an English question gets the english article, with a button to a person,
// in any state, and never enters a flow.
func TestEnglishAnswer(t *testing.T) {
	e := embedded(t)
	_, st := say(e, State{}, "帮我想想怎么跟银行谈")
	r, next := e.Explain(st, Input{Text: "Sorry, do you have an English service?"})
	if r.Article != englishArticle || r.Kind != KindAnswer || !hasButton(r.Buttons, ChoiceHandoff) {
		t.Fatalf("got %s %q buttons %s (%s), want the english answer with a handoff button",
			r.Kind, r.Article, buttonValues(r.Buttons), r.Trace.Decision)
	}
	if !strings.HasPrefix(r.Text, r.Lead) || !strings.Contains(r.Text, "Chinese") {
		t.Errorf("text %q: want the English lead first", r.Text)
	}
	if next.Flow != nil {
		t.Errorf("still in flow %s after an English message", next.Flow.ID)
	}
}

// TestGreetingOpensAQuestion: a greeting before a question does not make it a greeting; a
// greeting alone, or with next to nothing after it, still is one.
func TestGreetingOpensAQuestion(t *testing.T) {
	e := embedded(t)
	tests := []struct{ in, want string }{
		{"你好 请问信用卡逾期三个月了会不会坐牢", "lawsuit-criminal"},
		{"您好，我想问下停息挂账怎么申请", "personalized-installment"},
		{"你好 想问问 逾期一个多月会不会上征信", "credit-report"},
		{"您好 请问一下 我欠了建行两万多 现在一点钱都拿不出来 怎么办", "repayment-options"},
		{"你好", greetingArticle},
		{"你好 在吗", greetingArticle},
	}
	for _, tt := range tests {
		r, _ := e.Explain(State{}, Input{Text: tt.in})
		if r.Article != tt.want {
			t.Errorf("%q: got %s %q (%s), want %s", tt.in, r.Kind, r.Article, r.Trace.Decision, tt.want)
		}
	}
}

// TestFollowUpsNeedTheirArticle: a follow-up cue only means something right after the article
// that names it; the same words without that context are a question of their own.
func TestFollowUpsNeedTheirArticle(t *testing.T) {
	e := embedded(t)
	_, st := say(e, State{}, "压力太大了 天天失眠 不想活了")
	r, _ := e.Explain(st, Input{Text: "我该先做什么"})
	if r.Article != "negotiate-repayment" || !strings.Contains(r.Trace.Decision, "follow-up to") {
		t.Errorf("after the support answer: got %q (%s), want negotiate-repayment as a follow-up", r.Article, r.Trace.Decision)
	}
	r, _ = e.Explain(State{}, Input{Text: "我该先做什么"})
	if strings.Contains(r.Trace.Decision, "follow-up to") {
		t.Errorf("in a fresh conversation: %s, want no follow-up", r.Trace.Decision)
	}
	// 「需要什么材料」 after 停息挂账: the part asked about, not the whole article again.
	full, st := say(e, State{}, "停息挂账是什么意思")
	r, _ = e.Explain(st, Input{Text: "要带什么材料"})
	if r.Article != "personalized-installment" || r.Text == full[0].Text || !strings.Contains(r.Text, "困难说明") ||
		len(r.Sources) != 1 || r.Sources[0].ID != "F2.2" {
		t.Errorf("materials after 停息挂账: got %q sources %v (%s):\n%s", r.Article, r.Sources, r.Trace.Decision, r.Text)
	}
	// A short message that names a topic of its own is that topic's question, cue word or not.
	_, st = say(e, State{}, "停息挂账是什么意思")
	r, _ = e.Explain(st, Input{Text: "逾期多久会被起诉"})
	if r.Article != "lawsuit-criminal" {
		t.Errorf("逾期多久会被起诉 after 停息挂账: got %q (%s), want lawsuit-criminal", r.Article, r.Trace.Decision)
	}
	// A long message after the plan is its own question, even with a cue word in it.
	_, st = say(e, State{}, "停息挂账是什么意思")
	r, _ = e.Explain(st, Input{Text: "我想问一下逾期记录在征信上会保留多久"})
	if r.Article != "credit-report" {
		t.Errorf("long question after personalized-installment: got %q (%s), want credit-report", r.Article, r.Trace.Decision)
	}
}
