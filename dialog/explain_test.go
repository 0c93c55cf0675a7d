package dialog

import (
	"bufio"
	"os"
	"reflect"
	"strings"
	"testing"
)

// Respond leaves the trace out and Explain fills it; otherwise they must give the same reply and
// state, turn after turn: over the knowledge base's golden conversations, its example questions
// and the labelled question sets.
func TestRespondMatchesExplain(t *testing.T) {
	e := embedded(t)
	same := func(what string, st State, in Input) State {
		t.Helper()
		r1, st1 := e.Respond(st, in)
		r2, st2 := e.Explain(st, in)
		if r1.Trace != nil {
			t.Fatalf("%s: Respond filled the trace", what)
		}
		if r2.Trace == nil || r2.Trace.Decision == "" && r2.Trace.Normalised == "" && in.Text != "" {
			t.Fatalf("%s: Explain left the trace empty: %+v", what, r2.Trace)
		}
		r2.Trace = nil
		if !reflect.DeepEqual(r1, r2) || !reflect.DeepEqual(st1, st2) {
			t.Fatalf("%s %+v: Respond and Explain differ:\n%+v %+v\n%+v %+v", what, in, r1, st1, r2, st2)
		}
		return st1
	}
	n := 0
	for _, c := range e.kb.Conversations {
		var st State
		for _, turn := range c.Turns {
			in := Input{Text: turn.Say}
			if turn.Choose != "" {
				in = Input{Choice: turn.Choose}
			}
			st = same("conversation "+c.Name, st, in)
			n++
		}
	}
	for _, a := range e.kb.Articles {
		var st State
		for _, q := range a.Questions { // one conversation per article: follow-ups and flows too
			st = same("example of "+a.ID, st, Input{Text: q.Text})
			n++
		}
	}
	for _, set := range evalSets {
		f, err := os.Open(set.file)
		if err != nil {
			continue // the shared sets are not next to every checkout
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if q, _, ok := strings.Cut(sc.Text(), "\t"); ok && q != "" {
				same(set.name, State{}, Input{Text: q})
				n++
			}
		}
		f.Close()
	}
	if n < 100 {
		t.Fatalf("only %d turns compared", n)
	}
}
