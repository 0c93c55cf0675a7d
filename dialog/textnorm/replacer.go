package textnorm

import "strings"

// Rule rewrites From to To. Tag is handed back to the caller for every match (e.g. a bank id).
type Rule struct {
	From, To, Tag string
}

// Replacer rewrites, in one left-to-right pass, every occurrence of a rule's From to its To,
// trying the longest From first at each position. Output is never re-scanned, so rules cannot
// chain. A From that starts or ends with a Latin letter only matches as a whole word (xyk in
// 「xyk逾期」, not inside 「taxyk」). It is immutable and safe for concurrent use.
type Replacer struct {
	root *trieNode
}

type trieNode struct {
	next map[rune]*trieNode
	rule *Rule
}

// NewReplacer builds a replacer. When two rules share a From, the first one wins, so callers
// get deterministic output by passing rules in a deterministic order. Empty Froms are ignored.
func NewReplacer(rules []Rule) *Replacer {
	root := &trieNode{}
	for i := range rules {
		if rules[i].From == "" {
			continue
		}
		n := root
		for _, r := range rules[i].From {
			if n.next == nil {
				n.next = make(map[rune]*trieNode)
			}
			c, ok := n.next[r]
			if !ok {
				c = &trieNode{}
				n.next[r] = c
			}
			n = c
		}
		if n.rule == nil {
			n.rule = &rules[i]
		}
	}
	return &Replacer{root: root}
}

// Replace rewrites s. For each match, in order, onMatch (if not nil) gets the rule and the byte
// offset of the match in the output.
func (rp *Replacer) Replace(s string, onMatch func(r *Rule, at int)) string {
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(rs); {
		if rule, n := rp.longest(rs, i); rule != nil {
			if onMatch != nil {
				onMatch(rule, b.Len())
			}
			b.WriteString(rule.To)
			i += n
			continue
		}
		b.WriteRune(rs[i])
		i++
	}
	return b.String()
}

// longest returns the longest rule matching at rs[i] and its length in runes.
func (rp *Replacer) longest(rs []rune, i int) (*Rule, int) {
	var best *Rule
	bestLen := 0
	n := rp.root
	for j := i; j < len(rs); j++ {
		n = n.next[rs[j]]
		if n == nil {
			break
		}
		if n.rule != nil && wordEdges(rs, i, j+1) {
			best, bestLen = n.rule, j+1-i
		}
	}
	return best, bestLen
}

// wordEdges keeps Latin variants from matching inside a longer Latin word.
func wordEdges(rs []rune, start, end int) bool {
	if isLatin(rs[start]) && start > 0 && isLatin(rs[start-1]) {
		return false
	}
	if isLatin(rs[end-1]) && end < len(rs) && isLatin(rs[end]) {
		return false
	}
	return true
}

func isLatin(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
