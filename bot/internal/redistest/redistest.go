// Package redistest connects tests to the real Redis at 127.0.0.1:6379, gives each test a key
// prefix of its own and deletes that prefix's keys (and only those) when the test ends.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Addr is where the test Redis listens.
const Addr = "127.0.0.1:6379"

// Client returns a client of the test Redis and a fresh key prefix. Without Redis the test is
// skipped, except under CI=true, where it fails: CI must exercise the Redis path.
func Client(t testing.TB) (redis.UniversalClient, string) {
	t.Helper()
	client := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{Addr}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis at %s is required under CI=true: %v", Addr, err)
		}
		t.Skipf("redis at %s not reachable: %v", Addr, err)
	}
	prefix := Prefix(t)
	t.Cleanup(func() {
		if n, err := DeletePrefix(context.Background(), client, prefix); err != nil {
			t.Errorf("clean up %d keys under %s: %v", n, prefix, err)
		}
		_ = client.Close()
	})
	return client, prefix
}

// Prefix returns a key prefix unique to this test run: test:<test name>:<random>.
func Prefix(t testing.TB) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, t.Name())
	return "test:" + name + ":" + hex.EncodeToString(b)
}

// DeletePrefix deletes every key under prefix + ":" (SCAN, then DEL) and says how many it found.
func DeletePrefix(ctx context.Context, client redis.UniversalClient, prefix string) (int, error) {
	var keys []string
	iter := client.Scan(ctx, 0, prefix+":*", 500).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return 0, err
	}
	if len(keys) == 0 {
		return 0, nil
	}
	return len(keys), client.Del(ctx, keys...).Err()
}

// ClosedAddr returns a local address nothing listens on, for tests of Redis going away.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// Unreachable returns a client of an address nothing listens on, failing fast (no retries, short
// timeouts), for tests of Redis going away. It is closed when the test ends.
func Unreachable(t testing.TB) redis.UniversalClient {
	t.Helper()
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs: []string{ClosedAddr(t)}, MaxRetries: -1, DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond,
	})
	t.Cleanup(func() { _ = client.Close() })
	return client
}
