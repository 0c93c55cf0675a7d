// Package bottest is what the tests of the bot, its channels and the chatbot command share: the
// real Redis at 127.0.0.1:6379 with a key prefix of each test's own (whose keys, and only those,
// are deleted when the test ends), the dialog engine over the embedded knowledge base, and an
// editable copy of that knowledge base. It is imported by tests only.
package bottest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"chatbot/bot/redisclient"
	"chatbot/dialog"
	"chatbot/knowledge"
)

// RedisAddr is where the test Redis listens.
const RedisAddr = "127.0.0.1:6379"

// Redis returns a client of the test Redis and a fresh key prefix. Without Redis the test is
// skipped, except under CI=true, where it fails: CI must exercise the Redis path.
func Redis(t testing.TB) (redis.UniversalClient, string) {
	t.Helper()
	client := redisclient.New(redisclient.Options{Addrs: []string{RedisAddr}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis at %s is required under CI=true: %v", RedisAddr, err)
		}
		t.Skipf("redis at %s not reachable: %v", RedisAddr, err)
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
		return 0, fmt.Errorf("scan %s:*: %w", prefix, err)
	}
	if len(keys) == 0 {
		return 0, nil
	}
	if err := client.Del(ctx, keys...).Err(); err != nil {
		return len(keys), fmt.Errorf("delete keys under %s: %w", prefix, err)
	}
	return len(keys), nil
}

// RefusingAddr returns a local address whose port the test holds without listening on it:
// connections to it are refused (a Redis that is down), and no other process can take the port
// while the test runs. It is released when the test ends.
func RefusingAddr(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("bind: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
}

// HungRedis returns the address of a server that accepts connections and never answers: a Redis
// that is stopped (hung, overloaded, or cut off by a firewall that drops packets), not refusing.
// It is closed when the test ends.
func HungRedis(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never read or answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// UnreachableRedis returns a client of an address where connections are refused, failing fast
// (no retries, short timeouts), for tests of Redis going away. It is closed when the test ends.
func UnreachableRedis(t testing.TB) redis.UniversalClient {
	t.Helper()
	client := redisclient.New(redisclient.Options{Addrs: []string{RefusingAddr(t)}, MaxRetries: -1, Timeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = client.Close() })
	return client
}

var (
	engineOnce sync.Once
	engine     *dialog.Engine
	engineErr  error
)

// Engine returns the dialog engine over the embedded knowledge base with the default thresholds,
// built once per test binary.
func Engine(t testing.TB) *dialog.Engine {
	t.Helper()
	engineOnce.Do(func() {
		var kb *knowledge.KB
		if kb, engineErr = knowledge.Load(knowledge.Embedded()); engineErr == nil {
			engine, engineErr = dialog.New(kb, dialog.Config{})
		}
	})
	if engineErr != nil {
		t.Fatalf("engine over the embedded knowledge base: %v", engineErr)
	}
	return engine
}

// KBCopy copies the embedded knowledge base into a temporary folder an editor (the test) can
// change, and returns the folder.
func KBCopy(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "kb")
	if err := os.CopyFS(dir, knowledge.Embedded()); err != nil {
		t.Fatalf("copy the embedded knowledge base: %v", err)
	}
	return dir
}
