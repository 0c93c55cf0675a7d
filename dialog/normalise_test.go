package dialog

import (
	"reflect"
	"strings"
	"testing"
)

func TestNormalise(t *testing.T) {
	n := newNormaliser(testKB())
	tests := []struct {
		name, in, text string
		banks          []string
		personal       bool
	}{
		{"vocabulary variant to canonical", "XYK还不起了怎么办", "信用卡还不上了怎么办", nil, false},
		{"shorthand and width", "ｚｘ会花吗", "征信会花吗", nil, false},
		{"colloquial spellings", "为啥咋还都还不起", "为什么怎么还都还不上", nil, false},
		{"bank name and alias meet", "招商银行和招行和CMB", "银行和银行和银行", []string{"cmb"}, false},
		{"two banks in order", "不是建行是招行", "不是银行是银行", []string{"ccb", "cmb"}, false},
		{"traditional, numerals, emoji", "逾期兩個月了😭還不起", "逾期2个月了还不上", nil, false},
		{"amount shorthand", "欠了1.5w", "欠了15000", nil, false},
		{"card number dropped with its label", "我的卡号 6222 0212 3456 7890 逾期了", "逾期了", nil, true},
		{"card number dropped with a labelled colon", "信用卡号是：6222021234567890 逾期了", "逾期了", nil, true},
		{"masked number dropped with its label", "手机号138****5678", "", nil, true},
		{"phone and amount", "欠5000，电话13812345678", "欠5000", nil, true},
		{"a label away from the number stays", "卡号泄露了 6222021234567890", "卡号泄露了", nil, true},
		{"a label without a number stays", "你们要我的卡号干什么", "你们要我的卡号干什么", nil, false},
		{"empty", "   ", "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := n.normalise(tt.in)
			if got.Text != tt.text {
				t.Errorf("Text = %q, want %q", got.Text, tt.text)
			}
			if !reflect.DeepEqual(got.Banks, tt.banks) {
				t.Errorf("Banks = %v, want %v", got.Banks, tt.banks)
			}
			if got.Personal != tt.personal {
				t.Errorf("Personal = %v, want %v", got.Personal, tt.personal)
			}
		})
	}
}

func TestNormaliseCutsVeryLongMessages(t *testing.T) {
	n := newNormaliser(testKB())
	got := n.normalise(strings.Repeat("逾期", 2000))
	if l := runeLen(got.Text); l != maxMessageRunes {
		t.Errorf("normalised length = %d, want %d", l, maxMessageRunes)
	}
}

