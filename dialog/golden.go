package dialog

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"chatbot/knowledge"
)

// ConversationResult is the outcome of one golden conversation.
type ConversationResult struct {
	Name     string
	Pos      knowledge.Pos
	Failures []TurnFailure // empty when the conversation passed
}

// Passed reports whether every turn showed what it expected.
func (c ConversationResult) Passed() bool { return len(c.Failures) == 0 }

// TurnFailure is one golden turn whose reply differed from what it expected.
type TurnFailure struct {
	Pos     knowledge.Pos // where the turn is written
	Turn    int           // 1-based
	Input   string        // what the turn said or chose
	Message string        // what differed, e.g. `kind: want answer, got clarify`
}

// String reports the failure as "file:line: turn N (input): what differed".
func (f TurnFailure) String() string {
	return knowledge.Problem{Pos: f.Pos, Message: fmt.Sprintf("turn %d (%s): %s", f.Turn, f.Input, f.Message)}.String()
}

// RunConversations plays every golden conversation of the engine's knowledge base from a fresh
// state, turn by turn, and reports each turn whose reply differs from its expectation.
func RunConversations(e *Engine) []ConversationResult {
	out := make([]ConversationResult, 0, len(e.kb.Conversations))
	for _, c := range e.kb.Conversations {
		res := ConversationResult{Name: c.Name, Pos: c.Pos}
		var st State
		for i, turn := range c.Turns {
			in, shown := Input{Text: turn.Say}, turn.Say
			if turn.Choose != "" {
				in, shown = Input{Choice: turn.Choose}, "choose "+turn.Choose
			}
			var r Reply
			r, st = e.Explain(st, in)
			for _, msg := range differences(turn, r) {
				res.Failures = append(res.Failures, TurnFailure{Pos: turn.Pos, Turn: i + 1, Input: shown, Message: msg})
			}
		}
		out = append(out, res)
	}
	return out
}

// differences lists how reply r differs from what turn expects; only the keys given are checked.
func differences(turn knowledge.Turn, r Reply) []string {
	var out []string
	check := func(key, want, got string) {
		if want != "" && want != got {
			out = append(out, fmt.Sprintf("%s: want %q, got %q (decision: %s)", key, want, got, r.Trace.Decision))
		}
	}
	x := turn.Expect
	check("kind", x.Kind, string(r.Kind))
	check("article", x.Article, r.Article)
	check("flow", x.Flow, r.Flow)
	check("slot", x.Slot, r.Slot)
	if x.Button != "" && !hasButton(r.Buttons, x.Button) {
		out = append(out, fmt.Sprintf("button: %q not offered (got %s)", x.Button, buttonValues(r.Buttons)))
	}
	shown := r.Text
	for _, s := range turn.Contains {
		if !strings.Contains(shown, s) {
			out = append(out, fmt.Sprintf("text does not contain %q", s))
		}
	}
	for _, s := range turn.Excludes {
		if s != "" && strings.Contains(shown, s) {
			out = append(out, fmt.Sprintf("text contains %q, which it must not", s))
		}
	}
	return out
}

func hasButton(bs []knowledge.Button, value string) bool {
	for _, b := range bs {
		if b.Value == value {
			return true
		}
	}
	return false
}

func buttonValues(bs []knowledge.Button) string {
	vs := make([]string, len(bs))
	for i, b := range bs {
		vs[i] = b.Value
	}
	return "[" + strings.Join(vs, " ") + "]"
}

// CheckRouting asks every example question of every article in a fresh conversation and reports
// each one the engine does not route to its own article (an answer, the article's flow asking,
// or for human-agent a handoff; never a clarify), and every out-of-scope example it does not
// fall back on, at the example's file and line. Editors see at once when a new example, synonym
// or rule pulls another article's questions away.
func CheckRouting(e *Engine) []knowledge.Problem {
	ps, _ := CheckRoutingContext(context.Background(), e, runtime.GOMAXPROCS(0))
	return ps
}

// CheckRoutingContext is CheckRouting on at most workers CPUs (at least one) that stops early,
// with ctx's error, once ctx is done (a newer knowledge base made the check moot).
func CheckRoutingContext(ctx context.Context, e *Engine, workers int) ([]knowledge.Problem, error) {
	type check struct {
		q       knowledge.Example
		article string // "" for an out-of-scope example
		problem string
	}
	var checks []check
	for _, a := range e.kb.Articles {
		for _, q := range a.Questions {
			checks = append(checks, check{q: q, article: a.ID})
		}
	}
	for _, q := range e.kb.OutOfScope {
		checks = append(checks, check{q: q})
	}
	// Every question is asked in a fresh conversation, so they are independent: ask them on
	// several CPUs (the engine is safe for concurrent use); the problems keep the files' order.
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range max(workers, 1) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(checks) && ctx.Err() == nil; i = int(next.Add(1)) - 1 {
				c := &checks[i]
				r, _, outc := e.respond(State{}, Input{Text: c.q.Text}, false)
				got := label(r, outc)
				if (c.article != "" && got != c.article) || (c.article == "" && got != FallbackLabel) {
					r, _, _ = e.respond(State{}, Input{Text: c.q.Text}, true) // again, to say why
				}
				switch {
				case c.article != "" && got != c.article:
					c.problem = fmt.Sprintf("example question %q of %s is routed to %s (%s)", c.q.Text, c.article, got, r.Trace.Decision)
				case c.article == "" && got != FallbackLabel:
					c.problem = fmt.Sprintf("out-of-scope question %q is answered as %s (%s)", c.q.Text, got, r.Trace.Decision)
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []knowledge.Problem
	for _, c := range checks {
		if c.problem != "" {
			out = append(out, knowledge.Problem{Pos: c.q.Pos, Message: c.problem})
		}
	}
	return out, nil
}
