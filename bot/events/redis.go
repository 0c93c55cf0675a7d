package events

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Sink and Reader in Redis. Keys, for prefix p:
//
//	p:handoff     stream: event, session, reason, agent, slots (JSON), transcript (JSON), urgent ("1" or "0"), at
//	p:unanswered  stream: session, text, normalised, kb_version, at
//	p:feedback    hash: <article>:useful and <article>:not_useful counts
//
// Streams are trimmed with MAXLEN ~ so XADD stays O(1). Times are RFC 3339 with nanoseconds.
// A contact-center system reads p:handoff with XREAD or a consumer group of its own.
type Redis struct {
	client redis.UniversalClient
	prefix string
	opts   Options
}

// NewRedis returns a sink writing under prefix.
func NewRedis(client redis.UniversalClient, prefix string, o Options) *Redis {
	return &Redis{client: client, prefix: prefix, opts: o.withDefaults()}
}

// HandoffStream names the stream of handoff events for a key prefix.
func HandoffStream(prefix string) string { return prefix + ":handoff" }

// UnansweredStream names the stream of unanswered questions for a key prefix.
func UnansweredStream(prefix string) string { return prefix + ":unanswered" }

// FeedbackKey names the hash of feedback counts for a key prefix.
func FeedbackKey(prefix string) string { return prefix + ":feedback" }

// Handoff implements Sink.
func (r *Redis) Handoff(ctx context.Context, h Handoff) error {
	// Always a JSON object and array, so consumers need no null case.
	if h.Slots == nil {
		h.Slots = map[string]string{}
	}
	if h.Transcript == nil {
		h.Transcript = []Line{}
	}
	slots, err := json.Marshal(h.Slots)
	if err != nil {
		return fmt.Errorf("handoff event: %w", err)
	}
	transcript, err := json.Marshal(h.Transcript)
	if err != nil {
		return fmt.Errorf("handoff event: %w", err)
	}
	return r.add(ctx, HandoffStream(r.prefix), map[string]any{
		"event":      string(h.Event),
		"session":    h.Session,
		"reason":     h.Reason,
		"agent":      h.Agent,
		"slots":      slots,
		"transcript": transcript,
		"urgent":     urgentField(h.Urgent),
		"at":         h.At.UTC().Format(time.RFC3339Nano),
	})
}

func urgentField(urgent bool) string {
	if urgent {
		return "1"
	}
	return "0"
}

// Unanswered implements Sink.
func (r *Redis) Unanswered(ctx context.Context, u Unanswered) error {
	return r.add(ctx, UnansweredStream(r.prefix), map[string]any{
		"session":    u.Session,
		"text":       u.Text,
		"normalised": u.Normalised,
		"kb_version": u.KBVersion,
		"at":         u.At.UTC().Format(time.RFC3339Nano),
	})
}

func (r *Redis) add(ctx context.Context, stream string, values map[string]any) error {
	err := r.client.XAdd(ctx, &redis.XAddArgs{
		Stream: stream,
		MaxLen: r.opts.MaxLen,
		Approx: true,
		Values: values,
	}).Err()
	if err != nil {
		return fmt.Errorf("add to %s: %w", stream, err)
	}
	return nil
}

// Feedback implements Sink: one MULTI/EXEC, so a changed verdict moves between the counts
// atomically.
func (r *Redis) Feedback(ctx context.Context, f Feedback) error {
	key := FeedbackKey(r.prefix)
	_, err := r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		if f.Replaces != nil {
			p.HIncrBy(ctx, key, feedbackField(f.Article, *f.Replaces), -1)
		}
		p.HIncrBy(ctx, key, feedbackField(f.Article, f.Useful), 1)
		return nil
	})
	if err != nil {
		return fmt.Errorf("count feedback for %q: %w", f.Article, err)
	}
	return nil
}

func feedbackField(article string, useful bool) string {
	if useful {
		return article + ":useful"
	}
	return article + ":not_useful"
}

// FeedbackCounts implements Reader.
func (r *Redis) FeedbackCounts(ctx context.Context) (map[string]Counts, error) {
	fields, err := r.client.HGetAll(ctx, FeedbackKey(r.prefix)).Result()
	if err != nil {
		return nil, fmt.Errorf("read feedback counts: %w", err)
	}
	out := make(map[string]Counts)
	for field, value := range fields {
		var n int64
		if _, err := fmt.Sscan(value, &n); err != nil {
			return nil, fmt.Errorf("feedback count %s=%q: %w", field, value, err)
		}
		article, verdict, ok := cutLast(field, ":")
		if !ok {
			continue // not a field this package wrote
		}
		c := out[article]
		switch verdict {
		case "useful":
			c.Useful = n
		case "not_useful":
			c.NotUseful = n
		default:
			continue
		}
		out[article] = c
	}
	return out, nil
}

// gapPage is how many stream entries Gaps reads per round trip.
const gapPage = 1000

// Gaps implements Reader. It reads the whole (capped) unanswered stream, newest first.
func (r *Redis) Gaps(ctx context.Context, n int) ([]Gap, error) {
	stream := UnansweredStream(r.prefix)
	var g gapCounter
	end := "+"
	for {
		msgs, err := r.client.XRevRangeN(ctx, stream, end, "-", gapPage).Result()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", stream, err)
		}
		for _, m := range msgs {
			g.add(unansweredFrom(m.Values))
		}
		if len(msgs) < gapPage {
			return g.top(n), nil
		}
		end = "(" + msgs[len(msgs)-1].ID
	}
}

func unansweredFrom(values map[string]any) Unanswered {
	str := func(k string) string { s, _ := values[k].(string); return s }
	at, _ := time.Parse(time.RFC3339Nano, str("at"))
	return Unanswered{
		Session:    str("session"),
		Text:       str("text"),
		Normalised: str("normalised"),
		KBVersion:  str("kb_version"),
		At:         at,
	}
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
