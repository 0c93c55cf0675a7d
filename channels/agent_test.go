package channels_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot"
	"chatbot/bot/bottest"
	"chatbot/bot/events"
	"chatbot/channels"
	"chatbot/dialog"
)

// The real bot is what the contact-center API and live pushes need.
var (
	_ channels.Agents = (*bot.Bot)(nil)
	_ channels.Live   = (*bot.Bot)(nil)
)

// agentCall posts body to /admin/sessions/{session}/agent with token and decodes the answer.
func agentCall(t *testing.T, ts *testServer, session, token, body string) (int, channels.AgentResult) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, ts.http.URL+"/admin/sessions/"+session+"/agent", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var res channels.AgentResult
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&res))
	}
	return resp.StatusCode, res
}

// TestAgentTakesOverAcrossInstances: the user chats on instance B; the contact center drives the
// handoff through instance A; the user sees the agent join, write and leave at once, on B, in a
// second tab too, and in the history after a reconnect.
func TestAgentTakesOverAcrossInstances(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := bottest.Redis(t)
	a := redisInstance(t, rdb, prefix, channels.Options{})
	b := redisInstance(t, rdb, prefix, channels.Options{})

	user := dial(t, b, nil)
	session := user.hello("")["session"].(string)
	user.sendJSON(map[string]any{"type": "message", "id": "c1", "text": "转人工"})
	handoff := user.read()
	require.Equal(t, "handoff", handoff["kind"])
	require.Equal(t, "c1", handoff["reply_to"])
	tab := dial(t, a, nil) // the same session in a second tab, on the other instance
	assert.Equal(t, "waiting_agent", tab.hello(session)["handoff"])

	status, res := agentCall(t, a, session, adminToken, `{"action":"join","agent":"客服 8012"}`)
	require.Equal(t, http.StatusOK, status, res.Error)
	assert.Equal(t, bot.HandoffAgent, res.Handoff)
	for _, c := range []*client{user, tab} {
		joined := c.read()
		assert.Equal(t, "reply", joined["type"])
		assert.NotContains(t, joined, "reply_to", "pushed, not an answer to a client frame")
		assert.Equal(t, "handoff", joined["kind"])
		assert.Equal(t, "s2", joined["id"])
		assert.Contains(t, joined["text"], "人工客服已接入")
	}

	status, res = agentCall(t, a, session, adminToken, `{"action":"message","text":"您好，我是客服小王。\n请问您是哪家银行的卡？"}`)
	require.Equal(t, http.StatusOK, status, res.Error)
	require.NotNil(t, res.Entry)
	assert.Equal(t, "s3", res.Entry.ID)
	msg := user.read()
	assert.Equal(t, map[string]any{
		"type": "reply", "id": "s3", "kind": "agent", "agent": "客服 8012", "handoff": true,
		"text": "您好，我是客服小王。\n请问您是哪家银行的卡？", "html": "<p>您好，我是客服小王。<br>请问您是哪家银行的卡？</p>",
		"article": "", "kb_version": "", "buttons": []any{}, "at": msg["at"],
	}, msg)
	assert.Equal(t, "s3", tab.read()["id"])

	// The user answers: acknowledged, and passed on to the contact center through the stream.
	user.sendJSON(map[string]any{"type": "message", "id": "c2", "text": "招商银行，卡号6225880112345678"})
	ack := user.read()
	assert.Equal(t, "c2", ack["reply_to"])
	assert.Equal(t, "handoff", ack["kind"])
	stream, err := rdb.XRange(ctx, events.HandoffStream(prefix), "-", "+").Result()
	require.NoError(t, err)
	var kinds []any
	for _, m := range stream {
		kinds = append(kinds, m.Values["event"])
	}
	assert.Equal(t, []any{"requested", "agent_joined", "user_message"}, kinds)
	forwarded := stream[len(stream)-1].Values
	assert.Equal(t, "客服 8012", forwarded["agent"])
	assert.Contains(t, forwarded["transcript"], "招商银行")
	assert.NotContains(t, forwarded["transcript"], "6225880112345678", "masked before the contact center sees it")

	status, res = agentCall(t, b, session, adminToken, `{"action":"leave"}`)
	require.Equal(t, http.StatusOK, status, res.Error)
	assert.Equal(t, bot.HandoffBot, res.Handoff)
	left := user.read()
	assert.Contains(t, left["text"], "智能助手继续为您服务")
	user.sendJSON(map[string]any{"type": "message", "id": "c3", "text": negotiateQuestion})
	assert.Equal(t, negotiateArticle, user.read()["article"], "the bot answers again")

	// After a reload the history shows what the agent wrote, as role "agent".
	again := dial(t, a, nil)
	w := again.hello(session)
	assert.Equal(t, "bot", w["handoff"])
	var roles []string
	for _, e := range w["history"].([]any) {
		roles = append(roles, e.(map[string]any)["role"].(string))
	}
	assert.Equal(t, []string{"user", "bot", "bot", "agent", "user", "bot", "bot", "user", "bot"}, roles)
	agentEntry := w["history"].([]any)[3].(map[string]any)
	assert.Equal(t, "s3", agentEntry["id"])
	assert.Equal(t, "客服 8012", agentEntry["agent"])

	assert.Contains(t, metricsText(t, a), `chatbot_agent_actions_total{action="message"} 1`)
	mb := metricsText(t, b)
	assert.Contains(t, mb, `chatbot_pushed_frames_total 3`, "joined, message, left reached the user's socket on B")
	assert.Contains(t, mb, `chatbot_handoffs_total{reason="asked"} 1`, "one handoff; the acknowledgement while waiting is not another")
	assert.Contains(t, mb, `chatbot_handoffs_total{reason="fallbacks"} 0`)
}

