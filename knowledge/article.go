package knowledge

import (
	"bytes"
	"path"
	"regexp"
	"slices"
	"strings"
)

// MinQuestions is the number of example questions a complete article has. Fewer is an error for a
// topic listed in topics.yaml (the topics the bot promises to cover) and a warning otherwise.
const MinQuestions = 12

var articleFields = []string{"id", "title", "lead", "questions", "keywords", "related", "follow_ups", "flow", "sources", "reviewed"}

var (
	kebabRE    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	sourceRE   = regexp.MustCompile(`^F\d+(\.\d+)?b?$`)
	reviewedRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// loadArticles reads articles/*.md. When several files claim one id, one keeps it (see keepers)
// and the others are reported and dropped.
func (l *loader) loadArticles() []*Article {
	names := l.list(articlesDir, ".md")
	if names == nil {
		if !l.unreadable[articlesDir] {
			l.errorf(Pos{File: articlesDir}, "no articles: add articles/<id>.md files")
		}
		l.noneRead[refArticle] = true
		return nil
	}
	var parsed []parsedArticle
	for _, name := range names {
		data, ok := l.read(name)
		if !ok {
			l.markBroken(refArticle, name)
			continue
		}
		p, ok := l.loadArticle(name, data)
		if !ok {
			l.markBroken(refArticle, name)
			continue
		}
		parsed = append(parsed, p)
	}
	keep := keepers(parsed)
	var out []*Article
	for _, p := range parsed {
		if k := keep[p.a.ID]; k != p.a {
			l.errorf(p.a.Pos, "duplicate article id %q (also in %s)", p.a.ID, also(p.a.Pos, k.Pos))
			continue
		}
		p.a.Questions = l.loadQuestions(p.f, p.fs, p.a.ID)
		out = append(out, p.a)
	}
	slices.SortFunc(out, func(a, b *Article) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// parsedArticle is an article read from its file whose example questions are claimed only once
// it is known to keep its id: a duplicate's questions would crowd out the original's.
type parsedArticle struct {
	a  *Article
	f  *yamlFile
	fs fields
}

// keepers picks, for each id, the article that keeps it when several files claim it: the file
// named after the id (the original an editor copied to start a new article), else the first file.
func keepers(parsed []parsedArticle) map[string]*Article {
	keep := map[string]*Article{}
	for _, p := range parsed {
		k, taken := keep[p.a.ID]
		if !taken || (!namedAfterID(k) && namedAfterID(p.a)) {
			keep[p.a.ID] = p.a
		}
	}
	return keep
}

func namedAfterID(a *Article) bool { return path.Base(a.Pos.File) == a.ID+".md" }

// splitFrontMatter cuts an article into its YAML front matter and Markdown body. Lines are
// 1-based; yamlLine is the file line of the YAML's first line.
func splitFrontMatter(data []byte) (fm []byte, yamlLine int, body string, bodyLine int, problem string) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	src := strings.ReplaceAll(string(data), "\r\n", "\n")
	lines := strings.SplitAfter(src, "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return nil, 0, "", 0, `missing front matter: the file must start with a line "---"`
	}
	for i := 1; i < len(lines); i++ {
		if l := strings.TrimSpace(lines[i]); l == "---" || l == "..." {
			return []byte(strings.Join(lines[1:i], "")), 2, strings.Join(lines[i+1:], ""), i + 2, ""
		}
	}
	return nil, 0, "", 0, `front matter is not closed: add a line "---" after it`
}

// loadArticle reads one article except its example questions (see loadArticles); ok is false
// when the file does not give a usable id.
func (l *loader) loadArticle(name string, data []byte) (p parsedArticle, ok bool) {
	fm, yamlLine, body, bodyLine, problem := splitFrontMatter(data)
	if problem != "" {
		l.errorf(Pos{File: name, Line: 1}, "%s", problem)
		return p, false
	}
	f := &yamlFile{c: &l.collector, name: name, offset: yamlLine - 1}
	top, ok := f.parse(fm)
	if !ok {
		return p, false
	}
	fs := f.mapping(top, "front matter", articleFields...)
	f.require(fs, "id", "title", "lead", "questions")
	a := &Article{
		ID:       f.text(fs, "id"),
		Title:    f.text(fs, "title"),
		Lead:     f.text(fs, "lead"),
		Keywords: texts(f.list(fs, "keywords")),
		Flow:     f.text(fs, "flow"),
		Reviewed: f.text(fs, "reviewed"),
		Pos:      Pos{File: name, Line: 1},
	}
	if a.ID != "" && !kebabRE.MatchString(a.ID) {
		l.errorf(f.line(fs, "id"), "id %q is not kebab-case (lowercase letters, digits and single hyphens, e.g. negotiate-repayment)", a.ID)
		a.ID = ""
	}
	if a.ID != "" && path.Base(name) != a.ID+".md" {
		l.warnf(f.line(fs, "id"), "file name should be %s.md to match the id", a.ID)
	}
	if a.Reviewed != "" && !reviewedRE.MatchString(a.Reviewed) {
		l.warnf(f.line(fs, "reviewed"), "reviewed %q is not a date like 2026-11-23", a.Reviewed)
	}
	if a.Flow != "" {
		l.refer(f.line(fs, "flow"), refFlow, a.Flow, "flow %q does not exist")
	}
	for _, r := range f.list(fs, "related") {
		a.Related = append(a.Related, r.text)
		if r.text == a.ID {
			l.warnf(r.pos, "related lists the article itself")
			continue
		}
		l.refer(r.pos, refArticle, r.text, "related id %q does not exist")
	}
	a.Sources = l.checkSources(f.list(fs, "sources"))
	a.FollowUps = l.loadFollowUps(f, fs, a)
	p = parsedArticle{a: a, f: f, fs: fs}
	l.answers = append(l.answers, located{a.Title, f.line(fs, "title")})
	lead := located{a.Lead, f.line(fs, "lead")}
	if fs.has("lead") {
		l.checkLead(a.Lead, lead.pos, nil)
		l.answers = append(l.answers, lead)
	}

	if strings.TrimSpace(body) == "" {
		l.errorf(Pos{File: name, Line: bodyLine}, "body is empty")
		return p, a.ID != ""
	}
	at := Pos{File: name, Line: bodyLine}
	a.Body = l.renderAt(body, at)
	l.checkPlaceholders(body, at, nil)
	l.answers = append(l.answers, located{body, at})
	if len(a.Sources) == 0 {
		l.checkLegal([]located{lead, {body, at}})
	}
	return p, a.ID != ""
}

// loadQuestions reads the example questions and checks that there are enough of them and that
// no other article (or out-of-scope.yaml) claims the same one.
func (l *loader) loadQuestions(f *yamlFile, fs fields, articleID string) []Example {
	items := f.list(fs, "questions")
	var out []Example
	for _, q := range items {
		if q.text == "" {
			l.errorf(q.pos, "empty example question")
			continue
		}
		if l.claimQuestion(q, articleID) {
			out = append(out, Example{Text: q.text, Pos: q.pos})
		}
	}
	if fs.has("questions") && len(out) < MinQuestions {
		report := l.warnf
		if l.requiredTopics[articleID] {
			report = l.errorf
		}
		report(f.line(fs, "questions"), "only %d example questions; at least %d are needed", len(out), MinQuestions)
	}
	return out
}

// claimQuestion records that owner uses question q; the same question routing to two places
// makes one of them unreachable.
func (l *loader) claimQuestion(q item, owner string) bool {
	prev, seen := l.questionAt[q.text]
	switch {
	case !seen:
		l.questionAt[q.text] = questionOwner{owner: owner, pos: q.pos}
		return true
	case prev.owner == owner:
		l.warnf(q.pos, "question %q is listed twice (also on %s)", q.text, also(q.pos, prev.pos))
		return false
	default:
		l.errorf(q.pos, "question %q is also an example of article %q (%s)", q.text, prev.owner, also(q.pos, prev.pos))
		return false
	}
}

// renderAt renders Markdown found at pos and reports raw HTML and unsafe links on their own lines.
func (l *loader) renderAt(src string, pos Pos) Content {
	c, findings := render(src)
	for _, fd := range findings {
		l.errorf(Pos{File: pos.File, Line: pos.Line + strings.Count(src[:fd.offset], "\n")}, "%s", fd.message)
	}
	return c
}
