package dialog

import (
	"strings"
	"testing"
)

// step is one user turn of a scripted conversation and what the reply must show.
type step struct {
	in      string // text, or "!value" for a button
	kind    Kind
	article string   // "" for not checked
	slot    string   // the slot asked for, "" for not checked
	text    []string // substrings the reply text must contain
	notText []string // substrings it must not contain
	button  string   // a button value that must be offered
}

func play(t *testing.T, e *Engine, st State, steps []step) State {
	t.Helper()
	for i, s := range steps {
		rs, next := say(e, st, s.in)
		st = next
		r := rs[0]
		where := func() string { return r.Trace.Decision }
		if r.Kind != s.kind {
			t.Fatalf("step %d %q: kind = %s, want %s (%s)", i+1, s.in, r.Kind, s.kind, where())
		}
		if s.article != "" && r.Article != s.article {
			t.Errorf("step %d %q: article = %q, want %q (%s)", i+1, s.in, r.Article, s.article, where())
		}
		if s.slot != "" && r.Slot != s.slot {
			t.Errorf("step %d %q: slot = %q, want %q (%s)", i+1, s.in, r.Slot, s.slot, where())
		}
		for _, sub := range s.text {
			if !strings.Contains(r.Text, sub) {
				t.Errorf("step %d %q: text %q lacks %q", i+1, s.in, r.Text, sub)
			}
		}
		for _, sub := range s.notText {
			if strings.Contains(r.Text, sub) {
				t.Errorf("step %d %q: text %q contains %q", i+1, s.in, r.Text, sub)
			}
		}
		if s.button != "" && !hasButton(r.Buttons, s.button) {
			t.Errorf("step %d %q: button %q not in %s", i+1, s.in, s.button, buttonValues(r.Buttons))
		}
	}
	return st
}

func TestFlows(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"enter by button, answer by buttons", []step{
			{in: "怎么跟银行协商还款", kind: KindAnswer, article: "negotiate-repayment", button: "flow:negotiation"},
			{in: "!flow:negotiation", kind: KindAsk, slot: "bank", text: []string{"好的，我问您几个问题", "是哪家银行"}, button: "slot:bank=cmb"},
			{in: "!slot:bank=cmb", kind: KindAsk, slot: "days_overdue", button: "slot:days_overdue=120"},
			{in: "!slot:days_overdue=120", kind: KindAsk, slot: "reason", button: "slot:reason=income"},
			{in: "!slot:reason=income", kind: KindAnswer, article: "negotiate-repayment",
				text: []string{"招商银行（95555、信用卡专线 400-820-5555）", "已经很紧迫", "个性化分期"}, notText: []string{"先还最低", "卡背面"}},
		}},
		{"enter by rule, answer by free text", []step{
			{in: "帮我想想怎么跟银行谈", kind: KindAsk, slot: "bank", text: []string{"好的，我问您几个问题"}},
			{in: "招行的", kind: KindAsk, slot: "days_overdue"},
			{in: "大概俩月了", kind: KindAsk, slot: "reason"},
			{in: "公司裁员 失业了", kind: KindAnswer, text: []string{"个性化分期"}, notText: []string{"已经很紧迫", "先还最低"}},
		}},
		{"button label typed out, other bank", []step{
			{in: "帮我想想怎么跟银行谈", kind: KindAsk, slot: "bank"},
			{in: "其他", kind: KindAsk, slot: "days_overdue"},
			{in: "1–3 天", kind: KindAsk, slot: "reason"},
			{in: "临时周转不开", kind: KindAnswer, text: []string{"您的发卡行（卡背面或官方App里公布的客服电话）", "先还最低", "以卡背面为准"}},
		}},
		{"known slots are skipped", []step{
			{in: "建行信用卡逾期2个月了 帮我想想怎么跟银行谈", kind: KindAsk, slot: "reason"},
			{in: "!slot:reason=temporary", kind: KindAnswer, text: []string{"建设银行（95533）"}},
		}},
		{"leave the flow by asking something else, then resume", []step{
			{in: "帮我想想怎么跟银行谈", kind: KindAsk, slot: "bank"},
			{in: "招行", kind: KindAsk, slot: "days_overdue"},
			{in: "逾期会影响征信吗", kind: KindAnswer, article: "credit-report", button: "flow:negotiation"},
			{in: "!flow:negotiation", kind: KindAsk, slot: "days_overdue"},
		}},
		{"a long answer that asks nothing stays in the flow", []step{
			{in: "帮我想想怎么跟银行谈", kind: KindAsk, slot: "bank"},
			{in: "招行", kind: KindAsk, slot: "days_overdue"},
			{in: "逾期很久了 两个多月了", kind: KindAsk, slot: "reason"},
		}},
		{"a long answer that also asks leaves the flow", []step{
			{in: "帮我想想怎么跟银行谈", kind: KindAsk, slot: "bank"},
			{in: "招行", kind: KindAsk, slot: "days_overdue"},
			{in: "逾期两个多月了 逾期记录会影响征信吗", kind: KindAnswer, article: "credit-report"},
		}},
		{"safety interrupts a flow", []step{
			{in: "帮我想想怎么跟银行谈", kind: KindAsk, slot: "bank"},
			{in: "我不想活了", kind: KindAnswer, article: "emotional-support", text: []string{"12356"}},
		}},
		{"handoff interrupts a flow", []step{
			{in: "帮我想想怎么跟银行谈", kind: KindAsk, slot: "bank"},
			{in: "转人工", kind: KindHandoff},
		}},
		{"not understood twice: the flow lets go", []step{
			{in: "帮我想想怎么跟银行谈", kind: KindAsk, slot: "bank"},
			{in: "嗯嗯", kind: KindAsk, slot: "bank", text: []string{notUnderstoodText}},
			{in: "嗯嗯嗯", kind: KindFallback, button: "flow:negotiation"},
		}},
		{"flow that asks at once, by free text", []step{
			{in: "信用卡逾期有什么后果", kind: KindAsk, slot: "days_overdue", text: []string{"我先确认一下时间"}},
			{in: "还没逾期", kind: KindAnswer, article: "overdue-consequences", text: []string{"宽限期内"}, notText: []string{"利息"}},
		}},
		{"stage parts by range", []step{
			{in: "信用卡逾期有什么后果", kind: KindAsk},
			{in: "半年了", kind: KindAnswer, text: []string{"利息和违约金", "可能起诉"}},
		}},
		{"an invalid slot value re-asks nothing and stores nothing", []step{
			{in: "帮我想想怎么跟银行谈", kind: KindAsk, slot: "bank"},
			{in: "!slot:bank=nowhere", kind: KindFallback},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			play(t, testEngine(t), State{}, tt.steps)
		})
	}
}

