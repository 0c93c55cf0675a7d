package bot

import (
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"time"

	"chatbot/dialog"
	"chatbot/knowledge"
)

// recentReplies is how many of its latest replies a session remembers: a client re-sending one of
// those message ids gets the stored reply, and feedback can be given on any of them. Reconnecting
// clients re-send only the few messages that were in flight, so this is generous. The replies'
// full text is in the transcript, which must keep MinTranscriptCap entries.
const recentReplies = 16

// MinTranscriptCap is the smallest session.Options.TranscriptCap that keeps the text of every
// reply a re-sent message id can ask for (two entries a turn).
const MinTranscriptCap = 2 * recentReplies

// state is what the bot keeps in a session between turns (session.Record.State, as JSON).
type state struct {
	Created time.Time          `json:"created"`
	Dialog  dialog.State       `json:"dialog"`
	Handoff HandoffState       `json:"handoff,omitempty"` // empty means HandoffBot
	Agent   string             `json:"agent,omitempty"`   // who took the conversation
	Crisis  bool               `json:"crisis,omitempty"`  // a crisis answer was given: handoffs are urgent
	Replies int                `json:"replies"`           // replies sent: the next is s<Replies+1>
	Buttons []knowledge.Button `json:"buttons,omitempty"` // the last reply's buttons, to label a press
	Recent  []sent             `json:"recent,omitempty"`  // newest last, at most recentReplies
	// Channel is the client kind the page said (Context.Channel); the issuer it said is
	// Dialog.Issuer, where the engine uses it.
	Channel string `json:"channel,omitempty"`
	// Last is the latest full answer, for pointing to it when it would come again word for word.
	Last *lastAnswer `json:"last,omitempty"`
	// WaitingSince is when the user started waiting for a person (HandoffWaiting).
	WaitingSince time.Time `json:"waiting_since,omitzero"`
}

// context is the page context the session keeps.
func (st *state) context() Context {
	return Context{Issuer: st.Dialog.Issuer, Channel: st.Channel}
}

// setContext takes what a page says about itself; an empty field keeps what the session has,
// so a page that says nothing does not erase what another said. It reports whether st changed.
func (st *state) setContext(c Context) bool {
	before := st.context()
	if c.Issuer != "" && c.Issuer != before.Issuer {
		st.Dialog.Slots = maps.Clone(st.Dialog.Slots) // st may be a copy sharing the map
		st.Dialog.SetIssuer(c.Issuer)
	}
	if c.Channel != "" {
		st.Channel = c.Channel
	}
	return st.context() != before
}

// sent is what a session remembers of a reply: enough to recognise a re-sent message id, count
// feedback per article and rebuild the reply from the transcript.
type sent struct {
	MessageID string      `json:"mid,omitempty"`
	ReplyID   string      `json:"id"`
	Kind      dialog.Kind `json:"kind"`
	Article   string      `json:"article,omitempty"`
	KBVersion string      `json:"kb,omitempty"`
	Useful    *bool       `json:"useful,omitempty"` // the user's feedback, if any
}

func decodeState(b []byte) (state, error) {
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return state{}, fmt.Errorf("decode session state: %w", err)
	}
	if st.Handoff == "" {
		st.Handoff = HandoffBot
	}
	return st, nil
}

func (st *state) encode() ([]byte, error) {
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encode session state: %w", err)
	}
	return b, nil
}

// nextReplyID numbers the session's replies s1, s2, ...
func (st *state) nextReplyID() string {
	st.Replies++
	return "s" + strconv.Itoa(st.Replies)
}

// remember records a reply, forgetting the oldest beyond recentReplies (in place: the state
// is the conversation's own).
func (st *state) remember(s sent) {
	if len(st.Recent) >= recentReplies {
		n := copy(st.Recent, st.Recent[len(st.Recent)-recentReplies+1:])
		st.Recent = st.Recent[:n]
	}
	st.Recent = append(st.Recent, s)
}

// answered returns the remembered reply to a message id.
func (st *state) answered(messageID string) (sent, bool) {
	if messageID == "" {
		return sent{}, false
	}
	for _, s := range st.Recent {
		if s.MessageID == messageID {
			return s, true
		}
	}
	return sent{}, false
}

// reply returns the remembered reply with a reply id, for feedback.
func (st *state) reply(replyID string) (*sent, bool) {
	for i := range st.Recent {
		if st.Recent[i].ReplyID == replyID {
			return &st.Recent[i], true
		}
	}
	return nil, false
}

// label is what the transcript shows for a pressed button: its label when the last reply
// offered it, else the value itself.
func (st *state) label(choice string) string {
	for _, b := range st.Buttons {
		if b.Value == choice {
			return b.Label
		}
	}
	return choice
}

func encodeEntries(es []Entry) ([][]byte, error) {
	out := make([][]byte, len(es))
	for i, e := range es {
		b, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode transcript entry: %w", err)
		}
		out[i] = b
	}
	return out, nil
}

// decodeEntries reads transcript lines; a line that does not decode is skipped, not fatal, so
// one bad line never locks a user out of their conversation.
func decodeEntries(lines [][]byte) (entries []Entry, bad int) {
	entries = make([]Entry, 0, len(lines))
	for _, l := range lines {
		var e Entry
		if err := json.Unmarshal(l, &e); err != nil {
			bad++
			continue
		}
		entries = append(entries, e)
	}
	return entries, bad
}
