package knowledge

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// kbTopics is the topic list the product promises (outside this repository; absent in a bare clone).
const kbTopics = "../../shared/KB-TOPICS.md"

var topicRowRE = regexp.MustCompile(`(?m)^\| ([a-z0-9]+(?:-[a-z0-9]+)*) \|`)

// TestTopicsFollowKBTopics checks that topics.yaml lists exactly the ids of KB-TOPICS, so that
// lint's "topic has no article" check covers every promised topic.
func TestTopicsFollowKBTopics(t *testing.T) {
	data, err := os.ReadFile(kbTopics)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not found: the topic list lives next to the repository", kbTopics)
	}
	require.NoError(t, err)
	var want []string
	for _, m := range topicRowRE.FindAllStringSubmatch(string(data), -1) {
		if m[1] != "id" { // the header row
			want = append(want, m[1])
		}
	}
	require.NotEmpty(t, want, "no topic rows found in %s", kbTopics)
	kb, err := Load(Embedded())
	require.NoError(t, err)
	var got []string
	for _, topic := range kb.Topics {
		got = append(got, topic.ID)
	}
	assert.ElementsMatch(t, want, got)
}

func BenchmarkLoadEmbedded(b *testing.B) {
	fsys := Embedded()
	b.ReportAllocs()
	for b.Loop() {
		Parse(fsys)
	}
}
