package dialog

import (
	"html"
	"strconv"
	"strings"

	"chatbot/knowledge"
)

// Texts for flow steps the knowledge base does not word.
const (
	notUnderstoodText = "抱歉，我没太明白。"
)

// maxFlowMisses: after this many answers the engine cannot read, it leaves the flow.
const maxFlowMisses = 2

// shortAnswerRunes: a message this short that reads as the slot's answer is taken as the answer
// even if it also resembles another article.
const shortAnswerRunes = 6

// compileSlots normalises every flow slot's button labels and choice words.
func compileSlots(n *normaliser, kb *knowledge.KB) map[*knowledge.Slot]*compiledSlot {
	out := map[*knowledge.Slot]*compiledSlot{}
	for _, f := range kb.Flows {
		for _, s := range f.Slots {
			cs := &compiledSlot{slot: s}
			for _, b := range s.Buttons {
				cs.labels = append(cs.labels, labelValue{n.normalise(b.Label).Text, slotButtonValue(n, s, b)})
			}
			for _, v := range s.ChoiceOrder {
				cs.choices = append(cs.choices, choiceWords{value: v, words: n.words(s.Choices[v])})
			}
			out[s] = cs
		}
	}
	return out
}

// slotButtonValue is the slot value a button stands for: bank buttons are written as bank names
// (or 其他) and stand for the bank's id.
func slotButtonValue(n *normaliser, s *knowledge.Slot, b knowledge.Button) string {
	if s.Type != knowledge.SlotBank || b.Value != "" && b.Value != b.Label {
		return b.Value
	}
	if m := n.normalise(b.Label); len(m.Banks) > 0 {
		return m.Banks[0]
	}
	return BankOther
}

// waitingSlot is the slot the running flow asked for, if any.
func (t *turn) waitingSlot() *compiledSlot {
	_, cs := t.waitingFlow()
	return cs
}

// waitingFlow is the running flow and the slot it asked for; nil, nil when there is none (or it
// no longer exists in this knowledge base).
func (t *turn) waitingFlow() (*knowledge.Flow, *compiledSlot) {
	if t.st.Flow == nil {
		return nil, nil
	}
	f, ok := t.e.kb.Flow(t.st.Flow.ID)
	if !ok {
		return nil, nil
	}
	for _, s := range f.Slots {
		if s.Name == t.st.Flow.Waiting {
			if cs := t.e.slots[s]; cs != nil {
				return f, cs
			}
		}
	}
	return nil, nil
}

// readSlot reads the answer to slot cs from the message.
func (t *turn) readSlot(cs *compiledSlot) (string, bool) {
	// A button's label typed out. Not for banks: every bank name normalises to the same token,
	// and the bank itself is read from the message below.
	for _, l := range cs.labels {
		if cs.slot.Type != knowledge.SlotBank && t.msg.Text == l.label {
			return l.value, true
		}
	}
	switch cs.slot.Type {
	case knowledge.SlotBank:
		return t.e.words.bankAnswer(t.msg)
	case knowledge.SlotDays:
		d, ok := t.e.words.days(t.msg, true)
		return strconv.Itoa(d), ok
	case knowledge.SlotAmount:
		return t.e.words.amount(t.msg, true)
	default:
		return choice(t.msg, cs)
	}
}

