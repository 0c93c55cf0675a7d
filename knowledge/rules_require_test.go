package knowledge

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequireRulesLoad(t *testing.T) {
	kb, err := Load(with(map[string]string{"rules.yaml": `- id: require-minimum
  kind: require
  patterns: [最低, 最少&还]
  unless: [协商]
  article: minimum-payment
`}))
	require.NoError(t, err)
	require.Len(t, kb.Rules, 1)
	r := kb.Rules[0]
	assert.Equal(t, RuleRequire, r.Kind)
	assert.Equal(t, "minimum-payment", r.Article)
	assert.Equal(t, [][]string{{"最低"}, {"最少", "还"}}, r.Patterns)
}

func TestRequireRuleProblems(t *testing.T) {
	cases := []struct {
		name, rules string
		want        []string
	}{
		{"require needs an article", "- id: r\n  kind: require\n  patterns: [花呗]\n",
			[]string{`rules.yaml:1: missing required field "article"`}},
		{"require needs an existing article", "- id: r\n  kind: require\n  patterns: [花呗]\n  article: nowhere\n",
			[]string{`rules.yaml:4: article "nowhere" does not exist`}},
		{"require takes no when", "- id: r\n  kind: require\n  patterns: [花呗]\n  article: minimum-payment\n  when: {days_overdue: [\"1-5\"]}\n",
			[]string{`rules.yaml:5: when is only for prefer rules`}},
		{"unknown kinds name require", "- id: r\n  kind: demand\n  patterns: [花呗]\n",
			[]string{`rules.yaml:2: unknown kind "demand" (use safety, command, refusal, flow, prefer or require)`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := Parse(with(map[string]string{"rules.yaml": tc.rules}))
			assert.ElementsMatch(t, tc.want, problemLines(problems))
		})
	}
}

func TestConversationExcludes(t *testing.T) {
	kb, problems := Parse(with(map[string]string{"conversations/basic.yaml": `- name: 隐私
  turns:
    - say: 卡号6222021234567890123 晚还了两天
      excludes: ["6222021234567890123", "7890123"]
    - say: 我想跟银行协商还款
      expect: {kind: answer}
      contains: [协商]
      excludes: [卡号]
`}))
	assert.Empty(t, problemLines(problems), "a turn that only excludes still checks something")
	require.Len(t, kb.Conversations, 1)
	turns := kb.Conversations[0].Turns
	require.Len(t, turns, 2)
	assert.Equal(t, []string{"6222021234567890123", "7890123"}, turns[0].Excludes)
	assert.Equal(t, []string{"协商"}, turns[1].Contains)
	assert.Equal(t, []string{"卡号"}, turns[1].Excludes)
}
