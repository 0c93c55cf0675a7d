package knowledge

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const claimsFile = `claims:
  - {text: "95528", fact: F6, about: 浦发银行客服电话}
  - {text: "400-800-9888", fact: F6}
  - {text: "免息&60天", fact: F1.2, about: 免息期最长60天}
`

const unconfirmedMessage = ", which KB-FACTS %s marks UNCONFIRMED or no longer true: do not state it; tell the user to check with the issuer (卡背面或官方App里的号码)"

func TestUnconfirmedClaims(t *testing.T) {
	flow := strings.Replace(string(validKB()["flows/negotiation.yaml"].Data), "最长5年。", "最长5年。免息期最长60天。", 1)
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name: "stated in a title, a body, a flow and a bank's number",
			files: map[string]string{
				"unconfirmed.yaml": claimsFile,
				"articles/x.md": "---\nid: x\ntitle: 浦发 95528\n" + questions("x", MinQuestions) + "sources: [F6]\nlead: 先联系发卡行。\n---\n" +
					"拨打 4008009888 或 400 800 9888。\n\n免息期最长 60 天。\n",
				"flows/negotiation.yaml": flow,
				"banks.yaml": string(validKB()["banks.yaml"].Data) +
					"- id: cib\n  name: 兴业银行\n  hotline: \"95528\"\n  sources: [F6]\n",
			},
			want: []string{
				`articles/x.md:3: states "95528" (浦发银行客服电话)` + strings.Replace(unconfirmedMessage, "%s", "F6", 1),
				`articles/x.md:8: states "400-800-9888"` + strings.Replace(unconfirmedMessage, "%s", "F6", 1),
				`articles/x.md:10: states "免息" with "60天" (免息期最长60天)` + strings.Replace(unconfirmedMessage, "%s", "F1.2", 1),
				`banks.yaml:11: states "95528" (浦发银行客服电话)` + strings.Replace(unconfirmedMessage, "%s", "F6", 1),
				`flows/negotiation.yaml:34: states "免息" with "60天" (免息期最长60天)` + strings.Replace(unconfirmedMessage, "%s", "F1.2", 1),
			},
		},
		{
			name: "not stated: longer numbers, one part alone, example questions and keywords",
			files: map[string]string{
				"unconfirmed.yaml": claimsFile,
				"articles/x.md": "---\nid: x\ntitle: t\nquestions: [浦发95528是官方电话吗, " + strings.TrimPrefix(questions("x", MinQuestions), "questions: [") +
					"keywords: [95528]\nsources: [F6]\nlead: 先联系发卡行。\n---\n编号955280、1400-800-98880。\n\n逾期60天会怎样？\n\n免息期以账单为准。\n",
			},
			want: []string{},
		},
		{
			name: "a broken list of claims",
			files: map[string]string{"unconfirmed.yaml": "claims:\n" +
				"  - {text: \"95528\"}\n" +
				"  - {text: \"95528\", fact: KB-FACTS}\n" +
				"  - {text: \"95595\", fact: F6}\n" +
				"  - {text: \"95595\", fact: F6}\n" +
				"  - {text: \"免息&\", fact: F1.2}\n" +
				"  - {fact: F6, source: x}\n"},
			want: []string{
				`unconfirmed.yaml:2: missing required field "fact"`,
				`unconfirmed.yaml:3: fact "KB-FACTS" is not a KB-FACTS id (like F6 or F1.2)`,
				`unconfirmed.yaml:5: claim "95595" is listed twice (also on line 4)`,
				`unconfirmed.yaml:6: claim "免息&" has an empty part around &`,
				`unconfirmed.yaml:7: missing required field "text"`,
				`unconfirmed.yaml:7: warning: unknown field "source" in claim (known: text, fact, about)`,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := Parse(with(tc.files))
			assert.Equal(t, tc.want, problemLines(problems))
		})
	}
}

// TestEmbeddedClaims guards the built-in list: the numbers KB-FACTS marks UNCONFIRMED stay listed.
func TestEmbeddedClaims(t *testing.T) {
	kb, err := Load(Embedded())
	require.NoError(t, err)
	var texts []string
	for _, c := range kb.Unconfirmed {
		texts = append(texts, c.Text)
	}
	for _, want := range []string{"95528", "95595", "95568", "95561", "95511", "95508", "95580",
		"400-800-9888", "400-820-8788", "400-669-5568", "400-788-8888", "12363", "免息&60天"} {
		assert.Contains(t, texts, want)
	}
	// KB-FACTS F19.1 confirms the credit-reference centre's line (it replaces F3.7): answers give it.
	assert.NotContains(t, texts, "400-810-8866")
	assert.Equal(t, len(kb.Unconfirmed), Stats(kb).Unconfirmed)
}
