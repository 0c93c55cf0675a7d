package dialog

import (
	"fmt"

	"chatbot/knowledge"
)

// looResult counts, for leaveOneOut, the example questions that still reach their article and
// the out-of-scope examples that still fall back, each asked without itself in the index.
type looResult struct {
	articleHits, articleTotal int
	outHits, outTotal         int
	misses                    []string // "want -> got: question"
}

func (r looResult) correct() int { return r.articleHits + r.outHits }
func (r looResult) total() int   { return r.articleTotal + r.outTotal }

func (r looResult) String() string {
	pct := func(a, b int) float64 { return 100 * float64(a) / float64(max(b, 1)) }
	return fmt.Sprintf("leave-one-out %.1f%% (%d/%d): example questions %.1f%% (%d/%d), out-of-scope examples %.1f%% (%d/%d)",
		pct(r.correct(), r.total()), r.correct(), r.total(),
		pct(r.articleHits, r.articleTotal), r.articleHits, r.articleTotal,
		pct(r.outHits, r.outTotal), r.outHits, r.outTotal)
}

// leaveOneOut asks every example question of every article against an index built without
// that question, in a fresh conversation, and counts how many still reach their article; and
// every out-of-scope example, without itself, and how many still fall back. It is the
// knowledge base's own generalisation signal: an example that only routes home because it is
// in the index teaches the engine nothing about the next wording.
func leaveOneOut(e *Engine) looResult {
	var r looResult
	// ask answers q from e's engine over kb (a copy of e's knowledge base with q left out).
	ask := func(kb knowledge.KB, q, want string) bool {
		loo := *e
		loo.kb = &kb
		loo.index = buildIndex(e.norm, &kb)
		reply, _, out := loo.respond(State{}, Input{Text: q}, false)
		got := label(reply, out)
		if got != want {
			r.misses = append(r.misses, want+" -> "+got+": "+q)
		}
		return got == want
	}
	for ai, a := range e.kb.Articles {
		for qi, q := range a.Questions {
			kb := *e.kb
			kb.Articles = append([]*knowledge.Article(nil), e.kb.Articles...)
			held := *a
			held.Questions = append(append([]knowledge.Example(nil), a.Questions[:qi]...), a.Questions[qi+1:]...)
			kb.Articles[ai] = &held
			kb.Index()
			r.articleTotal++
			if ask(kb, q.Text, a.ID) {
				r.articleHits++
			}
		}
	}
	for qi, q := range e.kb.OutOfScope {
		kb := *e.kb
		kb.OutOfScope = append(append([]knowledge.Example(nil), e.kb.OutOfScope[:qi]...), e.kb.OutOfScope[qi+1:]...)
		r.outTotal++
		if ask(kb, q.Text, FallbackLabel) {
			r.outHits++
		}
	}
	return r
}
