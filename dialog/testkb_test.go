package dialog

import (
	"testing"

	"chatbot/knowledge"
)

// body renders a test article body the simple way the loader would.
func body(text string) knowledge.Content {
	return knowledge.Content{Markdown: text, Text: text, HTML: "<p>" + text + "</p>"}
}

func examples(file string, qs ...string) []knowledge.Example {
	out := make([]knowledge.Example, len(qs))
	for i, q := range qs {
		out[i] = knowledge.Example{Text: q, Pos: knowledge.Pos{File: file, Line: 4 + i}}
	}
	return out
}

// testKB is a small knowledge base built by hand: enough articles, rules and flows to exercise
// every path of the engine without depending on the built-in content.
func testKB() *knowledge.KB {
	kb := &knowledge.KB{
		Version: "test-1",
		Articles: []*knowledge.Article{
			{ID: "cannot-reach-service", Title: "联系不上客服", Flow: "cannot-reach",
				Questions: examples("articles/cannot-reach-service.md", "信用卡客服电话一直打不通怎么办", "客服占线打不进去", "联系不上银行客服"),
				Keywords:  []string{"打不通"}, Related: []string{"bank-hotlines"}, Body: body("错开高峰再打。")},
			{ID: "bank-hotlines", Title: "各银行信用卡客服电话", Flow: "hotline",
				Questions: examples("articles/bank-hotlines.md", "信用卡客服电话是多少", "银行客服热线号码", "信用卡中心电话多少"),
				Related:   []string{"cannot-reach-service"}, Body: body("请拨打卡背面的号码。")},
			{ID: "credit-report", Title: "逾期对征信的影响",
				Questions: examples("articles/credit-report.md", "逾期会影响征信吗", "逾期记录保留几年", "征信多久能恢复", "怎么查征信报告"),
				Keywords:  []string{"征信"}, Related: []string{"overdue-consequences", "nope"}, Body: body("不良记录自还清之日起保存5年。")},
			{ID: "emotional-support", Title: "压力太大", Questions: examples("articles/emotional-support.md", "压力太大了", "心里好难受"),
				Body: body("您先深呼吸，心理援助热线 12356。")},
			{ID: "grace-period", Title: "晚还一两天",
				Questions: examples("articles/grace-period.md", "晚还一天算逾期吗", "信用卡有没有宽限期", "过了还款日两天才还"),
				Keywords:  []string{"宽限期"}, Body: body("很多银行有宽限期。")},
			{ID: "human-agent", Title: "转人工", Questions: examples("articles/human-agent.md", "怎么联系人工客服"),
				Body: body("人工客服工作时间 9:00-21:00。")},
			{ID: "late-fees", Title: "逾期利息和违约金",
				Questions: examples("articles/late-fees.md", "逾期利息怎么算", "违约金怎么收", "逾期罚息是多少"),
				Keywords:  []string{"违约金"}, Body: body("利息按合同计算。")},
			{ID: "late-fees-waiver", Title: "减免违约金",
				Questions: examples("articles/late-fees-waiver.md", "违约金能减免吗", "违约金可以免掉吗"),
				Body:      body("可以向银行申请减免。")},
			// Twins: the same wording in two articles, so a question about it must be clarified.
			{ID: "annual-fee", Title: "年费怎么收", Questions: examples("articles/annual-fee.md", "信用卡年费怎么收"),
				Keywords: []string{"年费"}, Body: body("年费以发卡行规定为准。")},
			{ID: "annual-fee-waiver", Title: "年费能免吗", Questions: examples("articles/annual-fee-waiver.md", "信用卡年费怎么收"),
				Keywords: []string{"年费"}, Body: body("可以问问发卡行能否减免年费。")},
			{ID: "negotiate-repayment", Title: "与银行协商还款", Flow: "negotiation",
				Questions: examples("articles/negotiate-repayment.md", "怎么跟银行协商还款", "想和银行商量分期还", "逾期了能协商吗"),
				Keywords:  []string{"协商"}, Related: []string{"credit-report", "grace-period", "late-fees", "overdue-consequences"},
				Body: body("先联系发卡行说明情况。")},
			{ID: "overdue-consequences", Title: "逾期后果", Flow: "consequences",
				Questions: examples("articles/overdue-consequences.md", "信用卡逾期有什么后果", "逾期了会怎么样", "逾期很久会怎样"),
				Body:      body("后果取决于逾期多久。")},
			{ID: "refuse-evasion", Title: "不能帮您逃避还款", Questions: examples("articles/refuse-evasion.md", "怎么才能不还信用卡"),
				Body: body("这个我不能帮您。合法的办法是协商。")},
			{ID: "smalltalk-greeting", Title: "你好", Questions: examples("articles/smalltalk-greeting.md", "你好", "在吗"),
				Body: body("您好，我可以帮您解答信用卡逾期的问题。")},
		},
		Vocabulary: knowledge.Vocabulary{Synonyms: map[string][]string{
			"信用卡": {"xyk"},
			"征信":  {"zx", "信用记录"},
			"还不上": {"还不起", "没钱还"},
			"协商":  {"商量", "谈判"},
			"违约金": {"滞纳金"},
		}},
		Banks: []*knowledge.Bank{
			{ID: "cmb", Name: "招商银行", Aliases: []string{"招行", "CMB"}, Hotline: "95555", CardLine: "400-820-5555"},
			{ID: "ccb", Name: "建设银行", Aliases: []string{"建行"}, Hotline: "95533"},
			{ID: "spdb", Name: "浦发银行", Aliases: []string{"浦发"}},
		},
		Rules: []*knowledge.Rule{
			{ID: "safety", Kind: knowledge.RuleSafety, Patterns: [][]string{{"不想活"}, {"跳楼"}}, Article: "emotional-support"},
			{ID: "handoff", Kind: knowledge.RuleCommand, Patterns: [][]string{{"转人工"}}, Unless: [][]string{{"打不通"}}, Action: "handoff"},
			{ID: "restart", Kind: knowledge.RuleCommand, Patterns: [][]string{{"重新开始"}}, Action: "restart"},
			{ID: "refuse", Kind: knowledge.RuleRefusal, Patterns: [][]string{{"怎么", "不还"}}, Unless: [][]string{{"还不上"}}, Article: "refuse-evasion"},
			{ID: "start-negotiation", Kind: knowledge.RuleFlow, Patterns: [][]string{{"帮我", "跟银行谈"}}, Flow: "negotiation"},
		},
		Flows: []*knowledge.Flow{
			{ID: "negotiation", Title: "协商还款助手", Article: "negotiate-repayment", Start: "offer", StartLabel: "帮我准备协商",
				Intro: "好的，我问您几个问题。",
				Slots: []*knowledge.Slot{
					{Name: "bank", Type: knowledge.SlotBank, Ask: "是哪家银行的信用卡?", Buttons: []knowledge.Button{{Label: "招商银行"}, {Label: "建设银行"}, {Label: "其他"}}},
					{Name: "days_overdue", Type: knowledge.SlotDays, Ask: "现在逾期多久了?", Buttons: []knowledge.Button{{Label: "还没逾期", Value: "0"}, {Label: "1–3 天", Value: "3"}, {Label: "3 个月以上", Value: "120"}}},
					{Name: "reason", Type: knowledge.SlotChoice, Ask: "主要是什么原因还不上?",
						Choices: map[string][]string{"temporary": {"周转", "临时"}, "income": {"失业", "收入下降"}}, ChoiceOrder: []string{"income", "temporary"},
						Buttons: []knowledge.Button{{Label: "临时周转不开", Value: "temporary"}, {Label: "失业或收入下降", Value: "income"}}},
				},
				Parts: []*knowledge.Part{
					{When: map[string][]string{}, Body: body("今天就联系{bank}（{bank_contact}）。")},
					{When: map[string][]string{"days_overdue": {"0-3"}}, Body: body("先还最低还款额。")},
					{When: map[string][]string{"days_overdue": {"91-"}}, Body: body("已经很紧迫。")},
					{When: map[string][]string{"reason": {"income"}}, Body: body("可以申请个性化分期。")},
					{When: map[string][]string{"bank": {"spdb", "other"}}, Body: body("这家银行的号码请以卡背面为准。")},
				}},
			{ID: "consequences", Title: "逾期后果", Article: "overdue-consequences", Start: "ask", Intro: "我先确认一下时间。",
				Slots: []*knowledge.Slot{{Name: "days_overdue", Type: knowledge.SlotDays, Ask: "现在逾期多久了?",
					Buttons: []knowledge.Button{{Label: "1–3 天", Value: "3"}, {Label: "3 个月以上", Value: "120"}}}},
				Parts: []*knowledge.Part{
					{When: map[string][]string{"days_overdue": {"0-3"}}, Body: body("通常在宽限期内。")},
					{When: map[string][]string{"days_overdue": {"4-"}}, Body: body("会产生利息和违约金。")},
					{When: map[string][]string{"days_overdue": {"91-"}}, Body: body("银行可能起诉。")},
				}},
			{ID: "hotline", Title: "查客服电话", Article: "bank-hotlines", Start: "offer", StartLabel: "查我的发卡行",
				Slots: []*knowledge.Slot{{Name: "bank", Type: knowledge.SlotBank, Ask: "要查哪家银行?", Buttons: []knowledge.Button{{Label: "招商银行"}, {Label: "其他"}}}},
				Parts: []*knowledge.Part{{When: map[string][]string{}, Body: body("{bank}客服：{bank_contact}")}}},
			{ID: "cannot-reach", Title: "联系不上客服", Article: "cannot-reach-service", Start: "offer",
				Slots: []*knowledge.Slot{{Name: "bank", Type: knowledge.SlotBank, Ask: "是哪家银行?"}},
				Parts: []*knowledge.Part{{When: map[string][]string{}, Body: body("只打{bank}的官方号码：{bank_contact}。")}}},
		},
		OutOfScope: examples("out-of-scope.yaml", "明天会下雨吗", "怎么申请一张新信用卡", "推荐一只股票", "积分能换什么礼品"),
		Conversations: []*knowledge.Conversation{
			{Name: "ok", Pos: knowledge.Pos{File: "conversations/t.yaml", Line: 1}, Turns: []knowledge.Turn{
				{Say: "怎么跟银行协商还款", Expect: knowledge.Expectation{Kind: "answer", Article: "negotiate-repayment", Button: "flow:negotiation"}, Pos: knowledge.Pos{File: "conversations/t.yaml", Line: 3}},
				{Choose: "flow:negotiation", Expect: knowledge.Expectation{Kind: "ask", Flow: "negotiation", Slot: "bank"}, Pos: knowledge.Pos{File: "conversations/t.yaml", Line: 5}},
			}},
			{Name: "broken", Pos: knowledge.Pos{File: "conversations/t.yaml", Line: 7}, Turns: []knowledge.Turn{
				{Say: "逾期会影响征信吗", Expect: knowledge.Expectation{Kind: "answer", Article: "grace-period"}, Contains: []string{"7年"}, Pos: knowledge.Pos{File: "conversations/t.yaml", Line: 9}},
			}},
		},
	}
	return kb.Index()
}

// testEngine builds an engine over testKB with the default configuration.
func testEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := New(testKB(), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// say plays texts (a leading "!" makes a button press) from st and returns every reply.
func say(e *Engine, st State, msgs ...string) ([]Reply, State) {
	var out []Reply
	for _, m := range msgs {
		in := Input{Text: m}
		if len(m) > 1 && m[0] == '!' {
			in = Input{Choice: m[1:]}
		}
		var r Reply
		r, st = e.Explain(st, in)
		out = append(out, r)
	}
	return out, st
}
