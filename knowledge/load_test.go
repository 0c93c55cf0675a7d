package knowledge

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// questions writes n example questions on one front-matter line, unique per prefix.
func questions(prefix string, n int) string {
	qs := make([]string, n)
	for i := range qs {
		qs[i] = fmt.Sprintf("%s问题%d", prefix, i+1)
	}
	return "questions: [" + strings.Join(qs, ", ") + "]\n"
}

// validKB is a small knowledge base with no problems; each case below breaks one thing.
func validKB() fstest.MapFS {
	files := map[string]string{
		"articles/negotiate-repayment.md": "---\nid: negotiate-repayment\ntitle: 协商还款\n" +
			questions("协商", MinQuestions) +
			"related: [minimum-payment]\nflow: negotiation\nsources: [F2.1, F6]\nlead: 联系发卡行。\nreviewed: 2026-11-23\n---\n" +
			"**先做这一件事：** 联系发卡行。\n\n1. 准备材料\n2. 个性化分期最长5年\n",
		"articles/minimum-payment.md": "---\nid: minimum-payment\ntitle: 最低还款\n" +
			questions("最低还款", MinQuestions) + "keywords: [最低]\nlead: 按时还最低还款额。\n---\n按时还最低还款额，就不算逾期。\n",
		"flows/negotiation.yaml": `id: negotiation
title: 协商还款助手
article: negotiate-repayment
start: offer
start_label: 帮我准备协商
intro: 好的，我问您几个问题。
lead: 今天就联系{bank}。
slots:
  - name: bank
    type: bank
    ask: 是哪家银行的信用卡?
    buttons: [招商银行, 其他]
  - name: days_overdue
    type: days
    ask: 现在逾期多久了?
    buttons:
      - {label: 还没逾期, value: "0"}
  - name: reason
    type: choice
    ask: 主要是什么原因还不上?
    choices:
      temporary: [周转, 临时]
      income: [失业, 降薪]
    buttons:
      - {label: 其他, value: other}
    number_means: temporary
parts:
  - when: {}
    text: |
      **先做这一件事：** 今天就联系{bank}：{bank_contact}。
  - when: {days_overdue: ["0-3"], bank: [cmb]}
    text: 先还最低还款。
  - when: {reason: [income, other]}
    text: 可以申请个性化分期，最长5年。
sources: [F2.1]
`,
		"rules.yaml": `- id: safety
  kind: safety
  patterns: [想死, 轻生&念头]
  article: minimum-payment
- id: handoff
  kind: command
  patterns: [转人工]
  action: handoff
- id: start-negotiation
  kind: flow
  patterns: [帮我&谈]
  flow: negotiation
`,
		"banks.yaml": `- id: cmb
  name: 招商银行
  aliases: [招行, CMB]
  hotline: "95555"
  sources: [F6]
- id: spdb
  name: 浦发银行
  aliases: [浦发]
`,
		"vocabulary.yaml": "synonyms:\n  信用卡: [xyk, 信用咔]\n  征信: [zx]\n",
		"conversations/basic.yaml": `- name: 协商
  turns:
    - say: 我想跟银行协商还款
      expect: {kind: answer, article: negotiate-repayment}
    - choose: "flow:negotiation"
      expect: {kind: ask, flow: negotiation, slot: bank}
`,
		"out-of-scope.yaml": "questions: [怎么申请新卡]\n",
		"facts.yaml": "legal_words: [法律]\nfacts:\n  - {id: F2.1, title: 《商业银行信用卡业务监督管理办法》第七十条}\n" +
			"  - {id: F6, title: 各银行公布的客服电话}\n",
		"topics.yaml": "topics:\n  - {id: negotiate-repayment, title: 协商}\n  - {id: minimum-payment, title: 最低还款}\n",
	}
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

// with returns validKB with files replaced or added; an empty text removes the file.
func with(files map[string]string) fstest.MapFS {
	fsys := validKB()
	for name, data := range files {
		if data == "" {
			delete(fsys, name)
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

func problemLines(ps Problems) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

func TestValidKBLoads(t *testing.T) {
	kb, err := Load(validKB())
	require.NoError(t, err)
	assert.Empty(t, kb.Warnings)
	assert.Len(t, kb.Version, 12)

	a, ok := kb.Article("negotiate-repayment")
	require.True(t, ok)
	assert.Equal(t, "协商还款", a.Title)
	assert.Len(t, a.Questions, MinQuestions)
	assert.Equal(t, Pos{File: "articles/negotiate-repayment.md", Line: 4}, a.Questions[0].Pos)
	assert.Equal(t, []string{"minimum-payment"}, a.Related)
	assert.Contains(t, a.Body.HTML, "<strong>先做这一件事：</strong>")
	assert.Equal(t, "先做这一件事： 联系发卡行。\n\n1. 准备材料\n2. 个性化分期最长5年", a.Body.Text)

	f, ok := kb.Flow("negotiation")
	require.True(t, ok)
	require.Len(t, f.Slots, 3)
	assert.Equal(t, []Button{{Label: "招商银行", Value: "招商银行"}, {Label: "其他", Value: "其他"}}, f.Slots[0].Buttons)
	assert.Equal(t, []string{"temporary", "income"}, f.Slots[2].ChoiceOrder)
	assert.Equal(t, map[string][]string{"days_overdue": {"0-3"}, "bank": {"cmb"}}, f.Parts[1].When)
	assert.Contains(t, f.Parts[0].Body.Text, "今天就联系{bank}：{bank_contact}。")
	assert.Equal(t, "好的，我问您几个问题。", f.IntroBody.Text)

	require.Len(t, kb.Rules, 3)
	assert.Equal(t, [][]string{{"想死"}, {"轻生", "念头"}}, kb.Rules[0].Patterns)
	b, ok := kb.Bank("cmb")
	require.True(t, ok)
	assert.Equal(t, []string{"招行", "CMB"}, b.Aliases)
	assert.Equal(t, []string{"xyk", "信用咔"}, kb.Vocabulary.Synonyms["信用卡"])
	require.Len(t, kb.Conversations, 1)
	assert.Equal(t, Expectation{Kind: "ask", Flow: "negotiation", Slot: "bank"}, kb.Conversations[0].Turns[1].Expect)
	assert.Equal(t, []Example{{Text: "怎么申请新卡", Pos: Pos{File: "out-of-scope.yaml", Line: 1}}}, kb.OutOfScope)
	assert.Len(t, kb.Topics, 2)
}

func TestVersionFollowsContent(t *testing.T) {
	a, err := Load(validKB())
	require.NoError(t, err)
	b, err := Load(validKB())
	require.NoError(t, err)
	assert.Equal(t, a.Version, b.Version, "same content, same version")

	c, err := Load(with(map[string]string{"out-of-scope.yaml": "questions: [怎么办新卡]\n"}))
	require.NoError(t, err)
	assert.NotEqual(t, a.Version, c.Version)
}

func TestProblems(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "bad YAML in front matter",
			files: map[string]string{"articles/x.md": "---\nid: x\ntitle: a: b\n---\n正文\n"},
			want:  []string{"articles/x.md:3: invalid YAML: mapping values are not allowed in this context"},
		},
		{
			name:  "bad YAML in a list file",
			files: map[string]string{"rules.yaml": "- id: a\n  patterns: [x\n"},
			want:  []string{"rules.yaml:2: invalid YAML: did not find expected ',' or ']'"},
		},
		{
			name:  "missing front matter",
			files: map[string]string{"articles/x.md": "# 标题\n正文\n"},
			want:  []string{`articles/x.md:1: missing front matter: the file must start with a line "---"`},
		},
		{
			name:  "front matter not closed",
			files: map[string]string{"articles/x.md": "---\nid: x\n正文\n"},
			want:  []string{`articles/x.md:1: front matter is not closed: add a line "---" after it`},
		},
		{
			name:  "missing required fields",
			files: map[string]string{"articles/x.md": "---\nkeywords: [a]\n---\n正文\n"},
			want: []string{
				`articles/x.md:2: missing required field "id"`,
				`articles/x.md:2: missing required field "title"`,
				`articles/x.md:2: missing required field "lead"`,
				`articles/x.md:2: missing required field "questions"`,
			},
		},
		{
			name:  "id not kebab-case",
			files: map[string]string{"articles/x.md": "---\nid: Bad_Id\ntitle: t\nlead: 先联系发卡行。\n" + questions("x", 12) + "---\n正文\n"},
			want:  []string{`articles/x.md:2: id "Bad_Id" is not kebab-case (lowercase letters, digits and single hyphens, e.g. negotiate-repayment)`},
		},
		{
			name:  "duplicate article id",
			files: map[string]string{"articles/x.md": "---\nid: minimum-payment\ntitle: t\nlead: 先联系发卡行。\n" + questions("x", 12) + "---\n正文\n"},
			want: []string{
				`articles/x.md:1: duplicate article id "minimum-payment" (also in articles/minimum-payment.md:1)`,
				`articles/x.md:2: warning: file name should be minimum-payment.md to match the id`,
			},
		},
		{
			name: "unknown related and flow ids",
			files: map[string]string{"articles/x.md": "---\nid: x\ntitle: t\nlead: 先联系发卡行。\n" + questions("x", 12) +
				"related:\n  - minimum-payment\n  - no-such-article\nflow: no-such-flow\n---\n正文\n"},
			want: []string{
				`articles/x.md:8: related id "no-such-article" does not exist`,
				`articles/x.md:9: flow "no-such-flow" does not exist`,
			},
		},
		{
			name: "flow whose article does not exist",
			files: map[string]string{"flows/orphan.yaml": "id: orphan\nstart: ask\narticle: gone\n" +
				"slots:\n  - name: bank\n    type: bank\n    ask: 哪家银行?\nparts:\n  - text: 好的\n"},
			want: []string{
				`flows/orphan.yaml:1: missing lead: the first thing to do, one sentence of at most 80 characters (parts may give their own)`,
				`flows/orphan.yaml:3: article "gone" does not exist`,
			},
		},
		{
			name:  "unknown article in a rule",
			files: map[string]string{"rules.yaml": "- id: refuse\n  kind: refusal\n  patterns: [假&病历]\n  article: refuse-evasion\n"},
			want:  []string{`rules.yaml:4: article "refuse-evasion" does not exist`},
		},
		{
			name: "unsafe links",
			files: map[string]string{"articles/x.md": "---\nid: x\ntitle: t\nlead: 先联系发卡行。\n" + questions("x", 12) + "---\n" +
				"[点我](javascript:alert(1))\n\n[图](data:text/html;base64,xx)\n\n[下一篇](other.md)\n\n" +
				"[写信](mailto:a@b.cn)\n\n<a@b.cn>\n\n[官网](https://www.example.cn) [拨打](tel:95555)\n"},
			want: []string{
				`articles/x.md:7: unsafe link "javascript:alert(1)": only https://, http:// and tel: links are allowed`,
				`articles/x.md:9: unsafe link "data:text/html;base64,xx": only https://, http:// and tel: links are allowed`,
				`articles/x.md:11: unsafe link "other.md": only https://, http:// and tel: links are allowed`,
				`articles/x.md:13: unsafe link "mailto:a@b.cn": only https://, http:// and tel: links are allowed`,
				`articles/x.md:15: unsafe link "mailto:a@b.cn": only https://, http:// and tel: links are allowed`,
				`articles/x.md:17: legal or regulatory statement without sources ("95555"): cite the facts it rests on in sources (ids from facts.yaml)`,
			},
		},
		{
			name: "raw HTML",
			files: map[string]string{"articles/x.md": "---\nid: x\ntitle: t\nlead: 先联系发卡行。\n" + questions("x", 12) + "---\n" +
				"第一段<b>加粗</b>\n\n<div onclick=\"x()\">\n块\n</div>\n"},
			want: []string{
				`articles/x.md:7: raw HTML is not allowed: "<b>"; use Markdown`,
				`articles/x.md:7: raw HTML is not allowed: "</b>"; use Markdown`,
				`articles/x.md:9: raw HTML is not allowed: "<div onclick=\"x()\">"; use Markdown`,
			},
		},
		{
			name:  "empty body",
			files: map[string]string{"articles/x.md": "---\nid: x\ntitle: t\nlead: 先联系发卡行。\n" + questions("x", 12) + "---\n\n  \n"},
			want:  []string{`articles/x.md:7: body is empty`},
		},
		{
			name:  "too few questions: warning for an extra article",
			files: map[string]string{"articles/x.md": "---\nid: x\ntitle: t\nlead: 先联系发卡行。\n" + questions("x", 3) + "---\n正文\n"},
			want:  []string{`articles/x.md:5: warning: only 3 example questions; at least 12 are needed`},
		},
		{
			name: "too few questions: error for a required topic",
			files: map[string]string{"articles/minimum-payment.md": "---\nid: minimum-payment\ntitle: t\nlead: 先联系发卡行。\n" +
				questions("x", 11) + "---\n正文\n"},
			want: []string{`articles/minimum-payment.md:5: only 11 example questions; at least 12 are needed`},
		},
		{
			name: "numbers stated without sources",
			files: map[string]string{"articles/x.md": "---\nid: x\ntitle: t\nlead: 先联系发卡行。\n" + questions("x", 12) + "---\n" +
				"第一步先打电话。\n\n不良记录保存五年，依据第十六条；逾期3天、利率0.05%、违约金5%。\n"},
			want: []string{`articles/x.md:9: legal or regulatory statement without sources ("五年", "第十六条", "3天", "0.05%", "5%"): cite the facts it rests on in sources (ids from facts.yaml)`},
		},
		{
			name: "sources that are not in the facts list",
			files: map[string]string{"articles/x.md": "---\nid: x\ntitle: t\nlead: 先联系发卡行。\n" + questions("x", 12) +
				"sources: [F2.1, F6, F3.1, 《征信业管理条例》, https://www.pbc.gov.cn, KB-FACTS, f3.1]\n---\n正文\n"},
			want: []string{
				`articles/x.md:6: source "F3.1" is not in facts.yaml: cite a fact id listed there (add the fact, with a title a cardholder can look up, if it is new)`,
				`articles/x.md:6: source "《征信业管理条例》" is not in facts.yaml: cite a fact id listed there (add the fact, with a title a cardholder can look up, if it is new)`,
				`articles/x.md:6: source "https://www.pbc.gov.cn" is not in facts.yaml: cite a fact id listed there (add the fact, with a title a cardholder can look up, if it is new)`,
				`articles/x.md:6: source "KB-FACTS" is not in facts.yaml: cite a fact id listed there (add the fact, with a title a cardholder can look up, if it is new)`,
				`articles/x.md:6: source "f3.1" is not in facts.yaml: cite a fact id listed there (add the fact, with a title a cardholder can look up, if it is new)`,
			},
		},
		{
			name: "follow-ups: unknown article, no cues",
			files: map[string]string{"articles/x.md": "---\nid: x\ntitle: t\nlead: 先联系发卡行。\n" + questions("x", 12) +
				"follow_ups:\n  - {cues: [多久], article: nowhere}\n  - {cues: [], article: minimum-payment}\n" +
				"  - {cues: [材料]}\n  - {cues: [几年], answer: 最长5年}\n---\n正文\n"},
			want: []string{
				`articles/x.md:7: follow-up article "nowhere" does not exist`,
				`articles/x.md:8: missing required field "cues"`,
				`articles/x.md:9: follow-up needs an article or an answer`,
				`articles/x.md:10: follow-up answer needs a lead (the first thing to do, at most 80 characters)`,
				`articles/x.md:10: legal or regulatory statement without sources ("5年"): cite the facts it rests on in sources (ids from facts.yaml)`,
			},
		},
		{
			name:  "rule with no patterns",
			files: map[string]string{"rules.yaml": "- id: handoff\n  kind: command\n  action: handoff\n"},
			want:  []string{`rules.yaml:1: rule has no patterns`},
		},
		{
			name: "flow answer: lead too long with the longest bank, too much before 详细说明, a legal part without sources",
			files: map[string]string{"flows/negotiation.yaml": "id: negotiation\narticle: negotiate-repayment\nstart: ask\n" +
				"lead: \"" + strings.Repeat("今天", 38) + "联系{bank}\"\n" +
				"slots:\n  - name: bank\n    type: bank\n    ask: 哪家?\n" +
				"parts:\n  - when: {bank: [cmb]}\n    text: \"" + strings.Repeat("好", 421) + "\"\n" +
				"  - text: 法律规定可以申请。\n    more: true\n"},
			want: []string{
				`flows/negotiation.yaml:1: the answer shows 421 characters before 详细说明 (for bank=cmb); at most 420: mark details ` + "`more: true`",
				`flows/negotiation.yaml:4: lead has 83 characters (with placeholders filled the longest way); at most 80`,
				`flows/negotiation.yaml:12: legal or regulatory statement without sources ("法律"): cite the facts it rests on in sources (ids from facts.yaml)`,
			},
		},
		{
			name: "flow slot of unknown type and when naming an unknown slot",
			files: map[string]string{"flows/negotiation.yaml": "id: negotiation\narticle: negotiate-repayment\nstart: ask\n" +
				"slots:\n  - name: when_due\n    type: date\n    ask: 哪天到期?\n" +
				"parts:\n  - when: {days_overdue: [0-3]}\n    text: 好的\n"},
			want: []string{
				`conversations/basic.yaml:6: flow "negotiation" has no slot "bank"`,
				`flows/negotiation.yaml:1: missing lead: the first thing to do, one sentence of at most 80 characters (parts may give their own)`,
				`flows/negotiation.yaml:6: slot "when_due" has unknown type "date" (use bank, days, amount or choice)`,
				`flows/negotiation.yaml:9: when names unknown slot "days_overdue"`,
			},
		},
		{
			name: "turn with neither say nor choose",
			files: map[string]string{"conversations/basic.yaml": "- name: 空\n  turns:\n" +
				"    - expect: {kind: answer}\n    - say: 你好\n      expect: {kind: reply}\n"},
			want: []string{
				`conversations/basic.yaml:3: turn has neither say nor choose`,
				`conversations/basic.yaml:5: unknown kind "reply" (use answer, clarify, ask, fallback or handoff)`,
			},
		},
		{
			name:  "topic with no article",
			files: map[string]string{"topics.yaml": "topics:\n  - {id: minimum-payment}\n  - {id: credit-report, title: 征信}\n"},
			want:  []string{`topics.yaml:3: topic "credit-report" has no article (add articles/credit-report.md)`},
		},
		{
			name: "duplicate flow, bank and rule ids",
			files: map[string]string{
				"flows/z-copy.yaml": "id: negotiation\narticle: negotiate-repayment\nstart: ask\nslots:\n  - {name: bank, type: bank, ask: 哪家}\nparts:\n  - text: 好\n",
				"banks.yaml":        "- {id: cmb, name: 招商银行}\n- {id: cmb, name: 招行}\n",
				"rules.yaml":        "- {id: r, kind: command, patterns: [转人工], action: handoff}\n- {id: r, kind: command, patterns: [重来], action: restart}\n",
			},
			want: []string{
				`banks.yaml:2: duplicate bank id "cmb" (also on line 1)`,
				`flows/z-copy.yaml:1: missing lead: the first thing to do, one sentence of at most 80 characters (parts may give their own)`,
				`flows/z-copy.yaml:1: duplicate flow id "negotiation" (also in flows/negotiation.yaml:1)`,
				`flows/z-copy.yaml:1: warning: file name should be negotiation.yaml to match the id`,
				`rules.yaml:2: duplicate rule id "r" (also on line 1)`,
			},
		},
		{
			name:  "unknown front-matter field and placeholder in an article",
			files: map[string]string{"articles/x.md": "---\nid: x\ntitle: t\nlead: 先联系发卡行。\n" + questions("x", 12) + "relatd: [minimum-payment]\n---\n请联系{bank}。\n"},
			want: []string{
				`articles/x.md:6: warning: unknown field "relatd" in front matter (known: id, title, lead, questions, keywords, related, follow_ups, flow, sources, reviewed)`,
				`articles/x.md:8: placeholder "{bank}" only works in flows`,
			},
		},
		{
			name: "same example question in two articles",
			files: map[string]string{"articles/x.md": "---\nid: x\ntitle: t\nlead: 先联系发卡行。\n" + questions("x", 12) +
				"---\n正文\n", "out-of-scope.yaml": "questions:\n  - 最低还款问题1\n"},
			want: []string{`out-of-scope.yaml:2: question "最低还款问题1" is also an example of article "minimum-payment" (articles/minimum-payment.md:4)`},
		},
		{
			name:  "no articles at all",
			files: map[string]string{"articles/negotiate-repayment.md": "", "articles/minimum-payment.md": ""},
			// One problem to fix, not one per reference to a missing article.
			want: []string{"articles: no articles: add articles/<id>.md files"},
		},
		{
			name:  "a broken article is one problem, not one per reference to it",
			files: map[string]string{"articles/minimum-payment.md": "---\nid: minimum-payment\ntitle: [最低\n---\n正文\n"},
			want:  []string{`articles/minimum-payment.md:3: invalid YAML: did not find expected ',' or ']'`},
		},
		{
			name: "a broken flow is one problem, not one per reference to it",
			files: map[string]string{"flows/negotiation.yaml": "id: negotiation\narticle: negotiate-repayment\nstart: ask\n" +
				"slots:\n  - {name: bank, type: bank, ask: 哪家}\n"},
			want: []string{`flows/negotiation.yaml:1: missing required field "parts"`},
		},
		{
			name: "duplicate article id: the file named after the id keeps it",
			files: map[string]string{"articles/a-copy.md": "---\nid: minimum-payment\ntitle: 副本\nlead: 先联系发卡行。\n" +
				questions("最低还款", MinQuestions) + "---\n按时还最低还款额。\n"},
			want: []string{
				`articles/a-copy.md:1: duplicate article id "minimum-payment" (also in articles/minimum-payment.md:1)`,
				`articles/a-copy.md:2: warning: file name should be minimum-payment.md to match the id`,
			},
		},
		{
			name:  "front matter that is empty or not a mapping",
			files: map[string]string{"articles/x.md": "---\n---\n正文\n", "articles/y.md": "---\n- a\n---\n正文\n"},
			want: []string{
				`articles/x.md:1: missing required field "id"`,
				`articles/x.md:1: missing required field "title"`,
				`articles/x.md:1: missing required field "lead"`,
				`articles/x.md:1: missing required field "questions"`,
				`articles/y.md:2: front matter must be a mapping (key: value lines)`,
			},
		},
		{
			name:  "Windows line endings keep their line numbers",
			files: map[string]string{"articles/x.md": "---\r\nid: x\r\ntitle: t\r\nquestions: [q]\r\nlead: 先联系发卡行。\r\n---\r\n\r\n<b>x</b>\r\n"},
			want: []string{
				`articles/x.md:4: warning: only 1 example questions; at least 12 are needed`,
				`articles/x.md:8: raw HTML is not allowed: "<b>"; use Markdown`,
				`articles/x.md:8: raw HTML is not allowed: "</b>"; use Markdown`,
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

func TestLoadFailsOnErrorsOnly(t *testing.T) {
	kb, err := Load(with(map[string]string{"articles/x.md": "---\nid: x\ntitle: t\nlead: 先联系发卡行。\n" + questions("x", 3) + "---\n正文\n"}))
	require.NoError(t, err, "warnings alone do not stop loading")
	assert.Equal(t, []string{"articles/x.md:5: warning: only 3 example questions; at least 12 are needed"}, problemLines(kb.Warnings))

	kb, err = Load(with(map[string]string{"articles/x.md": "no front matter"}))
	assert.Nil(t, kb)
	var problems Problems
	require.True(t, errors.As(err, &problems))
	assert.True(t, problems.HasErrors())
	assert.Equal(t, `articles/x.md:1: missing front matter: the file must start with a line "---"`, err.Error())
}

// TestLoadConcurrently checks that loads share nothing mutable (the goldmark instance is shared),
// since a reload runs while other goroutines may load too (lint, tests, a second watcher).
func TestLoadConcurrently(t *testing.T) {
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			_, err := Load(validKB())
			errs <- err
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
}
