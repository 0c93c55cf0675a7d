// Package bot runs one conversation turn end to end: load the session, mask personal numbers,
// ask the dialog engine, store the session and transcript, and emit handoff, feedback and
// unanswered-question events. Channels (websocket, HTTP) talk only to Bot.
package bot

import (
	"errors"
	"time"

	"chatbot/dialog"
	"chatbot/knowledge"
)

// Input is one client turn.
type Input struct {
	MessageID string // the client's frame id; a re-sent id returns the stored reply, never a second turn
	Text      string // free text (empty when Choice is set)
	Choice    string // a pressed button's value
}

// Output is the bot's reply to one turn, as channels put it on the wire.
type Output struct {
	ID        string // server reply id, unique within the session ("s7")
	ReplyTo   string // Input.MessageID
	Kind      dialog.Kind
	Text      string
	HTML      string
	Article   string
	KBVersion string
	Buttons   []knowledge.Button
	Handoff   bool
	At        time.Time
	Trace     *dialog.Trace
	Replayed  bool // true when this is the stored reply to a re-sent message id
}

// Entry is one line of a session's transcript, as the welcome frame's history carries it.
// User text is stored masked.
type Entry struct {
	Role    string             `json:"role"` // "user" or "bot"
	ID      string             `json:"id,omitempty"`
	ReplyTo string             `json:"reply_to,omitempty"`
	Kind    dialog.Kind        `json:"kind,omitempty"`
	Text    string             `json:"text"`
	HTML    string             `json:"html,omitempty"`
	Article string             `json:"article,omitempty"`
	Buttons []knowledge.Button `json:"buttons,omitempty"`
	At      time.Time          `json:"at"`
}

// Session is what a client gets when it opens (or resumes) a conversation.
type Session struct {
	ID      string
	Resumed bool    // the requested id was found
	Expired bool    // an id was requested but is unknown or expired: a new session was started
	History []Entry // oldest first, capped
}

// Errors channels translate into user-facing error frames.
var (
	ErrUnknownSession = errors.New("unknown or expired session")
	ErrConflict       = errors.New("session changed concurrently")
	ErrUnavailable    = errors.New("session store unavailable")
)