// flowAnswer handles a message while a flow waits for a slot. It returns false when the message
// is not for the flow (the flow is then left and the message answered normally).
func (t *turn) flowAnswer() (Reply, bool) {
	f, ok := t.e.kb.Flow(t.st.Flow.ID)
	cs := t.waitingSlot()
	if !ok || cs == nil {
		t.st.Flow = nil // a flow or slot that no longer exists in this knowledge base
		return Reply{}, false
	}
	value, read := t.readSlot(cs)
	other, otherScore := t.otherArticle(f)
	// Another article draws the message out of the flow when it scores the leave-flow threshold.
	// A message that answers nothing the flow asked and reads as distress needs only the answer
	// threshold: someone who writes 「活着太累了」 is never asked for their bank again.
	// A reply that only says the user cannot tell (「不记得了」) is for the flow, whatever it
	// resembles: it is asked again, and a second miss leaves as usual.
	unsure := !read && t.e.words.isUnsure(t.msg.Text)
	leave := !unsure && otherScore >= t.e.cfg.LeaveFlowThreshold
	distress := !read && !unsure && t.e.safetyArticles[other] && otherScore >= t.e.cfg.AnswerThreshold
	// A short message, or one that asks nothing (「逾期两个多月了」), that reads as the answer is
	// the answer; a question that also carries one (「晚了3天 会上征信吗」) may be for another article.
	statement := runeLen(t.msg.Text) <= shortAnswerRunes || !t.e.words.isQuestion(t.msg.Text)
	// 「银行要起诉我」 names no bank and says no other one: it only mentions 银行. When the rest of
	// it reads as another topic, it is that topic's message, not the answer "another bank".
	if read && cs.slot.Type == knowledge.SlotBank && len(t.msg.Banks) == 0 && !t.e.words.saysOtherBank(t.msg.Text) {
		if topic, score := t.topicBesidesBank(f); topic != "" && score >= t.e.cfg.AnswerThreshold {
			t.notef("flow %s left: 银行 alone is no bank, and without it %s scores %.3f >= answer threshold %.3f",
				f.ID, topic, score, t.e.cfg.AnswerThreshold)
			t.leaveFlowFor("")
			return Reply{}, false
		}
	}
	switch {
	case read && (statement || !leave):
		t.st.Slots[cs.slot.Name] = value
		t.tr.Slots = withSlot(t.tr.Slots, cs.slot.Name, value)
		t.notef("flow %s: %s=%s from text", f.ID, cs.slot.Name, value)
		t.st.Flow.Misses = 0
		return t.continueFlow(f, false), true
	case leave:
		t.notef("flow %s left: %s scores %.3f >= %.3f", f.ID, other, otherScore, t.e.cfg.LeaveFlowThreshold)
		t.leaveFlowFor("")
		return Reply{}, false
	case distress:
		t.notef("flow %s left: %s answers nothing asked and %s (a safety article) scores %.3f >= answer threshold %.3f",
			f.ID, cs.slot.Name, other, otherScore, t.e.cfg.AnswerThreshold)
		t.leaveFlowFor("")
		return Reply{}, false
	}
	t.st.Flow.Misses++
	if t.st.Flow.Misses >= maxFlowMisses {
		t.notef("flow %s left: %d answers to %s not understood", f.ID, t.st.Flow.Misses, cs.slot.Name)
		t.leaveFlowFor("")
		return Reply{}, false
	}
	t.notef("flow %s: %s not understood, asked again", f.ID, cs.slot.Name)
	r := t.ask(f, cs.slot, false)
	r.Text = notUnderstoodText + r.Text
	r.HTML = "<p>" + notUnderstoodText + "</p>" + r.HTML
	return r, true
}

// otherArticle returns the best article when it is not flow f's own and beats the out-of-scope
// examples, with its score; "" and 0 otherwise.
func (t *turn) otherArticle(f *knowledge.Flow) (string, float64) {
	cands, _ := t.preferred(t.scores())
	if t.explain {
		t.tr.Candidates = topCandidates(cands)
	}
	if len(cands) == 0 || cands[0].Article == f.Article || cands[0].Article == outOfScope {
		return "", 0
	}
	return cands[0].Article, cands[0].Score
}

// topicBesidesBank is the best article for the message with the word 银行 left out, and its
// score, when it is not flow f's own: what the message is about besides banks (every bank
// article matches 银行 itself).
func (t *turn) topicBesidesBank(f *knowledge.Flow) (string, float64) {
	rest := strings.ReplaceAll(t.msg.Text, bankToken, "")
	cands := t.e.index.scoreExcept(rest, t.held, nil, false)
	if len(cands) == 0 || cands[0].Article == f.Article || cands[0].Article == outOfScope {
		return "", 0
	}
	return cands[0].Article, cands[0].Score
}

