package dialog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/knowledge"
)

func TestCheckCrisisBuiltIn(t *testing.T) {
	assert.Empty(t, CheckCrisis(embedded(t)), "the built-in crisis cues lint clean")
}

func TestCheckCrisisFindsProblems(t *testing.T) {
	kb := *embedded(t).KB()
	kb.Crisis = &knowledge.Crisis{
		Article:   "emotional-support",
		NotCrisis: []string{"想死你"},
		Classes: []*knowledge.CueClass{
			{ID: "intent", Alone: true, Cues: []knowledge.Example{{Text: "想死你", Pos: knowledge.Pos{File: "crisis.yaml", Line: 3}}},
				Examples: []knowledge.Example{{Text: "今天天气不错", Pos: knowledge.Pos{File: "crisis.yaml", Line: 4}}}},
		},
		Calm: []knowledge.Example{{Text: "我想死你了", Pos: knowledge.Pos{File: "crisis.yaml", Line: 5}}},
	}
	e, err := New(&kb, DefaultConfig())
	require.NoError(t, err)
	var got []string
	for _, p := range CheckCrisis(e) {
		got = append(got, p.String())
	}
	assert.Equal(t, []string{
		`crisis.yaml:4: example "今天天气不错" of cue class intent is not recognised as a crisis`,
		`crisis.yaml:3: cue "想死你" of cue class intent never fires: a not_crisis entry or a negation swallows it`,
	}, got)
}

func TestCrisisPausesAFlow(t *testing.T) {
	e := embedded(t)
	r, st := e.Explain(State{}, Input{Text: "帮我想想怎么跟银行谈"})
	require.Equal(t, KindAsk, r.Kind)
	r, st = e.Explain(st, Input{Text: "我已经站在楼顶了"})
	assert.Equal(t, "emotional-support", r.Article)
	assert.Equal(t, PriorityCrisis, r.Priority)
	assert.Nil(t, st.Flow, "the flow pauses")
	assert.True(t, strings.HasPrefix(r.Trace.Decision, "crisis: place"), r.Trace.Decision)
	require.NotEmpty(t, r.Buttons)
	assert.True(t, strings.HasPrefix(r.Buttons[0].Value, ChoiceFlow), "the answer offers to resume the flow")
}

func TestPriorityOnlyOnCrisisResources(t *testing.T) {
	e := embedded(t)
	r, _ := e.Explain(State{}, Input{Text: "信用卡逾期了怎么跟银行协商"})
	assert.Empty(t, r.Priority)
	r, _ = e.Explain(State{}, Input{Choice: ChoiceArticle + "emotional-support"})
	assert.Equal(t, PriorityCrisis, r.Priority, "the crisis article reached by a button carries the same resources")
}

// Every 人工 button hands off: the related human-agent button under the crisis answer, and an
// old article:human-agent button pressed from the history.
func TestEveryPersonButtonHandsOff(t *testing.T) {
	e := embedded(t)
	r, _ := e.Explain(State{}, Input{Text: "我不想活了"})
	var found bool
	for _, b := range r.Buttons {
		if b.Label == "转人工客服" {
			found = true
			assert.Equal(t, ChoiceHandoff, b.Value)
		}
	}
	assert.True(t, found, "the crisis answer offers a person: %v", r.Buttons)
	r, _ = e.Explain(State{}, Input{Choice: ChoiceArticle + humanAgentArticle})
	assert.Equal(t, KindHandoff, r.Kind)
}

// Scam reports are warned about first, whatever else they mention; questions about keeping
// codes safe are not reports.
func TestScamImpersonationFirst(t *testing.T) {
	e := embedded(t)
	for _, tt := range []struct{ text, want string }{
		{"说是工行的人打电话 让我把短信里的数字告诉他 验证码", "fraud-impersonation"},
		{"对方自称法院 要我把钱转进安全账户 不然明天起诉", "fraud-impersonation"},
		{"客服说要开屏幕共享才能帮我停息挂账", "fraud-impersonation"},
		{"有人问我要信用卡密码 说能帮我延期", "fraud-impersonation"},
		{"催收让我把钱打到他的账户 说这样最快销账", "fraud-impersonation"},
		{"验证码可以告诉银行客服吗", "privacy-protection"},
	} {
		r, _ := e.Explain(State{}, Input{Text: tt.text})
		assert.Equal(t, tt.want, r.Article, "%s (%s)", tt.text, r.Trace.Decision)
	}
}
