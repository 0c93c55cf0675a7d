package knowledge

// FollowUp says what answers a short follow-up right after an answer: 「我该先做什么」 after the
// support answer is a question about the first practical step (another article), 「需要什么材料」
// after the 停息挂账 answer a question about one part of it (a short answer of its own, so the
// whole article is not repeated).
type FollowUp struct {
	// Cues: each is a list of words that must all be contained in the follow-up, written like
	// rule patterns ("a&b", alternatives "a|b"), in canonical words.
	Cues [][]string
	// Article answers the follow-up; with an Answer, it is the article the reply is traced to
	// (the owning article when not given).
	Article string
	// Answer, when set, is the reply: a short Markdown text with its own Lead and Sources.
	Answer  Content
	Lead    string
	Sources []string
	Pos     Pos
}

var followUpFields = []string{"cues", "article", "lead", "answer", "sources"}

// loadFollowUps reads an article's follow_ups: [{cues: [...], article: id}, {cues: [...], lead:
// ..., answer: ..., sources: [...]}, ...].
func (l *loader) loadFollowUps(f *yamlFile, fs fields, owner *Article) []FollowUp {
	fd, ok := fs.byKey["follow_ups"]
	if !ok || isNull(fd.value) {
		return nil
	}
	var out []FollowUp
	for _, n := range f.sequence(fd.value, "follow_ups") {
		ffs := f.mapping(n, "follow-up", followUpFields...)
		if !f.require(ffs, "cues") {
			continue
		}
		fu := FollowUp{Cues: l.patterns(f.list(ffs, "cues")), Article: f.text(ffs, "article"), Lead: f.text(ffs, "lead"), Pos: f.pos(n)}
		if len(fu.Cues) == 0 {
			f.errorf(n, "follow-up has no cues")
			continue
		}
		fu.Sources = l.checkSources(f.list(ffs, "sources"))
		answer, at := f.rawText(ffs, "answer")
		switch {
		case answer == "" && fu.Article == "":
			f.errorf(n, "follow-up needs an article or an answer")
			continue
		case answer == "":
			l.refer(f.line(ffs, "article"), refArticle, fu.Article, "follow-up article %q does not exist")
		default:
			if fu.Article == "" {
				fu.Article = owner.ID
			} else {
				l.refer(f.line(ffs, "article"), refArticle, fu.Article, "follow-up article %q does not exist")
			}
			fu.Answer = l.renderAt(answer, at)
			l.checkPlaceholders(answer, at, nil)
			lead := located{fu.Lead, f.line(ffs, "lead")}
			if !ffs.has("lead") {
				f.errorf(n, "follow-up answer needs a lead (the first thing to do, at most %d characters)", MaxLeadRunes)
			} else {
				l.checkLead(fu.Lead, lead.pos, nil)
			}
			texts := []located{lead, {answer, at}}
			if len(fu.Sources) == 0 {
				l.checkLegal(texts)
			}
			l.answers = append(l.answers, texts...)
		}
		out = append(out, fu)
	}
	return out
}
