package bot

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"chatbot/bot/bottest"
	"chatbot/bot/events"
	"chatbot/bot/session"
)

// TestSecretsNeverReachRedis sends every kind of secret through a whole conversation (an answer,
// a fallback into the unanswered stream, a handoff with its transcript, messages to the person)
// and then reads back every key the bot wrote: session state, transcript, both streams. None
// holds a secret in clear, nor does the log at debug level.
func TestSecretsNeverReachRedis(t *testing.T) {
	ctx := context.Background()
	client, prefix := bottest.Redis(t)
	f := newFixture(t, streamMode, func(o *Options) {
		o.Store = session.NewRedis(client, prefix, session.Options{})
		o.Events = events.NewRedis(client, prefix, events.Options{})
	})
	secrets := []struct{ said, secret string }{
		{"卡号6222.0212.3456.7890逾期了怎么办", "6222021234567890"},
		{"我的卡 6222_0212_3456_7890 安全码是 381", "安全码是381"}, // short secrets: with their label
		{"有效期 09/29 能告诉催收吗", "有效期09/29"},
		{"验证码4721 刚发给一个自称客服的人", "验证码4721"},
		{"密码是Qw3rty!x 会不会泄露", "Qw3rty!x"},
		{"邮箱 li.ming@example.org 能收账单吗", "li.ming@example.org"},
		{"账号 6214 8301 2345 火星上有信号吗", "621483012345"},
		{"护照E98765432 猫为什么喜欢纸箱", "98765432"},
		{"座机 0755-8321-6677 月亮有多重", "83216677"},
		{"手机号 壹叁捌壹贰叁肆伍陆柒捌", "12345678"},
	}
	id := f.open(t)
	for i, s := range secrets {
		f.say(t, id, "c"+string(rune('a'+i)), s.said)
	}
	f.say(t, id, "h1", askForPerson)
	f.say(t, id, "h2", "我的身份证 11010119900307123X 请核对")

	var stored bytes.Buffer
	keys, err := client.Keys(ctx, prefix+":*").Result()
	require.NoError(t, err)
	require.NotEmpty(t, keys)
	for _, k := range keys {
		switch typ := client.Type(ctx, k).Val(); typ {
		case "string":
			stored.WriteString(client.Get(ctx, k).Val())
		case "list":
			stored.WriteString(strings.Join(client.LRange(ctx, k, 0, -1).Val(), "\n"))
		case "hash":
			for field, v := range client.HGetAll(ctx, k).Val() {
				stored.WriteString(field + "=" + v + "\n")
			}
		case "stream":
			for _, m := range client.XRange(ctx, k, "-", "+").Val() {
				for field, v := range m.Values {
					stored.WriteString(field + "=" + v.(string) + "\n")
				}
			}
		default:
			t.Logf("key %s of type %s not read", k, typ)
		}
	}
	require.Contains(t, keys, events.UnansweredStream(prefix), "the streams were written")
	require.Contains(t, keys, events.HandoffStream(prefix))
	require.Contains(t, stored.String(), "event=requested")
	for _, where := range []struct {
		name string
		text string
	}{{"redis", plain(stored.String())}, {"log", plain(f.logs.String())}} {
		for _, s := range append(secrets, struct{ said, secret string }{"", "0101199003071"}) {
			if strings.Contains(where.text, plain(s.secret)) {
				t.Errorf("%s holds %q", where.name, s.secret)
			}
		}
	}
}

// plain drops the separators people put inside numbers, so a secret is found however it is
// spelled out (JSON escapes included).
func plain(s string) string {
	return strings.NewReplacer(" ", "", ".", "", "-", "", "_", "", "\\u0026", "&").Replace(s)
}
