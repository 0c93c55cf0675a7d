package knowledge

import (
	"strings"
	"unicode/utf8"
)

// MaxLeadRunes bounds a lead: one sentence a cardholder reads at a glance on a phone, about two
// lines of a chat bubble.
const MaxLeadRunes = 80

// checkLead reports a lead that is empty, runs over MaxLeadRunes characters or is not one plain
// line. fill, when not nil, expands a flow's placeholders the longest way they can be filled,
// so that the limit holds for every bank.
func (l *loader) checkLead(lead string, pos Pos, fill func(string) string) {
	switch {
	case strings.TrimSpace(lead) == "":
		l.errorf(pos, "lead is empty: write the first thing to do, one sentence of at most %d characters", MaxLeadRunes)
		return
	case strings.ContainsAny(lead, "\n\r"):
		l.errorf(pos, "lead must be one line")
	case strings.Contains(lead, "**") || strings.Contains(lead, "]("):
		l.errorf(pos, "lead is plain text: no Markdown (pages show it in bold themselves)")
	case strings.ContainsAny(strings.TrimRight(lead, "。！？!?. "), "。！？!?"):
		l.errorf(pos, "lead is one sentence: join the parts with ， or ；, or move the rest to the body")
	}
	if fill != nil {
		l.checkPlaceholders(lead, pos, flowPlaceholders)
		lead = fill(lead)
	} else {
		l.checkPlaceholders(lead, pos, nil)
	}
	if n := utf8.RuneCountInString(lead); n > MaxLeadRunes {
		l.errorf(pos, "lead has %d characters (with placeholders filled the longest way); at most %d", n, MaxLeadRunes)
	}
}
