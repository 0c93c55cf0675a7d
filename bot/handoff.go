package bot

import (
	"context"

	"chatbot/bot/events"
	"chatbot/bot/session"
	"chatbot/dialog"
)

// What the transcript shows when a person takes the conversation or gives it back.
const (
	agentJoinedText = "人工客服已接入，接下来由客服为您服务。"
	agentLeftText   = "人工客服已结束本次服务，智能助手继续为您服务。有其他问题可以直接问我。"
)

// AgentJoined records that a contact-center agent took a session whose user is waiting for a
// person (waiting_agent -> agent). It is for the contact-center integration. Calling it again for
// the same agent is a no-op; ErrHandoffState when nobody is waiting (the user went back to the
// bot, or the session never asked for a person).
func (b *Bot) AgentJoined(ctx context.Context, sessionID, agent string) error {
	if !session.ValidID(sessionID) {
		return ErrUnknownSession
	}
	now := b.now()
	u, err := b.update(ctx, sessionID, func(st *state) ([]Entry, error) {
		switch {
		case st.Handoff == HandoffAgent && st.Agent == agent:
			return nil, errUnchanged
		case st.Handoff != HandoffWaiting:
			return nil, ErrHandoffState
		}
		st.Handoff, st.Agent = HandoffAgent, agent
		return []Entry{{Role: "bot", Kind: dialog.KindHandoff, Text: agentJoinedText,
			HTML: "<p>" + agentJoinedText + "</p>", At: now}}, nil
	})
	if err != nil || !u.saved {
		return err
	}
	b.log.InfoContext(ctx, "agent joined", "session", sessionID, "agent", agent)
	b.emit(ctx, "handoff", func(ctx context.Context) error {
		return b.events.Handoff(ctx, events.Handoff{Event: events.AgentJoined, Session: sessionID, Agent: agent, At: now})
	})
	return nil
}

// AgentLeft gives a session back to the bot (agent or waiting_agent -> bot), e.g. when the agent
// closes the conversation or the contact center gives up on the queue. The bot starts counting
// fallbacks afresh. Calling it on a session the bot already serves is a no-op.
func (b *Bot) AgentLeft(ctx context.Context, sessionID string) error {
	if !session.ValidID(sessionID) {
		return ErrUnknownSession
	}
	now := b.now()
	var agent string
	u, err := b.update(ctx, sessionID, func(st *state) ([]Entry, error) {
		if st.Handoff == HandoffBot {
			return nil, errUnchanged
		}
		agent = st.Agent
		st.Handoff, st.Agent = HandoffBot, ""
		st.Dialog.Fallbacks = 0
		st.Buttons = nil
		return []Entry{{Role: "bot", Kind: dialog.KindAnswer, Text: agentLeftText,
			HTML: "<p>" + agentLeftText + "</p>", At: now}}, nil
	})
	if err != nil || !u.saved {
		return err
	}
	b.log.InfoContext(ctx, "agent left", "session", sessionID, "agent", agent)
	b.emit(ctx, "handoff", func(ctx context.Context) error {
		return b.events.Handoff(ctx, events.Handoff{Event: events.AgentLeft, Session: sessionID, Agent: agent, At: now})
	})
	return nil
}