func TestFlowPlaceholdersAreEscapedInHTML(t *testing.T) {
	kb := testKB()
	b, _ := kb.Bank("cmb")
	b.Name = "<b>招商</b>"
	e, err := New(kb, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := say(e, State{}, "!flow:hotline", "!slot:bank=cmb")
	r := rs[1]
	if !strings.Contains(r.HTML, "&lt;b&gt;招商&lt;/b&gt;") || strings.Contains(r.HTML, "<b>招商") {
		t.Errorf("HTML = %q, want the bank name escaped", r.HTML)
	}
	if !strings.Contains(r.HTML, `<a href="tel:4008205555">400-820-5555</a>`) {
		t.Errorf("HTML = %q, want tel: links", r.HTML)
	}
	if !strings.Contains(r.Text, "<b>招商</b>客服：95555") {
		t.Errorf("Text = %q, want the name as typed", r.Text)
	}
}

func TestPartConditions(t *testing.T) {
	tests := []struct {
		cond, value string
		want        bool
	}{
		{"0-3", "0", true}, {"0-3", "3", true}, {"0-3", "4", false},
		{"91-", "91", true}, {"91-", "5000", true}, {"91-", "90", false},
		{"cmb", "cmb", true}, {"cmb", "ccb", false},
		{"0-3", "cmb", false}, {"a-b", "a-b", true},
	}
	for _, tt := range tests {
		when := map[string][]string{"slot": {tt.cond}}
		if got := partMatches(when, map[string]string{"slot": tt.value}); got != tt.want {
			t.Errorf("partMatches(slot: %q, slot=%q) = %v, want %v", tt.cond, tt.value, got, tt.want)
		}
	}
}

func TestFollowUps(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"bank follow-up re-answers the previous flow", []step{
			{in: "!flow:hotline", kind: KindAsk},
			{in: "!slot:bank=ccb", kind: KindAnswer, text: []string{"95533"}},
			{in: "招行的呢", kind: KindAnswer, article: "bank-hotlines", text: []string{"95555"}},
			{in: "那浦发呢", kind: KindAnswer, article: "bank-hotlines", text: []string{"浦发银行客服：卡背面"}},
		}},
		{"a question names the bank: offered flow answers at once", []step{
			{in: "招行信用卡客服电话是多少", kind: KindAnswer, article: "bank-hotlines", text: []string{"95555"}},
			{in: "建行呢", kind: KindAnswer, text: []string{"95533"}},
		}},
		{"topic follow-up is scored normally", []step{
			{in: "信用卡逾期有什么后果", kind: KindAsk},
			{in: "!slot:days_overdue=120", kind: KindAnswer, article: "overdue-consequences"},
			{in: "那会影响征信吗", kind: KindAnswer, article: "credit-report"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			play(t, testEngine(t), State{}, tt.steps)
		})
	}
}

func TestBankWithoutContextIsNotAFollowUp(t *testing.T) {
	r, _ := testEngine(t).Explain(State{}, Input{Text: "招行的呢"})
	if strings.Contains(r.Trace.Decision, "follow-up") {
		t.Errorf("decision %q: a bank alone, with no previous topic, was taken as a follow-up", r.Trace.Decision)
	}
}

func TestShortFollowUpUsesThePreviousArticle(t *testing.T) {
	e := testEngine(t)
	// Alone, 「那要多久」 is vague; after the credit-report answer it continues that topic.
	prior := State{Article: "credit-report"}
	r, _ := e.Explain(prior, Input{Text: "那能恢复吗"})
	if r.Article != "credit-report" {
		t.Fatalf("got %s %q, want credit-report (%s)", r.Kind, r.Article, r.Trace.Decision)
	}
	if _, ok := r.Trace.Candidates[0].Parts[partPrior]; !ok {
		t.Errorf("top candidate %+v has no prior part", r.Trace.Candidates[0])
	}
	// The prior never answers a message that shares nothing with the article.
	r, _ = e.Explain(prior, Input{Text: "写个排序算法"})
	if r.Kind != KindFallback {
		t.Errorf("got %s %q, want fallback", r.Kind, r.Article)
	}
}
