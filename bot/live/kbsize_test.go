package live

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"chatbot/knowledge/kbtest"
)

// BenchmarkReloadKBSize is one reload of a knowledge-base folder (read, check, build the engine,
// swap it in) for the built-in knowledge base and synthetic ones with 10 and 50 times its
// articles; load plus reload is two. The routing check follows in the background.
func BenchmarkReloadKBSize(b *testing.B) {
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("x%d", n), func(b *testing.B) {
			fsys, err := kbtest.Scaled(n)
			if err != nil {
				b.Fatal(err)
			}
			dir := b.TempDir()
			for name, f := range fsys {
				path := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(path, f.Data, 0o644); err != nil {
					b.Fatal(err)
				}
			}
			l := New(Options{Dir: dir})
			for b.Loop() {
				if err := l.Reload(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
