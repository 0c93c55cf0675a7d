package dialog

import (
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"chatbot/knowledge"
)

// outOfScope is the pseudo-article built from kb.OutOfScope: when it scores best, the engine
// falls back instead of answering.
const outOfScope = "_out_of_scope"

// maxGram is the longest character n-gram indexed.
const maxGram = 3

// scoreParams are the scoring constants (see params).
type scoreParams struct {
	gramWeight [maxGram + 1]float64 // scales a gram's IDF by its length (index = n)
	articleIDF float64              // 0: IDF over example questions, 1: over articles, between: geometric blend
	beta       float64              // F-beta of an example match: > 1 favours covering the message
	tfPower    float64              // centroid weight = IDF * (share of the article's examples using the gram)^tfPower
	// Weights of the score parts; they sum to 1 so scores stay in [0, 1].
	mixExample, mixCoverage, mixCentroid, mixKeyword float64
	// nearestOutOfScope: an out-of-scope example that is the nearest example of all and matches
	// at least this well (F-beta) sends the message to the fallback.
	nearestOutOfScope float64
}

// params were chosen by leave-one-out over the built-in knowledge base's own example questions
// (each scored by an index built without it), checked against the development set. What they
// say: a gram is as telling as the few articles that use it (article-level IDF); single Han
// characters carry much of the meaning; an article's typical wording (centroid) and its
// keywords weigh more than any single example.
var params = scoreParams{
	gramWeight: [maxGram + 1]float64{0, 1.5, 1, 0.5},
	articleIDF: 1,
	beta:       1.5,
	tfPower:    1,
	mixExample: 0.2, mixCoverage: 0.1, mixCentroid: 0.4, mixKeyword: 0.3,
	nearestOutOfScope: 0.5,
}

// index is an inverted index from character n-grams to the example questions and articles that
// contain them, so scoring a message touches only the postings of its own grams.
type index struct {
	gramID   map[uint64]int32
	idf      []float64 // per gram id, already multiplied by the gram length weight
	unseen   [maxGram + 1]float64
	examples []exampleDoc
	articles []articleDoc
	exPost   [][]int32      // gram id -> examples containing it (ascending)
	artPost  [][]artPosting // gram id -> articles whose examples, keywords or title contain it
	keywords map[string]*keywordDoc
	kwMaxLen int
	scratch  sync.Pool
}

type exampleDoc struct {
	article int32
	text    string  // original wording, for the trace
	weight  float64 // sum of its grams' weights
}

// artPosting is an article's weight for one gram: the gram's IDF times the share of the
// article's examples that use it (its centroid).
type artPosting struct {
	article int32
	weight  float64
}

type articleDoc struct {
	id   string
	norm float64 // Euclidean norm of the article's centroid
}

// keywordDoc is a normalised keyword: the articles listing it and the summed weight of its grams.
type keywordDoc struct {
	articles []int32
	weight   float64
}

// indexDoc is one example question (or an article's keywords and title) being indexed.
type indexDoc struct {
	article int32
	text    string
	grams   []uint64
	example bool // false for keywords and title: they shape the article, not the IDF
}

