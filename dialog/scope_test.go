package dialog

import (
	"strings"
	"testing"

	"chatbot/knowledge"
)

// TestScopeModel pins the classes the built-in scope model exists for, each in a wording of its
// own (not taken from any labelled set): everyday service falls back with the scope reply, the
// same words beside trouble stay in scope.
func TestScopeModel(t *testing.T) {
	tests := []struct {
		in    string
		out   bool
		class string // the service class read ("" for none)
	}{
		{"想把信用卡欠的钱提前一次还掉 收不收手续费", true, "early-repayment"},
		{"提前还款以后 之前的逾期记录能消掉吗", false, "early-repayment"},
		{"分期买的手机 手续费是怎么算的", true, "installment"},
		{"已经逾期了 还能不能申请分期", false, "installment"},
		{"这张卡的账单能分期吗", false, ""}, // a bill installment is a repayment option
		{"为什么我往卡里还款老是还不进去", true, "payment-channel"},
		{"我的信用卡为啥还不上钱了", true, "why-cannot-pay"},
		{"这个月的卡还不上了 怎么办才好", false, ""},
		{"临时额度到期了要一次还清吗", true, "credit-limit"},
		{"花呗和芝麻分是什么关系", true, "platform"},
		{"花呗晚还两天要紧吗", false, "platform"},
		{"借呗违约了会怎样", false, "platform"},
		{"我从来没逾期过 卡怎么被冻结了", true, "card-status"},
		{"一直正常还的 为什么征信分变低了", true, "credit-record"},
		{"有没有逾期记录 在哪里能查到", false, ""}, // 有没有 asks: not a not-late span
		{"分期以后不能按时还款会怎么样", false, "installment"},
		{"怎么查自己的征信报告", false, ""},
		{"信用卡逾期三个月了怎么办", false, ""},
		{"卡被停了 我还有三万没还", false, "card-status"},
		{"这笔分期还没还款 能不能再分一次期", true, "installment"}, // not yet paid is not late
		{"征信花了还能办信用卡吗", false, ""},
		{"这张卡每个月几号还", true, "repayment-how-to"},
		{"我明明还清了 怎么还在催我", false, ""},
	}
	e := embedded(t)
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m := e.norm.normalise(tt.in)
			v := e.scope.judge(&m)
			if v.out != tt.out || v.class != tt.class && !(tt.class == "" && !v.out) {
				t.Errorf("verdict %q (out=%v class=%q), want out=%v class=%q", v, v.out, v.class, tt.out, tt.class)
			}
			r, _ := e.Explain(State{}, Input{Text: tt.in})
			if fell := r.Kind == KindFallback; fell != tt.out {
				t.Errorf("reply %s %q, want fallback=%v\n%s", r.Kind, r.Article, tt.out, r.Trace.Decision)
			}
			if tt.out && r.Text != e.kb.Scope.Reply.Text {
				t.Errorf("out-of-scope reply is %q, want the knowledge base's scope reply", r.Text)
			}
			if !strings.Contains(r.Trace.Scope, "scope") && (tt.out || tt.class != "") {
				t.Errorf("trace scope = %q, want the scope decision", r.Trace.Scope)
			}
		})
	}
}

// TestScopeFollowUpKeepsTheTopic: a short follow-up to an answer about trouble is not everyday
// service, whatever its words.
func TestScopeFollowUpKeepsTheTopic(t *testing.T) {
	e := embedded(t)
	_, st := e.Explain(State{}, Input{Text: "信用卡逾期三个月了 银行会起诉我吗"})
	r, _ := e.Explain(st, Input{Text: "那会影响征信分吗"})
	if r.Kind == KindFallback {
		t.Fatalf("follow-up fell back: %s", r.Trace.Decision)
	}
	r, _ = e.Explain(State{}, Input{Text: "那会影响征信分吗"})
	if r.Kind != KindFallback {
		t.Errorf("the same words opening a conversation: got %s %q, want the scope fallback", r.Kind, r.Article)
	}
}

// TestScopeCues checks the cue mechanics on a hand-built model: ordered cues, masking of the
// service cue and of not-late spans, strong classes ignoring weak cues.
func TestScopeCues(t *testing.T) {
	kb := testKB()
	kb.Scope = knowledge.Scope{
		Reply:   knowledge.Content{Text: "日常业务请找发卡行", HTML: "<p>日常业务请找发卡行</p>"},
		NotLate: []knowledge.ScopePattern{{Words: []string{"没有逾期"}}},
		Trouble: []knowledge.ScopePattern{{Words: []string{"逾期"}}, {Words: []string{"还不上"}}},
		Weak:    []knowledge.ScopePattern{{Words: []string{"违约"}}},
		Service: []*knowledge.ServiceClass{
			{ID: "why", Strong: true, Cues: []knowledge.ScopePattern{{Words: []string{"为什么", "还不上"}, Ordered: true}}},
			{ID: "early", Strong: true, Cues: []knowledge.ScopePattern{{Words: []string{"提前", "还款"}}}},
			{ID: "platform", Cues: []knowledge.ScopePattern{{Words: []string{"花呗"}}}},
		},
	}
	e, err := New(kb.Index(), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in       string
		out      bool
		kept     string
		notLate  string
		wantText string
	}{
		{"为什么卡还不上", true, "", "", ""},          // the cue takes its 还不上 with it
		{"还不上 为什么", false, "", "", ""},         // wrong order: not the class
		{"为什么卡还不上 已经逾期了", false, "逾期", "", ""}, // trouble remains
		{"提前还款有违约金吗", true, "", "", ""},        // strong: 违约 does not keep it
		{"花呗违约了", false, "违约", "", ""},         // weak keeps a weak class
		{"花呗怎么用", true, "", "", ""},
		{"没有逾期 花呗怎么用", true, "", "没有逾期", ""},
		{"没有逾期 卡却用不了", true, "", "没有逾期", ""}, // only says nothing is late
		{"有没有逾期 花呗", false, "逾期", "", ""},    // 有没有 asks
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m := e.norm.normalise(tt.in)
			v := e.scope.judge(&m)
			if v.out != tt.out || tt.kept != "" && v.kept != tt.kept || v.notLate != tt.notLate {
				t.Errorf("verdict %+v, want out=%v kept=%q notLate=%q", v, tt.out, tt.kept, tt.notLate)
			}
		})
	}
	r, _ := e.Explain(State{}, Input{Text: "花呗怎么用"})
	if r.Kind != KindFallback || r.Text != "日常业务请找发卡行" {
		t.Errorf("got %s %q, want the scope reply", r.Kind, r.Text)
	}
}

func TestMask(t *testing.T) {
	sp := func(at ...[2]int) spans {
		var s spans
		for _, a := range at {
			s.at[s.n] = a
			s.n++
		}
		return s
	}
	tests := []struct {
		text string
		at   spans
		want string
	}{
		{"abcdef", sp([2]int{1, 2}), "a·cdef"},
		{"abcdef", sp([2]int{4, 5}, [2]int{0, 1}), "·bcd·f"},
		{"abcdef", sp([2]int{0, 3}, [2]int{1, 4}), "··ef"}, // overlapping words of one cue
		{"abcdef", sp(), "abcdef"},
	}
	for _, tt := range tests {
		if got := mask(tt.text, tt.at); got != tt.want {
			t.Errorf("mask(%q, %v) = %q, want %q", tt.text, tt.at, got, tt.want)
		}
	}
}
