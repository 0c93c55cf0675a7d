package dialog

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"chatbot/knowledge"
)

// Slot names the engine understands in any message, not only when a flow asks.
const (
	SlotBank   = "bank"
	SlotDays   = "days_overdue"
	SlotAmount = "amount"
)

// BankOther is the bank slot's value for an issuer the knowledge base does not list.
const BankOther = "other"

// Built-in wordings, normalised with the knowledge base's vocabulary when the engine is built so
// they stay in step with it. They describe how people talk about time and money, not any topic.
var (
	// notOverdueWords mean 0 days overdue.
	notOverdueWords = []string{"还没逾期", "没有逾期", "没逾期", "未逾期", "不算逾期了吗", "还没到还款日", "没到还款日",
		"还没到期", "没到期", "快到还款日", "马上到还款日", "快到期", "马上到期", "快逾期", "要逾期", "即将逾期", "下个月才到期"}
	// overdueCues show a number in the message is a time overdue, so it may fill days_overdue
	// even when no flow asked.
	overdueCues = []string{"逾期", "晚", "迟", "没还", "欠", "拖", "超过", "过了", "还款日", "到期", "缓", "延期", "宽限"}
	// lateBefore, right before a number of days, make it a time overdue on their own
	// (晚一天, 晚个两三天, 迟个三五天).
	// A delay asked for counts the same (推迟3天, 缓两天, 宽限5天).
	lateBefore = []string{"晚", "晚个", "迟", "迟个", "晚了个", "拖个", "拖了", "缓", "缓个", "延期", "推迟", "延迟", "宽限"}
	// dueBefore and dueAfter mark a day of the month as the due date (还款日是15号, 15号到期).
	// Not 还款日 after a date: in 「账单日5号还款日23号」 it labels the next one.
	dueBefore = []string{"还款日", "到期"}
	dueAfter  = []string{"到期", "的还款日", "是还款日"}
	// dayRelative are days counted back from today, understood only next to a due-date cue.
	dayRelative = []struct {
		word string
		days int
	}{{"大前天", 3}, {"前天", 2}, {"昨天", 1}, {"今天", 0}}
	// fewDays words are a rough count of days (晚了几天).
	fewDaysWords = []string{"几天", "没几天"}
	// questionWords make a message a question rather than a plain statement of fact.
	questionWords = []string{"吗", "么", "嘛", "呢", "怎么", "什么", "会不会", "能不能", "可不可以", "是不是", "要不要",
		"算不算", "有没有", "多少", "多久", "哪", "为什么", "如何", "咋"}
	// unsureWords say the user cannot tell (「不记得了」); unsureFillers may stand beside them.
	unsureWords   = []string{"不记得", "记不得", "记不清", "不清楚", "不知道", "忘了", "忘记了", "说不准", "说不好", "不确定"}
	unsureFillers = []string{"了", "啊", "呀", "呢", "吧", "哦", "嗯", "我", "也", "真的", "真", "都", "的", "具体", "太", "有点", "是", "哪家", "多久", "几天"}
	// otherBankWords answer the bank question with an issuer not in the list, or one the user
	// cannot name (the answer then speaks of 「您的发卡行」).
	otherBankWords = []string{"其他", "其它", "别的", "别家", "都不是", "不在里面", "没有我的", "信用社", "小银行", "地方银行", "城商行",
		"不记得", "记不清", "忘了", "不清楚", "不知道"}
)

var (
	daysPattern   = regexp.MustCompile(`(\d+(?:\.\d+)?)(个半|个多|多个|个|多)?(天|周|星期|礼拜|月|年)(以上|多)?`)
	numberPattern = regexp.MustCompile(`\d+(?:\.\d+)?`)
	// notDuration: words before a number that make it something other than time overdue
	// (分12个月, 保留5年, 最长5年), and days before the due date, which are not days late
	// (还款日前3天, 提前两天, 还有2天到期).
	// A rate per day is not a day count either (每天, 利息一天多少).
	notDuration = []string{"分", "保留", "保存", "最长", "最多", "不超过", "近", "满", "第", "前", "提前", "还有", "剩", "离", "每", "利息"}
	// notAmountAfter: units after a number that make it something other than money.
	notAmountAfter = []string{"天", "日", "周", "星期", "礼拜", "月", "个", "年", "期", "号", "次", "倍", "岁", "点", "分", "小时", "%", "张", "家", "笔"}
	amountCues     = []string{"欠", "差", "账单", "透支", "额度", "借", "还了", "还款", "本金", "利息", "每月", "每个月", "能还", "元", "块"}
)

