// Package crisis recognises a message from a person who may be in danger: wanting to die, a
// method or a means at hand, a dangerous place, preparations, farewells and metaphors of
// finality, harm to others. The cues are editor-owned (the knowledge base's crisis.yaml) and
// grouped in classes; a strong class is enough alone, the others only combined (刀 with 手腕,
// 桥上 with 站在), so new wordings are caught by their parts rather than by a list of sentences.
// Negations (我不会自杀) cancel a cue, hyperbole and idioms (烦死了, 跳楼价) are blanked first.
// The package is pure: no I/O, no clock.
package crisis

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"chatbot/dialog/textnorm"
	"chatbot/knowledge"
)

// Match says why a message reads as a crisis: the cue found and, for a class that needs
// company, the cue of the class it was found with.
type Match struct {
	Class, Cue         string
	WithClass, WithCue string // empty for a class that is enough alone
}

// String is the trace line: "intent 不想活" or "means 刀 + body 手腕".
func (m Match) String() string {
	s := m.Class + " " + m.Cue
	if m.WithClass != "" {
		s += " + " + m.WithClass + " " + m.WithCue
	}
	return s
}

// Detector finds crisis cues in messages. It is immutable and safe for concurrent use.
type Detector struct {
	classes []class
	// Chinese (any non-Latin) and Latin lists are kept apart: each is compared with its own
	// form of the message.
	negHan, negLatin     []string
	fillHan, fillLatin   []string
	blankHan, blankLatin []string
	askHan, askLatin     []string
	classIndex           map[string]int
	// byFirst finds the cues that may start at a character of the message: cues by the first
	// character of their first part, Chinese and Latin apart.
	byFirstHan, byFirstLatin map[rune][]cueRef
}

// cueRef names a cue: its class and its place in the class (file order decides ties).
type cueRef struct{ class, cue int }

type class struct {
	id     string
	unless []string // folded: any of them in the message and the class does not count
	alone  bool
	with   []int // indexes of the classes a cue of this one counts with
	cues   []cue
}

type cue struct {
	text  string   // as the editor wrote it, for the trace
	parts []string // folded parts, in order, with at most knowledge.CueGap runes between
	latin bool     // compared with the message's Latin letters
}

// New compiles the knowledge base's crisis cues; nil c gives a detector that finds nothing.
func New(c *knowledge.Crisis) *Detector {
	d := &Detector{classIndex: map[string]int{}, byFirstHan: map[rune][]cueRef{}, byFirstLatin: map[rune][]cueRef{}}
	if c == nil {
		return d
	}
	for i, cl := range c.Classes {
		d.classIndex[cl.ID] = i
	}
	for _, cl := range c.Classes {
		k := class{id: cl.ID, alone: cl.Alone}
		for _, u := range cl.Unless {
			if f := fold(u); f != "" {
				k.unless = append(k.unless, f)
			}
		}
		for _, w := range cl.With {
			if i, ok := d.classIndex[w]; ok {
				k.with = append(k.with, i)
			}
		}
		for _, ex := range cl.Cues {
			if cu, ok := compileCue(ex.Text); ok {
				k.cues = append(k.cues, cu)
			}
		}
		for j, cu := range k.cues {
			first, _ := utf8.DecodeRuneInString(cu.parts[0])
			ref := cueRef{class: len(d.classes), cue: j}
			if cu.latin {
				d.byFirstLatin[first] = append(d.byFirstLatin[first], ref)
			} else {
				d.byFirstHan[first] = append(d.byFirstHan[first], ref)
			}
		}
		d.classes = append(d.classes, k)
	}
	d.negHan, d.negLatin = split(c.Negations)
	d.fillHan, d.fillLatin = split(c.Fillers)
	d.blankHan, d.blankLatin = split(c.NotCrisis)
	d.askHan, d.askLatin = split(c.Questions)
	return d
}

func compileCue(text string) (cue, bool) {
	cu := cue{text: text}
	for _, p := range knowledge.CueParts(text) {
		latin := isLatin(p)
		var f string
		if latin {
			f = latinLetters(p)
		} else {
			f = fold(p)
		}
		if f == "" {
			return cue{}, false
		}
		if len(cu.parts) > 0 && latin != cu.latin {
			return cue{}, false // a cue is either Latin or not
		}
		cu.latin = latin
		cu.parts = append(cu.parts, f)
	}
	return cu, len(cu.parts) > 0
}

// split folds words and sorts them into non-Latin and Latin ones.
func split(words []string) (han, latin []string) {
	for _, w := range words {
		if isLatin(w) {
			if f := latinLetters(w); f != "" {
				latin = append(latin, f)
			}
		} else if f := fold(w); f != "" {
			han = append(han, f)
		}
	}
	return han, latin
}

// blank stands for text removed as hyperbole or an idiom: no cue contains it, so no cue
// matches across it.
const blank = "|"

// asked stands for a question form (是不是): no negation ends with it, and a cue's gap may
// cross it.
const asked = "?"

// hit is one cue found at a place in one of the message's two forms.
type hit struct {
	ref   cueRef
	class int
	cue   *cue
	spans [][2]int // [start, end) byte offsets of each part in the form the cue is compared with
}

