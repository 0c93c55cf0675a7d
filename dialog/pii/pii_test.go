package pii

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
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
		{"5 digits stay", "单号12345", "单号12345", nil},
		{"amount with unit stays", "欠了150000元 每月还3000", "欠了150000元 每月还3000", nil},
		{"amount with thousands separators stays", "欠款150,000", "欠款150,000", nil},
		{"amount after currency sign stays", "还了￥120000", "还了￥120000", nil},

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
		{"12 not a mobile prefix: an account", "12812345678", "*******5678", []Kind{Account}},
		{"mobile beside a number", "13812345678 2次", "138****5678 2次", []Kind{Mobile}},
		{"mobile after amount", "还了5000 13812345678", "还了5000 1*8****5678", []Kind{Mobile}},
		{"mobile then letters", "tel13812345678abc", "tel138****5678abc", []Kind{Mobile}},

		{"several kinds in order", "手机13812345678，卡6222021234567890，再打13912345678",
			"手机138****5678，卡6222********7890，再打139****5678", []Kind{Mobile, Card}},
		{"card typed in fours beside a mobile", "6222 0212 3456 7890 13812345678",
			"6222********7890 1*8****5678", []Kind{Card, Mobile}},
		{"short groups around a mobile", "1234 5678 90 13812345678", "******7890 1*8****5678", []Kind{Account, Mobile}},
		{"amount before an ID", "5000 11010119900307123X", "5000 1*01**********123X", []Kind{IDNumber}},
		{"mobile spaced then a digit", "电话138 1234 5678 9点后打", "电话138****5678 9点后打", []Kind{Mobile}},
		{"mobile spaced inside a short stretch", "1 138 1234 5678", "1 138****5678", []Kind{Mobile}},
		{"double space joins", "138  1234  5678", "138****5678", []Kind{Mobile}},
		{"four spaces do not join", "138    12345", "138    12345", nil},
		{"trailing separator", "13812345678-", "138****5678-", []Kind{Mobile}},
		{"invalid utf-8 passes through", "\xff13812345678\xfe", "\xff138****5678\xfe", []Kind{Mobile}},

		{"card with dots", "6222.0212.3456.7890", "6222********7890", []Kind{Card}},
		{"card with slashes", "6222/0212/3456/7890", "6222********7890", []Kind{Card}},
		{"card with underscores", "6222_0212_3456_7890", "6222********7890", []Kind{Card}},
		{"card with double spaces", "6222  0212  3456  7890", "6222********7890", []Kind{Card}},
		{"card with mixed separators", "6222 -0212./3456 7890", "6222********7890", []Kind{Card}},
		{"card with zero-width spaces", "6222\u200b0212\u200b3456\u200b7890", "6222********7890", []Kind{Card}},
		{"card in Arabic-Indic digits", "٦٢٢٢٠٢١٢٣٤٥٦٧٨٩٠", "6222********7890", []Kind{Card}},
		{"card in mathematical digits", "𝟔𝟐𝟐𝟐𝟎𝟐𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗𝟎", "6222********7890", []Kind{Card}},
		{"card in Chinese numerals", "卡号六二二二零二一二三四五六七八九零", "卡号6222********7890", []Kind{Card}},
		{"mobile read out in Chinese", "电话幺三八幺二三四五六七八", "电话138****5678", []Kind{Mobile}},
		{"mobile in financial numerals", "壹叁捌壹贰叁肆伍陆柒捌", "138****5678", []Kind{Mobile}},

		{"landline with area code", "座机010-12345678", "座机010****5678", []Kind{Landline}},
		{"landline four-digit area code", "(0755) 8888 6666", "(0755****6666", []Kind{Landline}},
		{"account 10 digits", "账号1234567890", "账号******7890", []Kind{Account}},
		{"account 12 digits", "还款账户 1234 5678 9012", "还款账户 ********9012", []Kind{Account}},
		{"passport", "护照号E12345678", "护照号E********", []Kind{Passport}},
		{"travel permit with two letters", "通行证CA1234567", "通行证CA*******", []Kind{Passport}},
		{"six digits alone are a code", "刚收到384712", "刚收到******", []Kind{Code}},

		{"cvv", "安全码是123", "安全码是***", []Kind{CVV}},
		{"cvv in English", "CVV: 4821", "CVV: ***", []Kind{CVV}},
		{"card back three digits", "卡背面三位数 567", "卡背面三位数 ***", []Kind{CVV}},
		{"expiry", "有效期 08/28", "有效期 **/**", []Kind{Expiry}},
		{"expiry in Chinese", "有效期至2028年12月", "有效期至**/**", []Kind{Expiry}},
		{"sms code", "验证码是4821", "验证码是******", []Kind{SMSCode}},
		{"sms code read out", "验证码：四八二一", "验证码：******", []Kind{SMSCode}},
		{"password of letters", "我的密码是abc@1234", "我的密码是******", []Kind{Password}},
		{"password of digits", "取款密码 8888", "取款密码 ******", []Kind{Password}},
		{"PIN", "my PIN is 2580", "my PIN is ******", []Kind{Password}},
		{"label in capitals", "PASSWORD: Qw3rty!", "PASSWORD: ******", []Kind{Password}},
		{"label with a long s, which case folding matches", "paſsword: Qw3rty!", "paſsword: ******", []Kind{Password}},
		{"CVV label in capitals", "CVV 123", "CVV ***", []Kind{CVV}},
		{"asking about a password is not one", "密码忘了怎么办", "密码忘了怎么办", nil},
		{"a verification code that never came", "验证码收不到", "验证码收不到", nil},
		{"email", "邮箱zhang.san+bank@example.com.cn 联系我", "邮箱z***@example.com.cn 联系我", []Kind{Email}},
		{"no email without a domain", "发到@客服", "发到@客服", nil},
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
		"５", "5", "６", "6", "７", "7", "８", "8", "９", "9", "\u200b", "")
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

