package knowledge

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScopeLoads(t *testing.T) {
	kb, err := Load(with(map[string]string{"out-of-scope.yaml": `reply: |
  这是日常业务，请找发卡行。
not_late: [没有逾期过]
trouble: [逾期, 还不上]
weak: [违约]
service:
  - id: early
    strong: true
    cues: [提前>还, 提前&还款]
    unless: [提前几天]
  - id: platform
    cues: [花呗]
questions: [怎么申请新卡]
`}))
	require.NoError(t, err)
	s := kb.Scope
	assert.Equal(t, "这是日常业务，请找发卡行。", s.Reply.Text)
	assert.Equal(t, []ScopePattern{{Words: []string{"没有逾期过"}}}, s.NotLate)
	assert.Len(t, s.Trouble, 2)
	require.Len(t, s.Service, 2)
	assert.Equal(t, "early", s.Service[0].ID)
	assert.True(t, s.Service[0].Strong)
	assert.False(t, s.Service[1].Strong)
	assert.Equal(t, []ScopePattern{{Words: []string{"提前", "还"}, Ordered: true}, {Words: []string{"提前", "还款"}}}, s.Service[0].Cues)
	assert.Equal(t, "提前>还", s.Service[0].Cues[0].String())
	assert.Equal(t, []Example{{Text: "怎么申请新卡", Pos: Pos{File: "out-of-scope.yaml", Line: 13}}}, kb.OutOfScope)
}

func TestScopeProblems(t *testing.T) {
	_, problems := Parse(with(map[string]string{"out-of-scope.yaml": `trouble: [逾期&还>不上, 还不上&, a&b&c&d&e]
service:
  - id: x
    strong: maybe
    cues: [提前]
  - id: x
    cues: [y]
  - cues: [z]
questions: [怎么申请新卡]
`}))
	assert.Equal(t, []string{
		`out-of-scope.yaml: service classes need a reply: what the bot says to an everyday service question`,
		`out-of-scope.yaml:1: cue "逾期&还>不上" mixes & and >; write one or the other`,
		`out-of-scope.yaml:1: cue "还不上&" has an empty word`,
		`out-of-scope.yaml:1: cue "a&b&c&d&e" joins more than 4 words`,
		`out-of-scope.yaml:4: strong must be true or false, not "maybe"`,
		`out-of-scope.yaml:6: duplicate service class id "x" (also on line 3)`,
		`out-of-scope.yaml:8: missing required field "id"`,
	}, problemLines(problems))
}

func TestPatternAlternatives(t *testing.T) {
	kb, problems := Parse(with(map[string]string{"rules.yaml": `- id: p
  kind: prefer
  patterns: ["逾期|违约 & 能用|再用", 黑名单]
  unless: ["a||b"]
  article: minimum-payment
`}))
	require.Len(t, kb.Rules, 1)
	assert.Equal(t, [][]string{{"逾期|违约", "能用|再用"}, {"黑名单"}}, kb.Rules[0].Patterns)
	assert.Equal(t, []string{`rules.yaml:4: pattern "a||b" has an empty word`}, problemLines(problems))
}
