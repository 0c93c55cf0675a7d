// Package events carries what happens in conversations to the people outside them: handoffs to
// a contact-center system, unanswered questions to the knowledge-base editors, and feedback
// counts per article. Redis Streams and a hash hold them in real deployments; an in-memory sink
// serves the one-command default run and tests. Every text here is already masked by the bot.
package events

import (
	"context"
	"sort"
	"time"
)

// HandoffEvent says what happened to a handoff.
type HandoffEvent string

// Handoff events, in the order a handoff usually goes through them.
const (
	HandoffRequested HandoffEvent = "requested"    // the user is waiting for a person
	AgentJoined      HandoffEvent = "agent_joined" // a person took the conversation
	AgentLeft        HandoffEvent = "agent_left"   // the person left; the bot answers again
	HandoffCancelled HandoffEvent = "cancelled"    // the user went back to the bot before anyone joined
	HandoffTimedOut  HandoffEvent = "timed_out"    // nobody joined in time: the user was given the hotline
	// UserMessage carries what the user wrote while waiting for, or talking to, a person (one
	// masked transcript line): the contact center shows it to the agent.
	UserMessage HandoffEvent = "user_message"
)

// Handoff reasons.
const (
	ReasonAsked     = "asked"     // the user asked for a person
	ReasonFallbacks = "fallbacks" // the bot failed to answer several times in a row
)

// Handoff is a change in a session's handoff, with what a person needs to pick the
// conversation up without asking again.
type Handoff struct {
	Event      HandoffEvent
	Session    string
	Reason     string            // for HandoffRequested: ReasonAsked or ReasonFallbacks
	Agent      string            // for AgentJoined and AgentLeft, as the contact center named them
	Slots      map[string]string // what the bot learned: bank, days_overdue, amount, ...
	Transcript []Line            // masked, oldest first (HandoffRequested; UserMessage: the one new line)
	// Urgent: the user may be in danger (a crisis message, or a handoff asked for after one): a
	// contact center serves these first.
	Urgent bool
	At     time.Time
}

// Line is one transcript line in a handoff event.
type Line struct {
	Role    string    `json:"role"` // "user" or "bot"
	Text    string    `json:"text"`
	Article string    `json:"article,omitempty"`
	At      time.Time `json:"at"`
}

// Unanswered is a question the bot could not answer (a fallback reply).
type Unanswered struct {
	Session    string
	Text       string // masked, as the user typed it
	Normalised string // as the engine normalised it; gaps are grouped by this
	KBVersion  string
	At         time.Time
}

// Feedback is a user's verdict on one reply.
type Feedback struct {
	Session string
	Reply   string
	Article string
	Useful  bool
	// Replaces is the user's earlier verdict on the same reply, if any: it is taken back from the
	// counts so that changing one's mind does not count twice.
	Replaces *bool
}

// Counts are the feedback totals of one article.
type Counts struct {
	Useful    int64 `json:"useful"`
	NotUseful int64 `json:"not_useful"`
}

// Gap is a group of unanswered questions with the same normalised text.
type Gap struct {
	Normalised string    `json:"normalised"`
	Example    string    `json:"example"` // the most recent masked text of the group
	Count      int       `json:"count"`
	LastAt     time.Time `json:"last_at"`
}

// Sink receives events. Implementations are safe for concurrent use.
type Sink interface {
	Handoff(ctx context.Context, h Handoff) error
	Unanswered(ctx context.Context, u Unanswered) error
	Feedback(ctx context.Context, f Feedback) error
}

// Reader reads back what a Sink gathered, for `chatbot kb gaps` and reports.
type Reader interface {
	// Gaps returns the n most frequent unanswered questions, grouped by normalised text, most
	// frequent first (ties: most recent first). n <= 0 returns every group.
	Gaps(ctx context.Context, n int) ([]Gap, error)
	// FeedbackCounts returns the feedback totals per article id.
	FeedbackCounts(ctx context.Context) (map[string]Counts, error)
}

// Options configures a sink; zero fields take the defaults.
type Options struct {
	// MaxLen bounds each stream (approximately, for Redis): the oldest events go first.
	MaxLen int64
}

// DefaultMaxLen is the stream length kept when Options.MaxLen is zero.
const DefaultMaxLen = 10000

func (o Options) withDefaults() Options {
	if o.MaxLen <= 0 {
		o.MaxLen = DefaultMaxLen
	}
	return o
}

// gapCounter groups unanswered questions; feed it newest first.
type gapCounter struct {
	groups map[string]*Gap
}

func (g *gapCounter) add(u Unanswered) {
	if g.groups == nil {
		g.groups = make(map[string]*Gap)
	}
	key := u.Normalised
	if key == "" {
		key = u.Text
	}
	gap, ok := g.groups[key]
	if !ok {
		gap = &Gap{Normalised: key, Example: u.Text, LastAt: u.At}
		g.groups[key] = gap
	}
	gap.Count++
}

func (g *gapCounter) top(n int) []Gap {
	out := make([]Gap, 0, len(g.groups))
	for _, gap := range g.groups {
		out = append(out, *gap)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if !a.LastAt.Equal(b.LastAt) {
			return a.LastAt.After(b.LastAt)
		}
		return a.Normalised < b.Normalised
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}