// Detect reports whether text reads as a crisis, and why.
func (d *Detector) Detect(text string) (Match, bool) {
	if len(d.classes) == 0 {
		return Match{}, false
	}
	folded := fold(text)
	han := replace(replace(folded, d.blankHan, blank), d.askHan, asked)
	latin := replace(replace(latinLetters(text), d.blankLatin, blank), d.askLatin, asked)
	off := make([]bool, len(d.classes)) // classes an unless word turns off for this message
	for ci := range d.classes {
		off[ci] = containsAny(folded, d.classes[ci].unless)
	}
	var hits []hit
	hits = d.scan(hits, han, d.byFirstHan, off, d.negHan, d.fillHan)
	hits = d.scan(hits, latin, d.byFirstLatin, off, d.negLatin, d.fillLatin)
	// File order decides: the first class, then its first cue, then the first place.
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := hits[i].ref, hits[j].ref
		return a.class < b.class || a.class == b.class && a.cue < b.cue
	})
	for _, h := range hits {
		if d.classes[h.class].alone {
			return Match{Class: d.classes[h.class].id, Cue: h.cue.text}, true
		}
	}
	for _, h := range hits {
		for _, w := range d.classes[h.class].with {
			for _, o := range hits {
				if o.class == w && o.cue != h.cue && !overlap(h, o) {
					return Match{Class: d.classes[h.class].id, Cue: h.cue.text,
						WithClass: d.classes[o.class].id, WithCue: o.cue.text}, true
				}
			}
		}
	}
	return Match{}, false
}

// scan adds to hits every cue of index found in form, not negated, of a class not turned off.
func (d *Detector) scan(hits []hit, form string, index map[rune][]cueRef, off []bool, neg, fill []string) []hit {
	for pos, r := range form {
		for _, ref := range index[r] {
			if off[ref.class] {
				continue
			}
			cu := &d.classes[ref.class].cues[ref.cue]
			spans, ok := matchAt(form, pos, cu.parts)
			if !ok || negated(form[:pos], neg, fill) {
				continue
			}
			hits = append(hits, hit{ref: ref, class: ref.class, cue: cu, spans: spans})
		}
	}
	return hits
}

// overlap reports whether two hits share text. The gap of a cue (写好…信) is not its text: a
// cue inside it (写好给女儿的信) is found at another place. Hits in different forms (a Chinese
// and a Latin cue) never overlap.
func overlap(a, b hit) bool {
	if a.cue.latin != b.cue.latin {
		return false
	}
	for _, x := range a.spans {
		for _, y := range b.spans {
			if x[0] < y[1] && y[0] < x[1] {
				return true
			}
		}
	}
	return false
}

// matchAt reports whether the parts appear in order from byte offset pos of form, each within
// knowledge.CueGap runes of the previous one and no blank between, and where: the [start, end)
// byte offsets of each part.
func matchAt(form string, pos int, parts []string) ([][2]int, bool) {
	if !strings.HasPrefix(form[pos:], parts[0]) {
		return nil, false
	}
	end := pos + len(parts[0])
	spans := [][2]int{{pos, end}}
	for _, p := range parts[1:] {
		j := strings.Index(form[end:], p)
		if j < 0 || utf8.RuneCountInString(form[end:end+j]) > knowledge.CueGap || strings.Contains(form[end:end+j], blank) {
			return nil, false
		}
		spans = append(spans, [2]int{end + j, end + j + len(p)})
		end += j + len(p)
	}
	return spans, true
}

// negated reports whether s ends with a negation, allowing fillers between them
// (我不会|去|, im not going to|).
func negated(s string, negations, fillers []string) bool {
	for {
		for _, n := range negations {
			if strings.HasSuffix(s, n) {
				return true
			}
		}
		trimmed := false
		for _, f := range fillers {
			if strings.HasSuffix(s, f) {
				s, trimmed = strings.TrimSuffix(s, f), true
				break
			}
		}
		if !trimmed {
			return false
		}
	}
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// replace replaces every occurrence of the words by mark. A word whose first character the text
// does not hold is passed over without a search: the lists are long and most messages short.
func replace(s string, words []string, mark string) string {
	var in runeSet
	in.add(s)
	in.add(mark) // replacing only ever brings in the mark
	for _, w := range words {
		if first, _ := utf8.DecodeRuneInString(w); w != "" && !in.has(first) {
			continue
		}
		if strings.Contains(s, w) {
			s = strings.ReplaceAll(s, w, mark)
		}
	}
	return s
}

// fold is the form Chinese cues are compared with: folded runes (full-width, case, traditional
// characters), letters and digits only, no spaces.
func fold(s string) string {
	return textnorm.Squeeze(textnorm.Clean(s))
}

// latinLetters is the form Latin cues are compared with: the message's Latin letters only, lower
// case, tone marks removed (zìshā -> zisha), everything else dropped ("don't want" -> dontwant).
func latinLetters(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		r = textnorm.FoldRune(r)
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		} else if r == 'ü' {
			b.WriteRune('v')
		}
	}
	return b.String()
}

// isLatin reports whether a word is written in Latin letters (English or pinyin).
func isLatin(s string) bool {
	letters := 0
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r), r == ' ', r == '\'', r == '’':
		case r < utf8.RuneSelf && unicode.IsLetter(r):
			letters++
		default:
			return false
		}
	}
	return letters > 0
}

// runeSet is a 1024-bit Bloom filter of the characters of a text: a character not in it is not in
// the text.
type runeSet [16]uint64

func runeBit(r rune) uint32 { return uint32(r) * 0x9E3779B1 >> 22 } // 10 bits

func (f *runeSet) add(s string) {
	for _, r := range s {
		b := runeBit(r)
		f[b>>6] |= 1 << (b & 63)
	}
}

func (f *runeSet) has(r rune) bool {
	b := runeBit(r)
	return f[b>>6]&(1<<(b&63)) != 0
}
