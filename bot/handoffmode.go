package bot

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"

	"chatbot/bot/events"
	"chatbot/dialog"
	"chatbot/knowledge"
)

// HandoffMode says whether a contact center takes conversations from the bot.
type HandoffMode string

// Handoff modes (config handoff.mode).
const (
	// HandoffModeNone: no contact center is connected. Asking for a person gets an honest answer:
	// the bot cannot transfer, here is the issuer's hotline. Nobody is ever left waiting.
	HandoffModeNone HandoffMode = "none"
	// HandoffModeStream: handoff events go to the stream a contact center reads; the user waits
	// for a person, at most WaitTimeout, and is then told so and given the hotline.
	HandoffModeStream HandoffMode = "stream"
)

// DefaultWaitTimeout is how long a user waits for a person in stream mode when
// Options.WaitTimeout is zero.
const DefaultWaitTimeout = 3 * time.Minute

// Texts of an honest handoff.
const (
	noPersonLead       = "这个对话窗口目前没有接入人工客服，我没法直接为您转接。"
	noPersonAfterFails = "抱歉，我没能帮上忙。"
	noWaitLead         = "抱歉，现在还没有人工客服接入，让您久等了。"
	hoursNote          = "（人工服务时间以银行公布为准）"
	unknownIssuerLine  = "需要和真人沟通，请拨打信用卡背面或发卡行官方App里公布的客服电话，按语音提示转人工" + hoursNote + "。"
	stillHereLine      = "我也可以继续回答您的问题，直接说就行。"
)

// queuedText tells a user who is now waiting for a person what happens next, without asking
// them to call anyone yet.
func queuedText(timeout time.Duration) string {
	return fmt.Sprintf("好的，已为您转接人工客服，请稍候。客服接入后会看到您和我的对话（卡号等信息已打码）。"+
		"如果%s内还没有客服接入，我会告诉您，并给您发卡行的客服电话。", waitWords(timeout))
}

// waitWords says a timeout the way people say it: 3分钟, 90秒.
func waitWords(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%d分钟", int(d/time.Minute))
	}
	return fmt.Sprintf("%d秒", int((d+time.Second-1)/time.Second))
}

// issuerLine names the issuer's hotline when the conversation told us the bank (slot bank, or
// the page's issuer) and the knowledge base has a vetted number for it; otherwise where to find
// the number.
func issuerLine(kb *knowledge.KB, st dialog.State) string {
	b, ok := kb.Bank(issuerID(st))
	if !ok {
		return unknownIssuerLine
	}
	var nums []string
	if b.CardLine != "" {
		nums = append(nums, "信用卡中心 "+b.CardLine)
	}
	if b.Hotline != "" {
		nums = append(nums, "客服热线 "+b.Hotline)
	}
	if len(nums) == 0 {
		return "需要和真人沟通，请拨打" + b.Name + "信用卡背面或官方App里公布的客服电话，按语音提示转人工" + hoursNote + "。"
	}
	return "需要和真人沟通，请拨打" + b.Name + strings.Join(nums, "、") + "，按语音提示转人工" + hoursNote + "。"
}

// issuerID is the bank the conversation told us: the bank slot, else the page's issuer.
func issuerID(st dialog.State) string {
	if id := st.Slots["bank"]; id != "" {
		return id
	}
	return st.Issuer
}

// onlyIssuerNumbers drops from an article body (plain text lines, HTML <li> and <p> blocks)
// every block that gives another bank's number, when the conversation names a bank the
// knowledge base lists: like the hotline flow's {bank_contact}, the reply then shows only that
// issuer's numbers (the issuer line above the body already gives them).
func onlyIssuerNumbers(kb *knowledge.KB, st dialog.State, text, html string) (string, string) {
	own, ok := kb.Bank(issuerID(st))
	if !ok {
		return text, html
	}
	mine := map[string]bool{own.Hotline: true, own.CardLine: true}
	var others []string
	for _, b := range kb.Banks {
		for _, n := range []string{b.Hotline, b.CardLine} {
			if n != "" && !mine[n] {
				others = append(others, n)
			}
		}
	}
	other := func(s string) bool {
		for _, n := range others {
			if strings.Contains(s, n) {
				return true
			}
		}
		return false
	}
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if !other(l) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n"), dropHTMLBlocks(html, other)
}

// dropHTMLBlocks removes the <li> and <p> elements of rendered Markdown for which drop is true.
func dropHTMLBlocks(h string, drop func(string) bool) string {
	for _, tag := range []string{"li", "p"} {
		open, end := "<"+tag+">", "</"+tag+">"
		var b strings.Builder
		rest := h
		for {
			i := strings.Index(rest, open)
			if i < 0 {
				break
			}
			j := strings.Index(rest[i:], end)
			if j < 0 {
				break
			}
			block := rest[i : i+j+len(end)]
			b.WriteString(rest[:i])
			rest = rest[i+len(block):]
			if drop(block) {
				rest = strings.TrimPrefix(rest, "\n")
				continue
			}
			b.WriteString(block)
		}
		b.WriteString(rest)
		h = b.String()
	}
	return h
}

