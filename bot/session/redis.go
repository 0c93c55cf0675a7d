package session

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Store in Redis, shared by every instance of the chatbot. Keys, for prefix p:
//
//	p:s:{id}  hash: v (version), state (the bot's JSON)  idle TTL
//	p:t:{id}  list of transcript entries, capped         same TTL
//	p:rl:<key>:<window>  a Limit's count in one window  until the window ends
//
// The braces are a Redis Cluster hash tag: both keys of a session land in one slot, so one
// script may write both.
//
// Round trips: a Save is one EVALSHA of turnScript, which checks the version, counts the turn's
// limits and writes state, transcript, trim and TTLs atomically (the first Save after Redis
// restarts costs one more, EVAL, to load the script). A conversation whose state its socket keeps
// decoded needs nothing else: a turn is one round trip. On Redis Cluster the limits' keys live in
// other slots than the session's, so they are counted first in a pipeline of their own: two round
// trips. Load is one HMGET; Resume (reconnect, page reload) one MULTI/EXEC of HMGET, LRANGE and
// two PEXPIREs.
type Redis struct {
	client  redis.UniversalClient
	prefix  string
	opts    Options
	cluster bool // keys of one script must share a slot
}

// NewRedis returns a store keeping sessions under prefix in the client's Redis. Build the client
// with redisclient.New so that retries, timeouts and the error count are set.
func NewRedis(client redis.UniversalClient, prefix string, o Options) *Redis {
	_, cluster := client.(*redis.ClusterClient)
	return &Redis{client: client, prefix: prefix, opts: o.withDefaults(), cluster: cluster}
}

func (r *Redis) stateKey(id string) string      { return r.prefix + ":s:{" + id + "}" }
func (r *Redis) transcriptKey(id string) string { return r.prefix + ":t:{" + id + "}" }

// limitKey is where a limit's count for the window index lives (the layout channels/limit uses).
func (r *Redis) limitKey(key string, index int64) string {
	return r.prefix + ":rl:" + key + ":" + strconv.FormatInt(index, 10)
}

// Load implements Store.
func (r *Redis) Load(ctx context.Context, id string) (Record, error) {
	vals, err := r.client.HMGet(ctx, r.stateKey(id), "v", "state").Result()
	if err != nil {
		return Record{}, fmt.Errorf("load session %s: %w", id, err)
	}
	return parseRecord(id, vals)
}

// Resume implements Store.
func (r *Redis) Resume(ctx context.Context, id string, n int) (Record, [][]byte, error) {
	var (
		state *redis.SliceCmd
		lines *redis.StringSliceCmd
	)
	_, err := r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		state = p.HMGet(ctx, r.stateKey(id), "v", "state")
		if n > 0 {
			lines = p.LRange(ctx, r.transcriptKey(id), int64(-n), -1)
		}
		p.PExpire(ctx, r.stateKey(id), r.opts.TTL)
		p.PExpire(ctx, r.transcriptKey(id), r.opts.TTL)
		return nil
	})
	if err != nil {
		return Record{}, nil, fmt.Errorf("resume session %s: %w", id, err)
	}
	rec, err := parseRecord(id, state.Val())
	if err != nil {
		return Record{}, nil, err
	}
	if lines == nil {
		return rec, [][]byte{}, nil
	}
	entries := make([][]byte, len(lines.Val()))
	for i, l := range lines.Val() {
		entries[i] = []byte(l)
	}
	return rec, entries, nil
}

// turnScript commits one turn if the stored version is the expected one and no limit refuses it.
// KEYS: state, transcript, one counter per limit.
// ARGV: expected version, changed ("1" or "0"), state, TTL ms, cap, number of limits n, then per
// limit its max and its counter's TTL ms, then the entries.
// Returns the new version (the old one when nothing changed), -1 on a version conflict, or
// -1-i when limit i (1-based) refused the turn.
var turnScript = redis.NewScript(`
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= tonumber(ARGV[1]) then
  return -1
end
local n = tonumber(ARGV[6])
local refused = 0
for i = 1, n do
  local count = redis.call('INCR', KEYS[2 + i])
  if count == 1 then redis.call('PEXPIRE', KEYS[2 + i], ARGV[6 + 2 * i]) end
  if refused == 0 and count > tonumber(ARGV[5 + 2 * i]) then refused = i end
end
if refused > 0 then
  return -1 - refused
end
if ARGV[2] == '0' then
  return current
end
if current == 0 then
  redis.call('DEL', KEYS[2]) -- a new session never inherits an expired one's lines
end
local v = current + 1
redis.call('HSET', KEYS[1], 'v', v, 'state', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local first = 7 + 2 * n
if #ARGV >= first then
  redis.call('RPUSH', KEYS[2], unpack(ARGV, first))
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[5]), -1)
end
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return v
`)

