package dialog

import (
	"sort"
	"strings"

	"chatbot/knowledge"
)

// scopeCue is a cue of the scope model with its words normalised like messages.
type scopeCue struct {
	words   []string
	pairs   []uint32 // pairFilter bit of each word's first two characters
	paired  []bool   // the word has two characters or more
	ordered bool
	src     string // as written in the file, for the trace
}

type serviceClass struct {
	id           string
	cues, unless []scopeCue
	strong       bool
}

// scopeModel decides whether a message is about overdue or repayment trouble or about everyday
// card service (see knowledge.Scope). It is built once per knowledge base.
type scopeModel struct {
	notLate, trouble, weak []scopeCue
	service                []serviceClass
}

// scopeVerdict is the scope decision for one message, for the reply and the trace.
type scopeVerdict struct {
	out     bool
	class   string // the service class that matched ("" if none)
	cue     string // its cue
	kept    string // the trouble cue that kept the message in scope
	notLate string // a not-late span taken out before looking for trouble
	// trouble is the first trouble cue of the message (not-late spans taken out), whatever the
	// service classes say: with it, a prefer rule's article answers even when scores are low.
	trouble string
}

// String explains the verdict in one line.
func (v scopeVerdict) String() string {
	var b strings.Builder
	switch {
	case v.out && v.class != "":
		b.WriteString("out of scope: everyday service " + v.class + " (" + v.cue + "), no trouble cue")
	case v.out:
		b.WriteString("out of scope: nothing is late (" + v.notLate + "), no trouble cue")
	case v.class != "":
		b.WriteString("in scope: service " + v.class + " (" + v.cue + ") but trouble cue " + v.kept)
	case v.trouble != "":
		b.WriteString("in scope: trouble cue " + v.trouble)
	default:
		b.WriteString("in scope: no everyday-service cue")
	}
	if v.notLate != "" && v.class != "" {
		b.WriteString("; not late: " + v.notLate)
	}
	return b.String()
}

// maskRune replaces words taken out of a message, so the words on either side never join into a
// cue they did not form.
const maskRune = "·"

// undoNotLate, right before a not-late span, turn it back into a question or a plain negation:
// 「有没有逾期」 asks, 「不能按时还款」 is trouble.
var undoNotLate = []string{"有", "不", "能", "是否"}

func newScopeModel(n *normaliser, s knowledge.Scope) *scopeModel {
	m := &scopeModel{notLate: scopeCues(n, s.NotLate), trouble: scopeCues(n, s.Trouble), weak: scopeCues(n, s.Weak)}
	for _, c := range s.Service {
		m.service = append(m.service, serviceClass{id: c.ID, cues: scopeCues(n, c.Cues), unless: scopeCues(n, c.Unless), strong: c.Strong})
	}
	return m
}

func scopeCues(n *normaliser, ps []knowledge.ScopePattern) []scopeCue {
	out := make([]scopeCue, 0, len(ps))
	for _, p := range ps {
		words := n.words(p.Words)
		if len(words) == len(p.Words) && len(words) > 0 { // a word that normalises to nothing would match everything
			c := scopeCue{words: words, ordered: p.Ordered, src: p.String()}
			for _, w := range words {
				bit, ok := firstPair(w)
				c.pairs, c.paired = append(c.pairs, bit), append(c.paired, ok)
			}
			out = append(out, c)
		}
	}
	return out
}

// judge reads a normalised message: not-late spans are taken out, then the first service class
// whose cue matches (and no unless) decides, unless a trouble cue remains once that cue is taken
// out too. A message that only says nothing is late, with no trouble left, is out of scope as well.
func (m *scopeModel) judge(msg *normalised) scopeVerdict {
	var v scopeVerdict
	if m == nil {
		return v
	}
	text := msg.Text
	// Taking words out never adds a pair of characters a cue could hold: the message's pair
	// filter stays good for every masked text below.
	f := &msg.pairs
	if !msg.filtered {
		f = nil
	}
	for _, c := range m.notLate {
		for {
			at, ok := c.find(text, f)
			if !ok || precededBy(text, at.at[0][0], undoNotLate) {
				break
			}
			if v.notLate == "" {
				v.notLate = c.src
			}
			text = mask(text, at)
		}
	}
	if t, _, ok := firstCue(m.trouble, text, f); ok {
		v.trouble = t.src
	}
	for _, sc := range m.service {
		cue, at, ok := firstCue(sc.cues, text, f)
		if !ok {
			continue
		}
		if _, _, cancelled := firstCue(sc.unless, text, f); cancelled {
			continue
		}
		v.class, v.cue = sc.id, cue.src
		rest := mask(text, at)
		if t, _, ok := firstCue(m.trouble, rest, f); ok {
			v.kept = t.src
			return v
		}
		if !sc.strong {
			if t, _, ok := firstCue(m.weak, rest, f); ok {
				v.kept = t.src
				return v
			}
		}
		v.out = true
		return v
	}
	if v.notLate != "" {
		if v.trouble != "" {
			v.kept = v.trouble
			return v
		}
		if t, _, ok := firstCue(m.weak, text, f); ok {
			v.kept = t.src
			return v
		}
		v.out = true
	}
	return v
}

// firstCue returns the first cue found in text and where its words are.
func firstCue(cues []scopeCue, text string, f *pairFilter) (scopeCue, spans, bool) {
	for i := range cues { // by index: a cue is too large to copy for each look
		if at, ok := cues[i].find(text, f); ok {
			return cues[i], at, true
		}
	}
	return scopeCue{}, spans{}, false
}

// spans are the byte ranges of a cue's words in a message (at most knowledge.MaxCueWords), kept
// in an array so that looking for a cue allocates nothing.
type spans struct {
	n  int
	at [knowledge.MaxCueWords][2]int
}

// find returns where the cue's words are in text: each word's first occurrence, or for an
// ordered cue, each word's first occurrence after the previous word.
func (c *scopeCue) find(text string, f *pairFilter) (spans, bool) {
	var sp spans
	if f != nil {
		for i := range c.words {
			if c.paired[i] && !f.has(c.pairs[i]) {
				return sp, false
			}
		}
	}
	from := 0
	for _, w := range c.words {
		i := strings.Index(text[from:], w)
		if i < 0 || sp.n == len(sp.at) {
			return spans{}, false
		}
		i += from
		sp.at[sp.n] = [2]int{i, i + len(w)}
		sp.n++
		if c.ordered {
			from = i + len(w)
		}
	}
	return sp, true
}

// mask replaces the spans (which may come in any order, but never overlap but for words of
// one unordered cue) with maskRune.
func mask(text string, sp spans) string {
	at := sp.at[:sp.n]
	sort.Slice(at, func(i, j int) bool { return at[i][0] < at[j][0] })
	var b strings.Builder
	last := 0
	for _, s := range at {
		if s[0] < last { // overlapping words of an unordered cue: mask the remainder only
			s[0] = last
		}
		if s[1] <= last {
			continue
		}
		b.WriteString(text[last:s[0]])
		b.WriteString(maskRune)
		last = s[1]
	}
	b.WriteString(text[last:])
	return b.String()
}
