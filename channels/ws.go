package channels

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"chatbot/bot"
)

// Close codes the server uses (RFC 6455 section 7.4.1).
const (
	CloseGoingAway      = websocket.CloseGoingAway       // 1001: server shutting down; reconnect
	ClosePolicy         = websocket.ClosePolicyViolation // 1008: rate limit kept being exceeded, or no hello
	CloseTooBig         = websocket.CloseMessageTooBig   // 1009: frame past the hard cap
	CloseTryAgainLater  = websocket.CloseTryAgainLater   // 1013: the socket fell too far behind; reconnect and resume
	channelWebsocket    = "ws"
	channelHTTP         = "http"
	closeReasonShutdown = "server shutting down"
)

// serveWS upgrades the request and starts the socket's two goroutines: readPump, and the
// conversation.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	ip := clientIP(r, s.opts.TrustedProxies)
	if status := s.admit(ip); status != 0 {
		s.refuseSocket(w, status)
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.leave(nil, ip)
		return // the upgrader has answered and logged
	}
	c := &conn{
		srv:      s,
		ws:       ws,
		ip:       ip,
		ctx:      context.WithoutCancel(r.Context()),
		inbox:    make(chan inbound, s.opts.SendQueue),
		readDone: make(chan struct{}),
		done:     make(chan struct{}),
	}
	s.track(c)
	go c.readPump()
	// The conversation gets a goroutine of its own and the handler returns: the HTTP server then
	// lets go of the request's goroutine, whose stack grew while it handled the upgrade, and of
	// the connection's state, which an idle socket would otherwise hold as long as it is open.
	go func() {
		defer s.leave(c, ip)
		c.converse()
	}()
}

// conn is one websocket, shaped like gorilla's chat client: readPump only reads and hands frames
// to the inbox; converse owns the conversation (its session, its turns, one at a time), takes
// what is pushed to the session from the same inbox, and is the only writer of frames.
type conn struct {
	srv   *Server
	ws    *websocket.Conn
	ip    string
	ctx   context.Context // request values, never cancelled: a turn in flight finishes
	inbox chan inbound    // frames read, and entries pushed to the session, in arrival order

	readDone chan struct{} // closed when readPump returns
	done     chan struct{} // closed when converse returns
	closing  atomic.Bool   // a close frame was sent, or the peer's answered: frames read now are dropped
	lostPush atomic.Bool   // a push found the inbox full: the socket must be closed (1013)

	// Owned by converse.
	conv       *bot.Conversation // nil before hello; keeps the session's state between turns
	greeted    bool              // a hello arrived (answered or not)
	strikes    int               // rate-limited frames in a row
	listening  string            // the session whose pushed entries reach this socket
	stopListen func()
}

// inbound is one item of a conversation's inbox: a frame read from the socket, or an entry
// pushed to a session.
type inbound struct {
	messageType int // websocket.TextMessage or BinaryMessage, for a frame
	data        []byte
	push        *pushed
}

// readPump reads frames until the socket fails or closes, and hands each to the conversation.
// Reading goes on while a turn runs, so pongs keep the socket alive however long a turn takes.
func (c *conn) readPump() {
	defer close(c.readDone)
	opts := c.srv.opts
	c.ws.SetReadLimit(opts.HardFrameBytes)
	_ = c.ws.SetReadDeadline(time.Now().Add(opts.PongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(opts.PongWait)) })
	c.ws.SetCloseHandler(c.onPeerClose)
	for {
		mt, data, err := c.ws.ReadMessage()
		if err != nil {
			c.logReadEnd(err)
			return
		}
		if c.closing.Load() {
			continue // wait for the client's close frame; nothing else is answered any more
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(opts.PongWait))
		select {
		case c.inbox <- inbound{messageType: mt, data: data}:
		case <-c.done:
			return
		}
	}
}

// onPeerClose answers a client's close frame, unless the server started the close handshake.
// It runs on the reader; WriteControl may be called alongside the conversation's writes.
func (c *conn) onPeerClose(code int, _ string) error {
	if !c.closing.Swap(true) {
		reply := websocket.FormatCloseMessage(code, "")
		if code == websocket.CloseNoStatusReceived {
			reply = websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
		}
		_ = c.ws.WriteControl(websocket.CloseMessage, reply, time.Now().Add(c.srv.opts.WriteWait))
	}
	return nil
}