// noPersonReply is the handoff reply when no contact center is connected: said plainly, with
// the issuer's hotline first, then the human-agent article (how to reach a person by phone).
func noPersonReply(kb *knowledge.KB, st *state, engine dialog.Reply, reason string) dialog.Reply {
	lead := noPersonLead
	if reason == events.ReasonFallbacks {
		lead = noPersonAfterFails + lead
	}
	r := engine
	r.Kind, r.Handoff = dialog.KindAnswer, false // an answer about reaching a person: nobody takes over
	r.Buttons = withoutHandoff(r.Buttons)
	head := []string{lead, issuerLine(kb, st.Dialog), stillHereLine}
	body, bodyHTML := "", ""
	if a, ok := kb.Article(r.Article); ok {
		body, bodyHTML = onlyIssuerNumbers(kb, st.Dialog, a.Body.Text, a.Body.HTML)
	}
	r.Text = strings.Join(head, "\n") + "\n\n" + body
	r.HTML = paragraphs(head...) + bodyHTML
	return r
}

// queuedReply is the handoff reply in stream mode: the user now waits for a person.
func queuedReply(engine dialog.Reply, reason string, timeout time.Duration) dialog.Reply {
	r := engine
	text := queuedText(timeout)
	if reason == events.ReasonFallbacks {
		text = noPersonAfterFails + text
	}
	r.Text, r.HTML = text, paragraphs(text)
	r.Buttons = []knowledge.Button{{Label: "返回智能助手", Value: dialog.ChoiceRestart}}
	return r
}

// crisisLines repeat the crisis resources (KB-FACTS F9.1, F9.2) before any handoff reply of a
// session that got the crisis answer: whether or not a person comes, and however long that takes,
// the numbers that help now come first.
const crisisLines = "如果您有伤害自己的念头，请现在就拨打 12356 全国统一心理援助热线；如果已经有危险，请马上拨打 110 或 120。"

// withCrisisLines puts crisisLines first in a handoff reply after a crisis answer and marks the
// reply a crisis reply.
func withCrisisLines(st *state, r dialog.Reply) dialog.Reply {
	if !st.Crisis {
		return r
	}
	r.Text = crisisLines + "\n\n" + r.Text
	r.HTML = `<p><strong>如果您有伤害自己的念头，请现在就拨打 <a href="tel:12356">12356</a> 全国统一心理援助热线；` +
		`如果已经有危险，请马上拨打 <a href="tel:110">110</a> 或 <a href="tel:120">120</a>。</strong></p>` + r.HTML
	r.Priority = dialog.PriorityCrisis
	return r
}

// timedOutText tells a user nobody joined in time, and where a person can be reached.
func timedOutText(kb *knowledge.KB, st *state) string {
	return noWaitLead + issuerLine(kb, st.Dialog) + stillHereLine
}

func paragraphs(lines ...string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("<p>")
		b.WriteString(html.EscapeString(l))
		b.WriteString("</p>")
	}
	return b.String()
}

// waitExpired reports whether the user has waited for a person longer than the timeout.
func (b *Bot) waitExpired(st *state, now time.Time) bool {
	return st.Handoff == HandoffWaiting && !st.WaitingSince.IsZero() && now.Sub(st.WaitingSince) >= b.waitTimeout
}

// endWait gives a session whose user waited too long back to the bot, with the notice that says
// so; it reports false when the session is not in that wait any more.
func endWait(kb *knowledge.KB, st *state, since time.Time, now time.Time) (Entry, bool) {
	if st.Handoff != HandoffWaiting || !st.WaitingSince.Equal(since) {
		return Entry{}, false
	}
	st.Handoff, st.Agent, st.WaitingSince = HandoffBot, "", time.Time{}
	st.Dialog.Fallbacks = 0
	st.Buttons = nil
	return noticeEntry(st, dialog.KindAnswer, timedOutText(kb, st), now), true
}

// scheduleWaitTimeout ends the wait that started at since once the timeout has passed, if
// nobody joined by then: the user is told, on every open socket, without sending anything.
// The timer lives in this process; a user whose instance went away meanwhile is told on their
// next message or reconnect instead.
func (b *Bot) scheduleWaitTimeout(sessionID string, since time.Time) {
	time.AfterFunc(b.waitTimeout, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := b.expireWait(ctx, sessionID, since); err != nil {
			b.log.WarnContext(ctx, "wait for a person not ended", "session", LogID(sessionID), "err", err)
		}
	})
}

// expireWait ends the wait that started at since, if the session is still in it: state, notice
// in the transcript, the timed_out event and the notice pushed to open sockets.
func (b *Bot) expireWait(ctx context.Context, sessionID string, since time.Time) error {
	eng := b.engines.Engine()
	if eng == nil {
		return fmt.Errorf("%w: no knowledge base loaded", ErrUnavailable)
	}
	now := b.now()
	var notice Entry
	u, err := b.update(ctx, NewConversation(sessionID), func(st *state) ([]Entry, error) {
		e, ok := endWait(eng.KB(), st, since, now)
		if !ok {
			return nil, errUnchanged
		}
		notice = e
		return []Entry{e}, nil
	}, nil)
	if err != nil || !u.saved {
		return err
	}
	b.log.InfoContext(ctx, "handoff changed", "event", string(events.HandoffTimedOut), "session", LogID(sessionID))
	b.emit(ctx, "handoff", func(ctx context.Context) error {
		return b.events.Handoff(ctx, events.Handoff{Event: events.HandoffTimedOut, Session: sessionID, At: now})
	})
	b.publish(ctx, sessionID, notice)
	return nil
}
