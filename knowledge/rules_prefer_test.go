package knowledge

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPreferRulesLoad(t *testing.T) {
	kb, err := Load(with(map[string]string{"rules.yaml": `- id: prefer-minimum
  kind: prefer
  patterns: [最低&还款]
  unless: [协商]
  when: {days_overdue: ["1-5"], bank: [cmb, other], amount: ["1000-"]}
  article: minimum-payment
`}))
	require.NoError(t, err)
	require.Len(t, kb.Rules, 1)
	r := kb.Rules[0]
	assert.Equal(t, RulePrefer, r.Kind)
	assert.Equal(t, "minimum-payment", r.Article)
	assert.Equal(t, map[string][]string{"days_overdue": {"1-5"}, "bank": {"cmb", "other"}, "amount": {"1000-"}}, r.When)
}

func TestPreferRuleProblems(t *testing.T) {
	cases := []struct {
		name, rules string
		want        []string
	}{
		{
			name:  "prefer needs an existing article",
			rules: "- id: p\n  kind: prefer\n  patterns: [最低]\n  article: nowhere\n",
			want:  []string{`rules.yaml:4: article "nowhere" does not exist`},
		},
		{
			name:  "when only on prefer rules",
			rules: "- id: s\n  kind: safety\n  patterns: [想死]\n  article: minimum-payment\n  when: {days_overdue: [\"1-5\"]}\n",
			want:  []string{`rules.yaml:5: when is only for prefer rules`},
		},
		{
			name:  "when names a slot no message carries",
			rules: "- id: p\n  kind: prefer\n  patterns: [最低]\n  article: minimum-payment\n  when: {reason: [income]}\n",
			want:  []string{`rules.yaml:5: when names "reason"; a rule can only test bank, days_overdue or amount`},
		},
		{
			name:  "when values are checked like a flow part's",
			rules: "- id: p\n  kind: prefer\n  patterns: [最低]\n  article: minimum-payment\n  when: {days_overdue: [\"5-1\", soon], bank: [nobank]}\n",
			want: []string{
				`rules.yaml:5: range "5-1" is empty`,
				`rules.yaml:5: "soon" is not a range like "0-3" or "91-"`,
				`rules.yaml:5: "nobank" is not a bank id from banks.yaml or "other"`,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := Parse(with(map[string]string{"rules.yaml": tc.rules}))
			assert.ElementsMatch(t, tc.want, problemLines(problems))
		})
	}
}
