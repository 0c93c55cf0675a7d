package bot

import (
	"chatbot/dialog"
	"chatbot/knowledge"
)

// isCrisis reports whether a message reads as a person in danger. The engine checks this first
// in its own turns; the bot asks too while a person has, or is about to take, the conversation,
// when the engine is otherwise not asked at all.
func isCrisis(eng *dialog.Engine, text string) bool {
	_, ok := eng.Crisis(text)
	return text != "" && ok
}

// crisisDuringHandoff answers a crisis message sent while the user waits for, or talks to, a
// person: the crisis resources at once (nobody may be reading yet), the message forwarded to
// the contact center marked urgent, and the handoff left as it stands.
func crisisDuringHandoff(eng *dialog.Engine, st *state, in Input, userText string, t *turn) dialog.Reply {
	reply, next := eng.Respond(st.Dialog, dialog.Input{Text: in.Text})
	st.Dialog = next
	reply.Buttons = withoutHandoff(reply.Buttons)
	reply.Handoff = true
	t.forwarded, t.agent, t.urgent = userText, st.Agent, true
	return reply
}

// withoutHandoff drops the button asking for a person: the user already has one, or is next.
func withoutHandoff(bs []knowledge.Button) []knowledge.Button {
	out := bs[:0:0]
	for _, b := range bs {
		if b.Value != dialog.ChoiceHandoff {
			out = append(out, b)
		}
	}
	return out
}
