package dialog

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"chatbot/knowledge"
)

func TestNewRejectsBadInput(t *testing.T) {
	if _, err := New(nil, DefaultConfig()); err == nil {
		t.Error("New(nil) succeeded, want an error")
	}
	if _, err := New(testKB(), Config{AnswerThreshold: -1}); err == nil {
		t.Error("New with a negative threshold succeeded, want an error")
	}
	e, err := New(testKB(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.Config().AnswerThreshold, DefaultConfig().AnswerThreshold; got != want {
		t.Errorf("zero config threshold = %v, want default %v", got, want)
	}
}

func TestRules(t *testing.T) {
	e := testEngine(t)
	tests := []struct {
		name, in string
		kind     Kind   // "" for not checked
		article  string // "" for not checked
		rule     string // the rule that matched, "" for none
	}{
		{"safety first", "我不想活了 转人工", KindAnswer, "emotional-support", "safety"},
		{"handoff command", "转人工", KindHandoff, "human-agent", "handoff"},
		{"unless cancels a rule", "客服打不通 怎么转人工", KindAnswer, "cannot-reach-service", ""},
		{"refusal", "怎么才能不还信用卡", KindAnswer, "refuse-evasion", "refuse"},
		{"refusal cancelled by honest hardship", "实在还不上 怎么办 不还会怎样", "", "", ""},
		{"flow start", "帮我想想怎么跟银行谈", KindAsk, "negotiate-repayment", "start-negotiation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := e.Explain(State{}, Input{Text: tt.in})
			if tt.kind != "" && r.Kind != tt.kind {
				t.Errorf("kind = %s, want %s (%s)", r.Kind, tt.kind, r.Trace.Decision)
			}
			if tt.article != "" && r.Article != tt.article {
				t.Errorf("article = %q, want %q (%s)", r.Article, tt.article, r.Trace.Decision)
			}
			matched := ""
			for _, rt := range r.Trace.Rules {
				if rt.Matched {
					matched = rt.ID
				}
			}
			if matched != tt.rule {
				t.Errorf("matched rule = %q, want %q (trace %+v)", matched, tt.rule, r.Trace.Rules)
			}
		})
	}
}

func TestRulesAreTracedInOrder(t *testing.T) {
	r, _ := testEngine(t).Explain(State{}, Input{Text: "怎么才能不还"})
	var ids []string
	for _, rt := range r.Trace.Rules {
		ids = append(ids, rt.ID)
	}
	if want := []string{"safety", "handoff", "restart", "refuse"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("rules tried = %v, want %v", ids, want)
	}
}

func TestDecisions(t *testing.T) {
	e := testEngine(t)
	tests := []struct {
		name, in string
		kind     Kind
		article  string
		buttons  []string // values that must be offered, in this order at the start
	}{
		{"answer with related buttons", "逾期会影响征信吗", KindAnswer, "credit-report", []string{"article:overdue-consequences"}},
		{"answer offers its flow first", "怎么跟银行协商还款", KindAnswer, "negotiate-repayment",
			[]string{"flow:negotiation", "article:credit-report", "article:grace-period", "article:late-fees"}},
		{"clarify between close articles", "年费", KindClarify, "", []string{"article:annual-fee-waiver", "article:annual-fee"}},
		{"out-of-scope examples win: fallback", "明天会下雨吗", KindFallback, "", nil},
		{"nothing matches: fallback", "写个排序算法", KindFallback, "", nil},
		{"flow that asks at once", "信用卡逾期有什么后果", KindAsk, "overdue-consequences", []string{"slot:days_overdue=3"}},
		{"flow answered at once when the message gives its slot", "逾期4个月了会怎么样", KindAnswer, "overdue-consequences", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := e.Explain(State{}, Input{Text: tt.in})
			if r.Kind != tt.kind || r.Article != tt.article {
				t.Fatalf("got %s %q, want %s %q (%s)", r.Kind, r.Article, tt.kind, tt.article, r.Trace.Decision)
			}
			if len(r.Buttons) < len(tt.buttons) {
				t.Fatalf("buttons = %s, want to start with %v", buttonValues(r.Buttons), tt.buttons)
			}
			for i, v := range tt.buttons {
				if r.Buttons[i].Value != v {
					t.Errorf("button %d = %q, want %q (all: %s)", i, r.Buttons[i].Value, v, buttonValues(r.Buttons))
				}
			}
			if r.Trace == nil || r.Trace.Decision == "" {
				t.Error("trace has no decision")
			}
		})
	}
}

