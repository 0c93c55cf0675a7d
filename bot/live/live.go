// Package live keeps the knowledge base the bot answers from current while it runs: it loads the
// knowledge base, builds a dialog engine and swaps it in atomically, so a reload never drops a
// socket or a session and every turn answers wholly from one version. A reload that finds any
// problem keeps the engine that was serving and remembers the problems for /readyz.
//
// The routing check (does every example question reach its own article?) runs after the swap,
// in the background: it asks every example question, so it grows with the square of the
// knowledge base (about half a minute at 50 times the built-in one) and would hold a corrected
// answer back that long. What it finds is a warning of the serving version (/readyz, the log);
// `chatbot kb lint`, which editors run and CI requires, still fails on it.
package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"chatbot/dialog"
	"chatbot/knowledge"
)

// DefaultDebounce is how long the folder must be quiet after a change before Watch reloads:
// editors save in bursts, and a change should still be live about a second after the save.
const DefaultDebounce = 300 * time.Millisecond

// Options configures a Library.
type Options struct {
	// Dir is an editor's knowledge-base folder; empty serves the embedded knowledge base.
	Dir string
	// Dialog holds the engine's thresholds.
	Dialog dialog.Config
	// Logger gets reloads and their problems; nil discards.
	Logger *slog.Logger
	// Debounce for Watch; zero means DefaultDebounce.
	Debounce time.Duration
	// Now is the clock for Status times; nil means time.Now.
	Now func() time.Time
}

// Status is what /readyz shows about the knowledge base.
type Status struct {
	Loaded   bool      `json:"loaded"`             // an engine is serving
	Source   string    `json:"source"`             // the folder, or "embedded"
	Version  string    `json:"version,omitempty"`  // of the serving knowledge base
	LoadedAt time.Time `json:"loaded_at,omitzero"` // when the serving version was loaded
	// Warnings of the serving knowledge base (they do not stop it loading), the routing
	// check's among them once RoutingChecked.
	Warnings []string `json:"warnings,omitempty"`
	// RoutingChecked: the routing check of the serving version has finished.
	RoutingChecked bool `json:"routing_checked"`
	// LastAttempt is when the last load or reload ran; Problems are what it rejected ("file:line:
	// message"), empty when it succeeded.
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	Problems    []string  `json:"problems,omitempty"`
}

// Library holds the serving engine. Safe for concurrent use: Engine is a single atomic load;
// loads and reloads run one at a time.
type Library struct {
	opts   Options
	log    *slog.Logger
	engine atomic.Pointer[dialog.Engine]
	// stopCheck cancels the serving version's routing check, under mu.
	stopCheck context.CancelFunc

	mu     sync.Mutex // serialises loads; guards status
	status Status
}

