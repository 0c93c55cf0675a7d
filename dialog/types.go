// Package dialog is the pure, deterministic rule engine: it normalises a message, applies the
// knowledge base's rules, scores articles, runs flows and decides how to reply. It does no I/O and
// reads no clock: the same input, state and knowledge-base version always give the same reply.
package dialog

import "chatbot/knowledge"

// Kind is what a reply does.
type Kind string

// Reply kinds, as carried in the protocol's reply frame.
const (
	KindAnswer   Kind = "answer"   // an article or a flow's final answer
	KindClarify  Kind = "clarify"  // close candidates: 「您是想问…还是…?」 with buttons
	KindAsk      Kind = "ask"      // a flow asks for a slot
	KindFallback Kind = "fallback" // the knowledge base cannot answer
	KindHandoff  Kind = "handoff"  // the user is handed to a human channel
)

// Button values the engine understands when a user presses a button (Input.Choice).
const (
	ChoiceArticle = "article:" // article:<id>        answer that article
	ChoiceFlow    = "flow:"    // flow:<id>           start that flow
	ChoiceSlot    = "slot:"    // slot:<name>=<value> answer the slot a flow asks for
	ChoiceHandoff = "handoff"  // hand off to a person
	ChoiceRestart = "restart"  // forget the conversation's context
)

// Input is one user turn: free text, or the value of a pressed button.
type Input struct {
	Text   string
	Choice string
}

// State is the conversation context the engine needs between turns. The bot stores it in the
// session; it must round-trip through JSON unchanged.
type State struct {
	Article   string            `json:"article,omitempty"`   // article of the last answer, for follow-ups
	Flow      *FlowState        `json:"flow,omitempty"`      // the running flow, if any
	Slots     map[string]string `json:"slots,omitempty"`     // bank, days_overdue, amount, reason, ...
	Fallbacks int               `json:"fallbacks,omitempty"` // consecutive fallbacks
	// Issuer is the bank id of the site or app the user chats on (the page's context). It is
	// the bank slot whenever the user has not named another bank, and survives a restart.
	Issuer string `json:"issuer,omitempty"`
	// Reminded: the privacy reminder was given (once per session).
	Reminded bool `json:"reminded,omitempty"`
}

// FlowState is where a running flow is.
type FlowState struct {
	ID      string `json:"id"`
	Waiting string `json:"waiting"` // the slot the last reply asked for
	// Misses counts answers to Waiting the engine could not understand; a second miss leaves
	// the flow so it never traps the user.
	Misses int `json:"misses,omitempty"`
}

// Reply is the engine's answer to one turn.
type Reply struct {
	Kind Kind
	// Lead is, for an answer, the first thing to do: one plain sentence pages show first, in
	// bold. Text and HTML open with it too (as a bold first paragraph), so a client that does
	// not know the field still shows it; a page that does finds it there and marks it.
	Lead string
	Text string // plain text
	HTML string // safe HTML
	// Sources are the facts the answer rests on (legal or regulatory basis), shown as 依据.
	Sources []knowledge.Source
	// CopyText is a plain-text block the user may copy and keep (a negotiation plan).
	CopyText  string
	Article   string // the article (topic id) that decided the reply; empty for fallback
	Flow      string // the flow the reply belongs to, if any
	Slot      string // for KindAsk: the slot asked for
	Buttons   []knowledge.Button
	Handoff   bool
	KBVersion string
	Priority  string // PriorityCrisis when the reply carries crisis resources, else empty
	Trace     *Trace // why: always filled; callers decide whether to show it
}

// Trace explains a decision: rules tried, the normalised text, the top candidates with their
// score parts, and the threshold that decided.
type Trace struct {
	Normalised string            `json:"normalised"`
	Rules      []RuleTrace       `json:"rules,omitempty"`
	Slots      map[string]string `json:"slots,omitempty"` // slots understood from this message
	// Days says how the message's days overdue were read (「晚3天」, a date, before the due date).
	Days string `json:"days,omitempty"`
	// Scope is the scope model's reading: everyday service or trouble, and the cues that decided.
	Scope      string      `json:"scope,omitempty"`
	Candidates []Candidate `json:"candidates,omitempty"`
	Decision   string      `json:"decision"` // one line: which rule, flow step or threshold decided
}

// RuleTrace is one rule the engine checked.
type RuleTrace struct {
	ID      string `json:"id"`
	Matched bool   `json:"matched"`
	Pattern string `json:"pattern,omitempty"`
}

// Candidate is one scored article.
type Candidate struct {
	Article string             `json:"article"`
	Score   float64            `json:"score"`
	Example string             `json:"example,omitempty"` // the best-matching example question
	Parts   map[string]float64 `json:"parts,omitempty"`   // named score components
}

// Config holds the decision thresholds (from the config package).
type Config struct {
	AnswerThreshold        float64 // below: fallback
	ClarifyMargin          float64 // runner-up within this share of the top score: clarify
	FallbacksBeforeHandoff int     // consecutive fallbacks that trigger a handoff offer

	// LeaveFlowThreshold: while a flow waits for a slot, a message that does not read as the
	// slot's answer (or is long) leaves the flow when another article scores at least this.
	LeaveFlowThreshold float64
	// FollowUpBoost is added to the previous article's score for a short follow-up (「那要多久」).
	FollowUpBoost float64
	// MainTopics are the article ids a fallback offers as buttons, in order.
	MainTopics []string
}
