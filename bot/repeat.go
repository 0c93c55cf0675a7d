package bot

import (
	"crypto/sha256"
	"encoding/hex"
	"html"
	"strings"
	"unicode/utf8"

	"chatbot/dialog"
)

// lastAnswer is what a session remembers of its latest full answer: enough to notice the same
// answer coming again.
type lastAnswer struct {
	ReplyID string `json:"id"`
	Sum     string `json:"sum"` // digest of the answer's text
}

// maxLeadRunes bounds the first step quoted in a pointer to an earlier answer.
const maxLeadRunes = 80

// Texts of a pointer to the answer above.
const (
	repeatText = "这个问题我刚在上面回答过了，完整内容请看上一条回答。"
	leadPrefix = "要点："
)

// pointToRepeat replaces an answer that is word for word the session's previous answer (the
// same question asked again, 「逾期了」 twice) with a short pointer to it and its first step: a
// phone screen of the same text again reads as the bot not listening. Crisis answers are always
// given in full. Any other answer becomes the one later repeats point to.
func (st *state) pointToRepeat(out *Output) {
	if out.Kind != dialog.KindAnswer || out.Priority == dialog.PriorityCrisis || out.Text == "" {
		return
	}
	sum := digest(out.Text)
	if st.Last == nil || st.Last.Sum != sum {
		st.Last = &lastAnswer{ReplyID: out.ID, Sum: sum}
		return
	}
	lead := out.Lead
	if lead == "" {
		lead = firstStep(out.Text)
	}
	out.Sources, out.CopyText = nil, "" // above, with the full answer
	out.Text = repeatText + "\n\n" + leadPrefix + lead
	out.HTML = `<p>这个问题我刚在上面回答过了，完整内容请看<a href="#reply-` + html.EscapeString(st.Last.ReplyID) +
		`">上一条回答</a>。</p><p><strong>` + html.EscapeString(leadPrefix+lead) + `</strong></p>`
}

// firstStep, for an answer without a lead, is its first paragraph (its 「先做这一件事」), without Markdown emphasis, cut
// to maxLeadRunes.
func firstStep(text string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	first = strings.TrimSpace(strings.ReplaceAll(first, "**", ""))
	if utf8.RuneCountInString(first) > maxLeadRunes {
		r := []rune(first)
		first = string(r[:maxLeadRunes-1]) + "…"
	}
	return first
}

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}