func TestExtractSlots(t *testing.T) {
	e := testEngine(t)
	tests := []struct {
		name        string
		in          string
		askedDays   bool
		askedAmount bool
		want        map[string]string
	}{
		{"bank alias", "招行的", false, false, map[string]string{"bank": "cmb"}},
		{"days with cue", "逾期45天了", false, false, map[string]string{"days_overdue": "45"}},
		{"colloquial months", "大概俩月了", true, false, map[string]string{"days_overdue": "60"}},
		{"months and more", "逾期三个月以上", false, false, map[string]string{"days_overdue": "91"}},
		{"half a year", "欠了半年没还", false, false, map[string]string{"days_overdue": "180"}},
		{"a year and a half", "逾期一年半", false, false, map[string]string{"days_overdue": "540"}},
		{"one and a half months", "逾期1个半月", false, false, map[string]string{"days_overdue": "45"}},
		{"weeks", "拖了两周", false, false, map[string]string{"days_overdue": "14"}},
		{"not overdue yet", "还没逾期", true, false, map[string]string{"days_overdue": "0"}},
		{"yesterday was the due date", "还款日是昨天", false, false, map[string]string{"days_overdue": "1"}},
		{"a few days", "晚了几天", false, false, map[string]string{"days_overdue": "3"}},
		{"late right before the count", "晚一天有事吗", false, false, map[string]string{"days_overdue": "1"}},
		{"late by a range", "晚个三五天还行吗", false, false, map[string]string{"days_overdue": "5"}},
		{"due date then payday", "4号到期 6号才有钱", false, false, map[string]string{"days_overdue": "2"}},
		{"due day then paid day", "还款日是15号 我17号才还", false, false, map[string]string{"days_overdue": "2"}},
		{"the due day named after the date", "20号是还款日 22号才还上", false, false, map[string]string{"days_overdue": "2"}},
		{"statement day is not the due day", "账单日5号 还款日23号", false, false, map[string]string{}},
		{"a later due day is not late", "还款日是20号 今天18号", false, false, map[string]string{"days_overdue": "0"}},
		{"days past the due date", "还款日过了两天", false, false, map[string]string{"days_overdue": "2"}},
		{"due yesterday, paying today", "昨天到期今天还", false, false, map[string]string{"days_overdue": "1"}},
		{"evening is not late", "晚上3点还的", false, false, map[string]string{}},
		{"bare number when asked", "45", true, false, map[string]string{"days_overdue": "45"}},
		{"about ten days", "逾期十来天了", false, false, map[string]string{"days_overdue": "10"}},
		{"about a month", "一个来月了", true, false, map[string]string{"days_overdue": "30"}},
		{"months and some days", "三个月零几天", true, false, map[string]string{"days_overdue": "95"}},
		{"months and days in digits", "逾期3个月零4天", false, false, map[string]string{"days_overdue": "94"}},
		{"a year and months", "拖了一年零三个月", false, false, map[string]string{"days_overdue": "455"}},
		{"months and then days", "逾期两个月又十天", false, false, map[string]string{"days_overdue": "70"}},
		{"a larger unit after is not added", "逾期5天 3个月前办的卡", false, false, map[string]string{"days_overdue": "5"}},
		{"no cue: no days", "征信记录保留5年吗", false, false, map[string]string{}},
		{"installments are not days", "逾期了能分12个月还吗", false, false, map[string]string{}},
		{"a date is not a duration", "逾期了3月份的账单", false, false, map[string]string{}},
		{"amount in wan", "欠了两万五", false, false, map[string]string{"amount": "25000"}},
		{"amount shorthand", "账单1.5w", false, false, map[string]string{"amount": "15000"}},
		{"amount with yuan", "每月能还2000元", false, false, map[string]string{"amount": "2000"}},
		{"amount when asked", "800", false, true, map[string]string{"amount": "800"}},
		{"bank, days and amount", "建行欠了3万逾期2个月", false, false,
			map[string]string{"bank": "ccb", "days_overdue": "60", "amount": "30000"}},
		{"nothing", "你好", false, false, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := e.words.extractSlots(e.norm.normalise(tt.in), tt.askedDays, tt.askedAmount)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("extractSlots(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestDayCountsSurviveTheVocabulary: the built-in vocabulary rewrites 推迟 and 缓 but keeps the
// count after them, and days before the due date are not days late.
func TestDayCountsSurviveTheVocabulary(t *testing.T) {
	e := embedded(t)
	tests := []struct {
		in   string
		days string // "" = no days read
	}{
		{"能推迟3天再还吗", "3"},
		{"信用卡可以延迟两天还款吗", "2"},
		{"能不能缓两天", "2"},
		{"银行能缓几天吗", "3"},
		{"晚几天还会怎样", "3"},
		{"想往后推一个月", "30"},
		{"宽限5天可以吗", "5"},
		{"还款日前两天还算逾期吗", ""},
		{"提前三天还款可以吗", ""},
		{"还有2天就到还款日了", ""},
		{"逾期了 利息一天要多少钱", ""}, // a rate per day
		{"过了还款日第二天才还", "2"},
		{"分期第3个月还不上了", ""},
		{"逾期以后每天多少违约金", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, why := e.words.extractSlots(e.norm.normalise(tt.in), false, false)
			if got[SlotDays] != tt.days {
				t.Errorf("days = %q, want %q (%s)", got[SlotDays], tt.days, why)
			}
			if tt.days != "" && !strings.HasPrefix(why, tt.days+":") {
				t.Errorf("reading %q does not explain %s days", why, tt.days)
			}
		})
	}
}
