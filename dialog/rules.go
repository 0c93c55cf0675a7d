package dialog

import (
	"fmt"
	"sort"
	"strings"

	"chatbot/knowledge"
)

// compiledRule is a knowledge-base rule with its words normalised like messages are.
type compiledRule struct {
	rule        *knowledge.Rule
	patterns    []rulePattern
	unless      []rulePattern
	unlessAsked []rulePattern
}

// rulePattern is one pattern: for each of its words, the alternatives (「逾期|违约」), any one of
// which the message must contain.
type rulePattern [][]ruleWord

// ruleWord is a word of a rule in canonical form (norm, looked for in the normalised message)
// and, when a vocabulary rewrite can swallow it, as written (plain, looked for in the message
// before the vocabulary rewrote it), so 全还了 -> 还清 does not hide the rule word 还了.
type ruleWord struct {
	norm, plain string
	pair        uint32 // pairFilter bit of norm's first two characters
	paired      bool   // norm has two characters or more: pair is set
	plainPair   uint32 // the same for plain
	plainPaired bool
}

// in reports whether the message contains the word, in either form.
func (w ruleWord) in(m *normalised) bool {
	if w.plain != "" && !(w.plainPaired && m.filtered && !m.plainPairs.has(w.plainPair)) && strings.Contains(m.Plain, w.plain) {
		return true
	}
	if w.paired && m.filtered && !m.pairs.has(w.pair) {
		return false
	}
	return strings.Contains(m.Text, w.norm)
}

func compileRules(n *normaliser, rules []*knowledge.Rule) []compiledRule {
	out := make([]compiledRule, 0, len(rules))
	for _, r := range rules {
		out = append(out, compiledRule{rule: r, patterns: compilePatterns(n, r.Patterns), unless: compilePatterns(n, r.Unless),
			unlessAsked: compilePatterns(n, r.UnlessAsked)})
	}
	return out
}

func compilePatterns(n *normaliser, ps [][]string) []rulePattern {
	out := make([]rulePattern, 0, len(ps))
	for _, p := range ps {
		pat := make(rulePattern, 0, len(p))
		for _, w := range p {
			var alts []ruleWord
			for _, a := range strings.Split(w, "|") {
				norm := n.normalise(a).Text
				if norm == "" { // a word that normalises to nothing would match everything
					alts = nil
					break
				}
				w := ruleWord{norm: norm}
				w.pair, w.paired = firstPair(norm)
				if plain := prepare(a); n.swallows(plain) {
					w.plain = plain
					w.plainPair, w.plainPaired = firstPair(plain)
				}
				alts = append(alts, w)
			}
			if alts == nil {
				pat = nil
				break
			}
			pat = append(pat, alts)
		}
		if len(pat) > 0 {
			out = append(out, pat)
		}
	}
	return out
}

// ruleMatch is the outcome of checking the rules against one message.
type ruleMatch struct {
	act    *knowledge.Rule // the first safety, command, refusal or flow rule that matched
	prefer *knowledge.Rule // the first prefer rule that matched, for scoring to honour
	// met are the articles of the require rules that matched (nil when none did).
	met map[string]bool
}

// heldBack says which articles scoring must not offer for one message: those that have require
// rules (required) of which none matched (met).
type heldBack struct{ required, met map[string]bool }

func (h heldBack) has(article string) bool { return h.required[article] && !h.met[article] }

// requiredArticles are the articles named by require rules.
func requiredArticles(rules []*knowledge.Rule) map[string]bool {
	out := map[string]bool{}
	for _, r := range rules {
		if r.Kind == knowledge.RuleRequire && r.Article != "" {
			out[r.Article] = true
		}
	}
	return out
}