// converse runs the conversation until the socket ends: it answers each frame in order, writes
// pushed entries between answers, pings, and performs the server side of every close.
func (c *conn) converse() {
	opts := c.srv.opts
	ticker := time.NewTicker(opts.PingPeriod)
	hello := time.NewTimer(opts.HelloWait)
	defer func() {
		ticker.Stop()
		hello.Stop()
		c.listen("")
		close(c.done)
		_ = c.ws.Close()
		<-c.readDone
	}()
	for {
		select {
		case in := <-c.inbox:
			if c.shuttingDown() {
				c.close(CloseGoingAway, closeReasonShutdown)
				return
			}
			if !c.handle(in, ticker) {
				return
			}
		case <-ticker.C:
			if !c.ping() {
				return
			}
		case <-hello.C:
			if !c.greeted {
				c.srv.log.Info("no hello, socket closed", "wait", opts.HelloWait.String())
				c.close(ClosePolicy, "hello expected")
				return
			}
		case <-c.srv.quit:
			c.close(CloseGoingAway, closeReasonShutdown)
			return
		case <-c.readDone:
			return
		}
	}
}

func (c *conn) shuttingDown() bool {
	select {
	case <-c.srv.quit:
		return true
	default:
		return false
	}
}

// handle answers one inbox item and reports whether the socket stays open.
func (c *conn) handle(in inbound, ticker *time.Ticker) bool {
	if !c.keptUp() {
		return false
	}
	if in.push != nil {
		if in.push.session != c.listening {
			return true // the socket left that session meanwhile
		}
		return c.write(in.push.frame)
	}
	f, bad := c.srv.decodeSocketFrame(in)
	if bad == nil && f.Type == TypePing {
		// Answered here, without the rate limiter: keeping a socket alive costs no Redis call.
		return c.write(Control{Type: TypePong, ReplyTo: f.ID})
	}
	if bad == nil && f.Type == TypeHello {
		c.greeted = true
		if validSessionID(f.Session) {
			// Listen before the history is read: an agent's message stored after the read still
			// arrives, after the welcome (it waits in the inbox until the welcome is written).
			c.listen(f.Session)
		}
	}
	return c.answer(f, bad, ticker)
}

// decodeSocketFrame decodes a frame read from a socket, or returns the error frame answering it.
func (s *Server) decodeSocketFrame(in inbound) (ClientFrame, *Error) {
	if in.messageType != websocket.TextMessage {
		e := newError("", CodeBinaryFrame)
		return ClientFrame{}, &e
	}
	return decodeFrame(in.data, s.opts.MaxFrameBytes)
}

// turnResult is what one frame's turn produced: the conversation the socket is in afterwards,
// the frames to send in order, and whether a rate limit refused the frame.
type turnResult struct {
	conv    *bot.Conversation
	frames  []Frame
	limited bool
}

// session is the id of the socket's session, "" before hello.
func (c *conn) session() string {
	if c.conv == nil {
		return ""
	}
	return c.conv.ID()
}

// answer runs the turn of a frame (or of a bad frame: its error) and writes its frames. The turn
// (rate limits, bot calls) runs on its own goroutine while this one keeps the socket alive with
// pings; nothing else is answered meanwhile, so frames and pushes keep their order.
func (c *conn) answer(f ClientFrame, bad *Error, ticker *time.Ticker) bool {
	// The turn's goroutine has the conversation to itself until it hands the result back.
	done := make(chan turnResult, 1)
	conv := c.conv
	go func() { done <- c.srv.runFrame(c.ctx, c.ip, conv, f, bad) }()
	var res turnResult
	for waiting := true; waiting; {
		select {
		case res = <-done:
			waiting = false
		case <-ticker.C:
			if !c.ping() {
				<-done // the turn finishes and is stored; the client re-sends after reconnecting
				return false
			}
		}
	}
	c.conv = res.conv
	c.listen(c.session()) // hello, or a session that expired mid-turn, may have moved the socket
	for _, frame := range res.frames {
		if !c.write(frame) {
			return false
		}
	}
	if !res.limited {
		c.strikes = 0
		return true
	}
	c.strikes++
	if c.strikes >= c.srv.opts.RateStrikes {
		c.close(ClosePolicy, "rate limit exceeded")
		return false
	}
	return true
}