func TestClarifyAsksWithTitles(t *testing.T) {
	r, _ := testEngine(t).Explain(State{}, Input{Text: "年费"})
	if want := "您是想问「年费能免吗」还是「年费怎么收」？"; r.Text != want {
		t.Errorf("text = %q, want %q", r.Text, want)
	}
}

func TestFallbackOffersTopicsAndPerson(t *testing.T) {
	r, st := testEngine(t).Explain(State{}, Input{Text: "写个排序算法"})
	if r.Kind != KindFallback || r.Article != "" {
		t.Fatalf("got %s %q, want a fallback without article", r.Kind, r.Article)
	}
	if !hasButton(r.Buttons, "article:negotiate-repayment") || r.Buttons[len(r.Buttons)-1].Value != ChoiceHandoff {
		t.Errorf("buttons = %s, want main topics and a handoff last", buttonValues(r.Buttons))
	}
	if st.Fallbacks != 1 {
		t.Errorf("fallbacks = %d, want 1", st.Fallbacks)
	}
}

func TestHandoffAfterRepeatedFallbacks(t *testing.T) {
	e := testEngine(t)
	rs, st := say(e, State{}, "写个排序算法", "明天会下雨吗", "推荐一只股票")
	kinds := []Kind{rs[0].Kind, rs[1].Kind, rs[2].Kind}
	if want := []Kind{KindFallback, KindFallback, KindHandoff}; !reflect.DeepEqual(kinds, want) {
		t.Fatalf("kinds = %v, want %v", kinds, want)
	}
	if !rs[2].Handoff || rs[2].Article != "human-agent" || !strings.Contains(rs[2].Text, "9:00-21:00") {
		t.Errorf("handoff reply = %+v, want human-agent's text with Handoff set", rs[2])
	}
	if st.Fallbacks != 0 {
		t.Errorf("fallbacks after handoff = %d, want 0", st.Fallbacks)
	}
	// An answer in between resets the count.
	rs, _ = say(e, State{}, "写个排序算法", "逾期会影响征信吗", "明天会下雨吗", "推荐一只股票")
	if rs[3].Kind != KindFallback {
		t.Errorf("after an answer, the second fallback is %s, want fallback", rs[3].Kind)
	}
}

func TestButtons(t *testing.T) {
	e := testEngine(t)
	tests := []struct {
		name, choice string
		kind         Kind
		article      string
	}{
		{"article", "article:grace-period", KindAnswer, "grace-period"},
		{"flow", "flow:negotiation", KindAsk, "negotiate-repayment"},
		{"handoff", "handoff", KindHandoff, "human-agent"},
		{"restart", "restart", KindAnswer, "smalltalk-greeting"},
		{"unknown article", "article:nope", KindFallback, ""},
		{"unknown flow", "flow:nope", KindFallback, ""},
		{"slot without a flow", "slot:bank=cmb", KindFallback, ""},
		{"garbage", "💥", KindFallback, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, st := e.Explain(State{}, Input{Choice: tt.choice})
			if r.Kind != tt.kind || r.Article != tt.article {
				t.Errorf("got %s %q, want %s %q (%s)", r.Kind, r.Article, tt.kind, tt.article, r.Trace.Decision)
			}
			if st.Fallbacks != 0 {
				t.Errorf("a button counted as a fallback")
			}
		})
	}
}

