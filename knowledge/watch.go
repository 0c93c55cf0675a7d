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

// Watch calls onChange after files under dir change, until ctx is done. Editors save in bursts
// (a temp file, a rename, a chmod; several files at once), so onChange runs once the folder has
// been quiet for debounce. Folders created later (a new flows/) are watched too. onChange runs
// on Watch's goroutine, never twice at the same time. Watch returns an error only when it cannot
// start watching; when ctx is done it returns nil.
func Watch(ctx context.Context, dir string, debounce time.Duration, onChange func()) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	defer w.Close()
	if err := watchTree(w, dir); err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}

	quiet := time.NewTimer(debounce)
	quiet.Stop()
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if !matters(ev) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
					_ = watchTree(w, ev.Name) // best effort: a folder that vanished again holds nothing
				}
			}
			quiet.Reset(debounce)
		case _, ok := <-w.Errors:
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
