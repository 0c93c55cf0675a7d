package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"

	"chatbot/bot/redisclient"
)

// The echo server is the baseline the chatbot is measured against: a bare gorilla websocket
// server speaking the same protocol (hello -> welcome, message -> a reply frame of the size the
// chatbot's reply to that question has), one goroutine per connection as in gorilla's echo
// example, JSON decoded and encoded as a real server would. With Redis it runs one EVAL per
// message, the least any server keeping sessions in Redis does.
type echoServer struct {
	sizes  map[string]int // reply frame bytes by question text
	redis  redis.UniversalClient
	prefix string
}

// echoScript is the one EVAL a message costs the echo with Redis.
var echoScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return n`)

var echoUpgrader = websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 1024}

type echoFrame struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Text string `json:"text"`
}

type echoWelcome struct {
	Type    string `json:"type"`
	ReplyTo string `json:"reply_to,omitempty"`
	Session string `json:"session"`
	V       int    `json:"v"`
	History []any  `json:"history"`
}

type echoReply struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	ReplyTo string `json:"reply_to"`
	Kind    string `json:"kind"`
	Text    string `json:"text"`
}

// serveEcho runs the echo server on addr until ctx is done.
func serveEcho(ctx context.Context, addr string, e *echoServer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(e.serveWS), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (e *echoServer) serveWS(w http.ResponseWriter, r *http.Request) {
	ws, err := echoUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	session := hex.EncodeToString(b)
	replies := 0
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var f echoFrame
		if err := json.Unmarshal(data, &f); err != nil {
			return
		}
		var out any
		switch f.Type {
		case "hello":
			out = echoWelcome{Type: "welcome", ReplyTo: f.ID, Session: session, V: 1, History: []any{}}
		case "message":
			if e.redis != nil {
				key := e.prefix + ":echo:" + session
				if err := echoScript.Run(r.Context(), e.redis, []string{key}, time.Minute.Milliseconds()).Err(); err != nil {
					return
				}
			}
			replies++
			reply := echoReply{Type: "reply", ID: "s" + strconv.Itoa(replies), ReplyTo: f.ID, Kind: "answer"}
			reply.Text = filler(e.sizes[f.Text] - frameSize(reply))
			out = reply
		default:
			continue
		}
		msg, err := json.Marshal(out)
		if err != nil {
			return
		}
		if err := ws.WriteMessage(websocket.TextMessage, msg); err != nil {
			return
		}
	}
}

func frameSize(v any) int {
	b, _ := json.Marshal(v)
	return len(b)
}

// fillerText is what the echo's replies say: Chinese, like the chatbot's, so that encoding the
// reply costs what encoding the chatbot's text costs (JSON escapes and validates UTF-8).
const fillerText = "逾期后请先与发卡银行客服沟通，说明困难，协商分期还款方案。"

// filler is about n bytes of text (at most n, whole characters; none for n <= 0).
func filler(n int) string {
	if n <= 0 {
		return ""
	}
	s := strings.Repeat(fillerText, n/len(fillerText)+1)
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// echoArgs are the command-line arguments that run this program as the echo server.
func echoArgs(addr string, sizes []int, redisAddr, prefix string) []string {
	s := make([]string, len(sizes))
	for i, n := range sizes {
		s[i] = strconv.Itoa(n)
	}
	args := []string{"-serve-echo", addr, "-echo-sizes", strings.Join(s, ",")}
	if redisAddr != "" {
		args = append(args, "-redis", redisAddr, "-redis-prefix", prefix)
	}
	return args
}

// runEchoServer is main for the echo server process.
func runEchoServer(ctx context.Context, addr, sizes, redisAddr, prefix string) error {
	if err := loopbackOnly(addr); err != nil {
		return err
	}
	e := &echoServer{sizes: map[string]int{}, prefix: prefix}
	for i, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(s)
		if err != nil || i >= len(questions) {
			return fmt.Errorf("-echo-sizes: want %d sizes, got %q", len(questions), sizes)
		}
		e.sizes[questions[i]] = n
	}
	if redisAddr != "" {
		if err := loopbackOnly(redisAddr); err != nil {
			return err
		}
		e.redis = redisclient.New(redisclient.Options{Addrs: []string{redisAddr}})
		defer e.redis.Close()
	}
	return serveEcho(ctx, addr, e)
}