// slotWords are the built-in word lists after normalisation.
type slotWords struct {
	notOverdue, overdueCues, fewDays, otherBank, amountCues, lateBefore, dueBefore, dueAfter, question []string
	unsure, unsureFillers                                                                              []string
	dayRelative                                                                                        []struct {
		word string
		days int
	}
}

func newSlotWords(n *normaliser) slotWords {
	w := slotWords{
		notOverdue:  n.words(notOverdueWords),
		overdueCues: n.words(overdueCues),
		fewDays:     n.words(fewDaysWords),
		otherBank:   n.words(otherBankWords),
		amountCues:  n.words(amountCues),
		lateBefore:  n.words(lateBefore),
		dueBefore:   n.words(dueBefore),
		dueAfter:    n.words(dueAfter),
		question:    n.words(questionWords),

		unsure:        n.words(unsureWords),
		unsureFillers: n.words(unsureFillers),
	}
	for _, d := range dayRelative {
		w.dayRelative = append(w.dayRelative, struct {
			word string
			days int
		}{n.normalise(d.word).Text, d.days})
	}
	return w
}

// extractSlots reads bank, days overdue and amount from any message. When asked is true the
// message is answering a question about time or money, so no cue word is needed. It also says
// how it read the days (or why a number was not read as days), for the trace.
func (w slotWords) extractSlots(m normalised, askedDays, askedAmount bool) (map[string]string, string) {
	slots := map[string]string{}
	if len(m.Banks) > 0 {
		slots[SlotBank] = m.Banks[len(m.Banks)-1] // 「不是招行，是建行」: the last one named
	}
	r := w.readDays(m, askedDays)
	if r.ok {
		slots[SlotDays] = strconv.Itoa(r.days)
	}
	if a, ok := w.amount(m, askedAmount); ok {
		slots[SlotAmount] = a
	}
	return slots, r.why
}

// dayReading is how a message's days overdue were read: the count, and why, for the trace.
type dayReading struct {
	days int
	ok   bool
	why  string
}

// days reads how long the payment is overdue (see readDays).
func (w slotWords) days(m normalised, asked bool) (int, bool) {
	r := w.readDays(m, asked)
	return r.days, r.ok
}

// readDays reads how long the payment is overdue: 45天 = 45, 2个月 = 60, 3个月以上 = 91,
// 1个半月 = 45, 还没逾期 = 0, 前天到期 = 2, 缓几天 = 3.
func (w slotWords) readDays(m normalised, asked bool) dayReading {
	cue, cueWord := asked, "asked"
	if !cue {
		cueWord, cue = containsAny(m.Text, w.overdueCues)
	}
	if cue {
		if s, ok := containsAny(m.Text, w.notOverdue); ok {
			return dayReading{0, true, "0: 「" + s + "」 says nothing is late yet"}
		}
	}
	text := m.Spaced
	var skipped string // why a number was not read as days, when nothing else is found
	var locs [][]int
	if hasDigit(text) { // most messages have no number: spare them the regexp
		locs = daysPattern.FindAllStringSubmatchIndex(text, -1)
	}
	for _, loc := range locs {
		span := text[loc[0]:loc[1]]
		if before, ok := suffixAny(strings.TrimRight(text[:loc[0]], " "), notDuration); ok &&
			!(before == "第" && cue && group(text, loc, 3) == "天") { // 过了还款日第3天: the 3rd day late
			if skipped == "" {
				skipped = "「" + before + span + "」 is not time overdue"
			}
			continue
		}
		late, lateOK := suffixAny(strings.TrimRight(text[:loc[0]], " "), w.lateBefore)
		if !cue && !lateOK {
			continue
		}
		n, err := strconv.ParseFloat(text[loc[2]:loc[3]], 64)
		if err != nil {
			continue
		}
		measure, unit := group(text, loc, 2), group(text, loc, 3)
		if unit == "月" && measure == "" && isDateAfter(text[loc[1]:]) {
			skipped = "「" + span + "」 is a date"
			continue // 3月份, 3月15号: a date
		}
		if unit == "年" && n > 10 || unit == "天" && n > 3650 {
			skipped = "「" + span + "」 is a date"
			continue // 2025年 is a date, not a duration
		}
		days := durationDays(text, loc, n) + smallerUnitsAfter(text, loc[1], unitDays[unit].days)
		why := fmt.Sprintf("%d: 「%s」 beside 「%s」", int(days), strings.TrimSpace(span), cueWord)
		if lateOK {
			why = fmt.Sprintf("%d: 「%s%s」", int(days), late, strings.TrimSpace(span))
		}
		return dayReading{int(days), true, why}
	}
	if !cue {
		return dayReading{why: skipped}
	}
	if d, ok := w.daysBetweenDates(m.Text); ok {
		return dayReading{d, true, fmt.Sprintf("%d: from the due date to the day paid", d)}
	}
	if asked {
		if d, err := strconv.Atoi(m.Text); err == nil { // a bare 「45」 answering 「逾期多久了」
			return dayReading{d, true, fmt.Sprintf("%d: a bare number answering the question", d)}
		}
	}
	if strings.Contains(m.Text, "还款日") || strings.Contains(m.Text, "到期") || asked {
		for _, d := range w.dayRelative {
			if strings.Contains(m.Text, d.word) {
				return dayReading{d.days, true, fmt.Sprintf("%d: due 「%s」", d.days, d.word)}
			}
		}
	}
	if s, ok := containsAny(m.Text, w.fewDays); ok {
		return dayReading{3, true, "3: 「" + s + "」 is a few days"}
	}
	return dayReading{why: skipped}
}

