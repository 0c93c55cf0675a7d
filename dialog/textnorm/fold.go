// Package textnorm turns the messy way people type Chinese into one canonical form: half-width,
// lower case, simplified characters, numbers as digits, punctuation and emoji as separators, and
// (through Replacer) a vocabulary's variants rewritten to canonical words.
package textnorm

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Separator stands for any run of punctuation, symbols, emoji or whitespace in cleaned text, so
// later steps still see where words and numbers ended.
const Separator = ' '

// FoldRune maps one rune to its canonical form: full-width to half-width, upper to lower case,
// traditional to simplified, typographic dashes to '-'.
func FoldRune(r rune) rune {
	if r >= 0 && r < rune(len(foldedBMP)) {
		return foldedBMP[r]
	}
	return foldRune(r)
}

// foldedBMP is foldRune of every character of the Basic Multilingual Plane, where nearly all typed
// text lives, worked out once: every message folds every character, and a table lookup is far
// cheaper than a width lookup, a case mapping and a map lookup.
var foldedBMP = func() *[0x10000]rune {
	var t [0x10000]rune
	for r := range t {
		t[r] = foldRune(rune(r))
	}
	return &t
}()

func foldRune(r rune) rune {
	if r >= 0x80 {
		if f := width.LookupRune(r).Folded(); f != 0 {
			r = f
		}
	}
	switch r {
	case '–', '—', '〜': // dashes and wave dash in typed ranges (1–3 天)
		return '-'
	}
	r = unicode.ToLower(r)
	if s, ok := toSimplified[r]; ok {
		return s
	}
	return r
}

// Clean folds every rune (see FoldRune) and replaces each run of characters that are neither
// letters nor digits by one Separator. A '.', '-' or '~' between two digits is kept, because
// Numbers reads decimals (1.5w) and ranges (1-3天). Leading and trailing separators are dropped.
func Clean(s string) string {
	rs := []rune(s)
	for i, r := range rs {
		rs[i] = FoldRune(r)
	}
	var b strings.Builder
	b.Grow(len(s))
	pendingSep := false
	for i, r := range rs {
		keep := isWordRune(r) ||
			(r == '.' || r == '-' || r == '~') && i > 0 && i+1 < len(rs) && isDigit(rs[i-1]) && isDigit(rs[i+1])
		if !keep {
			pendingSep = true
			continue
		}
		if pendingSep && b.Len() > 0 {
			b.WriteRune(Separator)
		}
		pendingSep = false
		b.WriteRune(r)
	}
	return b.String()
}

// Squeeze removes separators (and any '.', '-', '~' Numbers left), giving the compact text rules
// and scoring work on.
func Squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if isWordRune(r) {
			return r
		}
		return -1
	}, s)
}

// isWordRune reports whether r carries meaning: a letter (Han included) or a digit.
func isWordRune(r rune) bool {
	return isDigit(r) || unicode.IsLetter(r)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }
