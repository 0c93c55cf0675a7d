package dialog

import (
	"html"
	"strings"
	"unicode/utf8"

	"chatbot/knowledge"
)

// A message of at least longMessageRunes that names trouble (scope model) is answered from
// longMessageThreshold times the answer threshold.
const (
	longMessageRunes     = 30
	longMessageThreshold = 0.7
)

// Limits on what a reply offers.
const (
	maxRelated     = 3 // related-article buttons under an answer
	maxClarify     = 3 // articles a clarify question offers
	maxTraceCands  = 5 // candidates kept in the trace
	maxSuggestions = 2 // best-scoring articles a fallback offers before the main topics
)

// Articles the engine itself refers to: handoffs answer with human-agent's text (how to reach a
// person), a restart with smalltalk-greeting's. Both have built-in texts if missing.
const (
	humanAgentArticle = "human-agent"
	greetingArticle   = "smalltalk-greeting"
)

// Texts the engine says itself; everything else comes from the knowledge base.
const (
	fallbackText        = "抱歉，这个问题我还不能准确回答。您可以看看下面这些常见问题，或者转人工客服。"
	fallbackHandoffText = "抱歉，我没能帮上忙，为您转人工客服。"
	handoffDefaultText  = "好的，正在为您转接人工客服。您也可以拨打信用卡背面或官方App里公布的客服电话。"
	promptText          = "请问有什么可以帮您？可以直接说您的情况，比如「信用卡逾期两个月了怎么办」。"
	restartText         = "好的，我们重新开始。"
	staleChoiceText     = "这个选项已经失效了，请重新选择，或者直接告诉我您的问题。"
	handoffLabel        = "转人工客服"
	resumeLabelPrefix   = "继续："
)

// decide scores the message and answers, clarifies or falls back.
func (t *turn) decide() Reply {
	cfg := t.e.cfg
	v := t.e.scope.judge(&t.msg)
	if v.out || v.class != "" || v.notLate != "" || v.trouble != "" {
		if t.explain {
			t.tr.Scope = v.String()
		}
		switch {
		case v.out && t.st.Article != "" && t.e.followUp.isShortFollowUp(t.msg.Text):
			// 「那会影响征信吗」 after an answer about being overdue continues that trouble.
			if t.explain {
				t.tr.Scope += "; kept: a follow-up to " + t.st.Article
			}
		case v.out:
			t.notef("fallback: %s", v)
			return t.outOfScopeReply()
		}
	}
	cands, preferred := t.preferred(t.withPrior(t.scores()))
	if t.explain {
		t.tr.Candidates = topCandidates(cands)
	}
	if len(cands) == 0 {
		t.note("fallback: no article shares a word with the message")
		return t.fallback()
	}
	top := cands[0]
	if preferred && v.trouble != "" && (top.Score < cfg.AnswerThreshold || top.Article == outOfScope) {
		// The message names trouble and the editor's rule names its topic: a low score or a
		// near out-of-scope wording says the words are new, not that the question is not ours.
		t.notef("answer %s: chosen by prefer rule %s on trouble cue %s (top %s %.3f)",
			t.prefer.Article, t.prefer.ID, v.trouble, top.Article, top.Score)
		return t.answerArticle(t.prefer.Article)
	}
	threshold := cfg.AnswerThreshold
	if v.trouble != "" && runeLen(t.msg.Text) >= longMessageRunes {
		// A long message spreads its weight over many words, so its best score is lower; one that
		// names trouble is still a question for this assistant.
		threshold *= longMessageThreshold
	}
	switch {
	case top.Score < threshold:
		t.notef("fallback: top %s %.3f < answer threshold %.3f", top.Article, top.Score, threshold)
		return t.fallback()
	case top.Article == outOfScope:
		t.notef("fallback: out-of-scope examples scored best (%.3f, %q)", top.Score, top.Example)
		return t.outOfScopeReply()
	}
	if preferred { // the editor's rule settles what a clarify question would ask
		t.notef("answer %s: score %.3f >= threshold %.3f, chosen by prefer rule %s",
			top.Article, top.Score, threshold, t.prefer.ID)
		return t.answerArticle(top.Article)
	}
	if near := closeCandidates(cands, cfg.ClarifyMargin); len(near) > 1 {
		t.notef("clarify: %s %.3f and %s %.3f differ by %.1f%% < margin %.1f%%",
			near[0].Article, near[0].Score, near[1].Article, near[1].Score,
			100*lead(near[0], near[1]), 100*cfg.ClarifyMargin)
		return t.clarify(near)
	}
	gap := 1.0
	if len(cands) > 1 {
		gap = lead(top, cands[1])
	}
	t.notef("answer %s: score %.3f >= threshold %.3f, lead %.1f%% >= margin %.1f%%",
		top.Article, top.Score, threshold, 100*gap, 100*cfg.ClarifyMargin)
	return t.answerArticle(top.Article)
}