// dayOfMonth is a day of the month: 15号, 15日.
var dayOfMonth = regexp.MustCompile(`(\d{1,2})(?:号|日)`)

// daysBetweenDates reads 「15号到期 17号才还」 and 「还款日是15号 我17号还的」 as 2 days late:
// the first day of the month must be marked as the due date, the next one after it is when
// the money comes. A later date before the due date says nothing about being late.
func (w slotWords) daysBetweenDates(text string) (int, bool) {
	if !hasDigit(text) {
		return 0, false
	}
	locs := dayOfMonth.FindAllStringSubmatchIndex(text, 3)
	if len(locs) < 2 {
		return 0, false
	}
	due, paid := locs[0], locs[1]
	_, after := hasPrefixAny(text[due[1]:], w.dueAfter)
	_, before := suffixAny(strings.TrimSuffix(strings.TrimSuffix(text[:due[0]], "是"), "为"), w.dueBefore)
	if !after && !before {
		return 0, false
	}
	a, _ := strconv.Atoi(text[due[2]:due[3]])
	b, _ := strconv.Atoi(text[paid[2]:paid[3]])
	if a < 1 || a > 31 || b <= a || b > 31 {
		return 0, false
	}
	return b - a, true
}

func suffixAny(s string, words []string) (string, bool) {
	for _, w := range words {
		if strings.HasSuffix(s, w) {
			return w, true
		}
	}
	return "", false
}

// isUnsure reports whether text only says the user cannot tell (「不记得了」, 「具体多久我也不清楚」).
func (w slotWords) isUnsure(text string) bool {
	if _, ok := containsAny(text, w.unsure); !ok {
		return false
	}
	for _, words := range [][]string{w.unsure, w.unsureFillers} {
		for _, s := range words {
			text = strings.ReplaceAll(text, s, "")
		}
	}
	return text == ""
}

// minFocusRunes: a question clause shorter than this (「怎么办」) asks about the clause before it.
const minFocusRunes = 5

// focus returns the clause a message of several clauses asks in: the last one holding a question
// word, or the last one when none does, joined to the clause before it when it is short. It is
// "" for a message of one clause.
func (w slotWords) focus(m normalised) string {
	clauses := strings.Fields(m.Spaced)
	if len(clauses) < 2 {
		return ""
	}
	at := len(clauses) - 1
	for i := len(clauses) - 1; i >= 0; i-- {
		if w.isQuestion(clauses[i]) {
			at = i
			break
		}
	}
	f := clauses[at]
	if at > 0 && runeLen(f) < minFocusRunes {
		f = clauses[at-1] + f
	}
	return f
}

// isQuestion reports whether text asks something (「会上征信吗」) rather than only states.
func (w slotWords) isQuestion(text string) bool {
	_, ok := containsAny(text, w.question)
	return ok
}

// durationDays is the number of days a daysPattern match at loc in text stands for, n being
// its number: 45天 = 45, 2个月 = 60, 1个半月 = 45, 两个多月 = 75, 3个月以上 = 91.
func durationDays(text string, loc []int, n float64) float64 {
	measure, unit, more := group(text, loc, 2), group(text, loc, 3), group(text, loc, 4)
	u := unitDays[unit]
	days := n * u.days
	switch {
	case measure == "个半":
		days += u.days / 2
	case strings.Contains(measure, "多") || more == "多":
		days += u.more // 两个多月 ~ 75 days
	case more == "以上":
		days++
	}
	return days
}

// smallerUnitsAfter is the days of the durations right after text[:end], each in a smaller unit
// than the one before (larger: the first one's days per unit): 3个月零5天, 1年3个月, 两个月又十天.
func smallerUnitsAfter(text string, end int, larger float64) float64 {
	var days float64
	for {
		rest := text[end:]
		for _, join := range []string{"零", "又", "加"} {
			rest = strings.TrimPrefix(rest, join)
		}
		loc := daysPattern.FindStringSubmatchIndex(rest)
		if loc == nil || loc[0] != 0 {
			return days
		}
		unit := unitDays[group(rest, loc, 3)].days
		n, err := strconv.ParseFloat(rest[loc[2]:loc[3]], 64)
		if unit >= larger || err != nil {
			return days
		}
		days += durationDays(rest, loc, n)
		end, larger = len(text)-len(rest)+loc[1], unit
	}
}

