package dialog

import (
	"math"
	"sort"
)

// Score parts, as named in traces.
const (
	partExample  = "example"  // best single example question (weighted F-beta of shared n-grams)
	partCoverage = "coverage" // share of the message's weight the article's vocabulary covers
	partCentroid = "centroid" // cosine between the message and the article's average example
	partKeyword  = "keyword"  // share of the message's weight inside the article's keywords
	partPrior    = "prior"    // follow-up bonus for the previous article
	partNearest  = "nearest"  // out of scope lifted to the top: its example is the nearest question
)

// scratch holds per-call accumulators, pooled so scoring allocates little; only entries that
// were touched are reset.
type scratch struct {
	ex, cover, dot    []float64
	exTouch, artTouch []int32
	pos               []int32
	grams             []uint64
}

func (sc *scratch) reset() {
	for _, e := range sc.exTouch {
		sc.ex[e] = 0
	}
	for _, a := range sc.artTouch {
		sc.cover[a], sc.dot[a] = 0, 0
	}
	sc.exTouch, sc.artTouch, sc.grams = sc.exTouch[:0], sc.artTouch[:0], sc.grams[:0]
}

// scored is one article's score and its parts while ranking.
type scored struct {
	article, example          int32
	score, ex, cov, cent, key float64
}

// score ranks the articles for a normalised message, best first; ties break on article id so the
// order never depends on map iteration or timing.
func (ix *index) score(text string) []Candidate { return ix.scoreExcept(text, heldBack{}, nil, true) }

// scoreExcept is score without the articles held back (those whose require rules the message does
// not meet): they are not candidates at all, so they neither rank nor keep the out-of-scope
// examples from deciding.
func (ix *index) scoreExcept(text string, held heldBack, keep []string, parts bool) []Candidate {
	sc := ix.scratch.Get().(*scratch)
	defer func() {
		sc.reset()
		ix.scratch.Put(sc)
	}()

	sc.grams = grams(text, sc.grams[:0])
	var total, norm2 float64
	for _, g := range sc.grams {
		gi, ok := ix.gramID[g]
		if !ok {
			w := ix.unseen[gramLen(g)] // words the knowledge base never uses still count
			total += w
			norm2 += w * w
			continue
		}
		w := ix.idf[gi]
		total += w
		norm2 += w * w
		for _, e := range ix.exPost[gi] {
			if sc.ex[e] == 0 {
				sc.exTouch = append(sc.exTouch, e)
			}
			sc.ex[e] += w
		}
		for _, p := range ix.artPost[gi] {
			if sc.cover[p.article] == 0 {
				sc.artTouch = append(sc.artTouch, p.article)
			}
			sc.cover[p.article] += w
			sc.dot[p.article] += w * p.weight
		}
	}
	if total == 0 {
		return nil
	}
	norm := math.Sqrt(norm2)

	all := make([]scored, 0, len(sc.artTouch))
	pos := sc.pos // article -> index in all (-1: skipped), valid for touched articles only
	for _, a := range sc.artTouch {
		if held.has(ix.articles[a].id) {
			pos[a] = -1
			continue
		}
		pos[a] = int32(len(all))
		all = append(all, scored{article: a, example: -1})
	}
	b2 := params.beta * params.beta
	for _, e := range sc.exTouch {
		ex := ix.examples[e]
		if pos[ex.article] < 0 {
			continue
		}
		recall, precision := sc.ex[e]/total, sc.ex[e]/ex.weight
		f := (1 + b2) * precision * recall / (b2*precision + recall)
		c := &all[pos[ex.article]]
		if c.example < 0 || f > c.ex || f == c.ex && e < c.example {
			c.ex, c.example = f, e
		}
	}
	kw := ix.keywordCover(text, total)
	for i := range all {
		c := &all[i]
		c.cov, c.key = sc.cover[c.article]/total, math.Min(1, kw[c.article])
		if n := ix.articles[c.article].norm; n > 0 {
			c.cent = sc.dot[c.article] / (norm * n)
		}
		// Fixed order of additions: the same bits on every run.
		c.score = params.mixExample*c.ex + params.mixCoverage*c.cov + params.mixCentroid*c.cent + params.mixKeyword*c.key
	}
	// Only the best few are ranked (and, in the trace, explained); an article later steps look up
	// by id keeps its place whatever its rank. Selecting them is linear in the articles scored,
	// where sorting them all grew faster than the knowledge base.
	o := ix.nearestOutOfScope(all) // among all: its best example must beat every other one's
	all = ix.best(all, o, keep)
	// The out-of-scope examples have no keywords and a diffuse average, so an article whose
	// keyword the message names (「花呗额度怎么提高」) can outscore them even when an out-of-scope
	// example is by far the closest question. When the single nearest example is out of scope
	// and matches well, it decides: out of scope takes the top score (part "nearest").
	var lift float64
	if o := ix.outOfScopeAt(all, o); o > 0 {
		lift = all[0].score - all[o].score
		all[o].score = all[0].score
		oos := all[o]
		copy(all[1:o+1], all[:o])
		all[0] = oos
	}
	cands := make([]Candidate, len(all))
	for i, c := range all {
		cands[i] = Candidate{Article: ix.articles[c.article].id, Score: c.score}
		if c.example >= 0 {
			cands[i].Example = ix.examples[c.example].text
		}
		if parts && i < maxTraceCands { // score parts only where a trace shows them
			cands[i].Parts = map[string]float64{partExample: c.ex, partCoverage: c.cov, partCentroid: c.cent, partKeyword: c.key}
			if i == 0 && lift > 0 {
				cands[i].Parts[partNearest] = lift
			}
		}
	}
	return cands
}

