package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// questions are what the simulated cardholders ask, in turn: each gets an answer from the built-in
// knowledge base (the comparison checks), so every turn does the full work.
var questions = []string{
	"信用卡逾期了怎么跟银行协商",
	"逾期会影响征信吗",
	"信用卡逾期利息怎么算",
	"最低还款有什么影响",
	"催收打电话到单位怎么办",
	"逾期多久会被起诉",
	"个性化分期怎么申请",
	"还清以后征信多久恢复",
}

// report is what a run measured.
type report struct {
	Turns        int
	Elapsed      time.Duration
	Latencies    []time.Duration // sorted
	Errors       map[string]int  // error frames by code
	Kinds        map[string]int  // replies by kind
	Failed       int             // connections that ended early
	FirstFailure error
}

// problems lists, for a line of the comparison, what was not a plain answer.
func (r report) problems() string {
	var s string
	for kind, n := range r.Kinds {
		if kind != "answer" {
			s += fmt.Sprintf(" %d %s", n, kind)
		}
	}
	for code, n := range r.Errors {
		s += fmt.Sprintf(" %d error %s", n, code)
	}
	if r.Failed > 0 {
		s += fmt.Sprintf(" %d connections failed", r.Failed)
	}
	if s != "" {
		s = "  NOT ALL ANSWERED:" + s
	}
	return s
}

func (r report) rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Turns) / r.Elapsed.Seconds()
}

// percentile is the p-th percentile latency (nearest rank).
func (r report) percentile(p int) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := (p*len(r.Latencies)+99)/100 - 1
	return r.Latencies[max(0, min(i, len(r.Latencies)-1))].Round(10 * time.Microsecond)
}

// run opens cfg.Conns sockets at once, sends cfg.Messages messages on each, one after the other's
// reply, and collects the results.
func run(ctx context.Context, cfg config) (report, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	u := url.URL{Scheme: "ws", Host: cfg.Addr, Path: "/ws"}

	var (
		mu  sync.Mutex
		rep = report{Errors: map[string]int{}, Kinds: map[string]int{}}
		wg  sync.WaitGroup
	)
	start := time.Now()
	for i := range cfg.Conns {
		wg.Go(func() {
			res := converse(ctx, u.String(), i, cfg)
			mu.Lock()
			defer mu.Unlock()
			rep.Turns += len(res.latencies)
			rep.Latencies = append(rep.Latencies, res.latencies...)
			for code, n := range res.errors {
				rep.Errors[code] += n
			}
			for kind, n := range res.kinds {
				rep.Kinds[kind] += n
			}
			if res.err != nil {
				rep.Failed++
				if rep.FirstFailure == nil {
					rep.FirstFailure = res.err
				}
			}
		})
	}
	wg.Wait()
	rep.Elapsed = time.Since(start)
	slices.Sort(rep.Latencies)
	if rep.Failed == cfg.Conns {
		return rep, fmt.Errorf("every connection failed: %w", rep.FirstFailure)
	}
	return rep, nil
}

type result struct {
	latencies []time.Duration
	errors    map[string]int
	kinds     map[string]int
	err       error
}

type frame struct {
	Type    string `json:"type"`
	ReplyTo string `json:"reply_to"`
	Code    string `json:"code"`
	Kind    string `json:"kind"`
	size    int    // bytes on the wire
}

// converse is one simulated cardholder.
func converse(ctx context.Context, wsURL string, n int, cfg config) (res result) {
	res.errors, res.kinds = map[string]int{}, map[string]int{}
	ws, resp, err := websocket.DefaultDialer.DialContext(ctx, wsURL, nil)
	if err != nil {
		res.err = fmt.Errorf("dial: %w", err)
		return res
	}
	_ = resp.Body.Close()
	defer ws.Close()
	stop := context.AfterFunc(ctx, func() { _ = ws.Close() }) // a timeout ends blocked reads
	defer stop()

	if err := ws.WriteJSON(map[string]any{"type": "hello", "v": 1, "locale": "zh-CN"}); err != nil {
		res.err = fmt.Errorf("hello: %w", err)
		return res
	}
	if _, err := await(ws, ""); err != nil {
		res.err = fmt.Errorf("welcome: %w", err)
		return res
	}
	for m := range cfg.Messages {
		id := fmt.Sprintf("c%d-%d", n, m)
		sent := time.Now()
		msg := map[string]any{"type": "message", "id": id, "text": questions[(n+m)%len(questions)]}
		if err := ws.WriteJSON(msg); err != nil {
			res.err = fmt.Errorf("send: %w", err)
			return res
		}
		f, err := await(ws, id)
		if err != nil {
			res.err = fmt.Errorf("await reply: %w", err)
			return res
		}
		if f.Type == "error" {
			res.errors[f.Code]++
		} else {
			res.latencies = append(res.latencies, time.Since(sent))
			res.kinds[f.Kind]++
		}
		if cfg.Think > 0 {
			select {
			case <-time.After(cfg.Think):
			case <-ctx.Done():
				return res
			}
		}
	}
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
		time.Now().Add(time.Second))
	return res
}

// await reads frames until the one answering id (or, for an empty id, the welcome).
func await(ws *websocket.Conn, id string) (frame, error) {
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return frame{}, err
		}
		f := frame{size: len(data)}
		if err := json.Unmarshal(data, &f); err != nil {
			return frame{}, fmt.Errorf("server sent a frame that is not JSON: %w", err)
		}
		if id == "" && f.Type == "welcome" || id != "" && f.ReplyTo == id {
			return f, nil
		}
	}
}