// unitDays says how many days a unit of time is, and what 「多」 adds (十多天, 两个多月).
var unitDays = map[string]struct{ days, more float64 }{
	"天": {1, 3}, "周": {7, 3}, "星期": {7, 3}, "礼拜": {7, 3}, "月": {30, 15}, "年": {365, 180},
}

func isDateAfter(rest string) bool {
	_, ok := hasPrefixAny(rest, []string{"份", "底", "初", "中", "号", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"})
	return ok
}

// amount reads a sum of money in yuan (3万 -> 30000 after normalisation).
func (w slotWords) amount(m normalised, asked bool) (string, bool) {
	text := m.Spaced
	if !hasDigit(text) {
		return "", false
	}
	for _, loc := range numberPattern.FindAllStringIndex(text, -1) {
		rest := text[loc[1]:]
		if _, after := hasPrefixAny(rest, notAmountAfter); after {
			continue
		}
		v, err := strconv.ParseFloat(text[loc[0]:loc[1]], 64)
		if err != nil || v <= 0 {
			continue
		}
		_, unit := hasPrefixAny(rest, []string{"元", "块"})
		_, cue := containsAny(text[max(0, loc[0]-12):loc[0]], w.amountCues)
		if asked || unit || cue && v >= 100 || v >= 1000 {
			return text[loc[0]:loc[1]], true
		}
	}
	return "", false
}

// choice reads a choice slot's value: a button label typed out, then the choices' words in file
// order (editors put specific words first), then a typed number when the slot has NumberMeans.
func choice(m normalised, s *compiledSlot) (string, bool) {
	for _, b := range s.labels {
		if m.Text == b.label {
			return b.value, true
		}
	}
	for _, c := range s.choices {
		if _, ok := containsAny(m.Text, c.words); ok {
			return c.value, true
		}
	}
	if s.slot.NumberMeans != "" && numberPattern.MatchString(m.Text) {
		return s.slot.NumberMeans, true
	}
	return "", false
}

// otherBankMaxRunes is the longest message read as 「another bank」 when it names none: longer
// ones are sentences of their own (「银行天天打电话催收我该怎么办」) that merely mention 银行.
const otherBankMaxRunes = 10

// bankAnswer reads the answer to 「是哪家银行的信用卡?」: a bank the knowledge base names, or a
// short answer that it is another one (「其他银行」, 「不记得是哪家了」). A question of its own
// that mentions 银行 (「银行会不会起诉我」) is not an answer.
func (w slotWords) bankAnswer(m normalised) (string, bool) {
	if len(m.Banks) > 0 {
		return m.Banks[len(m.Banks)-1], true
	}
	if runeLen(m.Text) > otherBankMaxRunes {
		return "", false
	}
	// 哪 belongs to the answer 「不记得是哪家了」, not only to questions.
	if w.isQuestion(strings.NewReplacer("哪家", "", "哪个", "").Replace(m.Text)) {
		return "", false
	}
	if w.saysOtherBank(m.Text) || strings.Contains(m.Text, bankToken) {
		return BankOther, true
	}
	return "", false
}

// saysOtherBank reports whether text answers the bank question with a word for another or an
// unknown issuer (「其他」, 「信用社」, 「不记得」), not only the word 银行.
func (w slotWords) saysOtherBank(text string) bool {
	_, ok := containsAny(text, w.otherBank)
	return ok
}

// compiledSlot is a flow slot with its free-text wordings normalised.
type compiledSlot struct {
	slot    *knowledge.Slot
	labels  []labelValue // normalised button label -> the value it stands for
	choices []choiceWords
}

type labelValue struct{ label, value string }

type choiceWords struct {
	value string
	words []string
}

func group(s string, loc []int, i int) string {
	if loc[2*i] < 0 {
		return ""
	}
	return s[loc[2*i]:loc[2*i+1]]
}

func precededBy(s string, at int, words []string) bool {
	for _, w := range words {
		if strings.HasSuffix(strings.TrimRight(s[:at], " "), w) {
			return true
		}
	}
	return false
}

func hasPrefixAny(s string, words []string) (string, bool) {
	for _, w := range words {
		if strings.HasPrefix(s, w) {
			return w, true
		}
	}
	return "", false
}

// hasDigit reports whether s holds an ASCII digit, which every number pattern here needs (\d is
// ASCII only, and normalisation has turned other digits and numerals into ASCII ones).
func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }
