package dialog

// partPrefer names, in traces, what a prefer rule added to its article's score.
const partPrefer = "prefer"

// preferred applies the message's prefer rule to ranked candidates: the rule's article takes the
// place (and the score) of the best real article, so it answers instead of it without a clarify.
// It changes which article answers, never whether the engine answers: the out-of-scope examples
// and the answer threshold see the same top score as without the rule. An article that shares
// nothing with the message is not lifted. The result is marked in the trace once per turn.
func (t *turn) preferred(cands []Candidate) ([]Candidate, bool) {
	r := t.prefer
	if r == nil {
		return cands, false
	}
	top, at := -1, -1
	for i, c := range cands {
		if c.Article == outOfScope {
			continue
		}
		if top < 0 {
			top = i
		}
		if c.Article == r.Article {
			at = i
			break
		}
	}
	if at < 0 {
		t.notePreferf("prefer %s: %s shares no words with the message, ignored", r.ID, r.Article)
		return cands, false
	}
	if at == top {
		t.notePreferf("prefer %s: %s already leads the articles", r.ID, r.Article)
		return cands, true
	}
	out := make([]Candidate, 0, len(cands))
	out = append(out, cands[:top]...)
	lifted := cands[at]
	lift := cands[top].Score - lifted.Score
	if t.explain {
		parts := make(map[string]float64, len(lifted.Parts)+1)
		for k, v := range lifted.Parts {
			parts[k] = v
		}
		parts[partPrefer] = lift
		lifted.Parts = parts
	}
	lifted.Score = cands[top].Score
	out = append(out, lifted)
	out = append(out, cands[top:at]...)
	out = append(out, cands[at+1:]...)
	t.notePreferf("prefer %s: %s lifted by %.3f over %s", r.ID, r.Article, lift, cands[top].Article)
	return out, true
}

// notePreferf adds the prefer decision to the trace once per turn (scores may be ranked twice:
// while deciding whether to leave a flow, then to answer).
func (t *turn) notePreferf(format string, args ...any) {
	if !t.preferNoted {
		t.preferNoted = true
		t.notef(format, args...)
	}
}
