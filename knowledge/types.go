// Package knowledge loads, validates and renders the curated Markdown knowledge base into an
// immutable KB value. It does no network I/O; hot reload builds a new KB and swaps a pointer.
package knowledge

import (
	"fmt"
	"slices"
	"strings"
)

// KB is one loaded, validated version of the knowledge base. It is never mutated after Load
// returns, so any number of goroutines may read it while a reload builds the next one.
type KB struct {
	// Version is a short content hash of every file that was loaded; replies carry it so every
	// answer can be traced to the exact knowledge base that produced it.
	Version       string
	Articles      []*Article // sorted by ID
	Vocabulary    Vocabulary
	Banks         []*Bank
	Rules         []*Rule
	Flows         []*Flow
	Conversations []*Conversation
	OutOfScope    []Example
	Scope         Scope // out-of-scope.yaml's scope model: trouble versus everyday service
	// Topics are the topic ids this knowledge base promises to cover (topics.yaml), each of which
	// must have an article with that id.
	Topics []Topic
	// Unconfirmed are the claims no answer may state (unconfirmed.yaml); Load checks them.
	Unconfirmed []Claim
	// Crisis are the cues of a person in danger (crisis.yaml); nil when the file is absent.
	Crisis *Crisis
	// Facts are the vetted facts answers may cite (facts.yaml): every id in an article's or a
	// flow's sources is one of them, and replies carry their titles.
	Facts []Fact
	// Warnings are the problems found that do not stop the knowledge base from loading.
	Warnings Problems

	articles map[string]*Article
	flows    map[string]*Flow
	banks    map[string]*Bank
	facts    map[string]*Fact
}

// Article is one answer the bot can give, with the example questions that route to it.
type Article struct {
	ID    string
	Title string
	// Lead is the first thing to do, one plain sentence of at most MaxLeadRunes characters;
	// replies carry it apart from the body, and pages show it first.
	Lead      string
	Questions []Example
	Keywords  []string
	Related   []string
	// FollowUps answer short follow-ups right after this article with another one.
	FollowUps []FollowUp
	Flow      string
	Sources   []string
	Reviewed  string
	Body      Content
	Pos       Pos // where the article's front matter starts
}

// Example is one example question, with the line it was written on so lint can point at it.
type Example struct {
	Text string
	Pos  Pos
}

// Content is a Markdown fragment rendered once at load time.
type Content struct {
	Markdown string
	HTML     string // safe: raw HTML escaped, only http(s) and tel: links
	Text     string // plain text for clients that do not render HTML
}

// Pos is a place in a knowledge-base file, for error messages of the form file:line: message.
type Pos struct {
	File string // path relative to the knowledge-base root, slash-separated
	Line int
}

// Vocabulary maps the variants people type to one canonical word.
type Vocabulary struct {
	// Synonyms maps canonical word -> variants.
	Synonyms map[string][]string
}

// Bank is a card issuer the engine recognises by name or alias.
type Bank struct {
	ID       string
	Name     string
	Aliases  []string
	Hotline  string // empty unless a vetted fact confirms it
	CardLine string // the credit-card centre line, empty unless confirmed
	Sources  []string
	Pos      Pos
}

// RuleKind says what a rule does when it matches.
type RuleKind string

// Rule kinds, checked in file order before any scoring.
const (
	RuleSafety  RuleKind = "safety"  // answer Article (e.g. emotional-support) before anything else
	RuleCommand RuleKind = "command" // perform Action (handoff, restart)
	RuleRefusal RuleKind = "refusal" // calm refusal: answer Article
	RuleFlow    RuleKind = "flow"    // start Flow
	// RulePrefer does not answer by itself: when no other rule acts, it makes Article the
	// answer among the scored articles (out-of-scope examples and the answer threshold still
	// decide whether to answer at all). When adds conditions on what the message says.
	RulePrefer RuleKind = "prefer"
	// RuleRequire does not answer either: an article named by require rules is offered by
	// scoring only to a message that one of them matches (its platform or product words), so
	// a question that merely shares wording with it (「逾期了怎么办」 and 「花呗逾期了怎么办」)
	// goes elsewhere.
	RuleRequire RuleKind = "require"
)

// Rule is an editor-defined rule matched against the normalised message.
type Rule struct {
	ID   string
	Kind RuleKind
	// Patterns: each is a list of words that must all be contained in the message ("a&b" in YAML).
	// A word may list alternatives separated by "|" ("逾期|违约&能用"): any one of them will do.
	Patterns [][]string
	Unless   [][]string
	// UnlessAsked (prefer rules only) cancels the rule like Unless, but only when the words are in
	// the clause the message asks in: 「利息」 asked about is another topic, 「利息」 said in passing
	// (「每月利息好几千 现在能分期吗」) is not.
	UnlessAsked [][]string
	Article     string
	Action      string // for commands: "handoff" or "restart"
	Flow        string
	// When (prefer rules only): slot name -> accepted values or ranges, as in a flow part's
	// when; checked against the slots understood from the message (bank, days_overdue, amount).
	When map[string][]string
	Pos  Pos
}

// SlotType says how a flow slot's value is understood from free text.
type SlotType string

// Slot types.
const (
	SlotBank   SlotType = "bank"   // a bank ID from banks.yaml, or "other"
	SlotDays   SlotType = "days"   // a number of days overdue
	SlotAmount SlotType = "amount" // an amount of money in yuan
	SlotChoice SlotType = "choice" // one of Choices' keys
)

