package session

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Store in Redis, shared by every instance of the chatbot. Keys, for prefix p:
//
//	p:s:{id}  hash: v (version), state (the bot's JSON)  idle TTL
//	p:t:{id}  list of transcript entries, capped         same TTL
//
// The braces are a Redis Cluster hash tag: both keys of a session land in one slot, so one
// script may write both.
//
// Round trips: the store's part of a turn costs two, Load (HMGET) then Save (one EVALSHA running
// saveScript, which checks the version and writes state, transcript, trim and TTLs atomically;
// the first Save after Redis restarts costs one more, EVAL, to load the script). The channel's
// rate limits make it three a turn (docs/protocol.md). Resume (reconnect, page reload) costs
// one: a MULTI/EXEC of HMGET, LRANGE and two PEXPIREs sent as one pipeline.
type Redis struct {
	client redis.UniversalClient
	prefix string
	opts   Options
}

// NewRedis returns a store keeping sessions under prefix in the client's Redis. Build the client
// with NewRedisClient so that retries and timeouts are set.
func NewRedis(client redis.UniversalClient, prefix string, o Options) *Redis {
	return &Redis{client: client, prefix: prefix, opts: o.withDefaults()}
}

func (r *Redis) stateKey(id string) string      { return r.prefix + ":s:{" + id + "}" }
func (r *Redis) transcriptKey(id string) string { return r.prefix + ":t:{" + id + "}" }

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

// saveScript commits one turn if the stored version is the expected one.
// KEYS: state, transcript. ARGV: expected version, state, TTL ms, cap, entries...
// Returns the new version, or -1 on a version conflict.
var saveScript = redis.NewScript(`
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= tonumber(ARGV[1]) then
  return -1
end
if current == 0 then
  redis.call('DEL', KEYS[2]) -- a new session never inherits an expired one's lines
end
local v = current + 1
redis.call('HSET', KEYS[1], 'v', v, 'state', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if #ARGV > 4 then
  redis.call('RPUSH', KEYS[2], unpack(ARGV, 5))
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return v
`)

// Save implements Store.
func (r *Redis) Save(ctx context.Context, id string, t Turn) (int64, error) {
	args := make([]any, 0, 4+len(t.Append))
	args = append(args, t.Version, t.State, r.opts.TTL.Milliseconds(), r.opts.TranscriptCap)
	for _, e := range t.Append {
		args = append(args, e)
	}
	v, err := saveScript.Run(ctx, r.client, []string{r.stateKey(id), r.transcriptKey(id)}, args...).Int64()
	if err != nil {
		return 0, fmt.Errorf("save session %s: %w", id, err)
	}
	if v < 0 {
		return 0, ErrConflict
	}
	return v, nil
}

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

// RedisOptions says how to reach Redis: one address for a single node, several for Cluster, or
// the Sentinels' addresses together with MasterName.
type RedisOptions struct {
	Addrs      []string
	MasterName string
	Password   string
	DB         int
	// Timeout bounds dialling and each read or write; 0 means DefaultRedisTimeout.
	Timeout time.Duration
	// MaxRetries is how often go-redis retries a command that failed on the network
	// (0 means DefaultRedisRetries, negative means never).
	MaxRetries int
}

// Redis client defaults: a chat turn should fail fast and clearly rather than hang when Redis is
// gone, and ride out a failover or a dropped pooled connection with a couple of quick retries.
const (
	DefaultRedisTimeout = time.Second
	DefaultRedisRetries = 2
	minRetryBackoff     = 10 * time.Millisecond
	maxRetryBackoff     = 200 * time.Millisecond
	// go-redis also retries a failed dial (5 times, 100 ms apart, by default) inside every
	// command attempt; with Redis down that alone would hold a turn for seconds.
	dialRetries    = 1
	dialRetryPause = 50 * time.Millisecond
)

// NewRedisClient returns a client for o with retries (exponential backoff, done by go-redis) and
// timeouts set for interactive use.
func NewRedisClient(o RedisOptions) redis.UniversalClient {
	if o.Timeout <= 0 {
		o.Timeout = DefaultRedisTimeout
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = DefaultRedisRetries
	}
	return redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:              o.Addrs,
		MasterName:         o.MasterName,
		Password:           o.Password,
		DB:                 o.DB,
		MaxRetries:         o.MaxRetries,
		MinRetryBackoff:    minRetryBackoff,
		MaxRetryBackoff:    maxRetryBackoff,
		DialerRetries:      dialRetries,
		DialerRetryTimeout: dialRetryPause,
		DialTimeout:        o.Timeout,
		ReadTimeout:        o.Timeout,
		WriteTimeout:       o.Timeout,
	})
}
