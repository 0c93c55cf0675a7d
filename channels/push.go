package channels

import (
	"chatbot/bot"
	"chatbot/dialog"
	"chatbot/knowledge"
)

// Pushes: what a contact-center agent writes (and the agent joining or leaving) reaches the
// sockets open on the session through Options.Live, as reply frames without reply_to.

// pushed is an entry pushed to a session the socket listens to.
type pushed struct {
	session string
	frame   Reply
}

// listen makes the socket receive what is pushed to session (an agent's messages), and nothing
// of the session it was in before; "" stops listening. Runs on the conversation goroutine.
func (c *conn) listen(session string) {
	if session == c.listening || c.srv.opts.Live == nil {
		return
	}
	if c.stopListen != nil {
		c.stopListen()
		c.stopListen = nil
	}
	c.listening = session
	if session == "" {
		return
	}
	c.stopListen = c.srv.opts.Live.Listen(session, func(e bot.Entry) {
		// Runs on the push hub's goroutine, which must not block: the entry joins the inbox,
		// behind any frame still waiting, or, if the inbox is full, the socket is closed with
		// 1013 and the client finds the entry in its history on resume.
		c.srv.metrics.pushed.Inc()
		select {
		case c.inbox <- inbound{push: &pushed{session: session, frame: pushedReply(e)}}:
		default:
			c.lostPush.Store(true)
		}
	})
}

// pushedReply is the frame for an entry pushed to a socket outside a turn: a reply without
// reply_to (no client frame asked for it).
func pushedReply(e bot.Entry) Reply {
	buttons := e.Buttons
	if buttons == nil {
		buttons = []knowledge.Button{}
	}
	r := Reply{
		Type:    TypeReply,
		ID:      e.ID,
		Kind:    e.Kind,
		Text:    e.Text,
		HTML:    e.HTML,
		Article: e.Article,
		Buttons: buttons,
		Handoff: e.Kind == bot.KindAgent || e.Kind == dialog.KindHandoff,
		Agent:   e.Agent,
		At:      e.At,
	}
	r.Priority = e.Priority
	return r
}
