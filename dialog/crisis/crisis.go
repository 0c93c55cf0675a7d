// Package crisis recognises a message from a person who may be in danger: wanting to die, a
// method or a means at hand, a dangerous place, preparations, farewells and metaphors of
// finality, harm to others. The cues are editor-owned (the knowledge base's crisis.yaml) and
// grouped in classes; a strong class is enough alone, the others only combined (刀 with 手腕,
// 桥上 with 站在), so new wordings are caught by their parts rather than by a list of sentences.
// Negations (我不会自杀) cancel a cue, hyperbole and idioms (烦死了, 跳楼价) are blanked first.
// The package is pure: no I/O, no clock.
package crisis

import (
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
}

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
	d := &Detector{classIndex: map[string]int{}}
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
	class int
	cue   *cue
	spans [][2]int // [start, end) rune offsets of each part in the form the cue is compared with
}

// Detect reports whether text reads as a crisis, and why.
func (d *Detector) Detect(text string) (Match, bool) {
	if len(d.classes) == 0 {
		return Match{}, false
	}
	han := []rune(replace(replace(fold(text), d.blankHan, blank), d.askHan, asked))
	latin := []rune(replace(replace(latinLetters(text), d.blankLatin, blank), d.askLatin, asked))
	var hits []hit
	folded := fold(text)
	for ci := range d.classes {
		if containsAny(folded, d.classes[ci].unless) {
			continue
		}
		for i := range d.classes[ci].cues {
			cu := &d.classes[ci].cues[i]
			form, neg, fill := han, d.negHan, d.fillHan
			if cu.latin {
				form, neg, fill = latin, d.negLatin, d.fillLatin
			}
			for _, spans := range find(form, cu.parts) {
				if negated(form[:spans[0][0]], neg, fill) {
					continue
				}
				h := hit{class: ci, cue: cu, spans: spans}
				if d.classes[ci].alone {
					return Match{Class: d.classes[ci].id, Cue: cu.text}, true
				}
				hits = append(hits, h)
			}
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

// find returns, for every place the parts appear in order (each within knowledge.CueGap runes of
// the previous one), the [start, end) rune offsets of each part.
func find(form []rune, parts []string) [][][2]int {
	var out [][][2]int
	first := []rune(parts[0])
	for start := 0; start+len(first) <= len(form); start++ {
		if !hasAt(form, start, first) {
			continue
		}
		end, ok := start+len(first), true
		spans := [][2]int{{start, end}}
		for _, p := range parts[1:] {
			pr := []rune(p)
			found := false
			for gap := 0; gap <= knowledge.CueGap && end+gap+len(pr) <= len(form); gap++ {
				if strings.ContainsRune(string(form[end:end+gap]), []rune(blank)[0]) {
					break
				}
				if hasAt(form, end+gap, pr) {
					spans = append(spans, [2]int{end + gap, end + gap + len(pr)})
					end, found = end+gap+len(pr), true
					break
				}
			}
			if !found {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, spans)
		}
	}
	return out
}

func hasAt(form []rune, at int, w []rune) bool {
	if at+len(w) > len(form) {
		return false
	}
	for i, r := range w {
		if form[at+i] != r {
			return false
		}
	}
	return true
}

// negated reports whether before ends with a negation, allowing fillers between them
// (我不会|去|, im not going to|).
func negated(before []rune, negations, fillers []string) bool {
	s := string(before)
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

// replace replaces every occurrence of the words by mark.
func replace(s string, words []string, mark string) string {
	for _, w := range words {
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