// withPrior favours, for a short follow-up such as 「那要多久」 or 「那对征信有影响没」, the previous
// article and, by half as much, the related articles its answer offered as buttons: a follow-up
// usually continues the topic or takes one of the ways on it offered. Only articles that already
// match the message at least half as well as an answer needs are favoured: the prior breaks ties
// between topics, it never makes an answer out of nothing.
func (t *turn) withPrior(cands []Candidate) []Candidate {
	prev, ok := t.e.kb.Article(t.st.Article)
	if !ok || !t.e.followUp.isShortFollowUp(t.msg.Text) {
		return cands
	}
	boost := map[string]float64{prev.ID: t.e.cfg.FollowUpBoost}
	var buf [maxRelated]string
	for _, id := range t.relatedShown(prev, buf[:0]) {
		boost[id] = t.e.cfg.FollowUpBoost / 2
	}
	out := make([]Candidate, len(cands))
	copy(out, cands)
	for i := range out {
		b := boost[out[i].Article]
		if b == 0 || out[i].Score < t.e.cfg.AnswerThreshold/2 {
			continue
		}
		if t.explain {
			parts := make(map[string]float64, len(out[i].Parts)+1)
			for k, v := range out[i].Parts {
				parts[k] = v
			}
			parts[partPrior] = b
			out[i].Parts = parts
		}
		out[i].Score += b
	}
	sortCandidates(out)
	return out
}

// relatedShown appends to dst the related articles an answer with a offers as buttons, in order.
func (t *turn) relatedShown(a *knowledge.Article, dst []string) []string {
	n := 0
	for _, id := range a.Related {
		if _, ok := t.e.kb.Article(id); ok && id != a.ID && n < maxRelated {
			dst = append(dst, id)
			n++
		}
	}
	return dst
}

// lead is how far a is ahead of b, relative to a's score: scores of short and long messages
// live on different scales, so "close" is a share, not a fixed distance.
func lead(a, b Candidate) float64 {
	if a.Score <= 0 {
		return 0
	}
	return (a.Score - b.Score) / a.Score
}

// closeCandidates returns the real articles whose score is within margin (relative) of the best
// one (none if the best is alone), at most maxClarify.
func closeCandidates(cands []Candidate, margin float64) []Candidate {
	var out []Candidate
	for _, c := range cands {
		if c.Article == outOfScope {
			continue
		}
		if lead(cands[0], c) >= margin || len(out) == maxClarify {
			break
		}
		out = append(out, c)
	}
	return out
}

func topCandidates(cands []Candidate) []Candidate {
	if len(cands) > maxTraceCands {
		cands = cands[:maxTraceCands]
	}
	return append([]Candidate(nil), cands...)
}

// answerArticle answers with an article, or starts its flow when the flow asks at once.
func (t *turn) answerArticle(id string) Reply {
	a, ok := t.e.kb.Article(id)
	if !ok {
		t.notef("article %q does not exist: fallback", id)
		return t.fallback()
	}
	// A flow that asks at once, or whose questions are all answered already, gives the
	// tailored answer instead of the general article.
	if f, ok := t.e.kb.Flow(a.Flow); ok && (f.Start == "ask" || t.flowSlotsKnown(f)) {
		t.note("article has flow " + f.ID)
		fresh := t.st.Flow == nil || t.st.Flow.ID != f.ID
		t.leaveFlowFor(f.ID)
		return t.continueFlow(f, fresh)
	}
	t.leaveFlowFor("")
	t.st.Article = a.ID
	ans := t.e.answerOf(a)
	return Reply{
		Kind:    KindAnswer,
		Lead:    a.Lead,
		Text:    ans.text,
		HTML:    ans.html,
		Sources: ans.sources,
		Article: a.ID,
		Buttons: t.answerButtons(a),
	}
}

// answerButtons: resume a left flow, start the article's flow, then related articles.
func (t *turn) answerButtons(a *knowledge.Article) []knowledge.Button {
	var bs []knowledge.Button
	if t.resume != nil && t.resume.ID != a.Flow {
		bs = append(bs, knowledge.Button{Label: resumeLabelPrefix + t.resume.Title, Value: ChoiceFlow + t.resume.ID})
	}
	if f, ok := t.e.kb.Flow(a.Flow); ok && f.Start != "ask" {
		label := f.StartLabel
		if label == "" {
			label = f.Title
		}
		bs = append(bs, knowledge.Button{Label: label, Value: ChoiceFlow + f.ID})
	}
	var buf [maxRelated]string
	for _, id := range t.relatedShown(a, buf[:0]) {
		r, _ := t.e.kb.Article(id)
		bs = append(bs, articleButton(r))
	}
	return bs
}

// articleButton answers an article when pressed; the human-agent article's button asks for a
// person, as its label promises.
func articleButton(a *knowledge.Article) knowledge.Button {
	if a.ID == humanAgentArticle {
		return knowledge.Button{Label: a.Title, Value: ChoiceHandoff}
	}
	return knowledge.Button{Label: a.Title, Value: ChoiceArticle + a.ID}
}

