package channels_test

// End-to-end tests: the real bot, the real dialog engine over the embedded knowledge base, and
// sessions, events and rate limits in the real Redis at 127.0.0.1:6379.

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot"
	"chatbot/bot/bottest"
	"chatbot/bot/events"
	"chatbot/bot/push"
	"chatbot/bot/session"
	"chatbot/channels"
	"chatbot/channels/limit"
	"chatbot/dialog"
)

const (
	negotiateQuestion = "信用卡逾期了怎么跟银行协商"
	negotiateArticle  = "negotiate-repayment"
	offTopicQuestion  = "今天天气怎么样"
)

// redisInstance starts one server instance the way production runs it: the real bot with
// sessions and events in Redis, rate limits counted in Redis, agents' messages pushed through
// Redis pub/sub, and the contact-center API on.
func redisInstance(t *testing.T, rdb redis.UniversalClient, prefix string, opts channels.Options) *testServer {
	t.Helper()
	eng := bottest.Engine(t)
	hub := push.NewRedis(rdb, prefix, nil)
	require.NoError(t, hub.Start(context.Background()))
	t.Cleanup(func() { _ = hub.Close() })
	b, err := bot.New(bot.Options{
		Engines: bot.EngineFunc(func() *dialog.Engine { return eng }),
		Store:   session.NewRedis(rdb, prefix, session.Options{}),
		Events:  events.NewRedis(rdb, prefix, events.Options{}),
		Push:    hub,
		// A contact center is connected: the agent tests hand conversations to it.
		HandoffMode: bot.HandoffModeStream,
	})
	require.NoError(t, err)
	opts.Bot, opts.Agents, opts.Live = b, b, b
	if opts.AdminToken == "" {
		opts.AdminToken = adminToken
	}
	return startServer(t, opts)
}

// adminToken is the contact center's token in tests.
const adminToken = "test-admin-token-0123456789"

func TestRealBotHappyPath(t *testing.T) {
	rdb, prefix := bottest.Redis(t)
	ts := redisInstance(t, rdb, prefix, channels.Options{})
	c := dial(t, ts, nil)
	w := c.hello("")
	assert.Regexp(t, `^[0-9a-f]{32}$`, w["session"], "128-bit random session ids")
	assert.Equal(t, "bot", w["handoff"])

	c.sendJSON(map[string]any{"type": "message", "id": "c1", "text": negotiateQuestion})
	r := c.read()
	assert.Equal(t, "reply", r["type"])
	assert.Equal(t, "c1", r["reply_to"])
	assert.Equal(t, negotiateArticle, r["article"])
	assert.Equal(t, bottest.Engine(t).KB().Version, r["kb_version"])
	assert.NotEmpty(t, r["text"])

	c.sendJSON(map[string]any{"type": "message", "id": "c2", "text": offTopicQuestion})
	r = c.read()
	assert.Equal(t, "fallback", r["kind"], "a question the knowledge base cannot answer gets a polite fallback")
	assert.Equal(t, "", r["article"])

	c.sendJSON(map[string]any{"type": "feedback", "id": "f1", "reply": "s1", "useful": true})
	assert.Equal(t, "ack", c.read()["type"])
	c.sendJSON(map[string]any{"type": "feedback", "id": "f2", "reply": "s999", "useful": true})
	assert.Equal(t, "unknown_reply", c.read()["code"])
}

func TestRealBotResumeAfterReconnect(t *testing.T) {
	rdb, prefix := bottest.Redis(t)
	ts := redisInstance(t, rdb, prefix, channels.Options{})
	c := dial(t, ts, nil)
	session := c.hello("")["session"].(string)
	c.sendJSON(map[string]any{"type": "message", "id": "c1", "text": negotiateQuestion})
	reply := c.read()
	require.NoError(t, c.ws.Close())

	c2 := dial(t, ts, nil)
	w := c2.hello(session)
	assert.Equal(t, session, w["session"])
	assert.Equal(t, true, w["resumed"])
	assert.Equal(t, false, w["expired"])
	history := w["history"].([]any)
	require.Len(t, history, 2)
	user, botEntry := history[0].(map[string]any), history[1].(map[string]any)
	assert.Equal(t, "user", user["role"])
	assert.Equal(t, negotiateQuestion, user["text"])
	assert.Equal(t, "bot", botEntry["role"])
	assert.Equal(t, reply["id"], botEntry["id"])
	assert.Equal(t, "c1", botEntry["reply_to"])
	assert.Equal(t, reply["html"], botEntry["html"])
}

