package knowledge

import (
	"regexp"
	"slices"
	"strings"
)

// refKind says what a reference points at.
type refKind int

const (
	refArticle refKind = iota
	refFlow
)

// ref is an id used somewhere, checked once everything is read (articles and flows point at each
// other, so neither can be checked while the other is still being read).
type ref struct {
	pos    Pos
	kind   refKind
	id     string
	format string // message with one %q for the id
}

func (l *loader) refer(pos Pos, kind refKind, id, format string) {
	l.refs = append(l.refs, ref{pos: pos, kind: kind, id: id, format: format})
}

// explained reports whether a missing id is already reported as a broken file or folder.
func (l *loader) explained(kind refKind, id string) bool {
	return l.noneRead[kind] || l.broken[kind][id]
}

func (l *loader) checkRefs() {
	for _, r := range l.refs {
		if l.explained(r.kind, r.id) {
			continue
		}
		var ok bool
		switch r.kind {
		case refArticle:
			_, ok = l.kb.Article(r.id)
		case refFlow:
			_, ok = l.kb.Flow(r.id)
		}
		if !ok {
			l.errorf(r.pos, r.format, r.id)
		}
	}
	for _, a := range l.kb.Articles {
		if a.Flow == "" {
			continue
		}
		if f, ok := l.kb.Flow(a.Flow); ok && f.Article != a.ID {
			l.warnf(a.Pos, "article starts flow %q, which belongs to article %q", a.Flow, f.Article)
		}
	}
}

// checkTopics reports every topic of topics.yaml that has no article with its id.
func (l *loader) checkTopics() {
	for _, t := range l.kb.Topics {
		if _, ok := l.kb.Article(t.ID); !ok && !l.explained(refArticle, t.ID) {
			l.errorf(t.Pos, "topic %q has no article (add articles/%s.md)", t.ID, t.ID)
		}
	}
}

// located is a piece of Markdown and the file line its first line is on.
type located struct {
	text string
	pos  Pos
}

var (
	phoneRE    = regexp.MustCompile(`\d{3,4}-\d{3,4}-\d{3,5}`)
	fractionRE = regexp.MustCompile(`[百千万]分之[\d〇零一二三四五六七八九十点.]+`)
	numberRE   = regexp.MustCompile(`(第?)(\d+(?:\.\d+)?|[〇零一二三四五六七八九十两百千]+)\s*(%|％|个工作日|工作日|个月|小时|年|天|日|周|元|块|万|倍|期|次|条)?`)
)

// quotedRE matches quoted spans. Articles quote what a user might type (「招行逾期20天了怎么办」);
// numbers in such examples are not facts the bot states.
var quotedRE = regexp.MustCompile(`「[^」]*」|“[^”]*”|"[^"]*"`)

// factNumbers returns the numbers in a line that state a fact: phone numbers, percentages and
// rates, amounts of days, months, years and money, and 第N条 of a law. Ordinary counting (第1步,
// 一次, 三条建议) is not a fact, nor is anything in quotation marks.
func factNumbers(line string) []string {
	line = quotedRE.ReplaceAllString(line, "")
	var out []string
	out = append(out, phoneRE.FindAllString(line, -1)...)
	out = append(out, fractionRE.FindAllString(line, -1)...)
	for _, m := range numberRE.FindAllStringSubmatch(line, -1) {
		if looksLikeFact(m[1] != "", m[2], m[3]) {
			out = append(out, strings.ReplaceAll(m[0], " ", ""))
		}
	}
	return out
}

func looksLikeFact(ordinal bool, number, unit string) bool {
	arabic := number[0] >= '0' && number[0] <= '9'
	switch {
	case ordinal:
		return unit != ""
	case unit == "条":
		return false
	case arabic:
		return unit != "" || len(number) >= 5 || number == "110" || number == "120" || number == "119"
	default:
		// 一 alone is too common to mean a fact (一次, 一天), and 千万 is usually "by all means".
		return unit != "" && strings.ContainsAny(number, "〇零二三四五六七八九十两")
	}
}

var placeholderRE = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// flowPlaceholders are the only placeholders flows may use; articles may use none.
var flowPlaceholders = []string{"bank", "bank_contact"}

func (l *loader) checkPlaceholders(src string, pos Pos, allowed []string) {
	for _, m := range placeholderRE.FindAllStringSubmatchIndex(src, -1) {
		name := src[m[2]:m[3]]
		at := Pos{File: pos.File, Line: pos.Line + strings.Count(src[:m[0]], "\n")}
		switch {
		case allowed == nil:
			l.errorf(at, "placeholder %q only works in flows", "{"+name+"}")
		case !slices.Contains(allowed, name):
			l.errorf(at, "unknown placeholder %q (use {bank} or {bank_contact})", "{"+name+"}")
		}
	}
}
