package bot

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"chatbot/bot/events"
	"chatbot/bot/session"
	"chatbot/dialog"
	"chatbot/dialog/pii"
)

// What the transcript shows when a person takes the conversation or gives it back.
const (
	agentJoinedText = "人工客服已接入，接下来由客服为您服务。"
	agentLeftText   = "人工客服已结束本次服务，智能助手继续为您服务。有其他问题可以直接问我。"
)

// MaxAgentTextLength bounds one agent message, in characters: a chat line, not a document.
const MaxAgentTextLength = 2000

// AgentJoined records that a contact-center agent took a session whose user is waiting for a
// person (waiting_agent -> agent). It is for the contact-center integration. Calling it again for
// the same agent is a no-op; ErrHandoffState when nobody is waiting (the user went back to the
// bot, or the session never asked for a person). The notice it adds to the transcript is pushed
// to the user's open sockets.
func (b *Bot) AgentJoined(ctx context.Context, sessionID, agent string) error {
	if !session.ValidID(sessionID) {
		return ErrUnknownSession
	}
	now := b.now()
	var notice Entry
	u, err := b.update(ctx, NewConversation(sessionID), func(st *state) ([]Entry, error) {
		switch {
		case st.Handoff == HandoffAgent && st.Agent == agent:
			return nil, errUnchanged
		case st.Handoff != HandoffWaiting:
			return nil, ErrHandoffState
		}
		st.Handoff, st.Agent = HandoffAgent, agent
		notice = noticeEntry(st, dialog.KindHandoff, agentJoinedText, now)
		return []Entry{notice}, nil
	}, nil)
	if err != nil || !u.saved {
		return err
	}
	b.announce(ctx, sessionID, events.AgentJoined, agent, notice)
	return nil
}

// AgentLeft gives a session back to the bot (agent or waiting_agent -> bot), e.g. when the agent
// closes the conversation or the contact center gives up on the queue. The bot starts counting
// fallbacks afresh. Calling it on a session the bot already serves is a no-op. The notice it adds
// to the transcript is pushed to the user's open sockets.
func (b *Bot) AgentLeft(ctx context.Context, sessionID string) error {
	if !session.ValidID(sessionID) {
		return ErrUnknownSession
	}
	now := b.now()
	var (
		agent  string
		notice Entry
	)
	u, err := b.update(ctx, NewConversation(sessionID), func(st *state) ([]Entry, error) {
		if st.Handoff == HandoffBot {
			return nil, errUnchanged
		}
		agent = st.Agent
		st.Handoff, st.Agent = HandoffBot, ""
		st.Dialog.Fallbacks = 0
		st.Buttons = nil
		notice = noticeEntry(st, dialog.KindAnswer, agentLeftText, now)
		return []Entry{notice}, nil
	}, nil)
	if err != nil || !u.saved {
		return err
	}
	b.announce(ctx, sessionID, events.AgentLeft, agent, notice)
	return nil
}

// noticeEntry is the transcript line, with the session's next reply id, that tells the user a
// person joined or left.
func noticeEntry(st *state, kind dialog.Kind, text string, at time.Time) Entry {
	return Entry{Role: "bot", ID: st.nextReplyID(), Kind: kind, Text: text, HTML: "<p>" + text + "</p>", At: at}
}

// announce makes a committed join or leave known: the log, the handoff stream (for the contact
// center), and the notice pushed to the user's open sockets.
func (b *Bot) announce(ctx context.Context, sessionID string, event events.HandoffEvent, agent string, notice Entry) {
	b.log.InfoContext(ctx, "handoff changed", "event", string(event), "session", LogID(sessionID), "agent", agent)
	b.emit(ctx, "handoff", func(ctx context.Context) error {
		return b.events.Handoff(ctx, events.Handoff{Event: event, Session: sessionID, Agent: agent, At: notice.At})
	})
	b.publish(ctx, sessionID, notice)
}

// AgentMessage adds what the agent who has the session wrote to its transcript (role "agent",
// kind KindAgent, a reply id of its own) and pushes it to the user's open sockets; a user who is
// not connected sees it in the history on resume. Personal numbers in text are masked like the
// user's. agent names the writer as the user should see it; empty means the agent who joined.
//
// Errors: ErrUnknownSession, ErrBadInput (empty or longer than MaxAgentTextLength),
// ErrHandoffState (no agent has the session: call AgentJoined first), ErrConflict, ErrUnavailable.
func (b *Bot) AgentMessage(ctx context.Context, sessionID, agent, text string) (Entry, error) {
	if !session.ValidID(sessionID) {
		return Entry{}, ErrUnknownSession
	}
	text, _ = pii.Mask(strings.TrimSpace(text))
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return Entry{}, ErrBadInput
	case n > MaxAgentTextLength:
		return Entry{}, fmt.Errorf("%w: agent message longer than %d characters", ErrBadInput, MaxAgentTextLength)
	}
	now := b.now()
	var e Entry
	_, err := b.update(ctx, NewConversation(sessionID), func(st *state) ([]Entry, error) {
		if st.Handoff != HandoffAgent {
			return nil, ErrHandoffState
		}
		name := agent
		if name == "" {
			name = st.Agent
		}
		e = Entry{Role: "agent", ID: st.nextReplyID(), Kind: KindAgent, Text: text, HTML: agentHTML(text),
			Agent: name, At: now}
		return []Entry{e}, nil
	}, nil)
	if err != nil {
		return Entry{}, err
	}
	b.log.InfoContext(ctx, "agent message", "session", LogID(sessionID), "agent", e.Agent, "reply", e.ID)
	b.publish(ctx, sessionID, e)
	return e, nil
}

// agentHTML renders an agent's plain text: escaped, one paragraph per blank-line-separated
// block, line breaks kept.
func agentHTML(text string) string {
	var sb strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para == "" {
			continue
		}
		sb.WriteString("<p>")
		sb.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		sb.WriteString("</p>")
	}
	return sb.String()
}
