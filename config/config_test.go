package config

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/dialog"
)

// layers is one configuration set-up: a YAML file, environment variables and command-line flags.
type layers struct {
	file  string // YAML; "" = no file
	env   map[string]string
	flags []string
}

// load runs Load with the given layers. Tests using it must not run in parallel (t.Setenv).
func load(t *testing.T, l layers) (*Config, error) {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	AddFlags(fs, "listen", "redis-addr", "kb-dir", "log-level")
	args := append([]string{}, l.flags...)
	if l.file != "" {
		path := filepath.Join(t.TempDir(), "chatbot.yaml")
		require.NoError(t, os.WriteFile(path, []byte(l.file), 0o600))
		args = append(args, "--config", path)
	}
	for k, v := range l.env {
		t.Setenv(k, v)
	}
	require.NoError(t, fs.Parse(args))
	return Load(fs)
}

func TestDefaults(t *testing.T) {
	c, err := load(t, layers{})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", c.Listen)
	assert.Empty(t, c.Redis.Addrs)
	assert.False(t, c.Redis.Enabled())
	assert.Equal(t, "chatbot", c.Redis.Prefix)
	assert.Equal(t, "", c.KB.Dir)
	assert.True(t, c.KB.Watch)
	assert.Equal(t, 30*time.Minute, c.Session.TTL)
	assert.Equal(t, 50, c.Session.History)
	assert.Equal(t, 100000, c.Session.MaxSessions)
	assert.Equal(t, "info", c.Log.Level)
	assert.Equal(t, "json", c.Log.Format)
	assert.Equal(t, "", c.Admin.Token)
	assert.Empty(t, c.WS.AllowedOrigins)
	assert.Equal(t, 10*time.Second, c.Shutdown.Grace)
	assert.Equal(t, "none", c.Handoff.Mode, "no contact center unless one is configured")
	assert.Equal(t, 3*time.Minute, c.Handoff.WaitTimeout)
	assert.Equal(t, int64(10000), c.Events.MaxLen, "event streams are capped")
	assert.Equal(t, dialog.DefaultConfig(), withMainTopics(c.DialogConfig()), "the engine's tuned thresholds")
}

// withMainTopics fills the one engine setting that comes from the knowledge base, not configuration.
func withMainTopics(c dialog.Config) dialog.Config {
	c.MainTopics = dialog.DefaultConfig().MainTopics
	return c
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		layers layers
		check  func(t *testing.T, c *Config)
	}{
		{
			name:   "file over default",
			layers: layers{file: "listen: 127.0.0.1:9001\nsession:\n  ttl: 45m\nkb:\n  watch: false\n"},
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, "127.0.0.1:9001", c.Listen)
				assert.Equal(t, 45*time.Minute, c.Session.TTL)
				assert.False(t, c.KB.Watch)
				assert.Equal(t, "info", c.Log.Level, "keys absent from the file keep their default")
			},
		},
		{
			name: "env over file",
			layers: layers{
				file: "listen: 127.0.0.1:9001\nsession:\n  ttl: 45m\nredis:\n  addr: 127.0.0.1:7000\n",
				env:  map[string]string{"CHATBOT_LISTEN": "127.0.0.1:9002", "CHATBOT_SESSION_TTL": "1h", "CHATBOT_REDIS_ADDR": "127.0.0.1:7001"},
			},
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, "127.0.0.1:9002", c.Listen)
				assert.Equal(t, time.Hour, c.Session.TTL)
				assert.Equal(t, []string{"127.0.0.1:7001"}, c.Redis.Addrs)
			},
		},
		{
			name:   "env over default without a file",
			layers: layers{env: map[string]string{"CHATBOT_LOG_LEVEL": "debug", "CHATBOT_DIALOG_FALLBACKS_BEFORE_HANDOFF": "3", "CHATBOT_DIALOG_ANSWER_THRESHOLD": "0.5"}},
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, "debug", c.Log.Level)
				assert.Equal(t, 3, c.Dialog.FallbacksBeforeHandoff)
				assert.InDelta(t, 0.5, c.Dialog.AnswerThreshold, 1e-9)
			},
		},
		{
			name: "flag over env over file",
			layers: layers{
				file:  "listen: 127.0.0.1:9001\nlog:\n  level: warn\n",
				env:   map[string]string{"CHATBOT_LISTEN": "127.0.0.1:9002", "CHATBOT_LOG_LEVEL": "error"},
				flags: []string{"--listen", "127.0.0.1:9003"},
			},
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, "127.0.0.1:9003", c.Listen)
				assert.Equal(t, "error", c.Log.Level, "env wins where no flag is given")
			},
		},
		{
			name:   "flag over default",
			layers: layers{flags: []string{"--kb-dir", dir, "--log-level", "WARN"}},
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, dir, c.KB.Dir)
				assert.Equal(t, "warn", c.Log.Level, "levels are case-insensitive")
			},
		},
		{
			name: "comma-separated addresses from env and flag",
			layers: layers{
				env:   map[string]string{"CHATBOT_WS_ALLOWED_ORIGINS": "https://bank.example.com, https://m.bank.example.com,"},
				flags: []string{"--redis-addr", "10.0.0.1:26379,10.0.0.2:26379"},
			},
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, []string{"10.0.0.1:26379", "10.0.0.2:26379"}, c.Redis.Addrs)
				assert.Equal(t, []string{"https://bank.example.com", "https://m.bank.example.com"}, c.WS.AllowedOrigins)
			},
		},
		{
			name:   "lists in the file",
			layers: layers{file: "redis:\n  addr: [10.0.0.1:6379, 10.0.0.2:6379]\n  master_name: mymaster\nws:\n  allowed_origins:\n    - https://bank.example.com\n"},
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, []string{"10.0.0.1:6379", "10.0.0.2:6379"}, c.Redis.Addrs)
				assert.Equal(t, "mymaster", c.Redis.MasterName)
				assert.Equal(t, []string{"https://bank.example.com"}, c.WS.AllowedOrigins)
			},
		},
		{
			name:   "config file named by env",
			layers: layers{env: map[string]string{"CHATBOT_CONFIG": writeFile(t, "listen: 0.0.0.0:8081\n")}},
			check: func(t *testing.T, c *Config) {
				assert.Equal(t, "0.0.0.0:8081", c.Listen)
				assert.NotEmpty(t, c.File)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.layers)
			require.NoError(t, err)
			tt.check(t, c)
		})
	}
}

