package knowledge

import (
	"strings"
)

// Scope is the scope model of out-of-scope.yaml: what makes a message about overdue or repayment
// trouble (this assistant's job) rather than everyday card service (the issuer's app or hotline).
// Every field is an editor-owned cue list, so each decision can be explained by the cues it met.
type Scope struct {
	// Reply is what the bot says to an out-of-scope message: what it covers and where everyday
	// service lives.
	Reply Content
	// NotLate are spans that say nothing is late (没有逾期过, 按时还款): they are taken out of the
	// message before trouble cues are looked for, so their 逾期 does not count.
	NotLate []ScopePattern
	// Trouble cues keep a message in scope whatever service words it holds (逾期, 还不上, 催收).
	Trouble []ScopePattern
	// Weak cues keep a message in scope except beside a strong service class: paying early has
	// its own 违约金, an installment its own 利息.
	Weak []ScopePattern
	// Service are the classes of everyday service questions.
	Service []*ServiceClass
}

// ServiceClass is one kind of everyday service question (paying early, installments, limits…).
// A message matching one of its cues, and none of its unless, is out of scope unless a trouble
// cue (or, for a class that is not Strong, a weak cue) remains once the matched cue is taken out.
type ServiceClass struct {
	ID     string
	Cues   []ScopePattern
	Unless []ScopePattern
	// Strong: weak cues do not keep a message of this class in scope.
	Strong bool
	Pos    Pos
}

// MaxCueWords is the most words a scope cue may join.
const MaxCueWords = 4

// ScopePattern is a cue: words that must all be contained ("a&b"), or contained in order
// ("a>b": a somewhere before b).
type ScopePattern struct {
	Words   []string
	Ordered bool
}

// String writes the pattern as in the file.
func (p ScopePattern) String() string {
	sep := "&"
	if p.Ordered {
		sep = ">"
	}
	return strings.Join(p.Words, sep)
}

var (
	outOfScopeFields = []string{"questions", "reply", "not_late", "trouble", "weak", "service"}
	serviceFields    = []string{"id", "cues", "unless", "strong"}
)

// loadScope reads the scope model from out-of-scope.yaml's top-level mapping.
func (l *loader) loadScope(f *yamlFile, fs fields) Scope {
	var s Scope
	if text, pos := f.rawText(fs, "reply"); strings.TrimSpace(text) != "" {
		s.Reply = l.renderAt(text, pos)
		l.answers = append(l.answers, located{text, pos})
	}
	s.NotLate = l.scopePatterns(f.list(fs, "not_late"))
	s.Trouble = l.scopePatterns(f.list(fs, "trouble"))
	s.Weak = l.scopePatterns(f.list(fs, "weak"))
	if fd, ok := fs.byKey["service"]; ok && !isNull(fd.value) {
		ids := map[string]Pos{}
		for _, n := range f.sequence(fd.value, "service") {
			cfs := f.mapping(n, "service class", serviceFields...)
			if !f.require(cfs, "id", "cues") {
				continue
			}
			c := &ServiceClass{ID: f.text(cfs, "id"), Pos: f.pos(n)}
			if prev, dup := ids[c.ID]; dup {
				f.errorf(n, "duplicate service class id %q (also on %s)", c.ID, also(c.Pos, prev))
				continue
			}
			ids[c.ID] = c.Pos
			c.Cues = l.scopePatterns(f.list(cfs, "cues"))
			c.Unless = l.scopePatterns(f.list(cfs, "unless"))
			c.Strong = f.flag(cfs, "strong")
			s.Service = append(s.Service, c)
		}
	}
	if len(s.Service) > 0 && len(s.Reply.Text) == 0 {
		f.c.errorf(Pos{File: f.name}, "service classes need a reply: what the bot says to an everyday service question")
	}
	return s
}

// scopePatterns parses cues: "a&b" (all contained) or "a>b" (in this order), not both.
func (l *loader) scopePatterns(items []item) []ScopePattern {
	var out []ScopePattern
	for _, it := range items {
		p := ScopePattern{Ordered: strings.Contains(it.text, ">")}
		if p.Ordered && strings.Contains(it.text, "&") {
			l.errorf(it.pos, "cue %q mixes & and >; write one or the other", it.text)
			continue
		}
		sep := "&"
		if p.Ordered {
			sep = ">"
		}
		for _, w := range strings.Split(it.text, sep) {
			if w = strings.TrimSpace(w); w == "" {
				l.errorf(it.pos, "cue %q has an empty word", it.text)
				p.Words = nil
				break
			}
			p.Words = append(p.Words, w)
		}
		if len(p.Words) > MaxCueWords {
			l.errorf(it.pos, "cue %q joins more than %d words", it.text, MaxCueWords)
			continue
		}
		if p.Words != nil {
			out = append(out, p)
		}
	}
	return out
}
