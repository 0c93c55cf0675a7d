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
	// Limits are the rate limits this turn counts against (the session's, the client
	// address's), counted in the same store call that saves the turn. One over its rate refuses
	// the turn with a *RateLimitError and nothing is stored.
	Limits []Limit
	// Explain asks for Output.Trace (the engine's decision trace), which costs a part of the
	// turn; a debugging tool asks for it, the channels do not.
	Explain bool
}

// Output is the bot's reply to one turn, as channels put it on the wire.
type Output struct {
	ID        string // server reply id, unique within the session ("s7")
	ReplyTo   string // Input.MessageID
	Kind      dialog.Kind
	Lead      string // kind answer: the first thing to do (dialog.Reply.Lead)
	Text      string
	HTML      string
	Sources   []knowledge.Source // the facts an answer rests on, shown as 依据
	CopyText  string             // a plain block the user may copy and keep
	Article   string
	KBVersion string
	Buttons   []knowledge.Button
	Handoff   bool
	At        time.Time
	Trace     *dialog.Trace // only when Input.Explain asked for it
	Replayed  bool          // true when this is the stored reply to a re-sent message id
	// Priority is dialog.PriorityCrisis when the reply carries crisis resources.
	Priority string
	// UserText is the user's message as stored, when masking changed it: the page shows it in
	// place of what the user typed.
	UserText string
	// HandoffReason is set when this turn put the user in the queue for a person:
	// events.ReasonAsked or events.ReasonFallbacks. Acknowledgements while waiting leave it empty.
	HandoffReason string
}

// Entry is one line of a session's transcript, as the welcome frame's history carries it.
// User text is stored masked.
type Entry struct {
	Role    string             `json:"role"` // "user", "bot", or "agent" (a person at the contact center)
	ID      string             `json:"id,omitempty"`
	ReplyTo string             `json:"reply_to,omitempty"`
	Kind    dialog.Kind        `json:"kind,omitempty"`
	Lead    string             `json:"lead,omitempty"`
	Text    string             `json:"text"`
	HTML    string             `json:"html,omitempty"`
	Sources []knowledge.Source `json:"sources,omitempty"`
	// CopyText is a plain block the user may copy and keep (a negotiation plan).
	CopyText string             `json:"copy_text,omitempty"`
	Article  string             `json:"article,omitempty"`
	Buttons  []knowledge.Button `json:"buttons,omitempty"`
	Agent    string             `json:"agent,omitempty"` // role "agent": the name the contact center gave
	// Priority is "crisis" on a bot entry that carries crisis resources.
	Priority string    `json:"priority,omitempty"`
	At       time.Time `json:"at"`
}

// KindAgent is the kind of an entry an agent wrote (AgentMessage). The dialog engine never
// produces it.
const KindAgent dialog.Kind = "agent"

// Context is what the page or app embedding the chat knows before the user types: the card
// issuer whose site or app it is, and the kind of client. A session keeps it; the dialog engine
// takes the issuer as the user's bank (dialog.State.Issuer) unless the user names another.
type Context struct {
	Issuer  string `json:"issuer,omitempty"`  // a bank id of the knowledge base's bank list
	Channel string `json:"channel,omitempty"` // ChannelWeb, ChannelApp or empty
}

// Channels a Context may name.
const (
	ChannelWeb = "web" // a web page (the widget on a bank's site)
	ChannelApp = "app" // a bank's app (a webview, or native code)
)

// Session is what a client gets when it opens (or resumes) a conversation.
type Session struct {
	ID      string
	Resumed bool         // the requested id was found
	Expired bool         // an id was requested but is unknown or expired: a new session was started
	History []Entry      // oldest first, capped
	Handoff HandoffState // HandoffBot, or where a handoff to a person stands
	Context Context      // what the embedding page said, as the session keeps it
	// Conversation carries the session's decoded state to its turns: the one goroutine serving
	// the session keeps it and runs every turn through it.
	Conversation *Conversation
}

// Errors channels translate into user-facing error frames.
var (
	ErrUnknownSession = errors.New("unknown or expired session")
	ErrConflict       = errors.New("session changed concurrently")
	ErrUnavailable    = errors.New("session store unavailable")
)

// HandoffState is where a session is in a handoff to a person. It is kept in the session, so
// every instance and every reconnect sees the same state.
type HandoffState string

// Handoff states: bot -> waiting_agent (the engine handed off) -> agent (a contact-center agent
// joined, AgentJoined) -> bot (AgentLeft). While waiting or with an agent, messages go to the
// transcript and are acknowledged; the engine does not answer them.
const (
	HandoffBot     HandoffState = "bot"
	HandoffWaiting HandoffState = "waiting_agent"
	HandoffAgent   HandoffState = "agent"
)

// More errors channels translate into error frames (added with the bot implementation).
var (
	ErrBadInput      = errors.New("empty message")                        // neither text nor a choice
	ErrUnknownReply  = errors.New("unknown reply id")                     // feedback on a reply the session does not have (or no longer remembers)
	ErrHandoffState  = errors.New("session is not in that handoff state") // e.g. AgentJoined on a session nobody is waiting in
	ErrUnknownIssuer = errors.New("unknown issuer")                       // Context.Issuer is not a bank of the knowledge base
	ErrBadChannel    = errors.New("unknown channel")                      // Context.Channel is neither web nor app
)
