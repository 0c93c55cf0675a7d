package dialog

import (
	"strings"

	"chatbot/knowledge"
)

// compiledRule is a knowledge-base rule with its words normalised like messages are.
type compiledRule struct {
	rule     *knowledge.Rule
	patterns [][]string
	unless   [][]string
}

func compileRules(n *normaliser, rules []*knowledge.Rule) []compiledRule {
	out := make([]compiledRule, 0, len(rules))
	for _, r := range rules {
		out = append(out, compiledRule{rule: r, patterns: compilePatterns(n, r.Patterns), unless: compilePatterns(n, r.Unless)})
	}
	return out
}

func compilePatterns(n *normaliser, ps [][]string) [][]string {
	out := make([][]string, 0, len(ps))
	for _, p := range ps {
		words := n.words(p)
		if len(words) == len(p) && len(words) > 0 { // a word that normalises to nothing would match everything
			out = append(out, words)
		}
	}
	return out
}

// matchRules checks the rules in order and returns the first that matches text, recording every
// rule it checked in the trace.
func matchRules(rules []compiledRule, text string, tr *Trace) *knowledge.Rule {
	for _, r := range rules {
		p, ok := firstMatch(r.patterns, text)
		if !ok {
			tr.Rules = append(tr.Rules, RuleTrace{ID: r.rule.ID})
			continue
		}
		if u, cancelled := firstMatch(r.unless, text); cancelled {
			tr.Rules = append(tr.Rules, RuleTrace{ID: r.rule.ID, Pattern: p + " (unless " + u + ")"})
			continue
		}
		tr.Rules = append(tr.Rules, RuleTrace{ID: r.rule.ID, Matched: true, Pattern: p})
		return r.rule
	}
	return nil
}

// firstMatch returns the first pattern all of whose words text contains, written a&b.
func firstMatch(patterns [][]string, text string) (string, bool) {
	for _, p := range patterns {
		all := true
		for _, w := range p {
			if !strings.Contains(text, w) {
				all = false
				break
			}
		}
		if all {
			return strings.Join(p, "&"), true
		}
	}
	return "", false
}