// nearestOutOfScope returns the position in all of the out-of-scope pseudo-article when its best
// example is the best example of all and matches at least params.nearestOutOfScope; -1 otherwise.
func (ix *index) nearestOutOfScope(all []scored) int {
	at, best := -1, 0.0
	for i, c := range all {
		if ix.articles[c.article].id == outOfScope {
			at = i
		} else {
			best = max(best, c.ex)
		}
	}
	if at < 0 || all[at].ex < params.nearestOutOfScope || all[at].ex <= best {
		return -1
	}
	return at
}

// rankedCands is how many of the best-scoring articles are ranked: more than any later step
// shows or offers (trace, clarify, suggestions).
const rankedCands = 16

// better reports whether a ranks before b: higher score, then article id.
func (ix *index) better(a, b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return ix.articles[a.article].id < ix.articles[b.article].id
}

// best returns, sorted best first, the rankedCands best of all, plus the out-of-scope entry at o
// (when o >= 0) and the articles named in keep wherever they rank. It reorders all in place.
func (ix *index) best(all []scored, o int, keep []string) []scored {
	if len(all) <= rankedCands {
		sort.Slice(all, func(i, j int) bool { return ix.better(all[i], all[j]) })
		return all
	}
	kept := func(i int) bool {
		if i == o {
			return true
		}
		for _, id := range keep {
			if ix.articles[all[i].article].id == id {
				return true
			}
		}
		return false
	}
	// Move the entries that must stay to the front, then select the best of the rest into the
	// positions after them: n is how many are settled.
	n := 0
	for i := range all {
		if kept(i) {
			all[n], all[i] = all[i], all[n]
			n++
		}
	}
	top := all[n:n]
	for i := n; i < len(all); i++ {
		c := all[i]
		if len(top) == rankedCands && !ix.better(c, top[len(top)-1]) {
			continue
		}
		// Insert c into top, kept sorted; it may take the slot of i, which is already read.
		j := len(top)
		if j < rankedCands {
			top = top[:j+1]
		} else {
			j--
		}
		for ; j > 0 && ix.better(c, top[j-1]); j-- {
			top[j] = top[j-1]
		}
		top[j] = c
	}
	out := all[:n+len(top)]
	sort.Slice(out, func(i, j int) bool { return ix.better(out[i], out[j]) })
	return out
}

// outOfScopeAt finds the out-of-scope entry again after ranking: its new position, or 0 when
// it was not chosen (o < 0) or already leads.
func (ix *index) outOfScopeAt(all []scored, o int) int {
	if o < 0 {
		return 0
	}
	for i, c := range all {
		if ix.articles[c.article].id == outOfScope {
			return i
		}
	}
	return 0
}

// keywordCover returns, per article, the weight of the article's keywords found in the message,
// as a share of the message's total weight.
func (ix *index) keywordCover(text string, total float64) map[int32]float64 {
	if len(ix.keywords) == 0 {
		return nil
	}
	var out map[int32]float64
	var seen map[string]bool
	starts := make([]int, 0, len(text)/3+1) // byte offsets of rune starts
	for i := range text {
		starts = append(starts, i)
	}
	starts = append(starts, len(text))
	for i := 0; i < len(starts)-1; i++ {
		for l := 1; l <= ix.kwMaxLen && i+l < len(starts); l++ {
			k := text[starts[i]:starts[i+l]]
			kd, ok := ix.keywords[k]
			if !ok || seen[k] {
				continue
			}
			if out == nil {
				out, seen = map[int32]float64{}, map[string]bool{}
			}
			seen[k] = true
			for _, a := range kd.articles {
				out[a] += kd.weight / total
			}
		}
	}
	return out
}

func sortCandidates(cs []Candidate) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Score != cs[j].Score {
			return cs[i].Score > cs[j].Score
		}
		return cs[i].Article < cs[j].Article
	})
}
