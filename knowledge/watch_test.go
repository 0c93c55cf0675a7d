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
	w, err := NewWatcher(dir) // watching from here on: the test's writes are never missed
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	changes := make(chan struct{}, 16)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, debounce, func() { changes <- struct{}{} }) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after its context was cancelled")
		}
	})
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

// Change reports are waited for with a generous deadline (a busy machine may be slow); only the
// "reported once" cases depend on timing at all, and only on a burst of writes without pauses
// fitting into a long debounce.
const changeDeadline = 30 * time.Second

func TestWatch(t *testing.T) {
	const debounce = 150 * time.Millisecond

	t.Run("a saved change is reported", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.Mkdir(filepath.Join(dir, "articles"), 0o755))
		changes := startWatch(t, dir, debounce)
		write(t, filepath.Join(dir, "articles", "a.md"), "x")
		waitChange(t, changes, changeDeadline)
	})

	t.Run("a burst of saves is reported once", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.Mkdir(filepath.Join(dir, "articles"), 0o755))
		changes := startWatch(t, dir, time.Second)
		for i := range 10 {
			write(t, filepath.Join(dir, "articles", "a.md"), string(rune('a'+i)))
			write(t, filepath.Join(dir, "rules.yaml"), string(rune('a'+i)))
		}
		waitChange(t, changes, changeDeadline)
		noChange(t, changes, 2*time.Second)
	})

	t.Run("an editor's save through a temp file and a rename is reported once", func(t *testing.T) {
		dir := t.TempDir()
		changes := startWatch(t, dir, time.Second)
		tmp := filepath.Join(dir, ".vocabulary.yaml.swp")
		write(t, tmp, "synonyms: {}")
		require.NoError(t, os.Rename(tmp, filepath.Join(dir, "vocabulary.yaml")))
		waitChange(t, changes, changeDeadline)
		noChange(t, changes, 2*time.Second)
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
		waitChange(t, changes, changeDeadline)
		write(t, filepath.Join(dir, "flows", "negotiation.yaml"), "id: negotiation")
		waitChange(t, changes, changeDeadline)
	})

	t.Run("a missing folder is an error", func(t *testing.T) {
		_, err := NewWatcher(filepath.Join(t.TempDir(), "nope"))
		require.ErrorContains(t, err, "no such file or directory")
	})
}
