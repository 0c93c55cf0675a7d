package knowledge

import (
	"slices"

	yaml "go.yaml.in/yaml/v3"
)

var (
	turnFields   = []string{"say", "choose", "expect", "contains", "excludes"}
	expectFields = []string{"kind", "article", "flow", "slot", "button"}
	replyKinds   = []string{"answer", "clarify", "ask", "fallback", "handoff"}
)

// loadConversations reads conversations/*.yaml: golden scripts, each a list of conversations.
func (l *loader) loadConversations() []*Conversation {
	var out []*Conversation
	for _, name := range l.list(conversationsDir, ".yaml", ".yml") {
		data, ok := l.read(name)
		if !ok {
			continue
		}
		f := &yamlFile{c: &l.collector, name: name}
		top, ok := f.parse(data)
		if !ok {
			continue
		}
		for _, n := range f.sequence(top, "a conversations file") {
			if c := l.loadConversation(f, n); c != nil {
				out = append(out, c)
			}
		}
	}
	return out
}

func (l *loader) loadConversation(f *yamlFile, n *yaml.Node) *Conversation {
	fs := f.mapping(n, "conversation", "name", "turns")
	if !f.require(fs, "name", "turns") {
		return nil
	}
	c := &Conversation{Name: f.text(fs, "name"), Pos: f.pos(n)}
	for _, tn := range f.sequence(fs.byKey["turns"].value, "turns") {
		if t, ok := l.loadTurn(f, tn); ok {
			c.Turns = append(c.Turns, t)
		}
	}
	return c
}

func (l *loader) loadTurn(f *yamlFile, n *yaml.Node) (Turn, bool) {
	fs := f.mapping(n, "turn", turnFields...)
	if fs.bad {
		return Turn{}, false
	}
	t := Turn{Say: f.text(fs, "say"), Choose: f.text(fs, "choose"), Contains: texts(f.list(fs, "contains")),
		Excludes: texts(f.list(fs, "excludes")), Pos: f.pos(n)}
	switch {
	case t.Say == "" && t.Choose == "":
		f.errorf(n, "turn has neither say nor choose")
		return Turn{}, false
	case t.Say != "" && t.Choose != "":
		f.errorf(n, "turn has both say and choose; use one per turn")
		return Turn{}, false
	}
	ex := f.mapping(fs.byKey["expect"].value, "expect", expectFields...)
	t.Expect = Expectation{
		Kind:    f.text(ex, "kind"),
		Article: f.text(ex, "article"),
		Flow:    f.text(ex, "flow"),
		Slot:    f.text(ex, "slot"),
		Button:  f.text(ex, "button"),
	}
	if t.Expect == (Expectation{}) && len(t.Contains) == 0 && len(t.Excludes) == 0 {
		f.warnf(n, "turn checks nothing: add expect, contains or excludes")
	}
	if t.Expect.Kind != "" && !slices.Contains(replyKinds, t.Expect.Kind) {
		f.c.errorf(f.line(ex, "kind"), "unknown kind %q (use answer, clarify, ask, fallback or handoff)", t.Expect.Kind)
	}
	if t.Expect.Article != "" {
		l.refer(f.line(ex, "article"), refArticle, t.Expect.Article, "article %q does not exist")
	}
	if t.Expect.Flow != "" {
		l.refer(f.line(ex, "flow"), refFlow, t.Expect.Flow, "flow %q does not exist")
		if t.Expect.Slot != "" {
			l.referSlot(f.line(ex, "slot"), t.Expect.Flow, t.Expect.Slot)
		}
	}
	return t, true
}

// referSlot checks, once flows are indexed, that flow asks for slot.
func (l *loader) referSlot(pos Pos, flow, slot string) {
	l.slotRefs = append(l.slotRefs, slotRef{pos: pos, flow: flow, slot: slot})
}

type slotRef struct {
	pos        Pos
	flow, slot string
}

func (l *loader) checkSlotRefs() {
	for _, r := range l.slotRefs {
		fl, ok := l.kb.Flow(r.flow)
		if !ok {
			continue // reported as an unknown flow
		}
		if !slices.ContainsFunc(fl.Slots, func(s *Slot) bool { return s.Name == r.slot }) {
			l.errorf(r.pos, "flow %q has no slot %q", r.flow, r.slot)
		}
	}
}
