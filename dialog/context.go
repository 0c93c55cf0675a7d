package dialog

import (
	"strings"
	"unicode"

	"chatbot/knowledge"
)

// englishArticle is the article the engine answers a message written in English with: the
// service answers in Chinese, and how to reach a person. Its keywords are the English words that
// mark a message as English; it is never offered by scoring.
const englishArticle = "english"

// Context beyond one message: what a short follow-up means after an answer, a greeting that only
// opens a longer question, and a question written in English.
const (
	// maxFollowUpRunes: a follow-up this short (「我该先做什么」, 「现在第一步应该做什么」) is read
	// against the previous answer's follow_ups; a longer message is a question of its own.
	maxFollowUpRunes = 12
	// minAfterGreeting: a message that opens with a greeting and says at least this much more is
	// a question, scored without the greeting (「你好，我招行卡逾期两个月了怎么办」).
	minAfterGreeting = 5
	// minEnglishWords: distinct English keywords that make a message without Chinese English.
	minEnglishWords = 2
)

// compiledFollowUp is an article's follow-up with its cues normalised.
type compiledFollowUp struct {
	cues   []rulePattern
	fu     *knowledge.FollowUp
	answer answer // its own short answer (when it has one), built once
}

func compileFollowUps(n *normaliser, kb *knowledge.KB) map[string][]compiledFollowUp {
	out := map[string][]compiledFollowUp{}
	for _, a := range kb.Articles {
		for i := range a.FollowUps {
			fu := &a.FollowUps[i]
			out[a.ID] = append(out[a.ID], compiledFollowUp{cues: compilePatterns(n, fu.Cues), fu: fu,
				answer: newAnswer(kb, fu.Lead, fu.Answer, fu.Sources)})
		}
	}
	return out
}

// followUpAnswer answers a short follow-up the way the previous answer's follow_ups say: with
// another article, or with a short answer of its own (traced to its article).
func (t *turn) followUpAnswer() (Reply, bool) {
	fus := t.e.followUps[t.st.Article]
	if len(fus) == 0 || runeLen(t.msg.Text) > maxFollowUpRunes && !t.e.followUp.isShortFollowUp(t.msg.Text) {
		return Reply{}, false
	}
	if t.prefer != nil {
		// It names a topic of its own (「逾期多久会被起诉」): a question, not a follow-up.
		return Reply{}, false
	}
	for _, c := range fus {
		cue, ok := firstMatch(c.cues, &t.msg)
		if !ok {
			continue
		}
		fu := c.fu
		a, ok := t.e.kb.Article(fu.Article)
		if !ok {
			continue
		}
		if fu.Answer.Text == "" {
			t.notef("follow-up to %s [%s]: answer %s", t.st.Article, cue, a.ID)
			return t.answerArticle(a.ID), true
		}
		t.notef("follow-up to %s [%s]: its own short answer", t.st.Article, cue)
		t.leaveFlowFor("")
		t.st.Article = a.ID
		return Reply{Kind: KindAnswer, Lead: fu.Lead, Text: c.answer.text, HTML: c.answer.html, Sources: c.answer.sources,
			Article: a.ID, Buttons: t.answerButtons(a)}, true
	}
	return Reply{}, false
}

// greetingOpeners are the greeting article's keywords, normalised: the words a message may open
// with before its real question.
func greetingOpeners(n *normaliser, kb *knowledge.KB) []string {
	a, ok := kb.Article(greetingArticle)
	if !ok {
		return nil
	}
	return n.words(a.Keywords)
}

// dropGreeting scores 「你好，我想问一下，我招行卡逾期两个月了怎么办」 as the question it is,
// not as a greeting: an opening greeting is taken off when enough is said after it.
func (t *turn) dropGreeting() {
	text := t.msg.Text
	dropped := ""
	for {
		w, ok := hasPrefixAny(text, t.e.openers)
		if !ok {
			break
		}
		text, dropped = text[len(w):], dropped+w
	}
	if dropped == "" || runeLen(text) < minAfterGreeting {
		return
	}
	t.msg.Text = text
	t.notef("greeting %q opens a question: scored without it", dropped)
}

// englishWords are the english article's keywords, lower-cased.
func englishWords(kb *knowledge.KB) map[string]bool {
	a, ok := kb.Article(englishArticle)
	if !ok {
		return nil
	}
	out := map[string]bool{}
	for _, k := range a.Keywords {
		out[strings.ToLower(k)] = true
	}
	return out
}

// isEnglish reports whether a message is written in English: no Chinese at all, and at least
// minEnglishWords distinct English words of the english article's keywords. Pinyin shorthand
// (「xyk yq le」) and a bare 「hello」 are not English sentences.
func (e *Engine) isEnglish(text string) bool {
	if len(e.english) == 0 {
		return false
	}
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			return false
		}
	}
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	}) {
		if e.english[w] {
			seen[w] = true
		}
	}
	return len(seen) >= minEnglishWords
}

// english answers a message written in English: the service is in Chinese, and a person can be
// reached; the button hands off.
func (t *turn) english() Reply {
	t.note("written in English: answer " + englishArticle)
	r := t.answerArticle(englishArticle)
	return withHandoffButton(r)
}

func withHandoffButton(r Reply) Reply {
	for _, b := range r.Buttons {
		if b.Value == ChoiceHandoff {
			return r
		}
	}
	r.Buttons = append([]knowledge.Button{{Label: handoffLabel, Value: ChoiceHandoff}}, r.Buttons...)
	return r
}
