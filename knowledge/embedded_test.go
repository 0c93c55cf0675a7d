package knowledge

import (
	"errors"
	"strings"
	"testing"
)

// TestEmbeddedLoads guards the built-in knowledge base: it must load with no errors. On failure
// it prints every problem as file:line: message, as `chatbot kb lint` would.
func TestEmbeddedLoads(t *testing.T) {
	kb, err := Load(Embedded())
	if err != nil {
		var problems Problems
		if errors.As(err, &problems) {
			t.Fatalf("built-in knowledge base has %d errors:\n%s",
				len(problems.Errors()), strings.Join(problemLines(problems.WithDir("knowledge/zh-CN")), "\n"))
		}
		t.Fatal(err)
	}
	if len(kb.Warnings) > 0 {
		t.Logf("warnings:\n%s", strings.Join(problemLines(kb.Warnings.WithDir("knowledge/zh-CN")), "\n"))
	}
	if missing := Stats(kb).TopicsMissing; len(missing) > 0 {
		t.Errorf("topics without an article: %v", missing)
	}
}

func BenchmarkLoadEmbedded(b *testing.B) {
	fsys := Embedded()
	b.ReportAllocs()
	for b.Loop() {
		Parse(fsys)
	}
}