// Flow is an editor-defined multi-turn conversation: ask slots in order, then answer from parts.
type Flow struct {
	ID         string
	Title      string
	Article    string // the article this flow belongs to; replies carry its id
	Start      string // "offer" or "ask"
	StartLabel string
	Intro      string
	IntroBody  Content // Intro rendered like an article body
	// Lead is the first thing to do when no part that applies gives its own (placeholders allowed).
	Lead string
	// CopyTitle, when set, makes the answer offer its plan as one plain block to copy and keep
	// (the reply's copy_text), headed by this title.
	CopyTitle string
	Slots     []*Slot
	Parts     []*Part
	// Sources are the facts every answer of the flow rests on; a part adds its own.
	Sources []string
	Pos     Pos
}

// Slot is one thing a flow asks for.
type Slot struct {
	Name        string
	Type        SlotType
	Ask         string
	AskBody     Content // Ask rendered like an article body
	Buttons     []Button
	Choices     map[string][]string // choice value -> words that mean it in free text
	ChoiceOrder []string            // Choices' keys in file order, for deterministic matching
	NumberMeans string              // choice value a typed amount stands for
}

// Button is a label shown to the user and the value sent back when it is pressed.
type Button struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Part is one piece of a flow's answer, included when every condition in When holds.
type Part struct {
	When map[string][]string // slot name -> accepted values or ranges ("0-3", "91-")
	Body Content             // may contain placeholders {bank} and {bank_contact}
	// Lead, when set, is the answer's lead if this is the first applying part that has one.
	Lead string
	// More parts are the details: pages fold them under 详细说明, so the first step and the
	// phone numbers stay in view.
	More    bool
	Sources []string // facts only this part states, cited when it is shown
}

// Applies reports whether every slot named in the part's when has one of the listed values or
// ranges.
func (p *Part) Applies(slots map[string]string) bool { return WhenHolds(p.When, slots) }

// WhenHolds reports whether every slot named in when (a flow part's or a prefer rule's) has one
// of the listed values or ranges ("0-3" and "91-" are inclusive numeric ranges).
func WhenHolds(when map[string][]string, slots map[string]string) bool {
	for name, conds := range when {
		v := slots[name]
		if v == "" {
			return false
		}
		if !slices.ContainsFunc(conds, func(c string) bool { return condMatches(c, v) }) {
			return false
		}
	}
	return true
}

// Conversation is a golden multi-turn script run by `chatbot kb test` and in CI.
type Conversation struct {
	Name  string
	Turns []Turn
	Pos   Pos
}

// Turn is one user step of a golden conversation and what the reply must show.
type Turn struct {
	Say      string
	Choose   string
	Expect   Expectation
	Contains []string
	// Excludes are substrings the reply text must not contain (e.g. the digits of a number the
	// user typed, which the reply must never repeat).
	Excludes []string
	Pos      Pos
}

// Expectation lists the reply properties a golden turn checks; empty fields are not checked.
type Expectation struct {
	Kind    string
	Article string
	Flow    string
	Slot    string
	Button  string
}

// Article returns the article with the given id.
func (kb *KB) Article(id string) (*Article, bool) {
	a, ok := kb.articles[id]
	return a, ok
}

// Flow returns the flow with the given id.
func (kb *KB) Flow(id string) (*Flow, bool) {
	f, ok := kb.flows[id]
	return f, ok
}

// Bank returns the bank with the given id.
func (kb *KB) Bank(id string) (*Bank, bool) {
	b, ok := kb.banks[id]
	return b, ok
}

// Index builds the lookup maps from the slices. Load calls it; tests that build a KB by hand call it too.
func (kb *KB) Index() *KB {
	kb.articles = make(map[string]*Article, len(kb.Articles))
	for _, a := range kb.Articles {
		kb.articles[a.ID] = a
	}
	kb.flows = make(map[string]*Flow, len(kb.Flows))
	for _, f := range kb.Flows {
		kb.flows[f.ID] = f
	}
	kb.banks = make(map[string]*Bank, len(kb.Banks))
	for _, b := range kb.Banks {
		kb.banks[b.ID] = b
	}
	kb.indexFacts()
	return kb
}

// Topic is a topic id the knowledge base must answer, with the title it is known by.
type Topic struct {
	ID    string
	Title string
	Pos   Pos
}

// Severity says whether a problem stops a knowledge base from loading.
type Severity int

// Severities. The zero value is an error, so a Problem built without one is never taken lightly.
const (
	SeverityError   Severity = iota // the knowledge base is not loaded; lint exits 1
	SeverityWarning                 // reported by lint; the knowledge base still loads
)

// Problem is one thing wrong in the knowledge base, reported as "file:line: message".
type Problem struct {
	Pos      Pos
	Message  string
	Severity Severity
}

// String reports the problem as "file:line: message" ("file: message" without a line),
// warnings marked "warning: ".
func (p Problem) String() string {
	msg := p.Message
	if p.Severity == SeverityWarning {
		msg = "warning: " + msg
	}
	if p.Pos.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.Pos.File, p.Pos.Line, msg)
	}
	return fmt.Sprintf("%s: %s", p.Pos.File, msg)
}

// Problems is the error Load returns when the knowledge base is invalid; it lists every problem
// found, not just the first, so an editor can fix them all in one pass.
type Problems []Problem

// Error lists every problem, one "file:line: message" per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}
