package dialog

import (
	"strings"
	"testing"
)

// TestIssuerIsTheKnownBank: on a bank's own site (State.Issuer) no flow asks which bank, and
// numbers are that bank's only, unless the user names another bank.
func TestIssuerIsTheKnownBank(t *testing.T) {
	e := embedded(t)
	tests := []struct {
		name    string
		issuer  string
		msgs    []string
		want    []string // in the last reply
		notWant []string // in the last reply
	}{
		{"hotline: only the issuer's numbers", "cmb", []string{"客服电话是多少"},
			[]string{"95555", "400-820-5555"}, []string{"95588", "95533"}},
		{"negotiation flow does not ask the bank", "icbc", []string{"帮我想想怎么跟银行谈", "俩月了", "失业了", "每月两千"},
			[]string{"工商银行", "95588"}, []string{"95555"}},
		{"the user names another bank", "cmb", []string{"建行的客服电话是多少"},
			[]string{"95533"}, []string{"95555"}},
		{"a restart keeps the issuer", "ccb", []string{"!restart", "客服电话是多少"},
			[]string{"95533"}, []string{"95588"}},
		{"no issuer: the flow asks", "", []string{"帮我想想怎么跟银行谈"}, []string{"哪家银行"}, nil},
		{"an issuer the knowledge base does not list is ignored", "nosuchbank", []string{"帮我想想怎么跟银行谈"},
			[]string{"哪家银行"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, st := say(e, State{Issuer: tt.issuer}, tt.msgs...)
			for i, r := range rs {
				if tt.issuer != "" && tt.issuer != "nosuchbank" && r.Slot == SlotBank {
					t.Fatalf("reply %d asks for the bank although the issuer is %s: %q", i, tt.issuer, r.Text)
				}
			}
			last := rs[len(rs)-1]
			for _, w := range tt.want {
				if !strings.Contains(last.Text, w) {
					t.Errorf("last reply lacks %q: %s %q (%s)", w, last.Kind, last.Text, last.Trace.Decision)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(last.Text, w) {
					t.Errorf("last reply has %q, another bank's number: %q", w, last.Text)
				}
			}
			if st.Issuer != tt.issuer {
				t.Errorf("issuer after the turns = %q, want %q", st.Issuer, tt.issuer)
			}
		})
	}
}
