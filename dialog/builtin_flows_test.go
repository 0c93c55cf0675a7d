package dialog

import (
	"strings"
	"testing"
)

// TestNegotiationCapacityWords reads free-text answers to the built-in negotiation flow's last
// question (「每个月大概能拿出多少来还？」), through the vocabulary as a message is.
func TestNegotiationCapacityWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"暂时一分都拿不出来", "none"},
		{"一分钱拿不出来", "none"},
		{"现在没钱", "none"},
		{"真没钱了", "none"},
		{"拿不出钱", "none"},
		{"一分钱都没有", "none"},
		{"最低也拿不出来", "none"},
		{"还不了多少", "partial"},
		{"拿不出多少", "partial"},
		{"能还的不多", "partial"},
		{"每个月能还个一两千", "partial"},
		{"每月两千", "partial"},
		{"能还最低的", "minimum"},
		{"差不多能还最低", "minimum"},
	}
	e := embedded(t)
	start := []string{"帮我想想怎么跟银行谈", "建行", "俩月了", "失业了"}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			rs, st := say(e, State{}, append(start, tt.in)...)
			if got := st.Slots["capacity"]; got != tt.want {
				last := rs[len(rs)-1]
				t.Errorf("capacity = %q, want %q (%s %q: %s)", got, tt.want, last.Kind, last.Slot, last.Trace.Decision)
			}
		})
	}
}

// TestBuiltInDayCounts answers the built-in consequences flow's question in rough wordings.
func TestBuiltInDayCounts(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"十来天", "10"},
		{"一个来月", "30"},
		{"三个月零几天", "95"},
		{"两个月零三天", "63"},
	}
	e := embedded(t)
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			rs, st := say(e, State{}, "逾期了会有什么后果", tt.in)
			if got := st.Slots[SlotDays]; got != tt.want || rs[1].Kind != KindAnswer {
				t.Errorf("days = %q (%s), want %q answered (%s)", got, rs[1].Kind, tt.want, rs[1].Trace.Decision)
			}
		})
	}
}

// TestBuiltInSafetyWordings: weariness of living is recognised as a crisis itself, before
// any scoring or flow, however the rest of the knowledge base scores it.
func TestBuiltInSafetyWordings(t *testing.T) {
	e := embedded(t)
	for _, in := range []string{"活着太累了", "不想再撑了", "活得好累啊", "真的坚持不下去了", "撑不住了想分期"} {
		t.Run(in, func(t *testing.T) {
			_, st := say(e, State{}, "帮我想想怎么跟银行谈")
			r, _ := e.Explain(st, Input{Text: in})
			if r.Article != "emotional-support" || !strings.HasPrefix(r.Trace.Decision, "crisis: ") || r.Priority != PriorityCrisis {
				t.Errorf("got %s %q %q (%s), want emotional-support recognised as a crisis", r.Kind, r.Article, r.Priority, r.Trace.Decision)
			}
		})
	}
}
