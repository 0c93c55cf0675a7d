// Package session stores conversations: each session's state, versioned so that two browser
// tabs of one session cannot overwrite each other's turn, and its transcript, capped. Both expire
// after an idle TTL. Redis keeps them for real deployments (any instance serves any session); an
// in-memory store serves the one-command default run and tests.
//
// The store does not interpret what it keeps: state and transcript entries are the bot's JSON.
package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Errors a Store returns; anything else is the backend failing (wrapped, with its cause).
var (
	// ErrNotFound: no session with this id, or it expired.
	ErrNotFound = errors.New("session not found")
	// ErrConflict: the session changed since the version a Save started from.
	ErrConflict = errors.New("session changed concurrently")
	// ErrLimited: a rate limit of the turn refused it (see LimitError).
	ErrLimited = errors.New("rate limit exceeded")
)

// LimitError says which of a Turn's Limits refused it. Nothing was written; every limit was
// counted.
type LimitError struct{ Index int }

func (e *LimitError) Error() string { return fmt.Sprintf("rate limit %d exceeded", e.Index) }

// Is makes errors.Is(err, ErrLimited) true.
func (e *LimitError) Is(target error) bool { return target == ErrLimited }

// Defaults for zero Options fields.
const (
	DefaultTTL           = 30 * time.Minute
	DefaultTranscriptCap = 200
	DefaultMaxSessions   = 100_000
	DefaultSweepEvery    = time.Minute
)

// Record is a session's state at one version.
type Record struct {
	// Version counts the session's committed writes: 1 after it is created. A Save names the
	// version it was computed from and fails with ErrConflict if another write came first.
	Version int64
	State   []byte
}

// Turn is everything one turn writes; a Store commits it atomically or not at all, in one round
// trip: the version check, the rate limits and the write.
type Turn struct {
	// Version is the version the turn was computed from; 0 creates the session and fails with
	// ErrConflict if the id is taken. A stale version is refused before anything is counted.
	Version int64
	// State is the session's new state. Nil means the turn changed nothing: only the version is
	// checked and the limits counted, and the version stays.
	State  []byte
	Append [][]byte // transcript entries to add, oldest first
	// Limits are counted with the turn (one event each); when one is over its rate the turn
	// is refused with a *LimitError and nothing is written.
	Limits []Limit
}

// Limit is a rate limit counted with a turn: one event for Key, refused past Max events per Per.
// Counts use fixed windows aligned to multiples of Per (the same keys as channels/limit, so a
// frame counted there and a turn counted here share one count).
type Limit struct {
	Key string
	Max int
	Per time.Duration
}

// windowOf returns the index of the fixed window t falls into and when that window ends.
func windowOf(t time.Time, per time.Duration) (index int64, end time.Time) {
	index = t.UnixNano() / int64(per)
	return index, time.Unix(0, (index+1)*int64(per))
}

// Store keeps sessions. Every call that returns a Record or entries returns copies the caller
// may keep; Save may keep the slices of its Turn, which the caller must not change afterwards.
// Implementations are safe for concurrent use.
type Store interface {
	// Load returns the session's current state, or ErrNotFound.
	Load(ctx context.Context, id string) (Record, error)
	// Resume returns the state and the last n transcript entries (oldest first; none when
	// n <= 0), and restarts the idle TTL: a client coming back is activity. ErrNotFound when
	// unknown or expired.
	Resume(ctx context.Context, id string, n int) (Record, [][]byte, error)
	// Save commits a turn: the new state, version+1, the appended entries (the transcript then
	// trimmed to its cap) and a fresh TTL on both. It returns the new version.
	Save(ctx context.Context, id string, t Turn) (int64, error)
	// Count counts one event for every limit (each counted, whatever the others say) and
	// returns the index of the first over its rate, or -1. Frames that are not turns (hello,
	// ping, feedback) are counted with it, in the same counts as the turns' Limits.
	Count(ctx context.Context, limits []Limit) (refused int, err error)
	// Ping reports whether the store can serve requests.
	Ping(ctx context.Context) error
}

// Options configures a Store; zero fields take the defaults above.
type Options struct {
	TTL           time.Duration    // idle lifetime of a session and its transcript
	TranscriptCap int              // transcript entries kept per session (the oldest go first)
	Now           func() time.Time // clock for the in-memory store's expiry; time.Now if nil
	// MaxSessions caps the in-memory store; past it the least recently used session is
	// evicted. Default DefaultMaxSessions.
	MaxSessions int
	// SweepEvery is how often the in-memory store drops expired sessions. Default
	// DefaultSweepEvery.
	SweepEvery time.Duration
}

func (o Options) withDefaults() Options {
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.TranscriptCap <= 0 {
		o.TranscriptCap = DefaultTranscriptCap
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = DefaultMaxSessions
	}
	if o.SweepEvery <= 0 {
		o.SweepEvery = DefaultSweepEvery
	}
	return o
}

// idBytes is the size of a session id: 128 random bits, so ids cannot be guessed or collide.
const idBytes = 16

// NewID returns a new random session id: 32 lowercase hex digits.
func NewID() (string, error) {
	b := make([]byte, idBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new session id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// ValidID reports whether id has the shape NewID gives. Callers check ids from clients with it
// before they reach a store, so a crafted id never becomes part of a key.
func ValidID(id string) bool {
	if len(id) != 2*idBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