// countScript counts one event in a window's counter and sets its expiry on the first, for
// Count and for the limits Cluster cannot count inside turnScript. The key names its window, so a
// lost expiry can never extend a window.
const countScript = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`

// Save implements Store.
func (r *Redis) Save(ctx context.Context, id string, t Turn) (int64, error) {
	now := r.opts.Now()
	limits := t.Limits
	if r.cluster && len(limits) > 0 {
		refused, err := r.count(ctx, now, limits)
		if err != nil {
			return 0, fmt.Errorf("save session %s: %w", id, err)
		}
		if refused >= 0 {
			return 0, &LimitError{Index: refused}
		}
		limits = nil
	}
	keys := make([]string, 2, 2+len(limits))
	keys[0], keys[1] = r.stateKey(id), r.transcriptKey(id)
	args := make([]any, 0, 6+2*len(limits)+len(t.Append))
	changed := "1"
	if t.State == nil {
		changed = "0"
	}
	args = append(args, t.Version, changed, t.State, r.opts.TTL.Milliseconds(), r.opts.TranscriptCap, len(limits))
	for _, l := range limits {
		index, end := windowOf(now, l.Per)
		keys = append(keys, r.limitKey(l.Key, index))
		args = append(args, l.Max, counterTTL(now, end).Milliseconds())
	}
	for _, e := range t.Append {
		args = append(args, e)
	}
	v, err := turnScript.Run(ctx, r.client, keys, args...).Int64()
	switch {
	case err != nil:
		return 0, fmt.Errorf("save session %s: %w", id, err)
	case v == -1:
		return 0, ErrConflict
	case v < -1:
		return 0, &LimitError{Index: int(-v - 2)}
	}
	return v, nil
}

// Count implements Store: one pipeline of one small script per limit, so the limits cost one
// round trip. Each script touches one key, so the pipeline works on Redis Cluster too (go-redis
// sends each script to its key's node). EVAL rather than EVALSHA: a pipeline cannot fall back
// after NOSCRIPT, and the script is a hundred bytes.
func (r *Redis) Count(ctx context.Context, limits []Limit) (int, error) {
	return r.count(ctx, r.opts.Now(), limits)
}

func (r *Redis) count(ctx context.Context, now time.Time, limits []Limit) (int, error) {
	if len(limits) == 0 {
		return -1, nil
	}
	cmds := make([]*redis.Cmd, len(limits))
	_, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, l := range limits {
			index, end := windowOf(now, l.Per)
			cmds[i] = p.Eval(ctx, countScript, []string{r.limitKey(l.Key, index)}, counterTTL(now, end).Milliseconds())
		}
		return nil
	})
	if err != nil {
		keys := make([]string, len(limits))
		for i, l := range limits {
			keys[i] = l.Key
		}
		return -1, fmt.Errorf("rate limit %s: %w", strings.Join(keys, ", "), err)
	}
	for i, c := range cmds {
		if n, _ := c.Int64(); n > int64(limits[i].Max) {
			return i, nil
		}
	}
	return -1, nil
}

// counterTTL keeps a window's counter a little past its end, so instances whose clocks differ
// slightly still count into the same key.
func counterTTL(now, end time.Time) time.Duration { return end.Sub(now) + time.Second }

// Ping implements Store.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	return nil
}

// parseRecord reads HMGET v state; a missing hash (expired or never created) is ErrNotFound.
func parseRecord(id string, vals []any) (Record, error) {
	if len(vals) != 2 || vals[0] == nil {
		return Record{}, ErrNotFound
	}
	vs, _ := vals[0].(string)
	v, err := strconv.ParseInt(vs, 10, 64)
	if err != nil {
		return Record{}, fmt.Errorf("session %s: bad version %q: %w", id, vs, err)
	}
	state, _ := vals[1].(string)
	return Record{Version: v, State: []byte(state)}, nil
}
