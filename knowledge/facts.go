package knowledge

import (
	"fmt"
	"slices"
	"strings"
)

// Fact is one entry of the facts list (facts.yaml): a vetted fact's id (as in KB-FACTS) and the
// title of the text it rests on, written so a cardholder can look it up
// (《最高人民法院、最高人民检察院关于办理妨害信用卡管理刑事案件具体应用法律若干问题的解释》第六条).
type Fact struct {
	ID    string
	Title string
	Pos   Pos
}

// Source is a fact as a reply cites it: the page shows the titles as 依据.
type Source struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// factsFile lists the facts answers may cite, and the words that make a line a legal statement.
const factsFile = "facts.yaml"

var factFields = []string{"id", "title"}

// loadFacts reads facts.yaml. Without it no source can be resolved, so every cited id is reported.
func (l *loader) loadFacts() []Fact {
	f, top, ok := l.openYAML(factsFile)
	if !ok {
		return nil
	}
	fs := f.mapping(top, factsFile, "facts", "legal_words")
	l.legalWords = texts(f.list(fs, "legal_words"))
	var out []Fact
	seen := map[string]Pos{}
	for _, n := range f.sequence(fs.byKey["facts"].value, "facts") {
		ffs := f.mapping(n, "fact", factFields...)
		if !f.require(ffs, "id", "title") {
			continue
		}
		fact := Fact{ID: f.text(ffs, "id"), Title: f.text(ffs, "title"), Pos: f.pos(n)}
		if !sourceRE.MatchString(fact.ID) {
			f.c.errorf(f.line(ffs, "id"), "fact id %q is not a KB-FACTS id (like F6 or F4.2)", fact.ID)
			continue
		}
		if prev, dup := seen[fact.ID]; dup {
			f.errorf(n, "fact %q is listed twice (also on %s)", fact.ID, also(fact.Pos, prev))
			continue
		}
		seen[fact.ID] = fact.Pos
		out = append(out, fact)
	}
	return out
}

// checkSources keeps the cited ids and reports every one the facts list does not have.
func (l *loader) checkSources(items []item) []string {
	for _, s := range items {
		if _, ok := l.kb.facts[s.text]; !ok {
			l.errorf(s.pos, "source %q is not in %s: cite a fact id listed there (add the fact, with a title a cardholder can look up, if it is new)", s.text, factsFile)
		}
	}
	return texts(items)
}

// Sources resolves fact ids to the ids and titles a reply cites, in order, each once; ids the
// facts list does not have are left out (Load reports them).
func (kb *KB) Sources(ids ...[]string) []Source {
	var out []Source
	for _, list := range ids {
		for _, id := range list {
			f, ok := kb.facts[id]
			if !ok || slices.ContainsFunc(out, func(s Source) bool { return s.ID == id }) {
				continue
			}
			out = append(out, Source{ID: f.ID, Title: f.Title})
		}
	}
	return out
}

// legalStatement returns the first part of a line that makes it a legal or regulatory
// statement, "" when there is none. A line states a legal or regulatory fact when, outside
// quotation marks (「」 quote what a user might type), it
//   - names a law, regulation or judicial text: a title in 《》, or a word of legal_words in
//     facts.yaml (法律, 司法解释, 依法, …), or
//   - states a number about law, money, time or a phone number (see factNumbers).
//
// Such a text must cite at least one fact in its sources.
func (l *loader) legalStatement(line string) string {
	bare := quotedRE.ReplaceAllString(line, "")
	if i := strings.Index(bare, "《"); i >= 0 {
		title, _, _ := strings.Cut(bare[i:], "》")
		return title + "》"
	}
	for _, w := range l.legalWords {
		if strings.Contains(bare, w) {
			return w
		}
	}
	if ns := factNumbers(bare); len(ns) > 0 {
		return ns[0]
	}
	return ""
}

// checkLegal reports, once per owner, the first legal statement in texts when the owner cites no
// sources, naming up to five of its legal words and numbers.
func (l *loader) checkLegal(texts []located) {
	var first Pos
	var found []string
	for _, t := range texts {
		for i, line := range strings.Split(t.text, "\n") {
			for line != "" {
				w := l.legalStatement(line)
				if w == "" {
					break
				}
				if first.File == "" {
					first = Pos{File: t.pos.File, Line: t.pos.Line + i}
				}
				if !slices.Contains(found, w) && len(found) < 5 {
					found = append(found, w)
				}
				// Look for more on the rest of the line, after this one.
				j := strings.Index(line, w)
				if j < 0 {
					break
				}
				line = line[j+len(w):]
			}
		}
	}
	if len(found) == 0 {
		return
	}
	quoted := make([]string, len(found))
	for i, w := range found {
		quoted[i] = fmt.Sprintf("%q", w)
	}
	l.errorf(first, "legal or regulatory statement without sources (%s): cite the facts it rests on in sources (ids from %s)",
		strings.Join(quoted, ", "), factsFile)
}

func (kb *KB) indexFacts() {
	kb.facts = make(map[string]*Fact, len(kb.Facts))
	for i := range kb.Facts {
		kb.facts[kb.Facts[i].ID] = &kb.Facts[i]
	}
}
