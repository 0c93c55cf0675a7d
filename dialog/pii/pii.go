// Package pii finds and masks the secrets and personal numbers cardholders type into a chat. The
// bot masks every message before the dialog engine sees it and before anything is stored,
// logged, counted or sent to a contact center.
//
// What counts as a digit: any Unicode decimal digit (ASCII, full-width ０-９, Arabic-Indic,
// mathematical 𝟎…) and the Chinese numerals people read numbers out with (〇零一二三四五六七八九幺
// and 壹贰叁肆伍陆柒捌玖). Groups of digits joined by up to three spaces, punctuation marks or
// symbols ("6222 0212 3456 7890", "6222.0212/3456_7890", "138  1234 5678") are one number.
//
// What is masked:
//
//   - 17 digits followed by X (or x, Ｘ), or 18 digits whose 7th-14th digits read as a birth
//     date (18xx-20xx): a resident ID number.
//   - 11 digits starting 1[3-9] (with or without 86 before them): a mobile number.
//   - 10-12 digits starting 0: a landline with its area code.
//   - 13 or more digits: a card number (Luhn is not checked: a mistyped card number is still one
//     digit away from the real one, and old 15-digit ID numbers fall here too).
//   - 10-12 other digits: an account number.
//   - any other run of 6 or more digits written together: a code (an SMS code, a password, part
//     of a number), unless it is an amount (followed by 元, 块, 万… or after ¥); one or two
//     letters right before it make it a passport or permit number (E12345678).
//   - after the words that introduce them: a CVV (安全码, 卡背面三位数), an expiry date (有效期),
//     an SMS code (验证码) and a password (密码, whatever it is made of).
//   - e-mail addresses.
//
// A group typed without separators that is a personal number by itself stands alone
// ("5000 13812345678" masks the mobile number and keeps the amount).
//
// Masks keep enough for a person to recognise their own number (the leading digits that name the
// issuer or region, and the last four, the "尾号" banks and apps show) and never enough to use it:
//
//	card      6222********1234      first 4 and last 4
//	ID        1101**********123X    first 4 (province and city, never the birth date) and last 4
//	mobile    138****5678           first 3 and last 4, as Chinese apps display them
//	landline  010****5678           the area code and the last 4
//	account   ******1234            the last 4
//	passport  E********             the letters only
//	code, CVV, SMS code, password   ****** (nothing kept)
//	expiry    **/**
//	e-mail    z***@example.com      the first character and the domain
//
// Masked output uses ASCII digits and drops the separators inside the number. No run of 6 or
// more digits of the input is left in the output, other than amounts.
package pii

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind names a sort of secret or personal number.
type Kind string

// Kinds Mask recognises.
const (
	Card     Kind = "card"      // bank-card number (13 or more digits)
	IDNumber Kind = "id_number" // 18-character resident ID number
	Mobile   Kind = "mobile"    // mainland mobile number, with or without +86
	Landline Kind = "landline"  // phone number with its area code
	Account  Kind = "account"   // 10-12-digit account number
	Passport Kind = "passport"  // passport or travel permit number
	Code     Kind = "code"      // any other 6 or more digits: SMS codes, passwords, parts of numbers
	CVV      Kind = "cvv"       // the card's security code
	Expiry   Kind = "expiry"    // the card's expiry date
	SMSCode  Kind = "sms_code"  // a verification code
	Password Kind = "password"  // a password or PIN
	Email    Kind = "email"
)

// Mask returns s with every secret and personal number replaced by its mask, and the kinds it
// found, each once, in order of first appearance. Text without digits or '@' is returned
// unchanged without copying. Invalid UTF-8 is passed through byte for byte.
func Mask(s string) (string, []Kind) {
	var kinds kindSet
	s = maskEmails(s, &kinds)
	s = maskIntroduced(s, &kinds)
	s = maskNumbers(s, &kinds)
	return s, kinds.list
}

type kindSet struct{ list []Kind }

func (k *kindSet) add(kind Kind) {
	for _, seen := range k.list {
		if seen == kind {
			return
		}
	}
	k.list = append(k.list, kind)
}