// FuzzMask feeds any text: the output stays valid, the kinds say whether anything changed, and
// masking twice changes nothing more.
func FuzzMask(f *testing.F) {
	for _, seed := range []string{
		"", "信用卡逾期了", "6222 0212 3456 7890", "11010119900307123X", "+86 138-1234-5678",
		"１３８１２３４５６７８", "5000 13812345678", "1-2-3-4-5-6-7-8-9-0-1-2-3", "\xff\xfe9",
		"密码是abc123 验证码 4821 有效期08/28", "a.b@example.com", "欠了150000元",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, kinds := Mask(in)
		if len(kinds) == 0 && out != in {
			t.Fatalf("Mask(%q) changed the text to %q but reported no kinds", in, out)
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("Mask(%q) = %q is not valid UTF-8", in, out)
		}
		if again, _ := Mask(out); again != out {
			t.Fatalf("Mask(%q) = %q, masked again %q", in, out, again)
		}
	})
}

// separatorRunes are every space, punctuation mark and symbol in Unicode's category tables (not
// the masker's own list), except the asterisks masks are made of.
var separatorRunes = func() []rune {
	var out []rune
	for _, table := range []*unicode.RangeTable{unicode.Zs, unicode.P, unicode.S} {
		for _, rg := range table.R16 {
			for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
				if r != '*' && r != '＊' {
					out = append(out, r)
				}
			}
		}
	}
	return out
}()

// digitForms write a digit 0-9 the ways people (and keyboards) do.
var digitForms = []func(d int) string{
	func(d int) string { return string(rune('0' + d)) },
	func(d int) string { return string(rune('０' + d)) },     // full-width
	func(d int) string { return string(rune(0x0660 + d)) },  // Arabic-Indic
	func(d int) string { return string(rune(0x0966 + d)) },  // Devanagari
	func(d int) string { return string(rune(0x1D7CE + d)) }, // mathematical bold
	func(d int) string { return string([]rune("〇一二三四五六七八九")[d]) },
	func(d int) string { return string([]rune("零壹贰叁肆伍陆柒捌玖")[d]) },
}

// FuzzMaskLeavesNoNumber checks the invariant: a number of 10 to 19 digits, written in any mix of
// digit forms with up to three of any Unicode separators between any digits, inside a sentence,
// leaves no 6 of its digits in a row readable in the output. Readable means: digits of any form,
// with anything but a letter or the mask's asterisk between them.
func FuzzMaskLeavesNoNumber(f *testing.F) {
	f.Add("6222021234567890", []byte{0x10, 0x00, 0x21, 0x43}, uint8(0))
	f.Add("13812345678", []byte{0x01, 0x02}, uint8(5))
	f.Add("110101199003071234", []byte{0xff, 0x80, 0x03}, uint8(3))
	f.Add("01012345678", []byte{0x02}, uint8(1))
	f.Add("5000138123456789", []byte{0x00, 0x00, 0x00, 0x01}, uint8(0))
	f.Fuzz(func(t *testing.T, digits string, layout []byte, form uint8) {
		var num []int
		for _, r := range digits {
			if r >= '0' && r <= '9' {
				num = append(num, int(r-'0'))
			}
		}
		if len(num) < 10 || len(num) > 19 {
			t.Skip("not a personal number's length")
		}
		var b strings.Builder
		b.WriteString("我的号码是")
		for i, d := range num {
			l := 0
			if len(layout) > 0 {
				l = int(layout[i%len(layout)])
			}
			b.WriteString(digitForms[(int(form)+l>>4)%len(digitForms)](d))
			for k := range l & 3 {
				if i < len(num)-1 {
					b.WriteRune(separatorRunes[(l*131+i*17+k*7)%len(separatorRunes)])
				}
			}
		}
		b.WriteString("请帮我查一下")
		in := b.String()
		out, _ := Mask(in)
		plain := ""
		for _, d := range num {
			plain += string(rune('0' + d))
		}
		for _, seen := range readableDigits(out) {
			for i := 0; i+6 <= len(seen); i++ {
				if strings.Contains(plain, seen[i:i+6]) {
					t.Fatalf("Mask(%q) = %q leaves %q of %s readable", in, out, seen[i:i+6], plain)
				}
			}
		}
	})
}

// readableDigits returns the digits of s, as ASCII, in the stretches a reader sees as one number:
// broken by letters (Chinese characters included) and asterisks, not by spaces or punctuation.
func readableDigits(s string) []string {
	var out []string
	cur := ""
	flush := func() {
		if cur != "" {
			out = append(out, cur)
			cur = ""
		}
	}
	for _, r := range s {
		if d, ok := formDigit(r); ok {
			cur += string(rune('0' + d))
			continue
		}
		if r == '*' || unicode.IsLetter(r) {
			flush()
		}
	}
	flush()
	return out
}

// formDigit reads a digit written in one of digitForms.
func formDigit(r rune) (int, bool) {
	for d := range 10 {
		for _, form := range digitForms {
			if form(d) == string(r) {
				return d, true
			}
		}
	}
	return 0, false
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
