package dialog

import (
	"strings"

	"chatbot/dialog/textnorm"
	"chatbot/knowledge"
)

// Follow-up wordings: what is left of 「那建行的呢」 once the bank is taken out is only these
// particles, so the message means "the same question, for this bank".
var (
	followUpFillers = []string{"那么", "那如果是", "那要是", "如果是", "要是", "换成", "改成", "换做", "那", "的", "呢", "吗",
		"嘛", "呀", "啊", "吧", "呐", "是", "我", "用", "也", "一样", "怎么样", "又", "还有", "那个", "这个", "情况",
		"请问", "问下", "信用卡", "卡", "行", "家"}
	// followUpStarts open a message that continues the previous topic (「那要多久」).
	followUpStarts = []string{"那", "那么", "还有", "另外", "如果", "要是", "那如果", "然后"}
)

// shortFollowUpRunes: a message this short with a previous topic is read as a follow-up.
const shortFollowUpRunes = 6

type followUpWords struct {
	fillers *textnorm.Replacer
	starts  []string
}

func newFollowUpWords(n *normaliser) followUpWords {
	var rules []textnorm.Rule
	for _, w := range n.words(followUpFillers) {
		rules = append(rules, textnorm.Rule{From: w})
	}
	return followUpWords{fillers: textnorm.NewReplacer(rules), starts: n.words(followUpStarts)}
}

// isBankOnly reports whether text says nothing but a bank and follow-up particles.
func (w followUpWords) isBankOnly(text string) bool {
	rest := strings.ReplaceAll(text, bankToken, "")
	return w.fillers.Replace(rest, nil) == ""
}

// isShortFollowUp reports whether text reads as continuing the previous topic.
func (w followUpWords) isShortFollowUp(text string) bool {
	if runeLen(text) <= shortFollowUpRunes {
		return true
	}
	_, ok := hasPrefixAny(text, w.starts)
	return ok
}

// bankFollowUp answers 「招行的呢」: the previous article (or its flow) again, for the new bank.
func (t *turn) bankFollowUp() (Reply, bool) {
	if len(t.msg.Banks) == 0 || t.st.Article == "" || !t.e.followUp.isBankOnly(t.msg.Text) {
		return Reply{}, false
	}
	a, ok := t.e.kb.Article(t.st.Article)
	if !ok {
		return Reply{}, false
	}
	t.note("follow-up: same question as " + a.ID + " for bank " + t.st.Slots[SlotBank])
	if f, ok := t.e.kb.Flow(a.Flow); ok && hasBankSlot(f) {
		t.leaveFlowFor(f.ID)
		return t.continueFlow(f, false), true
	}
	return t.answerArticle(a.ID), true
}

func hasBankSlot(f *knowledge.Flow) bool {
	for _, s := range f.Slots {
		if s.Type == knowledge.SlotBank {
			return true
		}
	}
	return false
}
