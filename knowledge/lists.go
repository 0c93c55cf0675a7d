package knowledge

import (
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// openYAML reads and parses a top-level YAML file; ok is false when it is absent or invalid.
func (l *loader) openYAML(name string) (*yamlFile, *yaml.Node, bool) {
	data, found := l.read(name)
	if !found {
		return nil, nil, false
	}
	f := &yamlFile{c: &l.collector, name: name}
	top, ok := f.parse(data)
	return f, top, ok && top != nil
}

// loadTopics reads topics.yaml: the topic ids this knowledge base must answer.
func (l *loader) loadTopics() []Topic {
	f, top, ok := l.openYAML(topicsFile)
	if !ok {
		return nil
	}
	var out []Topic
	seen := map[string]Pos{}
	for _, n := range f.sequence(f.mapping(top, "topics.yaml", "topics").byKey["topics"].value, "topics") {
		fs := f.mapping(n, "topic", "id", "title")
		if !f.require(fs, "id") {
			continue
		}
		t := Topic{ID: f.text(fs, "id"), Title: f.text(fs, "title"), Pos: f.pos(n)}
		if prev, dup := seen[t.ID]; dup {
			f.errorf(n, "duplicate topic id %q (also on %s)", t.ID, also(t.Pos, prev))
			continue
		}
		seen[t.ID] = t.Pos
		l.requiredTopics[t.ID] = true
		out = append(out, t)
	}
	return out
}

// loadVocabulary reads vocabulary.yaml. A variant under two canonical words would make the
// rewrite depend on order, so it is an error.
func (l *loader) loadVocabulary() Vocabulary {
	v := Vocabulary{Synonyms: map[string][]string{}}
	f, top, ok := l.openYAML(vocabularyFile)
	if !ok {
		return v
	}
	syn := f.mapping(top, "vocabulary.yaml", "synonyms").byKey["synonyms"].value
	if isNull(syn) {
		return v
	}
	if syn.Kind != yaml.MappingNode {
		f.errorf(syn, "synonyms must be a mapping (canonical word: [variants])")
		return v
	}
	owner := map[string]string{} // variant -> canonical
	for i := 0; i+1 < len(syn.Content); i += 2 {
		k := syn.Content[i]
		canonical := strings.TrimSpace(k.Value)
		if canonical == "" {
			f.errorf(k, "empty canonical word")
			continue
		}
		if _, dup := v.Synonyms[canonical]; dup {
			f.errorf(k, "canonical word %q is listed twice", canonical)
			continue
		}
		var variants []string
		for _, it := range f.items(syn.Content[i+1], canonical) {
			switch prev, taken := owner[it.text]; {
			case it.text == "":
				f.c.errorf(it.pos, "empty variant of %q", canonical)
			case it.text == canonical:
				f.c.warnf(it.pos, "variant %q is the canonical word itself", it.text)
			case taken:
				f.c.errorf(it.pos, "variant %q is listed under both %q and %q", it.text, prev, canonical)
			default:
				owner[it.text] = canonical
				variants = append(variants, it.text)
			}
		}
		v.Synonyms[canonical] = variants
	}
	return v
}

var bankFields = []string{"id", "name", "aliases", "hotline", "card_line", "sources"}

// loadBanks reads banks.yaml. Numbers need sources like any other fact.
func (l *loader) loadBanks() []*Bank {
	f, top, ok := l.openYAML(banksFile)
	if !ok {
		return nil
	}
	var out []*Bank
	ids := map[string]Pos{}
	names := map[string]string{} // name or alias -> bank id
	for _, n := range f.sequence(top, "banks.yaml") {
		fs := f.mapping(n, "bank", bankFields...)
		if !f.require(fs, "id", "name") {
			continue
		}
		b := &Bank{
			ID:       f.text(fs, "id"),
			Name:     f.text(fs, "name"),
			Hotline:  f.text(fs, "hotline"),
			CardLine: f.text(fs, "card_line"),
			Pos:      f.pos(n),
		}
		if !kebabRE.MatchString(b.ID) {
			f.c.errorf(f.line(fs, "id"), "bank id %q is not kebab-case (lowercase letters, digits and single hyphens)", b.ID)
			continue
		}
		if prev, dup := ids[b.ID]; dup {
			f.errorf(n, "duplicate bank id %q (also on %s)", b.ID, also(b.Pos, prev))
			continue
		}
		ids[b.ID] = b.Pos
		b.Sources = l.checkSources(f.list(fs, "sources"))
		for _, key := range []string{"hotline", "card_line"} {
			if n := f.text(fs, key); n != "" {
				l.answers = append(l.answers, located{n, f.line(fs, key)})
			}
		}
		if (b.Hotline != "" || b.CardLine != "") && len(b.Sources) == 0 {
			f.errorf(n, "phone numbers stated without sources; add the KB-FACTS id (F6) to sources")
		}
		for _, it := range append([]item{{b.Name, f.line(fs, "name")}}, f.list(fs, "aliases")...) {
			if other, taken := names[it.text]; taken && other != b.ID {
				f.c.errorf(it.pos, "name %q is also used by bank %q", it.text, other)
				continue
			}
			names[it.text] = b.ID
			if it.text != b.Name {
				b.Aliases = append(b.Aliases, it.text)
			}
		}
		out = append(out, b)
	}
	return out
}

var ruleFields = []string{"id", "kind", "patterns", "unless", "unless_asked", "article", "action", "flow", "when"}

// messageSlots are the slots a prefer rule's `when` may name: the ones the engine reads from any
// message, not only when a flow asks.
var messageSlots = map[string]*Slot{
	"bank":         {Name: "bank", Type: SlotBank},
	"days_overdue": {Name: "days_overdue", Type: SlotDays},
	"amount":       {Name: "amount", Type: SlotAmount},
}

// loadRules reads rules.yaml, in order: the first rule that matches wins.
func (l *loader) loadRules() []*Rule {
	f, top, ok := l.openYAML(rulesFile)
	if !ok {
		return nil
	}
	var out []*Rule
	ids := map[string]Pos{}
	for _, n := range f.sequence(top, "rules.yaml") {
		fs := f.mapping(n, "rule", ruleFields...)
		if !f.require(fs, "id", "kind") {
			continue
		}
		r := &Rule{
			ID:      f.text(fs, "id"),
			Kind:    RuleKind(f.text(fs, "kind")),
			Article: f.text(fs, "article"),
			Action:  f.text(fs, "action"),
			Flow:    f.text(fs, "flow"),
			Pos:     f.pos(n),
		}
		if prev, dup := ids[r.ID]; dup {
			f.errorf(n, "duplicate rule id %q (also on %s)", r.ID, also(r.Pos, prev))
			continue
		}
		ids[r.ID] = r.Pos
		r.Patterns = l.patterns(f.list(fs, "patterns"))
		r.Unless = l.patterns(f.list(fs, "unless"))
		r.UnlessAsked = l.patterns(f.list(fs, "unless_asked"))
		if len(r.UnlessAsked) > 0 && r.Kind != RulePrefer {
			f.errorf(fs.byKey["unless_asked"].key, "unless_asked is only for prefer rules")
		}
		if len(r.Patterns) == 0 {
			f.errorf(n, "rule has no patterns")
		}
		l.checkRuleTarget(f, fs, r)
		r.When = l.ruleWhen(f, fs, r)
		out = append(out, r)
	}
	return out
}

// checkRuleTarget checks that a rule names what its kind needs: an article, an action or a flow.
func (l *loader) checkRuleTarget(f *yamlFile, fs fields, r *Rule) {
	switch r.Kind {
	case RuleSafety, RuleRefusal, RulePrefer, RuleRequire:
		if f.require(fs, "article") {
			l.refer(f.line(fs, "article"), refArticle, r.Article, "article %q does not exist")
		}
	case RuleCommand:
		if f.require(fs, "action") && r.Action != "handoff" && r.Action != "restart" {
			f.c.errorf(f.line(fs, "action"), "unknown action %q (use handoff or restart)", r.Action)
		}
	case RuleFlow:
		if f.require(fs, "flow") {
			l.refer(f.line(fs, "flow"), refFlow, r.Flow, "flow %q does not exist")
		}
	default:
		f.c.errorf(f.line(fs, "kind"), "unknown kind %q (use safety, command, refusal, flow, prefer or require)", r.Kind)
	}
}

// ruleWhen reads a prefer rule's conditions on the slots the message states.
func (l *loader) ruleWhen(f *yamlFile, fs fields, r *Rule) map[string][]string {
	fd, ok := fs.byKey["when"]
	if !ok || isNull(fd.value) {
		return nil
	}
	if r.Kind != RulePrefer {
		f.errorf(fd.key, "when is only for prefer rules")
		return nil
	}
	return l.whenConditions(f, fd.value, messageSlots, "when names %q; a rule can only test bank, days_overdue or amount")
}

// patterns splits "a&b" into the words that must all be contained. A word may list alternatives,
// "逾期|违约&能用|再用" (逾期 or 违约, beside 能用 or 再用), so a class of wordings takes one line
// instead of a dozen; the word keeps its "|" and the engine reads the alternatives.
func (l *loader) patterns(items []item) [][]string {
	var out [][]string
	for _, it := range items {
		var words []string
		for _, w := range strings.Split(it.text, "&") {
			alts := strings.Split(w, "|")
			for i, a := range alts {
				alts[i] = strings.TrimSpace(a)
			}
			if slices.Contains(alts, "") {
				l.errorf(it.pos, "pattern %q has an empty word", it.text)
				words = nil
				break
			}
			words = append(words, strings.Join(alts, "|"))
		}
		if words != nil {
			out = append(out, words)
		}
	}
	return out
}

// loadOutOfScope reads out-of-scope.yaml: questions that must reach the fallback.
func (l *loader) loadOutOfScope() []Example {
	f, top, ok := l.openYAML(outOfScopeFile)
	if !ok {
		return nil
	}
	var out []Example
	fs := f.mapping(top, "out-of-scope.yaml", outOfScopeFields...)
	l.kb.Scope = l.loadScope(f, fs)
	for _, q := range f.list(fs, "questions") {
		if q.text == "" {
			l.errorf(q.pos, "empty example question")
			continue
		}
		if l.claimQuestion(q, "") {
			out = append(out, Example{Text: q.text, Pos: q.pos})
		}
	}
	return out
}
