package dialog

import (
	"os"
	"strings"
	"sync"
	"testing"

	"chatbot/knowledge"
)

// devSet is the labelled development set kept next to the repository, and the bar it must meet.
const (
	devSet            = "../../shared/eval/dev.tsv"
	devMinAccuracy    = 0.92
	devMinFallbackRec = 0.85
)

var (
	embeddedOnce   sync.Once
	embeddedEngine *Engine
	embeddedErr    error
)

// embedded returns an engine over the built-in knowledge base, built once per test binary.
func embedded(t testing.TB) *Engine {
	t.Helper()
	embeddedOnce.Do(func() {
		kb, err := knowledge.Load(knowledge.Embedded())
		if err != nil {
			embeddedErr = err
			return
		}
		embeddedEngine, embeddedErr = New(kb, DefaultConfig())
	})
	if embeddedErr != nil {
		t.Fatalf("load embedded knowledge base: %v", embeddedErr)
	}
	return embeddedEngine
}

// TestDevSet holds the engine to the bar on the development set when the set is available
// (it lives outside the repository, so CI skips this).
func TestDevSet(t *testing.T) {
	f, err := os.Open(devSet)
	if err != nil {
		t.Skipf("dev set not available: %v", err)
	}
	defer f.Close()
	rep, err := Evaluate(embedded(t), f)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accuracy() < devMinAccuracy || rep.FallbackRecall() < devMinFallbackRec {
		var b strings.Builder
		rep.Write(&b)
		t.Errorf("dev set below the bar (accuracy >= %.0f%%, fallback recall >= %.0f%%):\n%s",
			100*devMinAccuracy, 100*devMinFallbackRec, b.String())
	}
}

func TestGoldenConversations(t *testing.T) {
	for _, res := range RunConversations(embedded(t)) {
		t.Run(res.Name, func(t *testing.T) {
			for _, f := range res.Failures {
				t.Error(f)
			}
		})
	}
}

func TestExampleQuestionsRouteToTheirArticle(t *testing.T) {
	for _, p := range CheckRouting(embedded(t)) {
		t.Error(p)
	}
}
