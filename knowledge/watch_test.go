package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// startWatch runs Watch on dir and returns a channel that receives one value per onChange call.
func startWatch(t *testing.T, dir string, debounce time.Duration) <-chan struct{} {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	changes := make(chan struct{}, 16)
	done := make(chan error, 1)
	go func() { done <- Watch(ctx, dir, debounce, func() { changes <- struct{}{} }) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(2 * time.Second):
			t.Error("Watch did not return after its context was cancelled")
		}
	})
	time.Sleep(100 * time.Millisecond) // let the watcher register before the test writes
	return changes
}

func waitChange(t *testing.T, changes <-chan struct{}, within time.Duration) {
	t.Helper()
	select {
	case <-changes:
	case <-time.After(within):
		t.Fatalf("no change reported within %v", within)
	}
}

func noChange(t *testing.T, changes <-chan struct{}, during time.Duration) {
	t.Helper()
	select {
	case <-changes:
		t.Fatal("unexpected extra change")
	case <-time.After(during):
	}
}

func write(t *testing.T, name, data string) {
	t.Helper()
	require.NoError(t, os.WriteFile(name, []byte(data), 0o644))
}

func TestWatch(t *testing.T) {
	const debounce = 150 * time.Millisecond

	t.Run("a saved change is reported within 2s", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.Mkdir(filepath.Join(dir, "articles"), 0o755))
		changes := startWatch(t, dir, debounce)
		write(t, filepath.Join(dir, "articles", "a.md"), "x")
		waitChange(t, changes, 2*time.Second)
	})

	t.Run("a burst of saves is reported once", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.Mkdir(filepath.Join(dir, "articles"), 0o755))
		changes := startWatch(t, dir, debounce)
		for i := range 10 {
			write(t, filepath.Join(dir, "articles", "a.md"), string(rune('a'+i)))
			write(t, filepath.Join(dir, "rules.yaml"), string(rune('a'+i)))
			time.Sleep(10 * time.Millisecond)
		}
		waitChange(t, changes, 2*time.Second)
		noChange(t, changes, 3*debounce)
	})

	t.Run("an editor's save through a temp file and a rename is reported once", func(t *testing.T) {
		dir := t.TempDir()
		changes := startWatch(t, dir, debounce)
		tmp := filepath.Join(dir, ".vocabulary.yaml.swp")
		write(t, tmp, "synonyms: {}")
		require.NoError(t, os.Rename(tmp, filepath.Join(dir, "vocabulary.yaml")))
		waitChange(t, changes, 2*time.Second)
		noChange(t, changes, 3*debounce)
	})

	t.Run("swap files alone are not a change", func(t *testing.T) {
		dir := t.TempDir()
		changes := startWatch(t, dir, debounce)
		write(t, filepath.Join(dir, ".a.md.swp"), "x")
		write(t, filepath.Join(dir, "a.md~"), "x")
		noChange(t, changes, 3*debounce)
	})

	t.Run("a folder created later is watched", func(t *testing.T) {
		dir := t.TempDir()
		changes := startWatch(t, dir, debounce)
		require.NoError(t, os.Mkdir(filepath.Join(dir, "flows"), 0o755))
		waitChange(t, changes, 2*time.Second)
		write(t, filepath.Join(dir, "flows", "negotiation.yaml"), "id: negotiation")
		waitChange(t, changes, 2*time.Second)
	})

	t.Run("a missing folder is an error", func(t *testing.T) {
		err := Watch(context.Background(), filepath.Join(t.TempDir(), "nope"), debounce, func() {})
		require.ErrorContains(t, err, "no such file or directory")
	})
}