// New returns a Library with nothing loaded yet; call Load.
func New(o Options) *Library {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Debounce <= 0 {
		o.Debounce = DefaultDebounce
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	source := o.Dir
	if source == "" {
		source = "embedded"
	}
	return &Library{opts: o, log: o.Logger, status: Status{Source: source}}
}

// Engine returns the serving engine, or nil before a successful Load.
func (l *Library) Engine() *dialog.Engine { return l.engine.Load() }

// Load loads the knowledge base for start-up. Any problem is an error (a knowledge.Problems
// listing them all, or the folder's error) and Status lists the problems, so a broken knowledge
// base stops start-up instead of serving nothing. Load does not log a failure: the caller, which
// stops, reports it once.
func (l *Library) Load(ctx context.Context) error {
	return l.load(ctx, false)
}

// Reload loads the knowledge base again, checks it and swaps the new engine in (the routing check
// follows in the background, see the package comment). On any problem the serving engine
// stays, the problems are logged and kept in Status, and the error lists them.
func (l *Library) Reload(ctx context.Context) error {
	return l.load(ctx, true)
}

// load is Load and Reload; logRejection says whether a rejected knowledge base is logged.
func (l *Library) load(ctx context.Context, logRejection bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	started := l.opts.Now()
	l.status.LastAttempt = started

	eng, problems, err := l.build()
	if err != nil {
		l.status.Problems = problems
		if logRejection {
			l.logRejected(ctx, problems)
		}
		return err
	}
	l.status.Problems = nil
	if old := l.engine.Load(); old != nil && old.KB().Version == eng.KB().Version {
		return nil // nothing changed (an editor saved without editing)
	}
	l.engine.Store(eng)
	kb := eng.KB()
	l.status.Loaded, l.status.Version, l.status.LoadedAt = true, kb.Version, started
	l.status.Warnings, l.status.RoutingChecked = l.problemStrings(kb.Warnings), false
	l.log.InfoContext(ctx, "knowledge base loaded", "source", l.status.Source, "version", kb.Version,
		"articles", len(kb.Articles), "warnings", l.status.Warnings,
		"ms", l.opts.Now().Sub(started).Milliseconds())
	if l.stopCheck != nil {
		l.stopCheck() // the previous version's check is moot
	}
	checkCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	l.stopCheck = stop
	go l.checkRouting(checkCtx, eng)
	return nil
}

// checkRouting runs the routing check of eng and, if eng still serves, adds what it finds to
// the warnings. A newer version cancels it.
func (l *Library) checkRouting(ctx context.Context, eng *dialog.Engine) {
	started := l.opts.Now()
	// One CPU fewer than there are: the rest keep answering and reloading.
	ps, err := dialog.CheckRoutingContext(ctx, eng, runtime.GOMAXPROCS(0)-1)
	if err != nil {
		return // a newer version serves; its own check reports
	}
	problems := l.problemStrings(knowledge.Problems(ps))
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.engine.Load() != eng {
		return
	}
	l.status.Warnings = append(l.status.Warnings, problems...)
	l.status.RoutingChecked = true
	log := l.log.InfoContext
	if len(problems) > 0 {
		log = l.log.WarnContext
	}
	log(ctx, "knowledge base routing checked", "version", eng.KB().Version, "problems", problems,
		"ms", l.opts.Now().Sub(started).Milliseconds())
}

// logRejected logs a rejected knowledge base and says what serves instead: the previous version,
// or nothing when none has loaded yet.
func (l *Library) logRejected(ctx context.Context, problems []string) {
	if l.engine.Load() == nil {
		l.log.ErrorContext(ctx, "knowledge base rejected; nothing is serving",
			"source", l.status.Source, "problems", problems)
		return
	}
	l.log.ErrorContext(ctx, "knowledge base rejected; the previous version keeps serving",
		"source", l.status.Source, "serving", l.status.Version, "problems", problems)
}

// build loads and checks the knowledge base and builds its engine. problems lists what was wrong
// as "file:line: message" lines when err is not nil.
func (l *Library) build() (eng *dialog.Engine, problems []string, err error) {
	kb, err := knowledge.LoadDir(l.opts.Dir)
	if err != nil {
		var ps knowledge.Problems
		if errors.As(err, &ps) {
			return nil, l.problemStrings(ps), fmt.Errorf("load knowledge base: %w", err)
		}
		return nil, []string{err.Error()}, fmt.Errorf("load knowledge base: %w", err)
	}
	eng, err = dialog.New(kb, l.opts.Dialog)
	if err != nil {
		return nil, []string{err.Error()}, fmt.Errorf("build dialog engine: %w", err)
	}
	return eng, nil, nil
}

// Status reports the serving version and the last attempt's problems.
func (l *Library) Status() Status {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.status
	s.Warnings = append([]string(nil), s.Warnings...)
	s.Problems = append([]string(nil), s.Problems...)
	return s
}

// Watch starts watching Dir and returns once it does, so every later change is seen; reloads
// (after Debounce of quiet) then run in the background until ctx is done, when stopped is
// closed. For the embedded knowledge base, which cannot change, it watches nothing and stopped
// is closed at once. The error says why watching could not start.
func (l *Library) Watch(ctx context.Context) (stopped <-chan struct{}, err error) {
	done := make(chan struct{})
	if l.opts.Dir == "" {
		close(done)
		return done, nil
	}
	w, err := knowledge.NewWatcher(l.opts.Dir)
	if err != nil {
		return nil, err
	}
	go func() {
		defer close(done)
		_ = w.Run(ctx, l.opts.Debounce, func() {
			_ = l.Reload(ctx) // a rejected reload is logged and shown in Status
		})
	}()
	return done, nil
}

// problemStrings renders problems as "file:line: message", with the editor's folder in the path.
func (l *Library) problemStrings(ps knowledge.Problems) []string {
	if len(ps) == 0 {
		return nil
	}
	if l.opts.Dir != "" {
		ps = ps.WithDir(l.opts.Dir)
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}
