package dialog

import (
	"strings"
	"testing"

	"chatbot/knowledge"
)

func TestGoldenExcludes(t *testing.T) {
	reply := Reply{Kind: KindAnswer, Text: "温馨提示：系统已自动隐去。卡号尾号 1234 的账单……", Trace: &Trace{}}
	tests := []struct {
		name     string
		excludes []string
		want     []string // substrings of the failures, in order
	}{
		{"absent substrings pass", []string{"6222021234567890123", "7890123"}, nil},
		{"a present substring fails", []string{"6222", "1234"}, []string{`text contains "1234", which it must not`}},
		{"an empty substring is ignored", []string{""}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := differences(knowledge.Turn{Excludes: tt.excludes}, reply)
			if len(got) != len(tt.want) {
				t.Fatalf("differences = %q, want %d failures", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("failure %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}
