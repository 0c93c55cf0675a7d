package textnorm

import (
	"testing"
)

func TestClean(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"full width letters and digits", "ＸＹＫ逾期３天", "xyk逾期3天"},
		{"case fold", "CMB信用卡", "cmb信用卡"},
		{"punctuation becomes one separator", "逾期了，怎么办？？", "逾期了 怎么办"},
		{"emoji dropped", "还不上了😭😭怎么办🙏", "还不上了 怎么办"},
		{"whitespace runs", "  招行 \t 信用卡\n", "招行 信用卡"},
		{"traditional to simplified", "銀行信用卡逾期還款會影響徵信嗎", "银行信用卡逾期还款会影响征信吗"},
		{"帳 is an account", "停息掛帳", "停息挂账"},
		{"decimal point kept between digits", "1.5w", "1.5w"},
		{"range dash kept between digits", "1-3天", "1-3天"},
		{"en dash folded to a range dash", "1–3 天", "1-3 天"},
		{"full-width tilde range", "1～3天", "1~3天"},
		{"sentence dot dropped", "好的.谢谢", "好的 谢谢"},
		{"empty", "", ""},
		{"only punctuation", "？！。…", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct{ in, want string }{
		{"三个月", "3个月"},
		{"两万五", "25000"},
		{"1.5w", "15000"},
		{"3k", "3000"},
		{"四十五天", "45天"},
		{"俩月", "2个月"},
		{"两月没还", "2个月没还"},
		{"半年", "6个月"},
		{"一年半", "18个月"},
		{"半个月", "15天"},
		{"个把月", "1个月"},
		{"十五天", "15天"},
		{"二十多天", "20多天"},
		{"十几天", "15天"},
		{"几十天", "50天"},
		{"一两天", "2天"},
		{"两三个月", "3个月"},
		{"三五天", "5天"},
		{"1-3天", "3天"},
		{"1~3天", "3天"},
		{"一到三天", "3天"},
		{"3万5", "35000"},
		{"1万2", "12000"},
		{"2.5万", "25000"},
		{"3千5百", "3500"},
		{"一千二", "1200"},
		{"一千零五", "1005"},
		{"三百五", "350"},
		{"一百块", "100块"},
		{"二十多万", "200000多"},
		{"二零二五年", "2025年"},
		{"欠了3万多", "欠了30000多"},
		{"45天", "45天"},
		{"2000", "2000"},
		// 来 after a round number is "about": the number stays, 来 goes.
		{"十来天", "10天"},
		{"二十来天", "20天"},
		{"10来天", "10天"},
		{"一个来月", "1个月"},
		{"两个来月", "2个月"},
		{"一百来块", "100块"},
		{"三个月零五天", "3个月5天"},
		{"三个月零几天", "3个月5天"},
		{"原来天天催", "原来天天催"},
		{"一来没钱", "一来没钱"},
		{"3km", "3km"},
		// Numerals inside ordinary words stay words.
		{"一直还不上", "一直还不上"},
		{"一般多久", "一般多久"},
		{"一点都还不上", "一点都还不上"},
		{"一分钱都没有", "一分钱都没有"},
		{"万一逾期", "万一逾期"},
		{"千万别", "千万别"},
		{"十分着急", "十分着急"},
		{"十分钟", "10分钟"},
		{"一部分", "一部分"},
		{"一了百了", "一了百了"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Numbers(tt.in); got != tt.want {
				t.Errorf("Numbers(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestReplacer(t *testing.T) {
	r := NewReplacer([]Rule{
		{From: "还不起", To: "还不上"},
		{From: "还不了", To: "还不上"},
		{From: "还不了解", To: "不了解"}, // longer variant wins at the same position
		{From: "xyk", To: "信用卡"},
		{From: "招行", To: "银行", Tag: "cmb"},
		{From: "招商银行", To: "银行", Tag: "cmb"},
		{From: "招行", To: "别的", Tag: "dup"}, // a second rule for the same From is ignored
		{From: "银行", To: "不该出现"},           // output is never re-scanned
		{From: "", To: "空"},
	})
	tests := []struct {
		name, in, want string
		tags           []string
	}{
		{"variant", "信用卡还不起了", "信用卡还不上了", nil},
		{"longest first", "我还不了解", "我不了解", nil},
		{"latin variant as a word", "xyk逾期", "信用卡逾期", nil},
		{"latin variant not inside a word", "taxyk逾期", "taxyk逾期", nil},
		{"banks tagged in order", "招商银行和招行", "银行和银行", []string{"cmb", "cmb"}},
		{"no match", "你好", "你好", nil},
		{"empty", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tags []string
			got := r.Replace(tt.in, func(rule *Rule, _ int) {
				if rule.Tag != "" {
					tags = append(tags, rule.Tag)
				}
			})
			if got != tt.want {
				t.Errorf("Replace(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if len(tags) != len(tt.tags) {
				t.Fatalf("tags = %v, want %v", tags, tt.tags)
			}
			for i := range tags {
				if tags[i] != tt.tags[i] {
					t.Errorf("tags = %v, want %v", tags, tt.tags)
				}
			}
		})
	}
}

func TestSimplifiedTableIsAligned(t *testing.T) {
	if len([]rune(traditional)) != len([]rune(simplified)) {
		t.Fatalf("table lengths differ: %d vs %d", len([]rune(traditional)), len([]rune(simplified)))
	}
	for tr, s := range toSimplified {
		if _, ok := toSimplified[s]; ok {
			t.Errorf("%c maps to %c, which is itself mapped: the table must be one step", tr, s)
		}
	}
}

func BenchmarkNormalise(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Squeeze(Numbers(Clean("招行XYK逾期兩萬五，大概三個月了😭 怎麼辦？")))
	}
}

// The table FoldRune reads for the Basic Multilingual Plane must say what foldRune says.
func TestFoldRuneTableMatchesFoldRune(t *testing.T) {
	for r := rune(0); r < 0x10000; r++ {
		if got, want := FoldRune(r), foldRune(r); got != want {
			t.Fatalf("FoldRune(%U) = %U, foldRune says %U", r, got, want)
		}
	}
	for _, r := range []rune{'丽', 0x2F800, 0x20000, 0x10FFFF, -1} { // beyond the table
		if got, want := FoldRune(r), foldRune(r); got != want {
			t.Errorf("FoldRune(%U) = %U, foldRune says %U", r, got, want)
		}
	}
}