// startFlow begins flow f, from its intro.
func (t *turn) startFlow(f *knowledge.Flow) Reply {
	t.note("start flow " + f.ID)
	t.leaveFlowFor(f.ID)
	return t.continueFlow(f, true)
}

// continueFlow asks the first slot not yet known, or answers when all are.
func (t *turn) continueFlow(f *knowledge.Flow, intro bool) Reply {
	for _, s := range f.Slots {
		if t.st.Slots[s.Name] == "" {
			misses := 0
			if t.st.Flow != nil && t.st.Flow.ID == f.ID && t.st.Flow.Waiting == s.Name {
				misses = t.st.Flow.Misses
			}
			t.st.Flow = &FlowState{ID: f.ID, Waiting: s.Name, Misses: misses}
			return t.ask(f, s, intro)
		}
	}
	return t.finishFlow(f)
}

func (t *turn) flowSlotsKnown(f *knowledge.Flow) bool {
	for _, s := range f.Slots {
		if t.st.Slots[s.Name] == "" {
			return false
		}
	}
	return true
}

// ask puts a slot's question, with its buttons.
func (t *turn) ask(f *knowledge.Flow, s *knowledge.Slot, intro bool) Reply {
	text, htm := contentOf(s.AskBody, s.Ask)
	if intro && f.Intro != "" {
		it, ih := contentOf(f.IntroBody, f.Intro)
		text, htm = it+"\n\n"+text, ih+htm
	}
	var bs []knowledge.Button
	if cs := t.e.slots[s]; cs != nil {
		for i, b := range s.Buttons {
			bs = append(bs, knowledge.Button{Label: b.Label, Value: ChoiceSlot + s.Name + "=" + cs.labels[i].value})
		}
	}
	t.notef("flow %s asks %s", f.ID, s.Name)
	return Reply{
		Kind:    KindAsk,
		Text:    t.fill(text, false),
		HTML:    t.fill(htm, true),
		Article: f.Article,
		Flow:    f.ID,
		Slot:    s.Name,
		Buttons: bs,
	}
}

// finishFlow answers from every part whose conditions hold, in file order: the parts marked
// more folded under 详细说明, the lead from the first applying part that has one (else the
// flow's), the sources of the flow and of every part shown.
func (t *turn) finishFlow(f *knowledge.Flow) Reply {
	var main, more answerParts
	lead, sources := f.Lead, [][]string{f.Sources}
	var used []string
	for i, p := range f.Parts {
		if !p.Applies(t.st.Slots) {
			continue
		}
		if p.More {
			more.add(p.Body)
		} else {
			main.add(p.Body)
		}
		if p.Lead != "" && lead == f.Lead {
			lead = p.Lead
		}
		sources = append(sources, p.Sources)
		used = append(used, strconv.Itoa(i+1))
	}
	t.st.Flow = nil
	t.st.Article = f.Article
	t.notef("flow %s answered with parts [%s]", f.ID, strings.Join(used, ","))
	text, htm := main.text(), main.html()
	if len(more.texts) > 0 {
		text += "\n\n" + detailsLabel + "\n\n" + more.text()
		htm += "<details><summary>" + detailsLabel + "</summary>" + more.html() + "</details>"
	}
	text, htm = leadFirst(lead, text, htm)
	r := Reply{Kind: KindAnswer, Lead: t.fill(lead, false), Text: t.fill(strings.TrimSpace(text), false),
		HTML: t.fill(htm, true), Article: f.Article, Flow: f.ID, Sources: t.e.kb.Sources(sources...)}
	if f.CopyTitle != "" {
		head := f.CopyTitle
		if s := t.situation(f); s != "" {
			head += "\n" + s
		}
		r.CopyText = t.fill(head+"\n\n"+lead+"\n\n"+strings.TrimSpace(main.text()+"\n\n"+more.text()), false)
	}
	if a, ok := t.e.kb.Article(f.Article); ok {
		if len(used) == 0 { // no part applies: the article still answers
			ans := t.e.answerOf(a)
			r.Lead, r.Sources, r.Text, r.HTML = a.Lead, ans.sources, ans.text, ans.html
		}
		r.Buttons = t.answerButtons(a)
		// The flow is done; its own start button would only repeat it.
		r.Buttons = dropButton(r.Buttons, ChoiceFlow+f.ID)
	}
	return r
}

