package dialog

import (
	"fmt"
	"testing"

	"chatbot/knowledge"
	"chatbot/knowledge/kbtest"
)

// kbSizes are the knowledge-base sizes the scale benchmarks compare: the built-in base and
// synthetic ones with 10 and 50 times its articles (kbtest.Scaled).
var kbSizes = []int{1, 10, 50}

func scaledEngine(b *testing.B, n int) *Engine {
	b.Helper()
	fsys, err := kbtest.Scaled(n)
	if err != nil {
		b.Fatal(err)
	}
	kb, err := knowledge.Load(fsys)
	if err != nil {
		b.Fatal(err)
	}
	e, err := New(kb, DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkRespondKBSize is one turn of the engine (BenchmarkRespond's messages) as the
// knowledge base grows: x50 should cost at most 3 times x1.
func BenchmarkRespondKBSize(b *testing.B) {
	for _, n := range kbSizes {
		b.Run(fmt.Sprintf("x%d", n), func(b *testing.B) {
			e := scaledEngine(b, n)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				e.Respond(State{}, Input{Text: benchMessages[i%len(benchMessages)]})
				i++
			}
		})
	}
}

// BenchmarkLoadKBSize is what a reload does, for each size: read and check the knowledge base,
// build its engine and check the routing of every example question. One operation is one
// load; load plus reload is two.
func BenchmarkLoadKBSize(b *testing.B) {
	for _, n := range kbSizes {
		b.Run(fmt.Sprintf("x%d", n), func(b *testing.B) {
			fsys, err := kbtest.Scaled(n)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				kb, err := knowledge.Load(fsys)
				if err != nil {
					b.Fatal(err)
				}
				e, err := New(kb, DefaultConfig())
				if err != nil {
					b.Fatal(err)
				}
				CheckRouting(e)
			}
		})
	}
}
