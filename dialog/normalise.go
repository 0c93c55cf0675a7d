package dialog

import (
	"sort"
	"strings"
	"unicode/utf8"

	"chatbot/dialog/textnorm"
	"chatbot/knowledge"
)

// bankToken is what every bank name and alias becomes in normalised text. One shared token lets
// 「招行客服电话」 and 「建行客服电话」 match the same examples; which bank it was is kept
// separately, as a slot.
const bankToken = "银行"

// colloquial are spoken and internet spellings of common words, so 「咋还」 and 「怎么还」 meet.
// They rank below the knowledge base's own vocabulary: a longer or identical variant there wins.
var colloquial = []textnorm.Rule{
	{From: "为啥", To: "为什么"}, {From: "啥", To: "什么"}, {From: "神马", To: "什么"},
	{From: "咋", To: "怎么"}, {From: "肿么", To: "怎么"},
	{From: "木有", To: "没有"}, {From: "米有", To: "没有"}, {From: "俺", To: "我"},
}

// maxMessageRunes bounds the work one message can cause; longer text is cut, not rejected.
const maxMessageRunes = 500

// normaliser rewrites messages (and the knowledge base's own wording) into one canonical form.
// It is built once per knowledge base and is safe for concurrent use.
type normaliser struct {
	vocab    *textnorm.Replacer // vocabulary variants -> canonical words, bank names -> bankToken
	variants []string           // every From of vocab, for swallows
}

// normalised is a message in canonical form.
type normalised struct {
	Spaced string // canonical words, with separators where punctuation or spaces were
	Text   string // Spaced without separators: what rules and scoring see
	// Plain is Text before the vocabulary rewrote it: a rule word that a longer variant swallowed
	// (还了 in 全还了 -> 还清) is still found here.
	Plain string
	// pairs and plainPairs hold the character pairs of Text and Plain, so rule words that cannot
	// be there are passed over without a search (filtered: both were filled).
	pairs, plainPairs pairFilter
	filtered          bool
	Banks             []string // bank ids mentioned, in order of first mention
	Personal          bool     // a card, ID or phone number was found (and dropped)
}

func newNormaliser(kb *knowledge.KB) *normaliser {
	var rules []textnorm.Rule
	// Banks first: a bank alias must win over a vocabulary variant of the same spelling.
	for _, b := range kb.Banks {
		for _, name := range append([]string{b.Name}, b.Aliases...) {
			rules = append(rules, textnorm.Rule{From: prepare(name), To: bankToken, Tag: b.ID})
		}
	}
	canon := make([]string, 0, len(kb.Vocabulary.Synonyms))
	for c := range kb.Vocabulary.Synonyms {
		canon = append(canon, c)
	}
	sort.Strings(canon) // a variant listed under two canonical words goes to the first, always
	for _, c := range canon {
		to := prepare(c)
		for _, v := range kb.Vocabulary.Synonyms[c] {
			rules = append(rules, textnorm.Rule{From: prepare(v), To: to})
		}
	}
	rules = append(rules, colloquial...)
	n := &normaliser{vocab: textnorm.NewReplacer(rules)}
	for _, r := range rules {
		n.variants = append(n.variants, r.From)
	}
	return n
}

// pairFilter is a 1024-bit Bloom filter of a text's pairs of adjacent characters: a word of two or
// more characters whose first pair is not in it is not in the text.
type pairFilter [16]uint64

func pairBit(a, b rune) uint32 {
	return (uint32(a)*0x9E3779B1 ^ uint32(b)*0x85EBCA77) >> 22 // 10 bits
}

func newPairFilter(text string) pairFilter {
	var f pairFilter
	prev := rune(-1)
	for _, r := range text {
		if prev >= 0 {
			b := pairBit(prev, r)
			f[b>>6] |= 1 << (b & 63)
		}
		prev = r
	}
	return f
}

// firstPair returns the filter bit of a word's first two characters; ok is false for a word of
// one character, which the filter cannot rule out.
func firstPair(word string) (uint32, bool) {
	var rs [2]rune
	n := 0
	for _, r := range word {
		rs[n] = r
		if n++; n == 2 {
			return pairBit(rs[0], rs[1]), true
		}
	}
	return 0, false
}

func (f *pairFilter) has(bit uint32) bool { return f[bit>>6]&(1<<(bit&63)) != 0 }

// swallows reports whether a vocabulary rewrite can take a word's characters with it: a variant
// that holds the word (全还了 holds 还了) or overlaps its start or end. Only such words need looking
// for in the message as written.
func (n *normaliser) swallows(word string) bool {
	for _, v := range n.variants {
		if v != word && strings.Contains(v, word) {
			return true
		}
		for k := 1; k < len(v) && k < len(word); k++ {
			if strings.HasSuffix(v, word[:k]) || strings.HasPrefix(v, word[len(word)-k:]) {
				return true
			}
		}
	}
	return false
}

// prepare is normalisation without the vocabulary: fold, clean, numbers, no separators.
func prepare(s string) string {
	return textnorm.Squeeze(textnorm.Numbers(textnorm.Clean(s)))
}

// normalise turns a message into canonical form. Personal numbers are removed first so they
// never reach slots, scores or traces.
func (n *normaliser) normalise(s string) normalised {
	var out normalised
	s, out.Personal = dropPersonalNumbers(s)
	if utf8.RuneCountInString(s) > maxMessageRunes {
		s = string([]rune(s)[:maxMessageRunes])
	}
	spaced := textnorm.Numbers(textnorm.Clean(s))
	out.Plain = textnorm.Squeeze(spaced)
	out.Spaced = n.vocab.Replace(spaced, func(r *textnorm.Rule, _ int) {
		if r.Tag != "" && !contains(out.Banks, r.Tag) {
			out.Banks = append(out.Banks, r.Tag)
		}
	})
	out.Text = textnorm.Squeeze(out.Spaced)
	out.pairs, out.plainPairs, out.filtered = newPairFilter(out.Text), newPairFilter(out.Plain), true
	return out
}

// words normalises a list of editor- or engine-defined words the way messages are normalised,
// dropping any that normalise to nothing.
func (n *normaliser) words(ws []string) []string {
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		if t := n.normalise(w).Text; t != "" {
			out = append(out, t)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// containsAny reports the first word of ws contained in text.
func containsAny(text string, ws []string) (string, bool) {
	for _, w := range ws {
		if strings.Contains(text, w) {
			return w, true
		}
	}
	return "", false
}