func TestRestartForgetsContext(t *testing.T) {
	e := testEngine(t)
	_, st := say(e, State{}, "帮我想想怎么跟银行谈", "招行")
	if st.Flow == nil || st.Slots["bank"] != "cmb" {
		t.Fatalf("setup: state = %+v", st)
	}
	r, st := e.Explain(st, Input{Text: "重新开始"})
	if st.Flow != nil || len(st.Slots) != 0 || st.Article != "" {
		t.Errorf("state after restart = %+v, want empty", st)
	}
	if !strings.HasPrefix(r.Text, restartText) {
		t.Errorf("text = %q", r.Text)
	}
}

func TestEmptyMessage(t *testing.T) {
	for _, in := range []string{"", "   ", "？？！", "😭😭"} {
		r, st := testEngine(t).Explain(State{}, Input{Text: in})
		if r.Kind != KindFallback || r.Text != promptText || st.Fallbacks != 0 {
			t.Errorf("%q: got %s %q fallbacks=%d, want a prompt that is not counted", in, r.Kind, r.Text, st.Fallbacks)
		}
	}
}

func TestPrivacyReminder(t *testing.T) {
	e := testEngine(t)
	for _, in := range []string{
		"我卡号6222021234567890123逾期会影响征信吗",
		"身份证110101199003071234 逾期会影响征信吗",
		"逾期会影响征信吗 我手机138****5678",
	} {
		r, _ := e.Explain(State{}, Input{Text: in})
		if !strings.HasPrefix(r.Text, privacyReminderText) || !strings.HasPrefix(r.HTML, privacyReminderHTML) {
			t.Errorf("%q: reply does not start with the privacy reminder: %q", in, r.Text)
		}
		if r.Article != "credit-report" {
			t.Errorf("%q: article = %q, want the question still answered", in, r.Article)
		}
		trace, _ := json.Marshal(r)
		for _, digits := range []string{"6222021234567890123", "110101199003071234", "5678", "1234"} {
			if strings.Contains(string(trace), digits) {
				t.Errorf("%q: reply or trace echoes %s", in, digits)
			}
		}
	}
	r, _ := e.Explain(State{}, Input{Text: "逾期会影响征信吗 欠了5000"})
	if strings.Contains(r.Text, privacyReminderText) {
		t.Error("an amount triggered the privacy reminder")
	}
}

func TestDeterminism(t *testing.T) {
	msgs := []string{"逾期会影响征信吗", "年费", "帮我想想怎么跟银行谈", "招行", "大概俩月了", "失业了", "写个排序算法", "招行的呢"}
	run := func() []Reply {
		e := testEngine(t) // a fresh engine each time: nothing may depend on build order
		rs, _ := say(e, State{}, msgs...)
		return rs
	}
	first := run()
	for i := 0; i < 3; i++ {
		if again := run(); !reflect.DeepEqual(first, again) {
			t.Fatalf("run %d differs from the first", i+2)
		}
	}
}

func TestRespondDoesNotMutateState(t *testing.T) {
	e := testEngine(t)
	st := State{Article: "credit-report", Slots: map[string]string{"bank": "ccb"}, Flow: &FlowState{ID: "negotiation", Waiting: "days_overdue"}}
	before, _ := json.Marshal(st)
	e.Explain(st, Input{Text: "招行 逾期3个月"})
	after, _ := json.Marshal(st)
	if string(before) != string(after) {
		t.Errorf("state changed: %s -> %s", before, after)
	}
}

func TestStateRoundTripsThroughJSON(t *testing.T) {
	e := testEngine(t)
	_, st := say(e, State{}, "帮我想想怎么跟银行谈", "招行")
	data, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var back State
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	r1, _ := e.Explain(st, Input{Text: "大概俩月了"})
	r2, _ := e.Explain(back, Input{Text: "大概俩月了"})
	if !reflect.DeepEqual(r1, r2) {
		t.Error("a state that went through JSON answers differently")
	}
}

