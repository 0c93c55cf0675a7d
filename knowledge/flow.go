package knowledge

import (
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

var (
	flowFields = []string{"id", "title", "article", "start", "start_label", "intro", "lead", "copy_title", "slots", "parts", "sources"}
	slotFields = []string{"name", "type", "ask", "buttons", "choices", "number_means"}
	partFields = []string{"when", "text", "lead", "more", "sources"}
	slotNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	rangeRE    = regexp.MustCompile(`^(\d+)(-(\d*))?$`)
	slotTypes  = []SlotType{SlotBank, SlotDays, SlotAmount, SlotChoice}
)

// loadFlows reads flows/*.yaml, one flow per file.
func (l *loader) loadFlows() []*Flow {
	byID := map[string]*Flow{}
	var out []*Flow
	names := l.list(flowsDir, ".yaml", ".yml")
	l.noneRead[refFlow] = l.unreadable[flowsDir]
	for _, name := range names {
		data, ok := l.read(name)
		if !ok {
			l.markBroken(refFlow, name)
			continue
		}
		f := &yamlFile{c: &l.collector, name: name}
		top, ok := f.parse(data)
		if !ok {
			l.markBroken(refFlow, name)
			continue
		}
		fl := l.loadFlow(f, top)
		if fl == nil {
			l.markBroken(refFlow, name)
			continue
		}
		if prev, dup := byID[fl.ID]; dup {
			l.errorf(fl.Pos, "duplicate flow id %q (also in %s)", fl.ID, also(fl.Pos, prev.Pos))
			continue
		}
		byID[fl.ID] = fl
		out = append(out, fl)
	}
	slices.SortFunc(out, func(a, b *Flow) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (l *loader) loadFlow(f *yamlFile, top *yaml.Node) *Flow {
	fs := f.mapping(top, "flow", flowFields...)
	if !f.require(fs, "id", "article", "slots", "parts") {
		return nil
	}
	fl := &Flow{
		ID:         f.text(fs, "id"),
		Title:      f.text(fs, "title"),
		Article:    f.text(fs, "article"),
		Start:      f.text(fs, "start"),
		StartLabel: f.text(fs, "start_label"),
		Lead:       f.text(fs, "lead"),
		CopyTitle:  f.text(fs, "copy_title"),
		Pos:        f.line(fs, "id"),
	}
	if !kebabRE.MatchString(fl.ID) {
		l.errorf(fl.Pos, "flow id %q is not kebab-case (lowercase letters, digits and single hyphens)", fl.ID)
		return nil
	}
	if base := path.Base(f.name); strings.TrimSuffix(strings.TrimSuffix(base, ".yml"), ".yaml") != fl.ID {
		l.warnf(fl.Pos, "file name should be %s.yaml to match the id", fl.ID)
	}
	switch fl.Start {
	case "":
		fl.Start = "offer"
	case "offer", "ask":
	default:
		l.errorf(f.line(fs, "start"), "unknown start %q (use offer or ask)", fl.Start)
	}
	if fl.Start == "offer" && fl.StartLabel == "" {
		l.warnf(fl.Pos, "missing start_label: the button that starts the flow needs a text")
	}
	l.refer(f.line(fs, "article"), refArticle, fl.Article, "article %q does not exist")
	fl.Sources = l.checkSources(f.list(fs, "sources"))

	var prose []located // every text of the flow, for the legal-statement check
	if fs.has("lead") {
		lead := located{fl.Lead, f.line(fs, "lead")}
		l.checkLead(fl.Lead, lead.pos, l.fillLongest)
		prose = append(prose, lead)
	} else {
		l.errorf(fl.Pos, "missing lead: the first thing to do, one sentence of at most %d characters (parts may give their own)", MaxLeadRunes)
	}
	if intro, pos := f.rawText(fs, "intro"); strings.TrimSpace(intro) != "" {
		fl.Intro = intro
		fl.IntroBody = l.flowText(intro, pos)
		prose = append(prose, located{intro, pos})
	}
	slots := map[string]*Slot{}
	for _, n := range f.sequence(fs.byKey["slots"].value, "slots") {
		s, ask := l.loadSlot(f, n)
		if s == nil {
			continue
		}
		if _, dup := slots[s.Name]; dup {
			f.errorf(n, "duplicate slot %q", s.Name)
			continue
		}
		slots[s.Name] = s
		fl.Slots = append(fl.Slots, s)
		prose = append(prose, ask)
	}
	for _, n := range f.sequence(fs.byKey["parts"].value, "parts") {
		p, texts := l.loadPart(f, n, slots)
		if p == nil {
			continue
		}
		fl.Parts = append(fl.Parts, p)
		// A part's statements are covered by the flow's sources or its own.
		if len(fl.Sources) == 0 && len(p.Sources) == 0 {
			l.checkLegal(texts)
		}
		l.answers = append(l.answers, texts...)
	}
	if len(fl.Sources) == 0 {
		l.checkLegal(prose)
	}
	l.answers = append(l.answers, prose...)
	l.checkVisible(fl)
	return fl
}

// flowText renders a flow's Markdown and checks its placeholders.
func (l *loader) flowText(src string, pos Pos) Content {
	l.checkPlaceholders(src, pos, flowPlaceholders)
	return l.renderAt(src, pos)
}

func (l *loader) loadSlot(f *yamlFile, n *yaml.Node) (*Slot, located) {
	fs := f.mapping(n, "slot", slotFields...)
	if !f.require(fs, "name", "type", "ask") {
		return nil, located{}
	}
	s := &Slot{Name: f.text(fs, "name"), Type: SlotType(f.text(fs, "type")), NumberMeans: f.text(fs, "number_means")}
	if !slotNameRE.MatchString(s.Name) {
		f.c.errorf(f.line(fs, "name"), "slot name %q must be lowercase letters, digits and _ (e.g. days_overdue)", s.Name)
	}
	if !slices.Contains(slotTypes, s.Type) {
		f.c.errorf(f.line(fs, "type"), "slot %q has unknown type %q (use bank, days, amount or choice)", s.Name, s.Type)
	}
	ask, pos := f.rawText(fs, "ask")
	s.Ask = ask
	s.AskBody = l.flowText(ask, pos)
	s.Buttons = l.loadButtons(f, fs.byKey["buttons"].value)
	l.loadChoices(f, fs, s)
	return s, located{ask, pos}
}

// loadButtons reads buttons written as plain texts (label = value) or {label, value}.
func (l *loader) loadButtons(f *yamlFile, list *yaml.Node) []Button {
	var out []Button
	for _, n := range f.sequence(list, "buttons") {
		if n.Kind == yaml.ScalarNode {
			if t := strings.TrimSpace(n.Value); t != "" {
				out = append(out, Button{Label: t, Value: t})
			}
			continue
		}
		fs := f.mapping(n, "button", "label", "value")
		if !f.require(fs, "label") {
			continue
		}
		b := Button{Label: f.text(fs, "label"), Value: f.text(fs, "value")}
		if b.Value == "" {
			b.Value = b.Label
		}
		out = append(out, b)
	}
	return out
}

// loadChoices reads a choice slot's values and the words that mean each of them.
func (l *loader) loadChoices(f *yamlFile, fs fields, s *Slot) {
	fd, present := fs.byKey["choices"]
	switch {
	case !present || isNull(fd.value):
		if s.Type == SlotChoice {
			f.errorf(fs.at, "slot %q of type choice has no choices", s.Name)
		}
		return
	case s.Type != SlotChoice:
		f.warnf(fd.key, "choices are only used by slots of type choice")
	case fd.value.Kind != yaml.MappingNode:
		f.errorf(fd.key, "choices must be a mapping (value: [words that mean it])")
		return
	}
	s.Choices = map[string][]string{}
	for i := 0; i+1 < len(fd.value.Content); i += 2 {
		k := fd.value.Content[i]
		if _, dup := s.Choices[k.Value]; dup {
			f.errorf(k, "duplicate choice %q", k.Value)
			continue
		}
		s.Choices[k.Value] = texts(f.items(fd.value.Content[i+1], k.Value))
		s.ChoiceOrder = append(s.ChoiceOrder, k.Value)
	}
	if s.NumberMeans != "" && !slices.Contains(s.ChoiceOrder, s.NumberMeans) {
		f.c.errorf(f.line(fs, "number_means"), "number_means %q is not one of the choices of slot %q", s.NumberMeans, s.Name)
	}
}

func (l *loader) loadPart(f *yamlFile, n *yaml.Node, slots map[string]*Slot) (*Part, []located) {
	fs := f.mapping(n, "part", partFields...)
	if !f.require(fs, "text") {
		return nil, nil
	}
	p := &Part{When: map[string][]string{}, More: f.flag(fs, "more"), Lead: f.text(fs, "lead")}
	if fd, ok := fs.byKey["when"]; ok && !isNull(fd.value) {
		p.When = l.whenConditions(f, fd.value, slots, "when names unknown slot %q")
	}
	p.Sources = l.checkSources(f.list(fs, "sources"))
	text, pos := f.rawText(fs, "text")
	p.Body = l.flowText(text, pos)
	out := []located{{text, pos}}
	if fs.has("lead") {
		lead := located{p.Lead, f.line(fs, "lead")}
		l.checkLead(p.Lead, lead.pos, l.fillLongest)
		out = append(out, lead)
	}
	return p, out
}

// whenConditions reads a `when` mapping (slot name: the values or ranges it must have), checking
// each value against its slot. A name not in slots is reported with unknown (a format taking the
// name).
func (l *loader) whenConditions(f *yamlFile, n *yaml.Node, slots map[string]*Slot, unknown string) map[string][]string {
	out := map[string][]string{}
	for name, cond := range f.mapping(n, "when").byKey {
		slot, known := slots[name]
		if !known {
			f.errorf(cond.key, unknown, name)
			continue
		}
		values := f.items(cond.value, name)
		for _, v := range values {
			l.checkWhenValue(slot, v)
		}
		out[name] = texts(values)
	}
	return out
}

// checkWhenValue reports a condition value that no answer to the slot can ever take.
func (l *loader) checkWhenValue(s *Slot, v item) {
	switch s.Type {
	case SlotDays, SlotAmount:
		m := rangeRE.FindStringSubmatch(v.text)
		if m == nil {
			l.errorf(v.pos, "%q is not a range like \"0-3\" or \"91-\"", v.text)
			return
		}
		lo, _ := strconv.Atoi(m[1])
		if hi, err := strconv.Atoi(m[3]); err == nil && hi < lo {
			l.errorf(v.pos, "range %q is empty", v.text)
		}
	case SlotChoice:
		if _, ok := s.Choices[v.text]; ok {
			return
		}
		if slices.ContainsFunc(s.Buttons, func(b Button) bool { return b.Value == v.text }) {
			return
		}
		l.errorf(v.pos, "slot %q has no choice %q", s.Name, v.text)
	case SlotBank:
		if v.text == "other" {
			return
		}
		if !slices.ContainsFunc(l.kb.Banks, func(b *Bank) bool { return b.ID == v.text }) {
			l.errorf(v.pos, "%q is not a bank id from banks.yaml or \"other\"", v.text)
		}
	}
}
