package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/config"
)

// loadRedisConfig loads the configuration from CHATBOT_* environment variables only.
func loadRedisConfig(t *testing.T, env map[string]string) config.Redis {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	cfg, err := config.Load(nil)
	require.NoError(t, err)
	return cfg.Redis
}

// TestRedisTopologyFromConfig: the redis.* keys pick a single node, a Cluster or Sentinel, and
// reach the client with their values.
func TestRedisTopologyFromConfig(t *testing.T) {
	t.Run("single node", func(t *testing.T) {
		r := loadRedisConfig(t, map[string]string{"CHATBOT_REDIS_ADDR": "10.1.2.3:6379", "CHATBOT_REDIS_PASSWORD": "pw", "CHATBOT_REDIS_DB": "3"})
		client := newRedisClient(r, nil)
		defer client.Close()
		single, ok := client.(*redis.Client)
		require.True(t, ok, "got %T", client)
		o := single.Options()
		assert.Equal(t, "10.1.2.3:6379", o.Addr)
		assert.Equal(t, "pw", o.Password)
		assert.Equal(t, 3, o.DB)
	})
	t.Run("cluster: several addresses", func(t *testing.T) {
		r := loadRedisConfig(t, map[string]string{"CHATBOT_REDIS_ADDR": "10.1.2.3:7000, 10.1.2.4:7000,10.1.2.5:7000", "CHATBOT_REDIS_PASSWORD": "pw"})
		client := newRedisClient(r, nil)
		defer client.Close()
		cluster, ok := client.(*redis.ClusterClient)
		require.True(t, ok, "got %T", client)
		o := cluster.Options()
		assert.Equal(t, []string{"10.1.2.3:7000", "10.1.2.4:7000", "10.1.2.5:7000"}, o.Addrs)
		assert.Equal(t, "pw", o.Password)
	})
	t.Run("sentinel: a master name", func(t *testing.T) {
		r := loadRedisConfig(t, map[string]string{"CHATBOT_REDIS_ADDR": "10.1.2.3:26379,10.1.2.4:26379", "CHATBOT_REDIS_MASTER_NAME": "cards"})
		client := newRedisClient(r, nil)
		defer client.Close()
		failover, ok := client.(*redis.Client)
		require.True(t, ok, "got %T", client)
		assert.Equal(t, "FailoverClient", failover.Options().Addr, "go-redis names its Sentinel-backed client so")
	})
}

// TestSentinelFromConfig runs a real Sentinel in front of a Redis of its own (both started and
// stopped by the test, never the shared one) and checks that redis.addr and redis.master_name
// bring the chatbot's client to the master.
func TestSentinelFromConfig(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not installed: skipping the Sentinel test")
	}
	master := startRedisProcess(t, "--save", "", "--appendonly", "no")
	conf := filepath.Join(t.TempDir(), "sentinel.conf")
	host, port, _ := net.SplitHostPort(master)
	require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf(
		"sentinel monitor chatbot-test %s %s 1\nsentinel down-after-milliseconds chatbot-test 60000\n", host, port)), 0o600))
	sentinel := startRedisProcess(t, conf, "--sentinel")

	r := loadRedisConfig(t, map[string]string{"CHATBOT_REDIS_ADDR": sentinel, "CHATBOT_REDIS_MASTER_NAME": "chatbot-test"})
	client := newRedisClient(r, nil)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, client.Set(ctx, "through-sentinel", "yes", time.Minute).Err())

	direct := redis.NewClient(&redis.Options{Addr: master})
	defer direct.Close()
	got, err := direct.Get(ctx, "through-sentinel").Result()
	require.NoError(t, err)
	assert.Equal(t, "yes", got, "the write went to the master the Sentinel named")

	r.MasterName = "no-such-master"
	wrong := newRedisClient(r, nil)
	defer wrong.Close()
	assert.Error(t, wrong.Ping(ctx).Err(), "a master name the Sentinel does not know fails")
}

// startRedisProcess runs redis-server with args until the test ends and returns its address.
// Sentinel needs TCP ports, and redis-server cannot report a port the kernel chose; so a free
// port is picked, and if another process takes it before redis-server binds, a next one is tried.
func startRedisProcess(t *testing.T, args ...string) string {
	t.Helper()
	for range 5 {
		if addr, ok := tryRedisProcess(t, args...); ok {
			return addr
		}
	}
	t.Fatalf("redis-server %v did not start", args)
	return ""
}

func tryRedisProcess(t *testing.T, args ...string) (string, bool) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command("redis-server", append(args, "--port", port, "--bind", "127.0.0.1")...)
	cmd.Dir = t.TempDir()
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer client.Close()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if client.Ping(context.Background()).Err() == nil {
			return addr, true
		}
		select {
		case <-exited:
			return "", false // the port was taken meanwhile
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("redis-server %v on %s did not answer within 30s", args, addr)
	return "", false
}

// TestChannelOptionsFromConfig: the ws.* and http.* keys of the hardening reach the channel, with
// ws.max_sockets_per_ip 0 meaning no cap there too.
func TestChannelOptionsFromConfig(t *testing.T) {
	for k, v := range map[string]string{
		"CHATBOT_WS_PING_PERIOD": "20s", "CHATBOT_WS_TURN_TIMEOUT": "5s", "CHATBOT_WS_MAX_SOCKETS": "500",
		"CHATBOT_WS_MAX_SOCKETS_PER_IP": "0", "CHATBOT_HTTP_PUBLIC_URL": "https://chat.bank.example/",
		"CHATBOT_HTTP_TRUSTED_PROXIES": "10.0.0.0/8",
	} {
		t.Setenv(k, v)
	}
	cfg, err := config.Load(nil)
	require.NoError(t, err)
	opts, err := channelOptions(cfg)
	require.NoError(t, err)
	assert.Equal(t, 40*time.Second, opts.PongWait)
	assert.Equal(t, 20*time.Second, opts.PingPeriod)
	assert.Equal(t, 5*time.Second, opts.TurnTimeout)
	assert.Equal(t, 500, opts.MaxSockets)
	assert.Negative(t, opts.MaxSocketsPerIP, "no cap")
	assert.Equal(t, "https://chat.bank.example", opts.PublicURL)
	assert.Len(t, opts.TrustedProxies, 1)

	t.Setenv("CHATBOT_WS_MAX_SOCKETS_PER_IP", "7")
	cfg, err = config.Load(nil)
	require.NoError(t, err)
	opts, err = channelOptions(cfg)
	require.NoError(t, err)
	assert.Equal(t, 7, opts.MaxSocketsPerIP)
}