func buildIndex(n *normaliser, kb *knowledge.KB) *index {
	ix := &index{gramID: map[uint64]int32{}, keywords: map[string]*keywordDoc{}}
	var docs []indexDoc
	perArticle := []int{} // documents per article, keywords+title counted as one
	addArticle := func(id string) int32 {
		ix.articles = append(ix.articles, articleDoc{id: id})
		perArticle = append(perArticle, 0)
		return int32(len(ix.articles) - 1)
	}
	refusals := refusalArticles(kb)
	// Normalising the example questions is most of the work of building: do it on every CPU
	// first (the normaliser is safe for concurrent use), in the order addExamples takes them.
	var texts []string
	for _, a := range kb.Articles {
		if !refusals[a.ID] && a.ID != englishArticle {
			for _, q := range a.Questions {
				texts = append(texts, q.Text)
			}
		}
	}
	for _, q := range kb.OutOfScope {
		texts = append(texts, q.Text)
	}
	exGrams, next := n.gramsOfAll(texts), 0
	addExamples := func(ai int32, qs []knowledge.Example) {
		for _, q := range qs {
			docs = append(docs, indexDoc{ai, q.Text, exGrams[next], true})
			next++
			perArticle[ai]++
		}
	}
	for _, a := range kb.Articles {
		if refusals[a.ID] || a.ID == englishArticle { // answered only through their rule or detector
			continue
		}
		ai := addArticle(a.ID)
		addExamples(ai, a.Questions)
		extra := grams(n.normalise(a.Title).Text, nil)
		for _, k := range n.words(a.Keywords) {
			extra = grams(k, extra)
			ix.addKeyword(k, ai)
		}
		docs = append(docs, indexDoc{ai, "", dedup(extra), false})
		perArticle[ai]++
	}
	if len(kb.OutOfScope) > 0 {
		addExamples(addArticle(outOfScope), kb.OutOfScope)
	}

	// Rarity: how few example questions, and how few articles, use a gram.
	nExamples := 0
	df := map[uint64]int{}
	af := map[uint64]map[int32]bool{}
	for _, d := range docs {
		if d.example {
			nExamples++
		}
		for _, g := range d.grams {
			if d.example {
				df[g]++
			}
			if af[g] == nil {
				af[g] = map[int32]bool{}
			}
			af[g][d.article] = true
		}
	}
	idf := func(g uint64) float64 {
		a := params.articleIDF
		return math.Pow(idfOf(nExamples, max(df[g], 1)), 1-a) *
			math.Pow(idfOf(len(ix.articles), max(len(af[g]), 1)), a) * params.gramWeight[gramLen(g)]
	}
	for l := 1; l <= maxGram; l++ {
		ix.unseen[l] = math.Pow(idfOf(nExamples, 1), 1-params.articleIDF) *
			math.Pow(idfOf(len(ix.articles), 1), params.articleIDF) * params.gramWeight[l]
	}

	// Gram ids in sorted key order, so the index is the same whatever order maps iterate in.
	keys := make([]uint64, 0, len(af))
	for g := range af {
		keys = append(keys, g)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	ix.idf = make([]float64, len(keys))
	ix.exPost = make([][]int32, len(keys))
	ix.artPost = make([][]artPosting, len(keys))
	for i, g := range keys {
		ix.gramID[g] = int32(i)
		ix.idf[i] = idf(g)
	}

	counts := make([]map[int32]int, len(ix.articles)) // article -> gram id -> documents using it
	for i := range counts {
		counts[i] = map[int32]int{}
	}
	for _, d := range docs {
		ex := exampleDoc{article: d.article, text: d.text}
		for _, g := range d.grams {
			gi := ix.gramID[g]
			counts[d.article][gi]++
			if d.example {
				ix.exPost[gi] = append(ix.exPost[gi], int32(len(ix.examples)))
				ex.weight += ix.idf[gi]
			}
		}
		if d.example {
			ix.examples = append(ix.examples, ex)
		}
	}
	for ai, cs := range counts {
		ids := make([]int32, 0, len(cs))
		for gi := range cs {
			ids = append(ids, gi)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		var norm2 float64
		for _, gi := range ids {
			w := ix.idf[gi] * math.Pow(float64(cs[gi])/float64(perArticle[ai]), params.tfPower)
			ix.artPost[gi] = append(ix.artPost[gi], artPosting{int32(ai), w})
			norm2 += w * w
		}
		ix.articles[ai].norm = math.Sqrt(norm2)
	}
	for k, kd := range ix.keywords {
		for _, g := range grams(k, nil) {
			kd.weight += ix.idf[ix.gramID[g]] // every keyword gram was indexed above
		}
	}
	ix.scratch.New = func() any {
		return &scratch{ex: make([]float64, len(ix.examples)), cover: make([]float64, len(ix.articles)),
			dot: make([]float64, len(ix.articles)), pos: make([]int32, len(ix.articles))}
	}
	return ix
}

// refusalArticles are the articles refusal rules answer. Scoring never offers them: a refusal
// must come from a rule's clear pattern, not from a question that merely shares words with
// one (「不还会怎样」 is not a request to dodge the debt). Their example questions are answered
// by the rules, which CheckRouting verifies.
func refusalArticles(kb *knowledge.KB) map[string]bool {
	out := map[string]bool{}
	for _, r := range kb.Rules {
		if r.Kind == knowledge.RuleRefusal && r.Article != "" {
			out[r.Article] = true
		}
	}
	return out
}

// safetyArticles are the articles safety rules answer.
func safetyArticles(kb *knowledge.KB) map[string]bool {
	out := map[string]bool{}
	for _, r := range kb.Rules {
		if r.Kind == knowledge.RuleSafety && r.Article != "" {
			out[r.Article] = true
		}
	}
	return out
}

func (ix *index) addKeyword(k string, ai int32) {
	kd := ix.keywords[k]
	if kd == nil {
		kd = &keywordDoc{}
		ix.keywords[k] = kd
	}
	if !contains2(kd.articles, ai) {
		kd.articles = append(kd.articles, ai)
	}
	ix.kwMaxLen = max(ix.kwMaxLen, len([]rune(k)))
}

// gramsOfAll returns the grams of every text, normalised, using every CPU.
func (n *normaliser) gramsOfAll(texts []string) [][]uint64 {
	out := make([][]uint64, len(texts))
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(texts); i = int(next.Add(1)) - 1 {
				out[i] = grams(n.normalise(texts[i]).Text, nil)
			}
		})
	}
	wg.Wait()
	return out
}

func idfOf(n, df int) float64 { return math.Log(1 + float64(n)/float64(df)) }

// grams appends the distinct character n-grams (1..maxGram) of s to dst, sorted, as packed keys:
// up to three runes of 20 bits each plus the n in the top bits, so no strings are built and
// n-grams of different length never collide (runes beyond U+FFFFF, private use, may alias).
func grams(s string, dst []uint64) []uint64 {
	start := len(dst)
	var r0, r1 uint64 // the two previous runes
	i := 0
	for _, r := range s {
		c := uint64(r) & 0xfffff
		dst = append(dst, c)
		if i >= 1 {
			dst = append(dst, r1<<20|c|1<<62)
		}
		if i >= 2 {
			dst = append(dst, r0<<40|r1<<20|c|2<<62)
		}
		r0, r1 = r1, c
		i++
	}
	return append(dst[:start], dedup(dst[start:])...)
}

// dedup sorts gs and drops repeats, in place.
func dedup(gs []uint64) []uint64 {
	sort.Slice(gs, func(i, j int) bool { return gs[i] < gs[j] })
	out := gs[:0]
	for k, v := range gs {
		if k == 0 || v != gs[k-1] {
			out = append(out, v)
		}
	}
	return out
}

// gramLen reads the n of an n-gram key.
func gramLen(g uint64) int { return int(g>>62) + 1 }

func contains2(list []int32, v int32) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