// runFrame answers one frame read from a socket in conv: rate limits (every frame but ping
// counts, bad ones too: a message or choose in an open session in its turn's one store call,
// every other frame here), then the frame's own error if it is bad, else the bot's answer.
func (s *Server) runFrame(ctx context.Context, ip string, conv *bot.Conversation, f ClientFrame, bad *Error) turnResult {
	session := ""
	if conv != nil {
		session = conv.ID()
	}
	var limits turnLimits
	if bad == nil && conv != nil && (f.Type == TypeMessage || f.Type == TypeChoose) {
		limits = s.limitsFor(ip, session)
	} else if ok, _ := s.allowFrame(ctx, ip, session); !ok {
		id := f.ID
		if bad != nil {
			id = bad.ReplyTo
		}
		return turnResult{conv: conv, frames: []Frame{s.reject(newError(id, CodeRateLimited))}, limited: true}
	}
	if bad != nil {
		return turnResult{conv: conv, frames: []Frame{s.reject(*bad)}}
	}
	conv, frames := s.exchange(ctx, channelWebsocket, conv, f, limits)
	res := turnResult{conv: conv, frames: frames}
	for _, frame := range frames {
		if e, ok := frame.(Error); ok && e.Code == CodeRateLimited {
			res.limited = true // the turn's limits refused it (and counted it)
		}
	}
	return res
}

func (s *Server) reject(e Error) Error {
	s.rejected(channelWebsocket, &e)
	return e
}

// write sends one frame within WriteWait. A client that cannot take it that fast is dropped:
// its turns are stored, and it resumes after reconnecting.
func (c *conn) write(frame Frame) bool {
	data, err := EncodeFrame(frame)
	if err != nil {
		c.srv.log.Error("encode frame", "err", err)
		return true
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.srv.opts.WriteWait))
	if err := c.ws.WriteMessage(websocket.TextMessage, data); err != nil {
		if c.closing.Load() {
			return false // the client closed meanwhile; nothing was dropped by the server
		}
		c.srv.metrics.closes.WithLabelValues(closeCodeLabel(websocket.CloseAbnormalClosure)).Inc()
		c.srv.log.Debug("write failed, socket dropped", "err", err.Error(), "session", bot.LogID(c.session()))
		return false
	}
	return true
}

// keptUp closes the socket with 1013 if an entry pushed to it was lost to a full inbox.
func (c *conn) keptUp() bool {
	if !c.lostPush.Load() {
		return true
	}
	c.srv.metrics.queueOverflow.Inc()
	c.srv.log.Warn("pushed entry found the socket's queue full, closing socket", "session", bot.LogID(c.session()), "queue", cap(c.inbox))
	c.close(CloseTryAgainLater, "queue full")
	return false
}

func (c *conn) ping() bool {
	if !c.keptUp() {
		return false
	}
	return c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.srv.opts.WriteWait)) == nil
}

// close sends a close frame with code and waits CloseGrace for the client's answer.
func (c *conn) close(code int, reason string) {
	if c.closing.Swap(true) {
		return // the client closed first, and was answered
	}
	c.srv.metrics.closes.WithLabelValues(closeCodeLabel(code)).Inc()
	msg := websocket.FormatCloseMessage(code, reason)
	if err := c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(c.srv.opts.WriteWait)); err != nil {
		return
	}
	grace := time.NewTimer(c.srv.opts.CloseGrace)
	defer grace.Stop()
	select {
	case <-c.readDone:
	case <-grace.C:
	}
}

func (c *conn) logReadEnd(err error) {
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &ce):
		c.srv.log.Debug("socket closed", "code", ce.Code)
	case errors.Is(err, websocket.ErrReadLimit):
		c.srv.metrics.closes.WithLabelValues(closeCodeLabel(CloseTooBig)).Inc()
		c.srv.log.Info("frame over hard cap, socket closed", "limit", c.srv.opts.HardFrameBytes)
	default:
		c.srv.log.Debug("socket ended", "err", err.Error())
	}
}

func closeCodeLabel(code int) string {
	switch code {
	case CloseGoingAway:
		return "1001"
	case ClosePolicy:
		return "1008"
	case CloseTooBig:
		return "1009"
	case CloseTryAgainLater:
		return "1013"
	case websocket.CloseAbnormalClosure:
		return "1006" // dropped without a close frame: the client could not take a write in time
	default:
		return "other"
	}
}

// Socket refusals: a status a client can act on, and a sentence a page can show.
var socketRefusals = map[int]string{
	http.StatusTooManyRequests:    "您所在的网络打开的对话窗口过多，请关闭不用的窗口后再试。",
	http.StatusServiceUnavailable: "系统暂时繁忙，请稍后再试。",
}

// refuseSocket answers an upgrade the server will not take.
func (s *Server) refuseSocket(w http.ResponseWriter, status int) {
	s.metrics.socketRefusals.WithLabelValues(strconv.Itoa(status)).Inc()
	w.Header().Set("Retry-After", "10")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(socketRefusals[status] + "\n"))
}
