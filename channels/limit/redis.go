package limit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// incrWithExpiry counts one event and sets the window's expiry on its first event, atomically,
// in one round trip. The key names its window, so a lost expiry can never extend a window.
var incrWithExpiry = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`)

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

// Allow implements Limiter with one EVALSHA per call.
func (l *Redis) Allow(ctx context.Context, key string, rate Rate) (bool, error) {
	if rate.Unlimited() {
		return true, nil
	}
	now := l.now()
	index, end := window(now, rate.Per)
	k := l.prefix + ":rl:" + key + ":" + strconv.FormatInt(index, 10)
	// Keep the key a little past its window so clocks that differ slightly between instances
	// still count into the same key.
	ttl := end.Sub(now) + time.Second
	n, err := incrWithExpiry.Run(ctx, l.rdb, []string{k}, ttl.Milliseconds()).Int64()
	if err != nil {
		return false, fmt.Errorf("rate limit %s: %w", key, err)
	}
	return n <= int64(rate.Limit), nil
}
