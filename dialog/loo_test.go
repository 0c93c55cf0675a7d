package dialog

import "chatbot/knowledge"

// leaveOneOut asks every example question of every article against an index built without
// that question, in a fresh conversation, and reports how many still reach their article; and
// every out-of-scope example, without itself, and how many still fall back. It is the
// knowledge base's own generalisation signal: an example that only routes home because it is
// in the index teaches the engine nothing about the next wording.
func leaveOneOut(e *Engine) (correct, total int, misses []string) {
	for ai, a := range e.kb.Articles {
		for qi, q := range a.Questions {
			kb := *e.kb
			kb.Articles = append([]*knowledge.Article(nil), e.kb.Articles...)
			held := *a
			held.Questions = append(append([]knowledge.Example(nil), a.Questions[:qi]...), a.Questions[qi+1:]...)
			kb.Articles[ai] = &held
			kb.Index()
			loo := *e
			loo.kb = &kb
			loo.index = buildIndex(e.norm, &kb)
			r, _, out := loo.respond(State{}, Input{Text: q.Text})
			total++
			if got := label(r, out); got == a.ID {
				correct++
			} else {
				misses = append(misses, a.ID+" -> "+got+": "+q.Text)
			}
		}
	}
	// Out-of-scope examples should still fall back without themselves.
	for qi, q := range e.kb.OutOfScope {
		kb := *e.kb
		kb.OutOfScope = append(append([]knowledge.Example(nil), e.kb.OutOfScope[:qi]...), e.kb.OutOfScope[qi+1:]...)
		loo := *e
		loo.kb = &kb
		loo.index = buildIndex(e.norm, &kb)
		r, _, out := loo.respond(State{}, Input{Text: q.Text})
		total++
		if got := label(r, out); got == FallbackLabel {
			correct++
		} else {
			misses = append(misses, FallbackLabel+" -> "+got+": "+q.Text)
		}
	}
	return correct, total, misses
}
