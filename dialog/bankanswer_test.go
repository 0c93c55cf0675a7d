package dialog

import "testing"

// A flow asking 「是哪家银行」 takes a bank name or a short "another bank" answer, never a
// question of its own that merely mentions 银行.
func TestBankAnswerIsNotAQuestionThatMentionsABank(t *testing.T) {
	tests := []struct {
		in   string
		want string // the bank slot after the message, "" for not filled
	}{
		{"招行", "cmb"},
		{"其他", BankOther},
		{"其他银行", BankOther},
		{"别的银行的卡", BankOther},
		{"小银行", BankOther},
		{"不记得是哪家银行了", BankOther},
		{"我想问问逾期以后怎么跟银行商量分期还款", ""},
		{"银行会不会直接起诉我", ""},
		{"银行天天打电话催收我该怎么办", ""},
		{"银行的人说再不还就要上门找我家里人", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e := strictLeave(t, testKB())
			rs, st := say(e, State{}, "帮我跟银行谈", tt.in)
			if got := st.Slots[SlotBank]; got != tt.want {
				t.Errorf("bank = %q, want %q (%s)", got, tt.want, rs[1].Trace.Decision)
			}
		})
	}
}