// TestPushFollowsTheSocketsSession: a socket that moves to another session (「新对话」) stops
// receiving the old session's pushes.
func TestPushFollowsTheSocketsSession(t *testing.T) {
	rdb, prefix := bottest.Redis(t)
	ts := redisInstance(t, rdb, prefix, channels.Options{})
	c := dial(t, ts, nil)
	old := c.hello("")["session"].(string)
	c.sendJSON(map[string]any{"type": "message", "id": "c1", "text": "转人工"})
	c.read()
	c.hello("") // a new conversation on the same socket
	stays := dial(t, ts, nil)
	stays.hello(old)

	status, res := agentCall(t, ts, old, adminToken, `{"action":"join","agent":"a"}`)
	require.Equal(t, http.StatusOK, status, res.Error)
	assert.Equal(t, "handoff", stays.read()["kind"], "a socket still in the old session gets the push")
	c.send(`{"type":"ping","id":"p1"}`)
	assert.Equal(t, "pong", c.read()["type"], "nothing of the old session arrived before the pong")
}

func TestAgentAPIRefusals(t *testing.T) {
	rdb, prefix := bottest.Redis(t)
	ts := redisInstance(t, rdb, prefix, channels.Options{MaxFrameBytes: 1024})
	c := dial(t, ts, nil)
	waiting := c.hello("")["session"].(string)
	c.sendJSON(map[string]any{"type": "message", "id": "c1", "text": "转人工"})
	c.read()
	withBot := dial(t, ts, nil).hello("")["session"].(string)
	unknown := strings.Repeat("0", 32)

	tests := []struct {
		name    string
		session string
		token   string
		body    string
		status  int
	}{
		{"no token", waiting, "", `{"action":"join"}`, http.StatusUnauthorized},
		{"wrong token", waiting, "nope", `{"action":"join"}`, http.StatusUnauthorized},
		{"bad json", waiting, adminToken, `{"action":`, http.StatusBadRequest},
		{"unknown action", waiting, adminToken, `{"action":"dance"}`, http.StatusBadRequest},
		{"agent name too long", waiting, adminToken, `{"action":"join","agent":"` + strings.Repeat("a", 65) + `"}`, http.StatusBadRequest},
		{"body too large", waiting, adminToken, `{"action":"message","text":"` + strings.Repeat("好", 400) + `"}`, http.StatusRequestEntityTooLarge},
		{"malformed session", "not-a-session", adminToken, `{"action":"join"}`, http.StatusNotFound},
		{"unknown session", unknown, adminToken, `{"action":"join"}`, http.StatusNotFound},
		{"join a session nobody waits in", withBot, adminToken, `{"action":"join","agent":"a"}`, http.StatusConflict},
		{"message before joining", waiting, adminToken, `{"action":"message","text":"您好"}`, http.StatusConflict},
		{"leave a session the bot serves", withBot, adminToken, `{"action":"leave"}`, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, res := agentCall(t, ts, tt.session, tt.token, tt.body)
			assert.Equal(t, tt.status, status, res.Error)
			if status != http.StatusOK && status != http.StatusUnauthorized {
				assert.NotEmpty(t, res.Error, "the contact center is told what was wrong")
			}
		})
	}

	status, res := agentCall(t, ts, waiting, adminToken, `{"action":"join","agent":"a"}`)
	require.Equal(t, http.StatusOK, status, res.Error)
	status, res = agentCall(t, ts, waiting, adminToken, `{"action":"message","text":"  "}`)
	assert.Equal(t, http.StatusBadRequest, status, "empty text")
	assert.NotEmpty(t, res.Error)
}

func TestAgentAPIOff(t *testing.T) {
	rdb, prefix := bottest.Redis(t)
	on := redisInstance(t, rdb, prefix, channels.Options{})
	session := dial(t, on, nil).hello("")["session"].(string)

	noAgents := startServer(t, channels.Options{AdminToken: adminToken})
	status, _ := agentCall(t, noAgents, session, adminToken, `{"action":"leave"}`)
	assert.Equal(t, http.StatusNotFound, status, "no Agents configured")

	b, err := bot.New(bot.Options{Engines: bot.EngineFunc(func() *dialog.Engine { return bottest.Engine(t) })})
	require.NoError(t, err)
	noToken := startServer(t, channels.Options{Bot: b, Agents: b})
	status, _ = agentCall(t, noToken, session, adminToken, `{"action":"leave"}`)
	assert.Equal(t, http.StatusNotFound, status, "no admin token: /admin/* is off")
}