// matchRules checks the rules in order, recording every rule it checked in tr (nil: no trace). The first
// acting rule (safety, command, refusal, flow) ends the check. Prefer rules never end it: the
// first one that matches is kept for scoring, later prefer rules are not checked. Require rules
// never end it either: each one checked lets its article be scored. slots are the slots
// understood from the message, for prefer rules' `when`.
//
// focus is the clause the message asks in (see slotWords.focus; "" for a one-clause message): a
// prefer rule's unless_asked words cancel it only from there, so a word said in passing in another
// clause (「每个月光利息就好几千 真的不知道怎么办了」) does not turn the rule off.
func matchRules(rules []compiledRule, msg *normalised, focus string, slots map[string]string, tr *Trace) ruleMatch {
	var m ruleMatch
	if tr != nil && tr.Rules == nil {
		tr.Rules = make([]RuleTrace, 0, len(rules)) // one allocation, however many rules are traced
	}
	for _, r := range rules {
		prefer := r.rule.Kind == knowledge.RulePrefer
		if prefer && m.prefer != nil {
			continue
		}
		p, ok := firstMatch(r.patterns, msg)
		if !ok {
			if tr != nil {
				tr.Rules = append(tr.Rules, RuleTrace{ID: r.rule.ID})
			}
			continue
		}
		if u, cancelled := firstMatch(r.unless, msg); cancelled {
			if tr != nil {
				tr.Rules = append(tr.Rules, RuleTrace{ID: r.rule.ID, Pattern: p + " (unless " + u + ")"})
			}
			continue
		}
		if u, cancelled := r.askedElse(msg, focus); cancelled {
			if tr != nil {
				tr.Rules = append(tr.Rules, RuleTrace{ID: r.rule.ID, Pattern: p + " (unless asked " + u + ")"})
			}
			continue
		}
		if prefer && len(r.rule.When) > 0 {
			if !partMatches(r.rule.When, slots) {
				if tr != nil {
					tr.Rules = append(tr.Rules, RuleTrace{ID: r.rule.ID, Pattern: p + " (when " + describeWhen(r.rule.When, slots) + " not met)"})
				}
				continue
			}
			if tr != nil {
				p += " (when " + describeWhen(r.rule.When, slots) + ")"
			}
		}
		if tr != nil {
			tr.Rules = append(tr.Rules, RuleTrace{ID: r.rule.ID, Matched: true, Pattern: p})
		}
		switch {
		case r.rule.Kind == knowledge.RuleRequire:
			if m.met == nil {
				m.met = map[string]bool{}
			}
			m.met[r.rule.Article] = true
			continue
		case prefer:
			m.prefer = r.rule
			continue
		}
		m.act = r.rule
		return m
	}
	return m
}

// describeWhen renders a `when` against the message's slots, e.g. "days_overdue=2 in [1-5]".
func describeWhen(when map[string][]string, slots map[string]string) string {
	names := make([]string, 0, len(when))
	for k := range when {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		v := slots[k]
		if v == "" {
			v = "?"
		}
		parts[i] = fmt.Sprintf("%s=%s in [%s]", k, v, strings.Join(when[k], ","))
	}
	return strings.Join(parts, ", ")
}

// firstMatch returns the first pattern all of whose words the message contains (one alternative
// of each), written as the words found, a&b.
func firstMatch(patterns []rulePattern, m *normalised) (string, bool) {
	for _, p := range patterns {
		all := true
		for _, alts := range p {
			if _, ok := anyIn(alts, m); !ok {
				all = false
				break
			}
		}
		if all {
			found := make([]string, len(p))
			for i, alts := range p {
				found[i], _ = anyIn(alts, m)
			}
			return strings.Join(found, "&"), true
		}
	}
	return "", false
}

// askedElse returns the unless_asked pattern found in the clause the message asks in (the whole
// message when it has one clause).
func (r compiledRule) askedElse(msg *normalised, focus string) (string, bool) {
	if len(r.unlessAsked) == 0 {
		return "", false
	}
	if focus == "" {
		return firstMatch(r.unlessAsked, msg)
	}
	f := normalised{Text: focus}
	return firstMatch(r.unlessAsked, &f)
}

// anyIn returns the first of the alternatives the message contains.
func anyIn(alts []ruleWord, m *normalised) (string, bool) {
	for _, w := range alts {
		if w.in(m) {
			return w.norm, true
		}
	}
	return "", false
}
