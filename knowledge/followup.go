package knowledge

// FollowUp says which article answers a short follow-up right after an answer: 「我该先做什么」
// after the support answer is a question about the first practical step (negotiate-repayment),
// 「那要多久」 after a negotiation plan a question about how long an installment plan runs.
type FollowUp struct {
	// Cues: each is a list of words that must all be contained in the follow-up, written like
	// rule patterns ("a&b", alternatives "a|b"), in canonical words.
	Cues    [][]string
	Article string
	Pos     Pos
}

// loadFollowUps reads an article's follow_ups: [{cues: [...], article: id}, ...].
func (l *loader) loadFollowUps(f *yamlFile, fs fields) []FollowUp {
	fd, ok := fs.byKey["follow_ups"]
	if !ok || isNull(fd.value) {
		return nil
	}
	var out []FollowUp
	for _, n := range f.sequence(fd.value, "follow_ups") {
		ffs := f.mapping(n, "follow-up", "cues", "article")
		if !f.require(ffs, "cues", "article") {
			continue
		}
		fu := FollowUp{Cues: l.patterns(f.list(ffs, "cues")), Article: f.text(ffs, "article"), Pos: f.pos(n)}
		if len(fu.Cues) == 0 {
			f.errorf(n, "follow-up has no cues")
			continue
		}
		l.refer(f.line(ffs, "article"), refArticle, fu.Article, "follow-up article %q does not exist")
		out = append(out, fu)
	}
	return out
}
