package channels

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"chatbot/bot"
	"chatbot/dialog"
	"chatbot/knowledge"
)

// ProtocolVersion is the version of the frame protocol this server speaks (docs/protocol.md).
// A hello without "v" is taken as version 1.
const ProtocolVersion = 1

// Client frame types.
const (
	TypeHello    = "hello"
	TypeMessage  = "message"
	TypeChoose   = "choose"
	TypeFeedback = "feedback"
	TypePing     = "ping"
)

// Server frame types.
const (
	TypeWelcome = "welcome"
	TypeReply   = "reply"
	TypeError   = "error"
	TypePong    = "pong"
	TypeAck     = "ack"
)

// Frame is a frame the server sends: a Welcome, Reply, Error or Control. The set is closed, so
// every frame a channel writes is one of the documented types.
type Frame interface{ serverFrame() }

func (Welcome) serverFrame() {}
func (Reply) serverFrame()   {}
func (Error) serverFrame()   {}
func (Control) serverFrame() {}

// ClientFrame is any frame a client sends; Type says which fields apply. Unknown fields are
// ignored so older servers accept newer clients' additions.
type ClientFrame struct {
	Type    string `json:"type"`
	ID      string `json:"id,omitempty"`      // message, choose; optional on hello, feedback, ping
	Session string `json:"session,omitempty"` // hello (and every HTTP request): the id to resume
	Locale  string `json:"locale,omitempty"`  // hello
	V       int    `json:"v,omitempty"`       // hello: protocol version
	Text    string `json:"text,omitempty"`    // message
	Value   string `json:"value,omitempty"`   // choose: the pressed button's value
	Reply   string `json:"reply,omitempty"`   // feedback: the reply id it is about
	Useful  *bool  `json:"useful,omitempty"`  // feedback
	// Context is what the embedding page knows (issuer, channel): on hello, and over HTTP on
	// any frame that starts a session.
	Context *bot.Context `json:"context,omitempty"`
}

// pageContext is the frame's context, empty when it has none.
func (f ClientFrame) pageContext() bot.Context {
	if f.Context == nil {
		return bot.Context{}
	}
	return *f.Context
}

// Welcome answers hello: the session the client is in now and its history.
type Welcome struct {
	Type    string `json:"type"`
	ReplyTo string `json:"reply_to,omitempty"`
	Session string `json:"session"`
	V       int    `json:"v"`
	Resumed bool   `json:"resumed"`
	Expired bool   `json:"expired"`
	Notice  string `json:"notice,omitempty"` // polite zh-CN text when Expired
	// Handoff is where a handoff to a person stands: "bot", "waiting_agent" or "agent".
	Handoff bot.HandoffState `json:"handoff,omitempty"`
	History []bot.Entry      `json:"history"`
}

// Reply is the bot's answer to a message or choose frame. A reply without reply_to was pushed:
// an agent wrote it, or it says that an agent joined or left (kind "agent", "handoff", "answer").
type Reply struct {
	Type      string             `json:"type"`
	ID        string             `json:"id"`
	ReplyTo   string             `json:"reply_to,omitempty"`
	Kind      dialog.Kind        `json:"kind"`
	Lead      string             `json:"lead,omitempty"` // kind answer: the first thing to do, shown first
	Text      string             `json:"text"`
	HTML      string             `json:"html"`
	Sources   []knowledge.Source `json:"sources,omitempty"`   // legal or regulatory basis, shown as 依据
	CopyText  string             `json:"copy_text,omitempty"` // a plain block offered with a copy button
	Article   string             `json:"article"`
	KBVersion string             `json:"kb_version"`
	Buttons   []knowledge.Button `json:"buttons"`
	Handoff   bool               `json:"handoff"`
	Replayed  bool               `json:"replayed,omitempty"` // the stored reply to a re-sent id
	Agent     string             `json:"agent,omitempty"`    // kind "agent": who wrote it
	Priority  string             `json:"priority,omitempty"` // "crisis": the reply carries crisis resources
	// UserText is the user's message as stored after masking, set when masking changed it: the
	// page replaces the user's own bubble text with it.
	UserText string    `json:"user_text,omitempty"`
	At       time.Time `json:"at"`
}

// NewReply is the reply frame for a bot output, exactly as the websocket carries it.
func NewReply(out bot.Output) Reply {
	buttons := out.Buttons
	if buttons == nil {
		buttons = []knowledge.Button{}
	}
	return Reply{
		Type:      TypeReply,
		ID:        out.ID,
		ReplyTo:   out.ReplyTo,
		Kind:      out.Kind,
		Lead:      out.Lead,
		Text:      out.Text,
		HTML:      out.HTML,
		Sources:   out.Sources,
		CopyText:  out.CopyText,
		Article:   out.Article,
		KBVersion: out.KBVersion,
		Buttons:   buttons,
		Handoff:   out.Handoff,
		Replayed:  out.Replayed,
		Priority:  out.Priority,
		UserText:  out.UserText,
		At:        out.At,
	}
}

// EncodeFrame is a frame exactly as the websocket carries it: one line of JSON, without escaping
// <, > and & (replies carry HTML, and the frame is JSON, never inlined into a page).
func EncodeFrame(frame any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(frame); err != nil {
		return nil, fmt.Errorf("encode %T frame: %w", frame, err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Error tells the client a frame was not applied, and why, in words for the user.
type Error struct {
	Type    string `json:"type"`
	ReplyTo string `json:"reply_to,omitempty"`
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

// newError is the error frame for code, with its user-facing message.
func newError(replyTo string, code Code) Error {
	return Error{Type: TypeError, ReplyTo: replyTo, Code: code, Message: code.UserMessage()}
}

// Control answers ping (pong) and feedback with an id (ack).
type Control struct {
	Type    string `json:"type"`
	ReplyTo string `json:"reply_to,omitempty"`
}

// peekID finds a frame's id even when the frame as a whole cannot be decoded, so an error frame
// can still carry reply_to.
func peekID(data []byte) string {
	var f struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(data, &f) != nil {
		return ""
	}
	if id, ok := f.ID.(string); ok && validID(id) {
		return id
	}
	return ""
}

// maxIDLen bounds client frame ids and session ids; both end up in store keys and logs.
const maxIDLen = 64

// validID reports whether id is a usable client frame id: 1-64 characters of [A-Za-z0-9_.:-].
func validID(id string) bool {
	return validToken(id, maxIDLen)
}

// validSessionID reports whether id can name a session (128-bit ids are 32 hex characters; the
// bound leaves room for other encodings without letting junk reach the store).
func validSessionID(id string) bool {
	return validToken(id, 2*maxIDLen)
}

func validToken(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}