// clarify asks which of the close articles the user means.
func (t *turn) clarify(near []Candidate) Reply {
	var titles []string
	var bs []knowledge.Button
	for _, c := range near {
		a, ok := t.e.kb.Article(c.Article)
		if !ok {
			continue
		}
		titles = append(titles, "「"+a.Title+"」")
		bs = append(bs, articleButton(a))
	}
	if len(titles) < 2 { // only candidates of this knowledge base get here; be safe anyway
		return t.answerArticle(near[0].Article)
	}
	text := "您是想问" + strings.Join(titles[:len(titles)-1], "、") + "还是" + titles[len(titles)-1] + "？"
	if t.resume != nil {
		bs = append(bs, knowledge.Button{Label: resumeLabelPrefix + t.resume.Title, Value: ChoiceFlow + t.resume.ID})
	}
	return Reply{Kind: KindClarify, Text: text, HTML: "<p>" + html.EscapeString(text) + "</p>", Buttons: bs}
}

// fallback says the engine does not know and offers main topics and a person; once
// FallbacksBeforeHandoff fallbacks in a row have been given, the next one hands off instead.
func (t *turn) fallback() Reply {
	if t.st.Fallbacks >= t.e.cfg.FallbacksBeforeHandoff {
		t.notef("%d fallbacks in a row already: handoff", t.st.Fallbacks)
		t.outcome = outFallbackHandoff
		return t.handoff(fallbackHandoffText)
	}
	t.st.Fallbacks++
	t.st.Article = "" // nothing was answered: a follow-up has no topic to follow
	return Reply{Kind: KindFallback, Text: fallbackText, HTML: "<p>" + fallbackText + "</p>", Buttons: t.suggestions()}
}

// outOfScopeReply is the fallback for a question this assistant does not cover: the knowledge
// base's scope reply (what it covers, where everyday service lives) when it has one.
func (t *turn) outOfScopeReply() Reply {
	r := t.fallback()
	if s := t.e.kb.Scope.Reply; r.Kind == KindFallback && s.Text != "" {
		r.Text, r.HTML = s.Text, s.HTML
	}
	return r
}

// prompt answers an empty message or a stale button without counting as a fallback.
func (t *turn) prompt() Reply {
	return Reply{Kind: KindFallback, Text: promptText, HTML: "<p>" + html.EscapeString(promptText) + "</p>", Buttons: t.suggestions()}
}

// suggestions: resume a left flow, the best near-misses, the main topics, a person.
func (t *turn) suggestions() []knowledge.Button {
	var bs []knowledge.Button
	if t.resume != nil {
		bs = append(bs, knowledge.Button{Label: resumeLabelPrefix + t.resume.Title, Value: ChoiceFlow + t.resume.ID})
	}
	seen := map[string]bool{}
	add := func(id string) {
		if a, ok := t.e.kb.Article(id); ok && !seen[id] && id != humanAgentArticle {
			seen[id] = true
			bs = append(bs, articleButton(a))
		}
	}
	n := 0
	for _, c := range t.cands {
		if n == maxSuggestions || c.Score < t.e.cfg.AnswerThreshold/2 {
			break
		}
		if c.Article != outOfScope {
			add(c.Article)
			n++
		}
	}
	for _, id := range t.e.cfg.MainTopics {
		add(id)
	}
	return append(bs, knowledge.Button{Label: handoffLabel, Value: ChoiceHandoff})
}

// handoff passes the user to a person, with the human-agent article's text when there is one.
func (t *turn) handoff(lead string) Reply {
	t.st.Flow = nil
	t.st.Fallbacks = 0
	r := Reply{Kind: KindHandoff, Handoff: true, Article: humanAgentArticle, Text: handoffDefaultText,
		HTML: "<p>" + html.EscapeString(handoffDefaultText) + "</p>"}
	if a, ok := t.e.kb.Article(humanAgentArticle); ok {
		r.Text, r.HTML = a.Body.Text, a.Body.HTML
	}
	if lead != "" {
		r.Text = lead + "\n\n" + r.Text
		r.HTML = "<p>" + html.EscapeString(lead) + "</p>" + r.HTML
	}
	return r
}

// restart forgets the conversation and greets again. The page's issuer is not the
// conversation's: it stays.
func (t *turn) restart() Reply {
	t.st = State{Slots: map[string]string{}, Issuer: t.st.Issuer}
	t.knownIssuer()
	r := Reply{Kind: KindAnswer, Text: restartText + promptText,
		HTML: "<p>" + restartText + html.EscapeString(promptText) + "</p>", Buttons: t.suggestions()}
	if a, ok := t.e.kb.Article(greetingArticle); ok {
		ans := t.e.answerOf(a)
		r.Article, r.Lead = a.ID, a.Lead
		r.Text = restartText + "\n\n" + ans.text
		r.HTML = "<p>" + restartText + "</p>" + ans.html
	}
	return r
}

// leadFirst opens an answer's text and HTML with its lead, the HTML one in bold.
func leadFirst(lead, text, htm string) (string, string) {
	if lead == "" {
		return text, htm
	}
	return lead + "\n\n" + strings.TrimSpace(text), "<p><strong>" + html.EscapeString(lead) + "</strong></p>" + htm
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }
