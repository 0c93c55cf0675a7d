// Package pii finds and masks the personal numbers cardholders type into a chat: bank-card
// numbers, mainland-China resident ID numbers and mobile numbers. The bot masks every message
// before the dialog engine sees it and before anything is stored, logged or counted.
//
// What counts as a number: ASCII or full-width digits (０-９), where a single space, ideographic
// space or dash between two digits joins them ("6222 0212 3456 7890", "138-1234-5678").
// The joined digits are then classified:
//
//   - 17 digits followed by X (or x, Ｘ): an ID number.
//   - 18 digits whose 7th-14th digits read as a plausible birth date (18xx-20xx): an ID number.
//   - 11 digits starting 1[3-9]: a mobile number; with a leading 86 (13 digits, "+86 138…"),
//     a mobile number with its country code.
//   - any other run of 13 or more digits: a card number. Luhn is deliberately NOT checked: a
//     mistyped card number is still one digit away from the real one, and the old 15-digit ID
//     numbers fall here too, so everything that long is masked.
//
// A group typed without separators that is a personal number by itself stands alone
// ("5000 13812345678" masks the mobile number and keeps the amount); the groups around it are
// joined and classified again, so a card number typed in fours is still one card number.
//
// Masks keep enough for a person to recognise their own number (the leading digits that name the
// issuer or region, and the last four, the "尾号" banks and apps show) and never enough to use it:
//
//	card      6222********1234      first 4 and last 4
//	ID        1101**********123X    first 4 (province and city, never the birth date) and last 4
//	mobile    138****5678           first 3 and last 4, as Chinese apps display them
//
// Masked output uses ASCII digits and drops the separators inside the number.
package pii

import (
	"strings"
	"unicode/utf8"
)

// Kind names a sort of personal number.
type Kind string

// Kinds of personal number Mask recognises.
const (
	Card     Kind = "card"      // bank-card number (13 or more digits)
	IDNumber Kind = "id_number" // 18-character resident ID number
	Mobile   Kind = "mobile"    // mainland mobile number, with or without +86
)

// Mask returns s with every personal number replaced by its mask, and the kinds it found, each
// once, in order of first appearance. Text without digits is returned unchanged without copying.
// Invalid UTF-8 is passed through byte for byte.
func Mask(s string) (string, []Kind) {
	if strings.IndexFunc(s, isDigit) < 0 {
		return s, nil
	}
	var (
		b     strings.Builder
		kinds []Kind
		done  int // s[:done] has been written to b
	)
	replace := func(start, end int, masked string, k Kind) {
		b.WriteString(s[done:start])
		b.WriteString(masked)
		done = end
		for _, seen := range kinds {
			if seen == k {
				return
			}
		}
		kinds = append(kinds, k)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isDigit(r) {
			i += size
			continue
		}
		rn := scanRun(s, i)
		if rn.digits < 11 { // shorter than any personal number: amounts, dates, days
			i = rn.end
			continue
		}
		for _, p := range rn.pieces() {
			if masked, k, ok := classify(p.digits, p.hasX); ok {
				replace(p.start, p.end, masked, k)
			}
		}
		i = rn.end
	}
	if kinds == nil {
		return s, nil
	}
	b.WriteString(s[done:])
	return b.String(), kinds
}

// run is a maximal stretch of digits joined by single separators, with byte offsets into s.
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
			if !isDigit(r) {
				break
			}
			ds = append(ds, asciiDigit(r))
			i += size
		}
		g.end, g.digits = i, string(ds)
		rn.groups = append(rn.groups, g)
		rn.digits += len(ds)
		// A single separator joins two groups only when a digit follows it.
		r, size := utf8.DecodeRuneInString(s[i:])
		if i >= len(s) || !isSeparator(r) {
			break
		}
		next, _ := utf8.DecodeRuneInString(s[i+size:])
		if i+size >= len(s) || !isDigit(next) {
			break
		}
		i += size
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
			if _, _, ok := classify(alone.digits, alone.hasX); ok {
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
	if _, _, ok := classify(whole.digits, whole.hasX); ok {
		return []piece{whole}
	}
	var out []piece
	for i := 0; i < len(gs); i++ {
		n := 0
		for j := i; j < len(gs) && n < 11; j++ {
			n += len(gs[j].digits)
			if w := join(gs[i : j+1]); n == 11 && isMobile(w.digits) {
				out = append(out, join(gs[:i]), w)
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

func isDigit(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= '０' && r <= '９')
}

func asciiDigit(r rune) byte {
	if r >= '０' && r <= '９' {
		return byte('0' + (r - '０'))
	}
	return byte(r)
}

// isSeparator reports whether r may sit between the digit groups of a number people type:
// spaces (ASCII, no-break, ideographic) and dashes (ASCII, full-width, Unicode hyphens and dashes).
func isSeparator(r rune) bool {
	switch r {
	case ' ', '-', '\u00a0', '\u3000', '\uff0d':
		return true
	}
	return r >= '\u2010' && r <= '\u2015'
}
