package limit

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// incrWithExpiry counts one event and sets the window's expiry on its first event, atomically.
// The key names its window, so a lost expiry can never extend a window.
const incrWithExpiry = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`

// Redis is a Limiter whose counts every server instance shares.
type Redis struct {
	rdb    redis.UniversalClient
	prefix string
	now    func() time.Time
}

// NewRedis returns a limiter storing its counters under "<prefix>:rl:".
func NewRedis(rdb redis.UniversalClient, prefix string) *Redis {
	return &Redis{rdb: rdb, prefix: prefix, now: time.Now}
}

// Allow implements Limiter: one pipeline with one small script per check, so a frame's address
// and session counts cost one round trip. Each script touches one key, so the pipeline works on
// Redis Cluster too (go-redis sends each script to its key's node). EVAL rather than EVALSHA: a
// pipeline cannot fall back after NOSCRIPT, and the script is a hundred bytes.
func (l *Redis) Allow(ctx context.Context, checks ...Check) (int, error) {
	now := l.now()
	counts := make([]*redis.Cmd, len(checks))
	var keys []string
	_, err := l.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, ch := range checks {
			if ch.Rate.Unlimited() {
				continue
			}
			index, end := window(now, ch.Rate.Per)
			k := l.prefix + ":rl:" + ch.Key + ":" + strconv.FormatInt(index, 10)
			// Keep the key a little past its window so clocks that differ slightly between
			// instances still count into the same key.
			ttl := end.Sub(now) + time.Second
			counts[i] = p.Eval(ctx, incrWithExpiry, []string{k}, ttl.Milliseconds())
			keys = append(keys, ch.Key)
		}
		return nil
	})
	if err != nil {
		return -1, fmt.Errorf("rate limit %s: %w", strings.Join(keys, ", "), err)
	}
	for i, cmd := range counts {
		if cmd == nil {
			continue
		}
		n, err := cmd.Int64()
		if err != nil {
			return -1, fmt.Errorf("rate limit %s: %w", checks[i].Key, err)
		}
		if n > int64(checks[i].Rate.Limit) {
			return i, nil
		}
	}
	return -1, nil
}
