package dialog

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// FallbackLabel labels questions the engine should not answer from the knowledge base.
const FallbackLabel = "_fallback"

// clarifyLabel is what a clarify reply is scored as: a miss. A clarify is a fair reply to a
// vague question, but it is not an answer, and counting it as one would reward hedging.
const clarifyLabel = "_clarify"

// EvalItem is one scored question.
type EvalItem struct {
	Line      int
	Question  string
	Want      string  // the labelled topic id, or _fallback
	Got       string  // what the engine did, as a topic id (see Evaluate)
	Score     float64 // the top candidate's score
	Candidate string  // the top candidate's article
}

// EvalReport is the result of Evaluate.
type EvalReport struct {
	Items   []EvalItem
	Correct int
	// Fallback precision and recall: how many of the engine's fallbacks were labelled _fallback,
	// and how many _fallback questions it fell back on.
	FallbackTP, FallbackPredicted, FallbackWanted int
	// Skipped counts, per label, the questions not asked because the knowledge base has no
	// article for their label (a topic still being written): they can be neither right nor wrong.
	Skipped map[string]int
}

// SkippedTotal is the number of questions skipped for want of their article.
func (r EvalReport) SkippedTotal() int {
	n := 0
	for _, c := range r.Skipped {
		n += c
	}
	return n
}

// Accuracy is the share of questions routed to their labelled topic.
func (r EvalReport) Accuracy() float64 { return ratio(r.Correct, len(r.Items)) }

// FallbackPrecision is the share of fallbacks that were labelled _fallback.
func (r EvalReport) FallbackPrecision() float64 { return ratio(r.FallbackTP, r.FallbackPredicted) }

// FallbackRecall is the share of _fallback questions the engine fell back on.
func (r EvalReport) FallbackRecall() float64 { return ratio(r.FallbackTP, r.FallbackWanted) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Evaluate asks every question of a `question<TAB>topic-id` file in a fresh conversation and
// compares what the engine did with the label. Questions labelled with a topic the knowledge base
// has no article for are skipped and counted in Skipped. What a reply counts as:
//   - answer or ask (a flow's first question): the reply's article;
//   - fallback, or a handoff because of fallbacks: _fallback;
//   - a handoff the user asked for: human-agent;
//   - clarify: a miss (scored as "_clarify"), whatever its buttons.
//
// Blank lines and lines starting with # are skipped; any other line without exactly one tab and
// two non-empty fields is an error naming its line.
func Evaluate(e *Engine, r io.Reader) (EvalReport, error) {
	var rep EvalReport
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		q, want, ok := strings.Cut(text, "\t")
		q, want = strings.TrimSpace(q), strings.TrimSpace(want)
		if !ok || q == "" || want == "" || strings.Contains(want, "\t") {
			return rep, fmt.Errorf("eval line %d: want question<TAB>topic-id, got %q", line, text)
		}
		if _, ok := e.kb.Article(want); !ok && want != FallbackLabel {
			if rep.Skipped == nil {
				rep.Skipped = map[string]int{}
			}
			rep.Skipped[want]++
			continue
		}
		item := EvalItem{Line: line, Question: q, Want: want}
		reply, _, out := e.respond(State{}, Input{Text: q}, true)
		item.Got = label(reply, out)
		if cs := reply.Trace.Candidates; len(cs) > 0 {
			item.Score, item.Candidate = cs[0].Score, cs[0].Article
		}
		rep.add(item)
	}
	if err := sc.Err(); err != nil {
		return rep, fmt.Errorf("eval: read: %w", err)
	}
	return rep, nil
}

func label(r Reply, out outcome) string {
	switch {
	case r.Kind == KindFallback || out == outFallbackHandoff:
		return FallbackLabel
	case r.Kind == KindClarify:
		return clarifyLabel
	}
	return r.Article
}

func (r *EvalReport) add(it EvalItem) {
	r.Items = append(r.Items, it)
	if it.Got == it.Want {
		r.Correct++
	}
	if it.Got == FallbackLabel {
		r.FallbackPredicted++
	}
	if it.Want == FallbackLabel {
		r.FallbackWanted++
		if it.Got == FallbackLabel {
			r.FallbackTP++
		}
	}
}

// maxConfusedPairs bounds the confused-pairs table.
const maxConfusedPairs = 10

// Write prints the report: top-1 accuracy, fallback precision and recall, per-topic accuracy,
// the most confused pairs and every misrouted question. The output depends only on the report.
func (r EvalReport) Write(w io.Writer) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "questions: %d\n", len(r.Items))
	fmt.Fprintf(b, "top-1 accuracy: %.1f%% (%d/%d)\n", 100*r.Accuracy(), r.Correct, len(r.Items))
	fmt.Fprintf(b, "fallback precision: %.1f%% (%d/%d)\n", 100*r.FallbackPrecision(), r.FallbackTP, r.FallbackPredicted)
	fmt.Fprintf(b, "fallback recall: %.1f%% (%d/%d)\n", 100*r.FallbackRecall(), r.FallbackTP, r.FallbackWanted)
	if n := r.SkippedTotal(); n > 0 {
		parts := make([]string, 0, len(r.Skipped))
		for _, id := range sortedKeys(r.Skipped) {
			parts = append(parts, fmt.Sprintf("%s %d", id, r.Skipped[id]))
		}
		fmt.Fprintf(b, "skipped: %d questions labelled with topics that have no article (%s)\n", n, strings.Join(parts, ", "))
	}

	type tally struct{ ok, n int }
	topics := map[string]*tally{}
	pairs := map[[2]string]int{}
	for _, it := range r.Items {
		t := topics[it.Want]
		if t == nil {
			t = &tally{}
			topics[it.Want] = t
		}
		t.n++
		if it.Got == it.Want {
			t.ok++
		} else {
			pairs[[2]string{it.Want, it.Got}]++
		}
	}
	b.WriteString("\nper topic:\n")
	for _, id := range sortedKeys(topics) {
		t := topics[id]
		fmt.Fprintf(b, "  %-28s %5.1f%% (%d/%d)\n", id, 100*ratio(t.ok, t.n), t.ok, t.n)
	}

	type pair struct {
		want, got string
		n         int
	}
	var ps []pair
	for k, n := range pairs {
		ps = append(ps, pair{k[0], k[1], n})
	}
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].n != ps[j].n {
			return ps[i].n > ps[j].n
		}
		if ps[i].want != ps[j].want {
			return ps[i].want < ps[j].want
		}
		return ps[i].got < ps[j].got
	})
	if len(ps) > maxConfusedPairs {
		ps = ps[:maxConfusedPairs]
	}
	b.WriteString("\nmost confused (labelled -> got):\n")
	for _, p := range ps {
		fmt.Fprintf(b, "  %3d  %s -> %s\n", p.n, p.want, p.got)
	}

	b.WriteString("\nmisrouted:\n")
	for _, it := range r.Items {
		if it.Got != it.Want {
			fmt.Fprintf(b, "  line %d: %s\n    want %s, got %s (top %s %.3f)\n", it.Line, it.Question, it.Want, it.Got, it.Candidate, it.Score)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