func TestRealBotTwoInstancesOneRedis(t *testing.T) {
	rdb, prefix := bottest.Redis(t)
	a := redisInstance(t, rdb, prefix, channels.Options{})
	b := redisInstance(t, rdb, prefix, channels.Options{})

	ca := dial(t, a, nil)
	session := ca.hello("")["session"].(string)
	ca.sendJSON(map[string]any{"type": "message", "id": "c1", "text": negotiateQuestion})
	first := ca.read()
	require.Equal(t, "reply", first["type"])
	require.NoError(t, ca.ws.Close())

	// The load balancer sends the reconnect to the other instance.
	cb := dial(t, b, nil)
	w := cb.hello(session)
	assert.Equal(t, true, w["resumed"])
	assert.Len(t, w["history"], 2)

	// A re-sent id is answered with the stored reply, not a second turn.
	cb.sendJSON(map[string]any{"type": "message", "id": "c1", "text": negotiateQuestion})
	again := cb.read()
	assert.Equal(t, first["id"], again["id"])
	assert.Equal(t, first["text"], again["text"])
	assert.Equal(t, true, again["replayed"])

	// The conversation goes on where it was: the next reply id follows the first.
	buttons := first["buttons"].([]any)
	require.NotEmpty(t, buttons, "the first answer offers choices")
	cb.sendJSON(map[string]any{"type": "choose", "id": "c2", "value": buttons[0].(map[string]any)["value"]})
	next := cb.read()
	assert.Equal(t, "reply", next["type"])
	assert.Equal(t, "c2", next["reply_to"])
	assert.NotEqual(t, first["id"], next["id"])

	ca2 := dial(t, a, nil)
	assert.Len(t, ca2.hello(session)["history"], 4, "instance A sees the turn taken on B")
}

func TestRealBotRateLimitSharedAcrossInstances(t *testing.T) {
	rdb, prefix := bottest.Redis(t)
	opts := channels.Options{SessionRate: limit.Rate{Limit: 2, Per: time.Minute}}
	a := redisInstance(t, rdb, prefix, opts)
	b := redisInstance(t, rdb, prefix, opts)

	ca := dial(t, a, nil)
	session := ca.hello("")["session"].(string)
	cb := dial(t, b, nil)
	cb.hello(session)

	ca.sendJSON(map[string]any{"type": "message", "id": "c1", "text": "你好"})
	assert.Equal(t, "reply", ca.read()["type"])
	cb.sendJSON(map[string]any{"type": "message", "id": "c2", "text": "谢谢"})
	assert.Equal(t, "reply", cb.read()["type"])
	ca.sendJSON(map[string]any{"type": "message", "id": "c3", "text": "还有"})
	assert.Equal(t, "rate_limited", ca.read()["code"], "the session's count is shared through Redis")
}

func TestRealBotChatEndpoint(t *testing.T) {
	rdb, prefix := bottest.Redis(t)
	ts := redisInstance(t, rdb, prefix, channels.Options{})
	status, res, _ := post(t, ts, `{"type":"message","id":"c1","text":"`+negotiateQuestion+`"}`, nil)
	require.Equal(t, http.StatusOK, status)
	reply := frame(t, res, 1)
	assert.Equal(t, negotiateArticle, reply["article"])

	status, res, _ = post(t, ts, `{"type":"hello","session":"`+res.Session+`"}`, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, frame(t, res, 0)["history"], 2)
}
