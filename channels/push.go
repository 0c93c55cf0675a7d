package channels

import (
	"chatbot/bot"
	"chatbot/dialog"
	"chatbot/knowledge"
)

// Pushes: what a contact-center agent writes (and the agent joining or leaving) reaches the
// sockets open on the session through Options.Live, as reply frames without reply_to.

// pushed is an entry pushed to the socket while it was holding.
type pushed struct {
	session string
	frame   Reply
}

// listen makes the socket receive what is pushed to session (an agent's messages), and nothing
// of the session it was in before; "" stops listening. Runs on the reader goroutine.
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
		c.srv.metrics.pushed.Inc()
		p := pushed{session: session, frame: pushedReply(e)}
		c.pushMu.Lock()
		defer c.pushMu.Unlock()
		if c.holding {
			c.held = append(c.held, p)
			return
		}
		c.enqueue(p.session, p.frame)
	})
}

// hold makes pushed entries wait until release.
func (c *conn) hold() {
	c.pushMu.Lock()
	defer c.pushMu.Unlock()
	c.holding = true
}

// release sends the entries pushed while holding, except those of a session the socket has
// left meanwhile. Runs on the reader goroutine, after the frame's answer is queued.
func (c *conn) release() {
	c.pushMu.Lock()
	defer c.pushMu.Unlock()
	for _, p := range c.held {
		if p.session == c.listening {
			c.enqueue(p.session, p.frame)
		}
	}
	c.holding, c.held = false, nil
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
