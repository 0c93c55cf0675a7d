package dialog

import "testing"

// A flow asking 「是哪家银行」 takes a bank name or a short "another bank" answer, never a
// message of its own that merely mentions 银行: a question, or a topic of its own.
func TestBankAnswerIsNotAMessageThatMentionsABank(t *testing.T) {
	tests := []struct {
		in      string
		want    string // the bank slot after the message, "" for not filled
		article string // the article answered instead, "" for not checked
	}{
		{"招行", "cmb", ""},
		{"其他", BankOther, ""},
		{"其他银行", BankOther, ""},
		{"别的银行的卡", BankOther, ""},
		{"小银行", BankOther, ""},
		{"村镇银行", BankOther, ""},
		{"是外资银行的", BankOther, ""},
		{"不记得是哪家银行了", BankOther, ""},
		{"我想问问逾期以后怎么跟银行商量分期还款", "", ""},
		{"银行会不会直接起诉我", "", ""},
		{"银行天天打电话催收我该怎么办", "", ""},
		{"银行的人说再不还就要上门找我家里人", "", ""},
		{"银行要起诉我", "", "lawsuit-criminal"},
		{"银行要上门催收", "", "collection-rights"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			rs, st := say(embedded(t), State{}, "帮我想想怎么跟银行谈", tt.in)
			if rs[0].Slot != SlotBank {
				t.Fatalf("the flow did not ask for the bank: %s", rs[0].Trace.Decision)
			}
			if got := st.Slots[SlotBank]; got != tt.want {
				t.Errorf("bank = %q, want %q (%s)", got, tt.want, rs[1].Trace.Decision)
			}
			if tt.article != "" && rs[1].Article != tt.article {
				t.Errorf("answered %s %q, want %q (%s)", rs[1].Kind, rs[1].Article, tt.article, rs[1].Trace.Decision)
			}
		})
	}
}

// TestBankAnswerLengthAndQuestion: even when no article scores high enough to leave the flow, a
// long message or a question that mentions 银行 is not the answer "another bank".
func TestBankAnswerLengthAndQuestion(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"其他银行", BankOther},
		{"不记得是哪家银行了", BankOther},
		{"我想问问逾期以后怎么跟银行商量分期还款", ""},
		{"银行会不会直接起诉我", ""},
		{"银行天天打电话催收我该怎么办", ""},
		{"银行的人说再不还就要上门找我家里人", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			rs, st := say(strictLeave(t, testKB()), State{}, "帮我跟银行谈", tt.in)
			if got := st.Slots[SlotBank]; got != tt.want {
				t.Errorf("bank = %q, want %q (%s)", got, tt.want, rs[1].Trace.Decision)
			}
		})
	}
}
