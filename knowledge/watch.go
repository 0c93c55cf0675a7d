package knowledge

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher reports changes to the files under a knowledge-base folder.
type Watcher struct {
	dir string
	fs  *fsnotify.Watcher
}

// NewWatcher starts watching dir and every folder below it. Once it returns, no change is
// missed: Run reports those made since. Close it, or let Run close it.
func NewWatcher(dir string) (*Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", dir, err)
	}
	if err := watchTree(w, dir); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("watch %s: %w", dir, err)
	}
	return &Watcher{dir: dir, fs: w}, nil
}

// Close stops watching.
func (w *Watcher) Close() error { return w.fs.Close() }

// Run calls onChange after files change, until ctx is done, then closes the watcher. Editors save
// in bursts (a temp file, a rename, a chmod; several files at once), so onChange runs once the
// folder has been quiet for debounce. Folders created later (a new flows/) are watched too.
// onChange runs on Run's goroutine, never twice at the same time. Run returns nil.
func (w *Watcher) Run(ctx context.Context, debounce time.Duration, onChange func()) error {
	defer w.fs.Close()
	quiet := time.NewTimer(debounce)
	quiet.Stop()
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.fs.Events:
			if !ok {
				return nil
			}
			if !matters(ev) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
					_ = watchTree(w.fs, ev.Name) // best effort: a folder that vanished again holds nothing
				}
			}
			quiet.Reset(debounce)
		case _, ok := <-w.fs.Errors:
			if !ok {
				return nil
			}
			// An error (e.g. an event queue overflow) may hide a change: reload to be safe.
			quiet.Reset(debounce)
		case <-quiet.C:
			onChange()
		}
	}
}

// watchTree watches dir and every folder below it; inotify watches are not recursive.
func watchTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != dir && editorLeftover(d.Name()) {
			return filepath.SkipDir
		}
		return w.Add(p)
	})
}

// matters reports whether an event can change what Load reads: a permission change alone cannot,
// and editors' swap, backup and lock files are never read.
func matters(ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod {
		return false
	}
	return !editorLeftover(filepath.Base(ev.Name))
}
