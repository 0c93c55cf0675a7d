package bot

// Issuer is a card issuer as a page shows it, above all when it cannot chat: its name and the
// numbers the knowledge base confirms (empty when none is confirmed).
type Issuer struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Hotline  string `json:"hotline,omitempty"`
	CardLine string `json:"card_line,omitempty"` // the credit-card centre's own line
}

// Issuer looks up a bank of the current knowledge base by id.
func (b *Bot) Issuer(id string) (Issuer, bool) {
	eng := b.engines.Engine()
	if eng == nil || id == "" {
		return Issuer{}, false
	}
	bank, ok := eng.KB().Bank(id)
	if !ok {
		return Issuer{}, false
	}
	return Issuer{ID: bank.ID, Name: bank.Name, Hotline: bank.Hotline, CardLine: bank.CardLine}, true
}

// Context is the page context of the session as this conversation last knew it. A session that
// expired under an open socket starts again in it: the page has not changed.
func (c *Conversation) Context() Context {
	if c == nil {
		return Context{}
	}
	return c.st.context()
}