var email = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+`)

func maskEmails(s string, kinds *kindSet) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	done := 0
	for _, m := range email.FindAllStringIndex(s, -1) {
		if m[0] > 0 && strings.ContainsRune("@*", rune(s[m[0]-1])) {
			continue // the rest of an address already masked or cut
		}
		kinds.add(Email)
		local, domain, _ := strings.Cut(s[m[0]:m[1]], "@")
		first, _ := utf8.DecodeRuneInString(local)
		b.WriteString(s[done:m[0]])
		b.WriteString(string(first) + "***@" + domain)
		done = m[1]
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// digitClass matches one digit of any kind Mask knows, for the patterns below.
const digitClass = `[\p{Nd}〇零一二三四五六七八九幺壹贰叁肆伍陆柒捌玖]`

// introduced are secrets recognised by the words before them: the value is masked whatever it
// looks like. The words allow a few characters between them and the value (「安全码是」,
// 「验证码：」, 「密码我设的是」).
var introduced = []struct {
	kind Kind
	re   *regexp.Regexp
	mask string
	// words: one of them (lower case) is in any text re matches; looked for first, as a text
	// without them (most messages, every log line) needs no regular expression run.
	words []string
}{
	{Password, regexp.MustCompile(`(?i)((?:密码|口令|\bpassword\b|\bpasscode\b|\bpasswd\b|\bpwd\b|\bpin\b|pin码)[^\p{L}\p{N}]{0,3}(?:是|为|设的是|设成|改成|叫|is)?[^\p{L}\p{N}]{0,3})((?:[\x21-\x7e]|` + digitClass + `){3,})`), "******",
		[]string{"密码", "口令", "pass", "pwd", "pin"}},
	{SMSCode, regexp.MustCompile(`(?i)((?:验证码|校验码|动态码|短信码|动态密码|\bcode\b)[^\p{L}\p{N}]{0,3}(?:是|为|is)?[^\p{L}\p{N}]{0,3})(` + digitClass + `{4,8})`), "******",
		[]string{"验证码", "校验码", "动态码", "短信码", "动态密码", "code"}},
	{CVV, regexp.MustCompile(`(?i)((?:\bcvv2?\b|\bcvc2?\b|安全码|卡背面三位数?|卡背后三位数?|背面三位数?|背面的三位数?|后三位)[^\p{L}\p{N}]{0,3}(?:是|为)?[^\p{L}\p{N}]{0,3})(` + digitClass + `{3,4})`), "***",
		[]string{"cvv", "cvc", "安全码", "三位", "后三位"}},
	{Expiry, regexp.MustCompile(`(?i)((?:有效期至|有效期|到期日|过期时间|\bexp\b|\bexpiry\b|\bvalid thru\b)[^\p{L}\p{N}]{0,3}(?:是|为|到|至)?[^\p{L}\p{N}]{0,3})(` + digitClass + `{1,4}\s*[/\-.年月]\s*` + digitClass + `{1,4}(?:\s*[/\-.年月日]\s*(?:` + digitClass + `{1,4})?)?)`), "**/**",
		[]string{"有效期", "到期日", "过期时间", "exp", "valid"}},
}

func maskIntroduced(s string, kinds *kindSet) string {
	lower := foldLatin(s)
	for _, in := range introduced {
		if !containsAnyWord(lower, in.words) || !in.re.MatchString(s) {
			continue
		}
		s = in.re.ReplaceAllStringFunc(s, func(m string) string {
			parts := in.re.FindStringSubmatch(m)
			if in.kind == Password && isMask(parts[2]) {
				return m // already masked (a number's mask right after 密码)
			}
			kinds.add(in.kind)
			return parts[1] + in.mask
		})
	}
	return s
}

// isMask reports whether s is what a mask looks like: digits (or X) around two or more stars.
func isMask(s string) bool {
	return strings.Count(s, "*") >= 2 && strings.Trim(s, "0123456789*Xx ") == ""
}

// foldLatin lower-cases s the way (?i) matches the Latin words above: ASCII letters, and the two
// non-ASCII letters that fold to one of them (ſ to s, the Kelvin sign to k), which
// strings.ToLower leaves or maps otherwise.
func foldLatin(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		case r == 'ſ':
			return 's'
		case r == '\u212A':
			return 'k'
		}
		return r
	}, s)
}

func containsAnyWord(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// maxJoiners is how many spaces, punctuation marks or symbols may stand between two groups of
// digits of one number ("138  1234 5678", "6222 - 0212").
const maxJoiners = 3

// maskNumbers masks numbers written with digits.
func maskNumbers(s string, kinds *kindSet) string {
	if !containsDigit(s) {
		return s
	}
	var (
		b    strings.Builder
		done int // s[:done] has been written to b
	)
	replace := func(start, end int, masked string, k Kind) {
		b.WriteString(s[done:start])
		b.WriteString(masked)
		done = end
		kinds.add(k)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if _, ok := digitValue(r); !ok {
			i += size
			continue
		}
		rn := scanRun(s, i)
		if rn.digits >= minNumber {
			end, masked := rn.mask(s, kinds)
			b.WriteString(s[done:rn.start])
			b.WriteString(masked)
			done, i = end, end
			continue
		}
		for _, g := range rn.groups {
			maskCodes(s, g, replace)
		}
		i = rn.end
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// minNumber is the fewest digits of a personal number (a 10-digit account or landline).
const minNumber = 10

// mask masks a run long enough to hold a personal number: each piece that is one by its mask,
// every other group of 6 or more digits entirely (inside a number it is never an amount), and
// then, wherever masks and short groups still show 6 digits in a row, the sixth. It returns
// where the run ends in s (past an ID number's X) and its masked text.
func (rn *run) mask(s string, kinds *kindSet) (int, string) {
	var b strings.Builder
	pos := rn.start
	for _, p := range rn.pieces() {
		if p.digits == "" {
			continue
		}
		b.WriteString(s[pos:p.start])
		pos = p.start
		if masked, k, ok := classify(p.digits, p.hasX); ok {
			b.WriteString(masked)
			kinds.add(k)
			pos = p.end
			continue
		}
		for _, g := range splitGroups(s, p) {
			b.WriteString(s[pos:g.start])
			if len(g.digits) >= 6 {
				b.WriteString(strings.Repeat("*", len(g.digits)))
				kinds.add(Code)
			} else {
				b.WriteString(s[g.start:g.end])
			}
			pos = g.end
		}
		b.WriteString(s[pos:p.end])
		pos = p.end
	}
	end := max(pos, rn.end)
	b.WriteString(s[pos:end])
	return end, capVisible(b.String())
}

// capVisible stars every sixth digit in a row that is still visible, separators not counting
// as a break, so no 6 digits of a number are left readable together.
func capVisible(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		switch _, digit := digitValue(r); {
		case digit:
			if n++; n == 6 {
				r, n = '*', 0
			}
		case r == '*' || !isSeparator(r):
			n = 0
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maskCodes masks, in a stretch of digits too short for a personal number, a group of 6 or more
// digits written together, unless it is an amount: a code (an SMS code, a password, part of a
// number), or with one or two letters before it a passport number.
func maskCodes(s string, g piece, replace func(start, end int, masked string, k Kind)) {
	if len(g.digits) < 6 || isAmount(s, g.start, g.end) {
		return
	}
	if ls := lettersBefore(s, g.start); ls > 0 && ls <= 2 && len(g.digits) >= 7 && len(g.digits) <= 9 {
		start := g.start - ls
		replace(start, g.end, strings.ToUpper(s[start:g.start])+strings.Repeat("*", len(g.digits)), Passport)
		return
	}
	replace(g.start, g.end, strings.Repeat("*", len(g.digits)), Code)
}

// splitGroups returns the stretches of digits with no separator inside that make up p.
func splitGroups(s string, p piece) []piece {
	var out []piece
	for i := p.start; i < p.end; {
		r, size := utf8.DecodeRuneInString(s[i:])
		if _, ok := digitValue(r); !ok {
			i += size
			continue
		}
		g := piece{start: i}
		for i < p.end {
			r, size := utf8.DecodeRuneInString(s[i:])
			d, ok := digitValue(r)
			if !ok {
				break
			}
			g.digits += string(d)
			i += size
		}
		g.end = i
		out = append(out, g)
	}
	return out
}

// amountUnits after digits, or a currency sign before them, make them an amount.
var amountUnits = []string{"元", "块", "圆", "万", "千", "百", "角", "毛", "w", "W", "k", "K", "rmb", "RMB", "人民币", "美元", "个月", "天", "期", "%", "％"}

func isAmount(s string, start, end int) bool {
	rest := strings.TrimLeft(s[end:], " ")
	for _, u := range amountUnits {
		if strings.HasPrefix(rest, u) {
			return true
		}
	}
	before := strings.TrimRight(s[:start], " ")
	return strings.HasSuffix(before, "¥") || strings.HasSuffix(before, "￥") || strings.HasSuffix(before, "$")
}

// lettersBefore counts the ASCII letters right before offset i (a passport's E, a permit's C).
func lettersBefore(s string, i int) int {
	n := 0
	for i > 0 {
		c := s[i-1]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			break
		}
		n++
		i--
	}
	if n > 0 && i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(s[:i]); unicode.IsLetter(r) && r < utf8.RuneSelf {
			return 0
		}
	}
	return n
}

// run is a maximal stretch of digit groups joined by up to maxJoiners separators, with byte
// offsets into s.
type run struct {
	start, end int
	groups     []piece // the stretches of digits with no separator inside
	digits     int     // how many digits the groups hold
	x          int     // when an X follows the last group: the byte offset just after it
}

// piece is a part of a run that is classified on its own.
type piece struct {
	start, end int
	digits     string // ASCII digits, separators removed
	hasX       bool   // an ID number's trailing X belongs to the piece
}

func scanRun(s string, start int) run {
	rn := run{start: start}
	i := start
	for {
		g := piece{start: i}
		var ds []byte
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			d, ok := digitValue(r)
			if !ok {
				break
			}
			ds = append(ds, d)
			i += size
		}
		g.end, g.digits = i, string(ds)
		rn.groups = append(rn.groups, g)
		rn.digits += len(ds)
		// Up to maxJoiners separators join two groups, when a digit follows them.
		j, n := i, 0
		for j < len(s) && n < maxJoiners {
			r, size := utf8.DecodeRuneInString(s[j:])
			if r == utf8.RuneError && size <= 1 || !isSeparator(r) {
				break
			}
			j += size
			n++
		}
		next, _ := utf8.DecodeRuneInString(s[j:])
		if _, ok := digitValue(next); n == 0 || j >= len(s) || !ok {
			break
		}
		i = j
	}
	rn.end = i
	if r, size := utf8.DecodeRuneInString(s[i:]); r == 'X' || r == 'x' || r == 'Ｘ' || r == 'ｘ' {
		rn.x = i + size
	}
	return rn
}

// pieces splits the run into the parts to classify. Normally that is the whole run; but a group
// that is a personal number by itself (a mobile number typed without separators next to an
// amount: "5000 13812345678") stands alone, and the groups between such numbers are joined again.
func (rn *run) pieces() []piece {
	var (
		out     []piece
		pending []piece
	)
	flush := func() {
		if len(pending) > 0 {
			out = append(out, rn.splitStretch(pending)...)
			pending = pending[:0]
		}
	}
	for i, g := range rn.groups {
		if len(rn.groups) > 1 {
			alone := g
			if i == len(rn.groups)-1 {
				alone = rn.withX(g)
			}
			if _, k, ok := classify(alone.digits, alone.hasX); ok && k != Account {
				flush()
				out = append(out, alone)
				continue
			}
		}
		pending = append(pending, g)
	}
	flush()
	return out
}

// splitStretch returns consecutive groups as one piece when together they are a personal number;
// otherwise as the pieces around any mobile number typed across some of them
// ("138 1234 5678 9点后打": the trailing 9 must not hide the number before it).
func (rn *run) splitStretch(gs []piece) []piece {
	whole := rn.withX(join(gs))
	if _, k, ok := classify(whole.digits, whole.hasX); ok && k != Account {
		return []piece{whole}
	}
	for i := 0; i < len(gs); i++ {
		n := 0
		for j := i; j < len(gs) && n < 11; j++ {
			n += len(gs[j].digits)
			if w := join(gs[i : j+1]); n == 11 && isMobile(w.digits) {
				out := []piece{join(gs[:i]), w}
				return append(out, rn.splitStretch(gs[j+1:])...)
			}
		}
	}
	return []piece{whole}
}

// withX extends p over the run's trailing X when p ends the run and has an ID number's 17 digits.
func (rn *run) withX(p piece) piece {
	if p.end == rn.end && len(p.digits) == 17 && rn.x > 0 {
		p.hasX, p.end = true, rn.x
	}
	return p
}

// join makes one piece of consecutive groups; none makes an empty piece.
func join(gs []piece) piece {
	if len(gs) == 0 {
		return piece{}
	}
	p := piece{start: gs[0].start, end: gs[len(gs)-1].end}
	for _, g := range gs {
		p.digits += g.digits
	}
	return p
}

// classify decides what a string of ASCII digits is and returns its mask.
func classify(d string, hasX bool) (masked string, k Kind, ok bool) {
	switch {
	case hasX:
		return keep(d+"X", 4, 4), IDNumber, true
	case len(d) == 18 && plausibleBirthDate(d[6:14]):
		return keep(d, 4, 4), IDNumber, true
	case len(d) == 11 && isMobile(d):
		return keep(d, 3, 4), Mobile, true
	case len(d) == 13 && strings.HasPrefix(d, "86") && isMobile(d[2:]):
		return "86 " + keep(d[2:], 3, 4), Mobile, true
	case len(d) >= 13:
		return keep(d, 4, 4), Card, true
	case len(d) >= minNumber && d[0] == '0':
		area := 3
		if d[1] != '1' && d[1] != '2' { // 010, 02x are three digits; other area codes four
			area = 4
		}
		return keep(d, area, 4), Landline, true
	case len(d) >= minNumber:
		return keep(d, 0, 4), Account, true
	}
	return "", "", false
}

func isMobile(d string) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9'
}

// plausibleBirthDate reports whether yyyymmdd could be the birth date inside an ID number.
func plausibleBirthDate(d string) bool {
	century := d[:2]
	if century != "18" && century != "19" && century != "20" {
		return false
	}
	month := int(d[4]-'0')*10 + int(d[5]-'0')
	day := int(d[6]-'0')*10 + int(d[7]-'0')
	return month >= 1 && month <= 12 && day >= 1 && day <= 31
}

// keep masks all but the first head and last tail characters of ASCII string d.
func keep(d string, head, tail int) string {
	return d[:head] + strings.Repeat("*", len(d)-head-tail) + d[len(d)-tail:]
}

// chineseDigits are the numerals people read numbers out with, by value.
var chineseDigits = map[rune]byte{
	'〇': '0', '零': '0', '一': '1', '幺': '1', '二': '2', '三': '3', '四': '4', '五': '5', '六': '6', '七': '7', '八': '8', '九': '9',
	'壹': '1', '贰': '2', '叁': '3', '肆': '4', '伍': '5', '陆': '6', '柒': '7', '捌': '8', '玖': '9',
}

// digitValue returns the ASCII digit a rune stands for: any Unicode decimal digit, or a
// Chinese numeral.
func digitValue(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r), true
	case r < utf8.RuneSelf:
		return 0, false
	case unicode.Is(unicode.Nd, r):
		// Decimal digits come in contiguous runs of ten, zero first (a Unicode stability
		// guarantee); some runs follow each other (the mathematical digits), hence the modulo.
		zero := r
		for unicode.Is(unicode.Nd, zero-1) {
			zero--
		}
		return byte('0' + (r-zero)%10), true
	}
	d, ok := chineseDigits[r]
	return d, ok
}

func containsDigit(s string) bool {
	for _, r := range s {
		if _, ok := digitValue(r); ok {
			return true
		}
	}
	return false
}

// isSeparator reports whether r may sit between the digit groups of a number people type:
// spaces, punctuation and symbols of any script (. / _ - · ， and the like), and invisible
// format characters. Not '*': masks must not join the digits they keep to their neighbours.
func isSeparator(r rune) bool {
	if r == '*' || r == '＊' {
		return false
	}
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.Is(unicode.Cf, r)
}
