package knowledge

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// crisisFile holds the cues by which the engine recognises a person in danger.
const crisisFile = "crisis.yaml"

// Crisis is what crisis.yaml says: the cue classes that, alone or combined, show that a person
// may be in danger, the words that cancel a cue (我不会自杀) and the idioms that only sound like
// one (烦死了, 跳楼价). The engine checks it before anything else, in every state of a
// conversation, and answers with Article.
type Crisis struct {
	Article string
	// Negations cancel a cue they come right before, with at most Fillers between them
	// (不会|去|自杀, not going to|kill myself).
	Negations []string
	Fillers   []string
	// Questions only look like a negation (是不是想死 asks, it does not deny): they cancel nothing.
	Questions []string
	// NotCrisis are hyperbole and idioms: text they match is blanked before cues are looked for.
	NotCrisis []string
	Classes   []*CueClass
	// Calm are wordings of the editors' own that must never be taken for a crisis (lint).
	Calm []Example
	Pos  Pos
}

// CueClass is one kind of crisis cue: intent, a method, a place, preparation, farewell, ...
type CueClass struct {
	ID    string
	About string
	// Alone: one cue of this class is enough. Otherwise a cue counts only together with a cue of
	// a class in With (a different place in the message; the class itself may be listed: two
	// farewells).
	Alone bool
	With  []string
	// Cues are words, or words in order with a short gap between them written 「…」
	// (结束…一切 matches 结束掉这一切). Cues of Latin letters (English, pinyin) are compared
	// without spaces against the Latin letters of the message.
	Cues []Example
	// Unless: words that, anywhere in the message, keep this class's cues from counting (a place
	// that is a bank branch: 我在河边的网点).
	Unless []string
	// Examples are the editors' own wordings that this class must catch (lint).
	Examples []Example
	Pos      Pos
}

// CueGap is the longest stretch, in characters, that 「…」 in a cue may stand for.
const CueGap = 8

var (
	crisisFields = []string{"article", "negations", "questions", "fillers", "not_crisis", "classes", "calm"}
	classFields  = []string{"id", "about", "alone", "with", "cues", "unless", "examples"}
)

// loadCrisis reads crisis.yaml. It is optional (small test knowledge bases go without): without
// it the engine recognises no crisis, which lint warns about.
func (l *loader) loadCrisis() *Crisis {
	f, top, ok := l.openYAML(crisisFile)
	if !ok {
		return nil
	}
	fs := f.mapping(top, crisisFile, crisisFields...)
	if !f.require(fs, "article", "classes") {
		return nil
	}
	c := &Crisis{Article: f.text(fs, "article"), Pos: f.pos(top)}
	l.refer(f.line(fs, "article"), refArticle, c.Article, "crisis article %q does not exist")
	c.Negations = l.crisisWords(f.list(fs, "negations"), "negation")
	c.Fillers = l.crisisWords(f.list(fs, "fillers"), "filler")
	c.Questions = l.crisisWords(f.list(fs, "questions"), "question form")
	c.NotCrisis = l.crisisWords(f.list(fs, "not_crisis"), "not_crisis entry")
	for _, it := range f.list(fs, "calm") {
		c.Calm = append(c.Calm, Example{Text: it.text, Pos: it.pos})
	}
	ids := map[string]Pos{}
	var withItems []item
	cueAt := map[string]Pos{}
	for _, n := range f.sequence(fs.byKey["classes"].value, "classes") {
		cf := f.mapping(n, "cue class", classFields...)
		if !f.require(cf, "id", "cues") {
			continue
		}
		cl := &CueClass{ID: f.text(cf, "id"), About: f.text(cf, "about"), Pos: f.pos(n)}
		if prev, dup := ids[cl.ID]; dup {
			f.errorf(n, "duplicate cue class %q (also on %s)", cl.ID, also(cl.Pos, prev))
			continue
		}
		ids[cl.ID] = cl.Pos
		cl.Alone = f.flag(cf, "alone")
		withs := f.list(cf, "with")
		withItems = append(withItems, withs...)
		cl.With = texts(withs)
		if !cl.Alone && len(cl.With) == 0 {
			f.errorf(n, "cue class %q is neither alone nor combined: add alone: true or with: [classes]", cl.ID)
		}
		if cl.Alone && len(cl.With) > 0 {
			f.c.warnf(f.line(cf, "with"), "cue class %q is alone: its with is never needed", cl.ID)
		}
		for _, it := range f.list(cf, "cues") {
			if !validCue(it.text) {
				l.errorf(it.pos, "cue %q is empty around 「…」 or too short to mean anything", it.text)
				continue
			}
			key := CueKey(it.text)
			if prev, dup := cueAt[key]; dup {
				l.errorf(it.pos, "cue %q is listed twice (also on %s)", it.text, also(it.pos, prev))
				continue
			}
			cueAt[key] = it.pos
			cl.Cues = append(cl.Cues, Example{Text: it.text, Pos: it.pos})
		}
		cl.Unless = l.crisisWords(f.list(cf, "unless"), "unless word")
		for _, it := range f.list(cf, "examples") {
			cl.Examples = append(cl.Examples, Example{Text: it.text, Pos: it.pos})
		}
		c.Classes = append(c.Classes, cl)
	}
	for _, it := range withItems {
		if _, ok := ids[it.text]; !ok {
			l.errorf(it.pos, "with names cue class %q, which does not exist", it.text)
		}
	}
	if len(c.Classes) == 0 {
		f.errorf(top, "crisis.yaml has no cue classes")
	}
	return c
}

// crisisWords reads a list of words, reporting empty ones.
func (l *loader) crisisWords(items []item, what string) []string {
	var out []string
	for _, it := range items {
		if it.text == "" {
			l.errorf(it.pos, "empty %s", what)
			continue
		}
		out = append(out, it.text)
	}
	return out
}

// CuePartsSep separates the parts of a cue that may have a short gap between them.
const CuePartsSep = "…"

// CueParts splits a cue into the parts that must appear in order ("..." counts as 「…」).
func CueParts(cue string) []string {
	cue = strings.ReplaceAll(cue, "...", CuePartsSep)
	parts := strings.Split(cue, CuePartsSep)
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

// CueKey identifies a cue for duplicate checks: lower case, no spaces.
func CueKey(cue string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, cue)
}

// validCue: no empty part, and a Latin cue of at least 4 letters (shorter ones sit inside
// ordinary words: "die" in "diet").
func validCue(cue string) bool {
	for _, p := range CueParts(cue) {
		if p == "" {
			return false
		}
		if isLatinWord(p) && utf8.RuneCountInString(CueKey(p)) < 4 {
			return false
		}
	}
	return true
}

func isLatinWord(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII || (!unicode.IsLetter(r) && r != ' ' && r != '\'') {
			return false
		}
	}
	return true
}
