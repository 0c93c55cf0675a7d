// Package limit describes how fast one session or one client address may send. The counting is
// the session store's (bot/session: Store.Count and Turn.Limits), so a turn's limits cost no round
// trip of their own and every instance sharing Redis shares the counts.
package limit

import (
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
