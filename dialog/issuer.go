package dialog

// knownIssuer makes the page's issuer the bank slot when the user has not named a bank, so no
// flow asks 「是哪家银行」 on the bank's own site. An id the knowledge base does not list (any
// more) is ignored.
func (t *turn) knownIssuer() {
	if t.st.Issuer == "" || t.st.Slots[SlotBank] != "" {
		return
	}
	if _, ok := t.e.kb.Bank(t.st.Issuer); ok {
		t.st.Slots[SlotBank] = t.st.Issuer
	}
}

// SetIssuer changes the page's issuer. A bank slot that only held the previous issuer follows
// the new one; a bank the user named stays.
func (s *State) SetIssuer(id string) {
	if s.Slots[SlotBank] == s.Issuer && s.Issuer != "" {
		delete(s.Slots, SlotBank)
	}
	s.Issuer = id
}