// partMatches: every slot named in when has one of the listed values or ranges.
func partMatches(when map[string][]string, slots map[string]string) bool {
	return knowledge.WhenHolds(when, slots)
}

// situation sums up what the user told the flow, in its own button words, for the plan they keep:
// 「我的情况：工商银行；一个月内（约20天）；临时周转不开；能还一部分」.
func (t *turn) situation(f *knowledge.Flow) string {
	var parts []string
	for _, s := range f.Slots {
		v := t.st.Slots[s.Name]
		if v == "" {
			continue
		}
		label := ""
		switch s.Type {
		case knowledge.SlotBank:
			if b, ok := t.e.kb.Bank(v); ok {
				label = b.Name
			}
		case knowledge.SlotDays:
			if v == "0" {
				label = "还没逾期"
			} else {
				label = "逾期约" + v + "天"
			}
		case knowledge.SlotAmount:
			label = v + "元"
		default:
			for _, b := range s.Buttons {
				if b.Value == v {
					label = b.Label
				}
			}
		}
		if label != "" {
			parts = append(parts, label)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "我的情况：" + strings.Join(parts, "；")
}

// detailsLabel heads the folded details of a flow answer.
const detailsLabel = "详细说明"

// answerParts collects the rendered parts of one section of a flow answer.
type answerParts struct{ texts, htmls []string }

func (a *answerParts) add(c knowledge.Content) {
	a.texts = append(a.texts, strings.TrimSpace(c.Text))
	a.htmls = append(a.htmls, c.HTML)
}

func (a *answerParts) text() string { return strings.Join(a.texts, "\n\n") }
func (a *answerParts) html() string { return strings.Join(a.htmls, "") }

// fill replaces {bank} and {bank_contact}, escaped for HTML when asHTML.
func (t *turn) fill(s string, asHTML bool) string {
	if !strings.Contains(s, "{bank") {
		return s
	}
	name, contact, contactHTML := knowledge.UnknownBankName, knowledge.UnknownBankContact, html.EscapeString(knowledge.UnknownBankContact)
	if b, ok := t.e.kb.Bank(t.st.Slots[SlotBank]); ok {
		name = b.Name
		if c := b.ContactText(); c != "" {
			contact, contactHTML = c, bankContactHTML(b)
		}
	}
	if asHTML {
		name = html.EscapeString(name)
		contact = contactHTML
	}
	return strings.NewReplacer("{bank_contact}", contact, "{bank}", name).Replace(s)
}

// bankContactHTML lists a bank's confirmed numbers as HTML tel: links.
func bankContactHTML(b *knowledge.Bank) string {
	var htmls []string
	for _, n := range b.Numbers() {
		tel := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, n.Number)
		htmls = append(htmls, html.EscapeString(n.Label)+`<a href="tel:`+tel+`">`+html.EscapeString(n.Number)+`</a>`)
	}
	return strings.Join(htmls, "、")
}

// contentOf returns rendered content, or the raw text (escaped for HTML) when none was rendered.
func contentOf(c knowledge.Content, raw string) (string, string) {
	if c.Text != "" || c.HTML != "" {
		return strings.TrimSpace(c.Text), c.HTML
	}
	return raw, "<p>" + html.EscapeString(raw) + "</p>"
}

func withSlot(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

func dropButton(bs []knowledge.Button, value string) []knowledge.Button {
	out := bs[:0]
	for _, b := range bs {
		if b.Value != value {
			out = append(out, b)
		}
	}
	return out
}
