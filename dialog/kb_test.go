package dialog

import (
	"os"
	"strings"
	"sync"
	"testing"

	"chatbot/knowledge"
)

// The labelled question sets and the bar each must meet: the development set and the real
// cardholder questions kept next to the repository, and the held-out set written without sight of
// the knowledge base's examples.
var evalSets = []struct {
	name, file                  string
	minAccuracy, minFallbackRec float64
}{
	{"dev", "../../shared/eval/dev.tsv", 0.95, 0.90},
	{"real-dev", "../../shared/eval/real-dev.tsv", 0.88, 0.80},
	{"holdout", "../testdata/eval/holdout.tsv", 0.90, 0.85},
}

// minLeaveOneOut is the floor for leave-one-out accuracy over the knowledge base's own example
// questions (and out-of-scope examples): how well the engine does on wordings it has not seen.
const minLeaveOneOut = 0.82

var (
	embeddedOnce   sync.Once
	embeddedEngine *Engine
	embeddedErr    error
)

// embedded returns an engine over the built-in knowledge base, built once per test binary.
func embedded(t testing.TB) *Engine {
	t.Helper()
	embeddedOnce.Do(func() {
		kb, err := knowledge.Load(knowledge.Embedded())
		if err != nil {
			embeddedErr = err
			return
		}
		embeddedEngine, embeddedErr = New(kb, DefaultConfig())
	})
	if embeddedErr != nil {
		t.Fatalf("load embedded knowledge base: %v", embeddedErr)
	}
	return embeddedEngine
}

// TestEvalSets holds the engine to the bar on each labelled set that is available (the dev set
// lives outside the repository, so CI skips it).
func TestEvalSets(t *testing.T) {
	for _, set := range evalSets {
		t.Run(set.name, func(t *testing.T) {
			f, err := os.Open(set.file)
			if err != nil {
				t.Skipf("%s set not available: %v", set.name, err)
			}
			defer f.Close()
			rep, err := Evaluate(embedded(t), f)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Accuracy() < set.minAccuracy || rep.FallbackRecall() < set.minFallbackRec {
				var b strings.Builder
				rep.Write(&b)
				t.Errorf("%s set below the bar (accuracy >= %.0f%%, fallback recall >= %.0f%%):\n%s",
					set.name, 100*set.minAccuracy, 100*set.minFallbackRec, b.String())
			}
		})
	}
}

// TestLeaveOneOut guards how the built-in knowledge base generalises, and logs the figure the
// README quotes (go test -v -run TestLeaveOneOut ./dialog/). It rebuilds the index once per
// example question, so -short skips it.
func TestLeaveOneOut(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuilds the index once per example")
	}
	r := leaveOneOut(embedded(t))
	t.Log(r)
	if got := float64(r.correct()) / float64(r.total()); got < minLeaveOneOut {
		t.Errorf("%s < %.0f%%; misrouted without themselves:\n%s", r, 100*minLeaveOneOut, strings.Join(r.misses, "\n"))
	}
}

func TestGoldenConversations(t *testing.T) {
	for _, res := range RunConversations(embedded(t)) {
		t.Run(res.Name, func(t *testing.T) {
			for _, f := range res.Failures {
				t.Error(f)
			}
		})
	}
}

func TestExampleQuestionsRouteToTheirArticle(t *testing.T) {
	for _, p := range CheckRouting(embedded(t)) {
		t.Error(p)
	}
}

// TestBuiltInClasses pins classes of questions the built-in rules and vocabulary exist for,
// each in a wording of its own (not taken from any labelled set).
func TestBuiltInClasses(t *testing.T) {
	tests := []struct{ in, want string }{
		{"借呗能宽限几天吗", "huabei-overdue"}, // 花呗/借呗 own every question about them
		{"花呗逾期了可以申请停息挂账吗", "huabei-overdue"},
		{"花呗额度怎么提高", FallbackLabel},        // ...but not how-tos about the app
		{"信用卡晚了两天还 会上征信吗", "grace-period"}, // a short delay, whatever else it asks
		{"20号是还款日 22号才还上 后果严重吗", "grace-period"},
		{"逾期半年了 银行会不会告我", "lawsuit-criminal"},
		{"欠信用卡会变成老赖吗", "court-enforcement"}, // after a judgment: enforcement, not the criminal question
		{"美团月付逾期了 催收一直打电话", "online-loan-collection"},
		{"这期还款被扣了两次", "billing-error-dispute"},
		{"这个月钱不够还 怎么做才不会逾期", "repayment-options"},
		{"找代理帮忙办停息挂账要收多少", "debt-relief-scams"},
		{"协商时要不要说实话 还是编个理由", "negotiate-repayment"}, // an honest question, not a refusal
		{"帮我编个理由跟银行说", "refuse-evasion"},
		{"欠了这么多 人生没希望了", "emotional-support"},
		{"申请个性化分期是不是没希望了", "personalized-installment"},
		{"账单最低应还是多少", "minimum-payment"},
		{"办信用卡送什么礼品", FallbackLabel},
		// A bare 逾期 question is a credit-card one: 花呗 and 网贷 need their words (require rules).
		{"逾期了怎么办", "overdue-consequences"},
		{"征信会受影响吗", "credit-report"},
		{"花呗逾期了怎么办", "huabei-overdue"},
		{"小贷app逾期了怎么办", "online-loan-collection"},
		// The number and the words that introduce it do not decide the topic.
		{"我的卡号是6222 0212 3456 7890 123 逾期了怎么办", "overdue-consequences"},
		// Weariness of living is a safety matter, at once.
		{"活着太累了", "emotional-support"},
		{"不想再撑了", "emotional-support"},
		{"撑不住了想分期", "emotional-support"}, // its answer names 个性化分期 and offers it
	}
	e := embedded(t)
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, _, out := e.respond(State{}, Input{Text: tt.in}, true)
			if got := label(r, out); got != tt.want {
				t.Errorf("got %s, want %s\n%s", got, tt.want, r.Trace)
			}
		})
	}
}
