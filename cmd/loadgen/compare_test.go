package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuestionsGetAnswers: the comparison's questions must each get an answer from the built-in
// knowledge base, or its turns would not do the full work; probe checks and measures them.
func TestQuestionsGetAnswers(t *testing.T) {
	addr := realServer(t)

	sizes, err := probe(context.Background(), addr)
	require.NoError(t, err, "pick questions the knowledge base answers")
	require.Len(t, sizes, len(questions))
	for i, n := range sizes {
		assert.Greater(t, n, 200, "reply to %q", questions[i])
	}
}

func TestEchoSpeaksTheProtocolWithRepliesOfTheGivenSize(t *testing.T) {
	addr, err := freeAddr()
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sizes := map[string]int{}
	for i, q := range questions {
		sizes[q] = 1000 + 500*i
	}
	served := make(chan error, 1)
	go func() { served <- serveEcho(ctx, addr, &echoServer{sizes: sizes}) }()
	require.Eventually(t, func() bool { return accepts(ctx, addr) == nil }, 10*time.Second, 10*time.Millisecond)

	ws, resp, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", nil)
	require.NoError(t, err)
	_ = resp.Body.Close()
	defer ws.Close()
	require.NoError(t, ws.WriteJSON(map[string]any{"type": "hello", "v": 1}))
	_, err = await(ws, "")
	require.NoError(t, err)
	for i, q := range questions[:3] {
		id := "m" + string(rune('0'+i))
		require.NoError(t, ws.WriteJSON(map[string]any{"type": "message", "id": id, "text": q}))
		f, err := await(ws, id)
		require.NoError(t, err)
		assert.Equal(t, "answer", f.Kind)
		assert.InDelta(t, sizes[q], f.size, 3, "a reply of the chatbot's size (whole characters)")
	}

	rep, err := run(ctx, config{Addr: addr, Conns: 2, Messages: 5, Timeout: 30 * time.Second})
	require.NoError(t, err)
	assert.Equal(t, 10, rep.Turns)
	assert.Equal(t, map[string]int{"answer": 10}, rep.Kinds)
	assert.Empty(t, rep.problems())
	cancel()
	require.NoError(t, <-served)
}

func TestFiller(t *testing.T) {
	for _, n := range []int{-5, 0, 1, 2, 3, 100, 4001} {
		f := filler(n)
		assert.True(t, utf8.ValidString(f), "%d", n)
		assert.LessOrEqual(t, len(f), max(n, 0))
		assert.Greater(t, len(f), n-3)
	}
}

func TestProcessFigures(t *testing.T) {
	before, err := processCPU(os.Getpid())
	require.NoError(t, err)
	deadline := time.Now().Add(10 * time.Second)
	for after := before; after == before; after, _ = processCPU(os.Getpid()) {
		require.True(t, time.Now().Before(deadline), "CPU time never moved")
		for i := 0; i < 1e6; i++ {
			_ = strings.Repeat("x", i%7)
		}
	}
	rss, err := processRSS(os.Getpid())
	require.NoError(t, err)
	assert.Greater(t, rss, int64(1<<20))
}

func TestCompareBounds(t *testing.T) {
	load := config{Conns: 1, Messages: 1, Timeout: time.Second}
	require.NoError(t, compareConfig{Chatbot: "x", Rounds: 1, Load: load}.check())
	for name, cc := range map[string]compareConfig{
		"no rounds":       {Rounds: 0, Load: load},
		"too many rounds": {Rounds: maxRounds + 1, Load: load},
		"too many idle":   {Rounds: 1, Idle: maxIdle + 1, Load: load},
		"remote redis":    {Rounds: 1, Redis: "10.0.0.1:6379", Load: load},
		"no load":         {Rounds: 1},
	} {
		assert.Error(t, cc.check(), name)
	}
	assert.InDelta(t, 2.0, median([]float64{3, 1, 2}), 1e-9)
	assert.InDelta(t, 1.5, median([]float64{2, 1}), 1e-9)
}
