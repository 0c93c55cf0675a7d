package dialog

import (
	"fmt"

	"chatbot/dialog/crisis"
	"chatbot/knowledge"
)

// PriorityCrisis marks a reply that carries crisis resources (the crisis article): pages show
// it prominently.
const PriorityCrisis = "crisis"

// safety is the engine's crisis check, built once per knowledge base.
type safety struct {
	detector *crisis.Detector
	article  string // the crisis article; "" when the knowledge base names none
}

func newSafety(kb *knowledge.KB) safety {
	s := safety{detector: crisis.New(kb.Crisis)}
	if kb.Crisis != nil {
		if _, ok := kb.Article(kb.Crisis.Article); ok {
			s.article = kb.Crisis.Article
		}
	}
	return s
}

// Crisis reports whether a message (raw text, as the user typed it, masked) reads as a person in
// danger, and why. The bot asks it in every state, also while a person has the conversation.
func (e *Engine) Crisis(text string) (crisis.Match, bool) {
	if e.safety.article == "" || text == "" {
		return crisis.Match{}, false
	}
	return e.safety.detector.Detect(text)
}

// crisisFirst answers a message that reads as a crisis with the crisis article, before rules,
// flows and scoring. A running flow pauses: its question is not asked again, and the answer
// offers to resume it.
func (t *turn) crisisFirst(text string) (Reply, bool) {
	m, ok := t.e.Crisis(text)
	if !ok {
		return Reply{}, false
	}
	t.msg = t.e.norm.normalise(text)
	t.tr.Normalised = t.msg.Text
	t.note("crisis: " + m.String())
	t.leaveFlowFor("")
	r := t.answerArticle(t.e.safety.article)
	t.st.Fallbacks = 0
	return r, true
}

// markPriority sets the reply's priority from what it carries.
func (e *Engine) markPriority(r *Reply) {
	if e.safety.article != "" && r.Article == e.safety.article {
		r.Priority = PriorityCrisis
	}
}

// CheckCrisis lints the knowledge base's crisis cues through the engine that uses them: each
// class's examples must be caught (by that class), each calm wording must not, and each cue of a
// class that is enough alone must be caught when written alone (a cue that a not_crisis entry
// swallows or that begins with a negation never fires).
func CheckCrisis(e *Engine) []knowledge.Problem {
	c := e.kb.Crisis
	if c == nil {
		return []knowledge.Problem{{Pos: knowledge.Pos{File: "crisis.yaml"}, Severity: knowledge.SeverityWarning,
			Message: "no crisis cues: a person in danger is not recognised (add crisis.yaml)"}}
	}
	var out []knowledge.Problem
	for _, cl := range c.Classes {
		for _, ex := range cl.Examples {
			m, ok := e.safety.detector.Detect(ex.Text)
			switch {
			case !ok:
				out = append(out, knowledge.Problem{Pos: ex.Pos, Message: fmt.Sprintf(
					"example %q of cue class %s is not recognised as a crisis", ex.Text, cl.ID)})
			case m.Class != cl.ID && m.WithClass != cl.ID:
				out = append(out, knowledge.Problem{Pos: ex.Pos, Severity: knowledge.SeverityWarning, Message: fmt.Sprintf(
					"example %q of cue class %s is recognised by another class (%s)", ex.Text, cl.ID, m)})
			}
		}
		if !cl.Alone {
			continue
		}
		for _, cue := range cl.Cues {
			if _, ok := e.safety.detector.Detect(cue.Text); !ok {
				out = append(out, knowledge.Problem{Pos: cue.Pos, Message: fmt.Sprintf(
					"cue %q of cue class %s never fires: a not_crisis entry or a negation swallows it", cue.Text, cl.ID)})
			}
		}
	}
	for _, ex := range c.Calm {
		if m, ok := e.safety.detector.Detect(ex.Text); ok {
			out = append(out, knowledge.Problem{Pos: ex.Pos, Message: fmt.Sprintf(
				"calm wording %q is taken for a crisis (%s)", ex.Text, m)})
		}
	}
	return out
}
