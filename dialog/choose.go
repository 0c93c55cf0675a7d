package dialog

import (
	"strconv"
	"strings"

	"chatbot/knowledge"
)

// choose answers a pressed button.
func (t *turn) choose(value string) Reply {
	t.note("button " + value)
	switch {
	case value == ChoiceHandoff, value == ChoiceArticle+humanAgentArticle: // every 人工 button hands off
		t.outcome = outHandoffRequest
		return t.handoff("")
	case value == ChoiceRestart:
		return t.restart()
	case strings.HasPrefix(value, ChoiceArticle):
		if _, ok := t.e.kb.Article(strings.TrimPrefix(value, ChoiceArticle)); ok {
			return t.answerArticle(strings.TrimPrefix(value, ChoiceArticle))
		}
	case strings.HasPrefix(value, ChoiceFlow):
		if f, ok := t.e.kb.Flow(strings.TrimPrefix(value, ChoiceFlow)); ok {
			return t.startFlow(f)
		}
	case strings.HasPrefix(value, ChoiceSlot):
		if r, ok := t.chooseSlot(strings.TrimPrefix(value, ChoiceSlot)); ok {
			return r
		}
	}
	t.note("unknown or stale button: prompt")
	r := t.prompt()
	r.Text, r.HTML = staleChoiceText, "<p>"+staleChoiceText+"</p>"
	return r
}

// chooseSlot takes a slot button (name=value) for the running flow, or for the flow of the
// previous article when the user presses an older button.
func (t *turn) chooseSlot(nv string) (Reply, bool) {
	name, value, ok := strings.Cut(nv, "=")
	if !ok || name == "" || value == "" {
		return Reply{}, false
	}
	var f *knowledge.Flow
	if t.st.Flow != nil {
		f, _ = t.e.kb.Flow(t.st.Flow.ID)
	} else if a, ok := t.e.kb.Article(t.st.Article); ok {
		f, _ = t.e.kb.Flow(a.Flow)
	}
	if f == nil {
		return Reply{}, false
	}
	for _, s := range f.Slots {
		if s.Name == name && t.validSlotValue(s, value) {
			t.st.Slots[name] = value
			t.tr.Slots = withSlot(t.tr.Slots, name, value)
			if t.st.Flow != nil {
				t.st.Flow.Misses = 0
			}
			return t.continueFlow(f, false), true
		}
	}
	return Reply{}, false
}

// validSlotValue keeps a forged or outdated button from storing nonsense in the session.
func (t *turn) validSlotValue(s *knowledge.Slot, v string) bool {
	switch s.Type {
	case knowledge.SlotBank:
		_, ok := t.e.kb.Bank(v)
		return ok || v == BankOther
	case knowledge.SlotDays, knowledge.SlotAmount:
		n, err := strconv.ParseFloat(v, 64)
		return err == nil && n >= 0
	default:
		_, ok := s.Choices[v]
		return ok
	}
}
