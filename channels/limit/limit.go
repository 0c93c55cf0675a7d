// Package limit counts events per key in fixed time windows, so channels can cap how fast one
// session or one client address may send. The Redis implementation shares the counts across every
// server instance; the in-memory one serves a single instance.
package limit

import (
	"context"
	"fmt"
	"time"
)

// Rate is at most Limit events per Per. A zero Limit means "use the default"; a negative Limit
// means unlimited.
type Rate struct {
	Limit int
	Per   time.Duration
}

// Unlimited reports whether the rate lets everything through.
func (r Rate) Unlimited() bool { return r.Limit < 0 || r.Per <= 0 }

// String describes the rate for messages: "60 per 1m0s", or "unlimited".
func (r Rate) String() string {
	if r.Unlimited() {
		return "unlimited"
	}
	return fmt.Sprintf("%d per %s", r.Limit, r.Per)
}

// Check is one count to make: an event for Key, allowed up to Rate.
type Check struct {
	Key  string
	Rate Rate
}

// Limiter counts one event for every check's key and reports the index of the first check over
// its rate, or -1 when all are within. Every check is counted, whatever the others say.
//
// Counting uses fixed windows aligned to multiples of Rate.Per: simple, all checks of a call in
// one Redis round trip, and at worst a burst of twice the limit across a window boundary, which
// is fine for flood control.
type Limiter interface {
	Allow(ctx context.Context, checks ...Check) (refused int, err error)
}

// window returns the index of the fixed window t falls into and when that window ends.
func window(t time.Time, per time.Duration) (index int64, end time.Time) {
	index = t.UnixNano() / int64(per)
	return index, time.Unix(0, (index+1)*int64(per))
}