func TestInvalid(t *testing.T) {
	file := writeFile(t, "x: 1\n")
	tests := []struct {
		name   string
		layers layers
		want   string
	}{
		{"port out of range", layers{flags: []string{"--listen", "127.0.0.1:70000"}}, "config: listen: port 70000 out of range (0-65535)"},
		{"redis port zero", layers{env: map[string]string{"CHATBOT_REDIS_ADDR": "127.0.0.1:0"}}, "config: redis.addr: port 0 out of range (1-65535)"},
		{"listen without port", layers{file: "listen: localhost\n"}, `config: listen: "localhost" is not host:port`},
		{"port not a number", layers{flags: []string{"--listen", "127.0.0.1:http8"}}, `config: listen: port "http8" is not a number`},
		{"unknown log level", layers{env: map[string]string{"CHATBOT_LOG_LEVEL": "loud"}}, `config: log.level: unknown level "loud" (debug|info|warn|error)`},
		{"unknown log format", layers{file: "log:\n  format: xml\n"}, `config: log.format: unknown format "xml" (json|text)`},
		{"missing kb dir", layers{flags: []string{"--kb-dir", "/nope"}}, "config: kb.dir: /nope: no such directory"},
		{"kb dir is a file", layers{flags: []string{"--kb-dir", file}}, "config: kb.dir: " + file + ": not a directory"},
		{"kb dir below a file", layers{env: map[string]string{"CHATBOT_KB_DIR": file + "/kb"}}, "config: kb.dir: " + file + "/kb: not a directory"},
		{"bad redis addr", layers{flags: []string{"--redis-addr", "127.0.0.1:6379,redis"}}, `config: redis.addr: "redis" is not host:port`},
		{"sentinel without addresses", layers{env: map[string]string{"CHATBOT_REDIS_MASTER_NAME": "mymaster"}}, "config: redis.master_name: set, but redis.addr lists no Sentinel"},
		{"negative db", layers{env: map[string]string{"CHATBOT_REDIS_DB": "-1"}}, "config: redis.db: -1 is negative"},
		{"db not a number", layers{env: map[string]string{"CHATBOT_REDIS_DB": "two"}}, `config: redis.db: "two" is not a whole number`},
		{"empty prefix", layers{file: "redis:\n  prefix: ' '\n"}, `config: redis.prefix: " " must be non-empty and without spaces`},
		{"duration without unit in file", layers{file: "session:\n  ttl: 30\n"}, "config: session.ttl: invalid duration 30 (use a unit: 30s, 5m, 1h)"},
		{"bad duration in env", layers{env: map[string]string{"CHATBOT_SESSION_TTL": "soon"}}, `config: session.ttl: invalid duration "soon" (use a unit: 30s, 5m, 1h)`},
		{"zero ttl", layers{env: map[string]string{"CHATBOT_SESSION_TTL": "0s"}}, "config: session.ttl: 0s must be positive"},
		{"history zero", layers{env: map[string]string{"CHATBOT_SESSION_HISTORY": "0"}}, "config: session.history: 0 is below the minimum 1"},
		{"max sessions zero", layers{env: map[string]string{"CHATBOT_SESSION_MAX_SESSIONS": "0"}}, "config: session.max_sessions: 0 is below the minimum 1"},
		{"bad bool", layers{env: map[string]string{"CHATBOT_KB_WATCH": "maybe"}}, `config: kb.watch: "maybe" is not true or false`},
		{"short admin token", layers{env: map[string]string{"CHATBOT_ADMIN_TOKEN": "secret"}}, "config: admin.token: too short (at least 16 characters)"},
		{"origin with path", layers{env: map[string]string{"CHATBOT_WS_ALLOWED_ORIGINS": "https://bank.example.com/chat"}}, `config: ws.allowed_origins: "https://bank.example.com/chat" is not an origin like https://bank.example.com`},
		{"origin without scheme", layers{file: "ws:\n  allowed_origins: [bank.example.com]\n"}, `config: ws.allowed_origins: "bank.example.com" is not an origin like https://bank.example.com`},
		{"tiny frame limit", layers{env: map[string]string{"CHATBOT_WS_MAX_FRAME_BYTES": "10"}}, "config: ws.max_frame_bytes: 10 is below the minimum 256"},
		{"hard below soft frame limit", layers{env: map[string]string{"CHATBOT_WS_HARD_FRAME_BYTES": "1024"}}, "config: ws.hard_frame_bytes: 1024 is below ws.max_frame_bytes (8192)"},
		{"zero ping period", layers{env: map[string]string{"CHATBOT_WS_PING_PERIOD": "0s"}}, "config: ws.ping_period: 0s must be positive"},
		{"no send queue", layers{env: map[string]string{"CHATBOT_WS_SEND_QUEUE": "0"}}, "config: ws.send_queue: 0 is below the minimum 1"},
		{"turn outlasts the pong wait", layers{file: "ws:\n  ping_period: 4s\n"}, "config: ws.turn_timeout: 10s is not shorter than the pong wait (2 × ws.ping_period = 8s)"},
		{"turn timeout equal to the pong wait", layers{env: map[string]string{"CHATBOT_WS_TURN_TIMEOUT": "1m", "CHATBOT_HTTP_WRITE_TIMEOUT": "2m"}}, "config: ws.turn_timeout: 1m0s is not shorter than the pong wait (2 × ws.ping_period = 1m0s)"},
		{"zero turn timeout", layers{env: map[string]string{"CHATBOT_WS_TURN_TIMEOUT": "0s"}}, "config: ws.turn_timeout: 0s must be positive"},
		{"no sockets", layers{env: map[string]string{"CHATBOT_WS_MAX_SOCKETS": "0"}}, "config: ws.max_sockets: 0 is below the minimum 1"},
		{"negative sockets per address", layers{env: map[string]string{"CHATBOT_WS_MAX_SOCKETS_PER_IP": "-1"}}, "config: ws.max_sockets_per_ip: -1 is below the minimum 0"},
		{"public URL with path", layers{env: map[string]string{"CHATBOT_HTTP_PUBLIC_URL": "https://chat.bank.example/chat"}}, `config: http.public_url: "https://chat.bank.example/chat" is not a URL like https://chat.bank.example`},
		{"public URL without scheme", layers{file: "http:\n  public_url: chat.bank.example\n"}, `config: http.public_url: "chat.bank.example" is not a URL like https://chat.bank.example`},
		{"zero read timeout", layers{env: map[string]string{"CHATBOT_HTTP_READ_TIMEOUT": "0s"}}, "config: http.read_timeout: 0s must be positive"},
		{"write timeout within a turn", layers{env: map[string]string{"CHATBOT_HTTP_WRITE_TIMEOUT": "5s"}}, "config: http.write_timeout: 5s is not longer than ws.turn_timeout (10s)"},
		{"negative rate", layers{env: map[string]string{"CHATBOT_RATE_PER_IP": "-5"}}, "config: rate.per_ip: -5 is below the minimum 0"},
		{"bad trusted proxy", layers{env: map[string]string{"CHATBOT_HTTP_TRUSTED_PROXIES": "10.0.0.0/8,lb"}}, `config: http.trusted_proxies: "lb" is not an IP address or CIDR`},
		{"threshold above 1", layers{env: map[string]string{"CHATBOT_DIALOG_ANSWER_THRESHOLD": "1.5"}}, "config: dialog.answer_threshold: 1.5 out of range (0-1]"},
		{"threshold not a number", layers{env: map[string]string{"CHATBOT_DIALOG_ANSWER_THRESHOLD": "high"}}, `config: dialog.answer_threshold: "high" is not a number`},
		{"negative follow-up boost", layers{file: "dialog:\n  follow_up_boost: -0.1\n"}, "config: dialog.follow_up_boost: -0.1 out of range [0-1)"},
		{"zero leave-flow threshold", layers{env: map[string]string{"CHATBOT_DIALOG_LEAVE_FLOW_THRESHOLD": "0"}}, "config: dialog.leave_flow_threshold: 0 out of range (0-1]"},
		{"no fallbacks before handoff", layers{env: map[string]string{"CHATBOT_DIALOG_FALLBACKS_BEFORE_HANDOFF": "0"}}, "config: dialog.fallbacks_before_handoff: 0 is below the minimum 1"},
		{"zero grace", layers{file: "shutdown:\n  grace: 0s\n"}, "config: shutdown.grace: 0s must be positive"},
		{"unknown handoff mode", layers{env: map[string]string{"CHATBOT_HANDOFF_MODE": "phone"}}, `config: handoff.mode: "phone" is not one of none, stream`},
		{"uncapped event streams", layers{env: map[string]string{"CHATBOT_EVENTS_MAX_LEN": "0"}}, "config: events.max_len: 0 is below the minimum 100"},
		{"zero wait timeout", layers{file: "handoff:\n  mode: stream\n  wait_timeout: 0s\n"}, "config: handoff.wait_timeout: 0s must be positive"},
		{"unknown key in file", layers{file: "listen: 127.0.0.1:8080\nws:\n  orgins: [https://a.example]\n"}, "config: ws.orgins: unknown key in "},
		{"missing config file", layers{flags: []string{"--config", "/nope/chatbot.yaml"}}, "config: config: /nope/chatbot.yaml: open /nope/chatbot.yaml: no such file or directory"},
		{"config file not YAML", layers{file: "listen: [\n"}, "config: config: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.layers)
			require.Error(t, err)
			var ce *Error
			require.ErrorAs(t, err, &ce, "every problem names its key")
			assert.NotContains(t, err.Error(), "\n", "one line")
			if tt.want[len(tt.want)-1] == ' ' { // the rest names a temporary file
				assert.Contains(t, err.Error(), tt.want)
				return
			}
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// TestUnreadableKBDir needs a folder the test cannot read, which root can always read.
func TestUnreadableKBDir(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every folder; run as another user to check this")
	}
	dir := filepath.Join(t.TempDir(), "kb")
	require.NoError(t, os.Mkdir(dir, 0o000))
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	_, err := load(t, layers{file: "kb:\n  dir: " + dir + "\n"})
	assert.EqualError(t, err, "config: kb.dir: "+dir+": cannot read: permission denied")
}

func TestTrustedProxies(t *testing.T) {
	c, err := load(t, layers{env: map[string]string{"CHATBOT_HTTP_TRUSTED_PROXIES": "10.1.2.3/8, 192.168.1.10"}})
	require.NoError(t, err)
	got, err := c.TrustedProxies()
	require.NoError(t, err)
	assert.Equal(t, "[10.0.0.0/8 192.168.1.10/32]", fmt.Sprint(got))
}

func TestAddFlagsHelp(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	AddFlags(fs, "listen", "redis-addr")
	f := fs.Lookup("listen")
	require.NotNil(t, f)
	assert.Equal(t, "127.0.0.1:8080", f.DefValue)
	assert.Contains(t, f.Usage, "CHATBOT_LISTEN")
	assert.NotNil(t, fs.Lookup("config"))
	assert.Nil(t, fs.Lookup("kb-dir"), "only the flags asked for")
	assert.Panics(t, func() { AddFlags(fs, "no-such-flag") })
}

func TestKeysHaveDistinctEnvNames(t *testing.T) {
	seen := map[string]string{}
	for _, k := range Keys {
		if other, ok := seen[k.Env()]; ok {
			t.Fatalf("%s and %s share %s", k.Name, other, k.Env())
		}
		seen[k.Env()] = k.Name
	}
	assert.Equal(t, "CHATBOT_WS_ALLOWED_ORIGINS", Key{Name: "ws.allowed_origins"}.Env())
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "file.yaml")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}
