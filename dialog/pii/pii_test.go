package pii

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestMask(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  string
		kinds []Kind
	}{
		{"no digits", "信用卡逾期了怎么跟银行协商", "信用卡逾期了怎么跟银行协商", nil},
		{"amount stays", "我欠了25000元，逾期3个月", "我欠了25000元，逾期3个月", nil},
		{"date stays", "2024-05-01还的款", "2024-05-01还的款", nil},
		{"10 digits stay", "单号1234567890", "单号1234567890", nil},
		{"11 digits not mobile stay", "编号12345678901", "编号12345678901", nil},

		{"card 16", "卡号6222021234567890", "卡号6222********7890", []Kind{Card}},
		{"card spaced", "6222 0212 3456 7890 是我的卡", "6222********7890 是我的卡", []Kind{Card}},
		{"card dashed", "6222-0212-3456-7890", "6222********7890", []Kind{Card}},
		{"card 19", "6217001234567890123", "6217***********0123", []Kind{Card}},
		{"card 13", "1234567890123", "1234*****0123", []Kind{Card}},
		{"card failing Luhn still masked", "6222021234567891", "6222********7891", []Kind{Card}},
		{"card full-width", "６２２２０２１２３４５６７８９０", "6222********7890", []Kind{Card}},
		{"card ideographic spaces", "６２２２\u3000０２１２\u3000３４５６\u3000７８９０", "6222********7890", []Kind{Card}},
		{"over 19 digits masked", "62220212345678901234567", "6222***************4567", []Kind{Card}},
		{"old 15-digit ID masked as card", "110101900101123", "1101*******1123", []Kind{Card}},

		{"ID with X", "身份证11010119900307123X", "身份证1101**********123X", []Kind{IDNumber}},
		{"ID lower x", "11010119900307123x", "1101**********123X", []Kind{IDNumber}},
		{"ID full-width X", "１１０１０１１９９００３０７１２３Ｘ", "1101**********123X", []Kind{IDNumber}},
		{"ID digits", "110101199003071234", "1101**********1234", []Kind{IDNumber}},
		{"ID spaced", "110101 19900307 1234", "1101**********1234", []Kind{IDNumber}},
		{"18 digits no birth date is a card", "622202123456789012", "6222**********9012", []Kind{Card}},

		{"mobile", "电话13812345678", "电话138****5678", []Kind{Mobile}},
		{"mobile dashed", "138-1234-5678", "138****5678", []Kind{Mobile}},
		{"mobile spaced", "138 1234 5678", "138****5678", []Kind{Mobile}},
		{"mobile +86", "+86 138 1234 5678", "+86 138****5678", []Kind{Mobile}},
		{"mobile 86 joined", "8613812345678", "86 138****5678", []Kind{Mobile}},
		{"mobile full-width", "１３８１２３４５６７８", "138****5678", []Kind{Mobile}},
		{"mobile 19x", "19912345678", "199****5678", []Kind{Mobile}},
		{"12 not a mobile prefix", "12812345678", "12812345678", nil},
		{"mobile beside a number", "13812345678 2次", "138****5678 2次", []Kind{Mobile}},
		{"mobile after amount", "还了5000 13812345678", "还了5000 138****5678", []Kind{Mobile}},
		{"mobile then letters", "tel13812345678abc", "tel138****5678abc", []Kind{Mobile}},

		{"several kinds in order", "手机13812345678，卡6222021234567890，再打13912345678",
			"手机138****5678，卡6222********7890，再打139****5678", []Kind{Mobile, Card}},
		{"card typed in fours beside a mobile", "6222 0212 3456 7890 13812345678",
			"6222********7890 138****5678", []Kind{Card, Mobile}},
		{"short groups around a mobile", "1234 5678 90 13812345678", "1234 5678 90 138****5678", []Kind{Mobile}},
		{"amount before an ID", "5000 11010119900307123X", "5000 1101**********123X", []Kind{IDNumber}},
		{"mobile spaced then a digit", "电话138 1234 5678 9点后打", "电话138****5678 9点后打", []Kind{Mobile}},
		{"mobile spaced inside a short stretch", "1 138 1234 5678", "1 138****5678", []Kind{Mobile}},
		{"double space does not join", "138  12345678", "138  12345678", nil},
		{"trailing separator", "13812345678-", "138****5678-", []Kind{Mobile}},
		{"invalid utf-8 passes through", "\xff13812345678\xfe", "\xff138****5678\xfe", []Kind{Mobile}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, kinds := Mask(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.kinds, kinds)
			assert.Empty(t, leaks(got), "masked text still holds a number")
		})
	}
}

func TestMaskIsStable(t *testing.T) {
	// Masking a masked text finds nothing new: the masks themselves never look like numbers.
	once, _ := Mask("卡6222021234567890 身份证11010119900307123X 手机+86 13812345678")
	twice, kinds := Mask(once)
	assert.Equal(t, once, twice)
	assert.Empty(t, kinds)
}

var (
	fullWidthDigits = strings.NewReplacer("０", "0", "１", "1", "２", "2", "３", "3", "４", "4",
		"５", "5", "６", "6", "７", "7", "８", "8", "９", "9")
	// maskShape is what Mask leaves: a few visible digits around a row of stars.
	maskShape   = regexp.MustCompile(`\d{3,4}\*{4,}(\d{4}|\d{3}X)`)
	separator   = regexp.MustCompile(`[ \-\x{00a0}\x{3000}\x{ff0d}\x{2010}-\x{2015}]`)
	typedRun    = regexp.MustCompile(`\d+([ \-\x{00a0}\x{3000}\x{ff0d}\x{2010}-\x{2015}]\d+)*`)
	mobileShape = regexp.MustCompile(`^1[3-9]\d{9}$`)
)

// leaks lists the full personal numbers left in s, found independently of Mask's own scanner:
// any 13 or more digits and any 11-digit mobile number, typed with or without single separators
// between groups of digits, and whichever consecutive groups they span. Masks are taken out first: their visible
// digits are not a number, even when a separator stands between them and other digits.
func leaks(s string) []string {
	s = maskShape.ReplaceAllString(fullWidthDigits.Replace(s), "#")
	var found []string
	for _, r := range typedRun.FindAllString(s, -1) {
		groups := separator.Split(r, -1)
		for i := range groups {
			d := ""
			for _, g := range groups[i:] {
				if d += g; len(d) >= 13 || mobileShape.MatchString(d) {
					found = append(found, d)
				}
			}
		}
	}
	return found
}

func FuzzMask(f *testing.F) {
	for _, seed := range []string{
		"", "信用卡逾期了", "6222 0212 3456 7890", "11010119900307123X", "+86 138-1234-5678",
		"１３８１２３４５６７８", "5000 13812345678", "1-2-3-4-5-6-7-8-9-0-1-2-3", "\xff\xfe9",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, kinds := Mask(in)
		if l := leaks(out); len(l) > 0 {
			t.Fatalf("Mask(%q) = %q still holds %q", in, out, l)
		}
		if len(kinds) == 0 && out != in {
			t.Fatalf("Mask(%q) changed the text to %q but reported no kinds", in, out)
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("Mask(%q) = %q is not valid UTF-8", in, out)
		}
	})
}

func BenchmarkMask(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"no digits", "信用卡逾期了怎么跟银行协商，还不上了怎么办"},
		{"amount", "我欠了两万五，逾期90天了，每月能还1500"},
		{"card and mobile", "我的卡号是6222 0212 3456 7890，电话138-1234-5678，请帮我查一下"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Mask(bc.in)
			}
		})
	}
}