func TestStaleStateIsHarmless(t *testing.T) {
	e := testEngine(t)
	for _, st := range []State{
		{Flow: &FlowState{ID: "gone", Waiting: "bank"}},
		{Flow: &FlowState{ID: "negotiation", Waiting: "gone"}},
		{Article: "gone"},
	} {
		r, next := e.Explain(st, Input{Text: "逾期会影响征信吗"})
		if r.Article != "credit-report" || next.Flow != nil {
			t.Errorf("state %+v: got %s %q flow=%v", st, r.Kind, r.Article, next.Flow)
		}
	}
}

func TestReplyCarriesVersionAndTrace(t *testing.T) {
	r, _ := testEngine(t).Explain(State{}, Input{Text: "逾期会影响征信吗"})
	if r.KBVersion != "test-1" {
		t.Errorf("KBVersion = %q", r.KBVersion)
	}
	tr := r.Trace
	if tr.Normalised != "逾期会影响征信吗" || len(tr.Rules) == 0 || len(tr.Candidates) == 0 {
		t.Fatalf("trace = %+v", tr)
	}
	c := tr.Candidates[0]
	for _, part := range []string{partExample, partCoverage, partCentroid, partKeyword} {
		if _, ok := c.Parts[part]; !ok {
			t.Errorf("candidate parts %v lack %q", c.Parts, part)
		}
	}
	if !strings.Contains(tr.Decision, "threshold") {
		t.Errorf("decision %q does not name the threshold", tr.Decision)
	}
}

func TestMissingArticlesFallBackToBuiltInTexts(t *testing.T) {
	kb := testKB()
	var kept []*knowledge.Article
	for _, a := range kb.Articles {
		if a.ID != "human-agent" && a.ID != "smalltalk-greeting" {
			kept = append(kept, a)
		}
	}
	kb.Articles = kept
	e, err := New(kb.Index(), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	r, _ := e.Explain(State{}, Input{Choice: ChoiceHandoff})
	if r.Kind != KindHandoff || r.Text != handoffDefaultText {
		t.Errorf("handoff without article: %s %q", r.Kind, r.Text)
	}
	r, _ = e.Explain(State{}, Input{Choice: ChoiceRestart})
	if !strings.HasPrefix(r.Text, restartText) {
		t.Errorf("restart without greeting: %q", r.Text)
	}
}

func TestTraceString(t *testing.T) {
	r, _ := testEngine(t).Explain(State{}, Input{Text: "招行 逾期会影响征信吗"})
	s := r.Trace.String()
	for _, want := range []string{"normalised: 银行逾期会影响征信吗\n", "  - safety\n", "slots: bank=cmb\n",
		"  credit-report", "centroid=", "~ 逾期会影响征信吗", "decision: answer credit-report"} {
		if !strings.Contains(s, want) {
			t.Errorf("trace lacks %q:\n%s", want, s)
		}
	}
	if (*Trace)(nil).String() != "" {
		t.Error("nil trace prints something")
	}
}

func TestConcurrentUseGivesTheSameReplies(t *testing.T) {
	e := testEngine(t)
	msgs := []string{"逾期会影响征信吗", "年费", "写个排序算法", "帮我想想怎么跟银行谈", "招行 逾期3个月", "晚还一天算逾期吗"}
	want := make([]Reply, len(msgs))
	for i, m := range msgs {
		want[i], _ = e.Explain(State{}, Input{Text: m})
	}
	errs := make(chan string, 8*len(msgs))
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i, m := range msgs {
				if got, _ := e.Explain(State{}, Input{Text: m}); !reflect.DeepEqual(got, want[i]) {
					errs <- m
				}
			}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
	close(errs)
	for m := range errs {
		t.Errorf("%q answered differently under concurrency", m)
	}
}
