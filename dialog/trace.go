package dialog

import (
	"fmt"
	"sort"
	"strings"
)

// String renders the trace for people (`chatbot ask --explain`): the normalised text, every rule
// tried, the slots understood, the top candidates with their score parts, and the decision.
func (t *Trace) String() string {
	if t == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "normalised: %s\n", t.Normalised)
	if len(t.Rules) > 0 {
		b.WriteString("rules:\n")
		for _, r := range t.Rules {
			mark := "-"
			if r.Matched {
				mark = "+"
			}
			fmt.Fprintf(&b, "  %s %s", mark, r.ID)
			if r.Pattern != "" {
				fmt.Fprintf(&b, " [%s]", r.Pattern)
			}
			b.WriteByte('\n')
		}
	}
	if len(t.Slots) > 0 {
		b.WriteString("slots:")
		for _, k := range sortedKeys(t.Slots) {
			fmt.Fprintf(&b, " %s=%s", k, t.Slots[k])
		}
		b.WriteByte('\n')
	}
	if len(t.Candidates) > 0 {
		b.WriteString("candidates:\n")
		for _, c := range t.Candidates {
			fmt.Fprintf(&b, "  %-26s %.3f  %s", c.Article, c.Score, formatParts(c.Parts))
			if c.Example != "" {
				fmt.Fprintf(&b, "  ~ %s", c.Example)
			}
			b.WriteByte('\n')
		}
	}
	fmt.Fprintf(&b, "decision: %s\n", t.Decision)
	return b.String()
}

func formatParts(parts map[string]float64) string {
	names := make([]string, 0, len(parts))
	for k := range parts {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]string, len(names))
	for i, k := range names {
		out[i] = fmt.Sprintf("%s=%.3f", k, parts[k])
	}
	return strings.Join(out, " ")
}
