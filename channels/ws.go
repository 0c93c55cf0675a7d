package channels

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"chatbot/bot"
)

// Close codes the server uses (RFC 6455 section 7.4.1).
const (
	CloseGoingAway      = websocket.CloseGoingAway       // 1001: server shutting down; reconnect
	ClosePolicy         = websocket.ClosePolicyViolation // 1008: rate limit kept being exceeded
	CloseTooBig         = websocket.CloseMessageTooBig   // 1009: frame past the hard cap
	CloseTryAgainLater  = websocket.CloseTryAgainLater   // 1013: client too slow to read; reconnect and resume
	channelWebsocket    = "ws"
	channelHTTP         = "http"
	closeReasonShutdown = "server shutting down"
)

// serveWS upgrades the request and runs the socket until it closes.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	if !s.accepting() {
		http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered and logged
	}
	c := &conn{
		srv:        s,
		ws:         ws,
		ip:         clientIP(r, s.opts.TrustedProxies),
		ctx:        context.WithoutCancel(r.Context()),
		send:       make(chan []byte, s.opts.SendQueue),
		closeReq:   make(chan closeRequest, 1),
		readerDone: make(chan struct{}),
		writerDone: make(chan struct{}),
	}
	if !s.register(c) {
		// Lost a race with Shutdown or the socket cap: say so the way a client understands.
		_ = ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(CloseTryAgainLater, "server busy"), time.Now().Add(s.opts.WriteWait))
		_ = ws.Close()
		return
	}
	defer s.unregister(c)
	go c.writePump()
	c.readPump()
}

// conn is one websocket. Exactly one goroutine reads (readPump, which also runs the turns, so a
// socket's turns happen in order) and exactly one writes (writePump); they meet only through the
// bounded send queue and the close request.
type conn struct {
	srv *Server
	ws  *websocket.Conn
	ip  string
	ctx context.Context // request values, never cancelled: a turn in flight finishes

	send       chan []byte       // encoded frames for writePump
	closeReq   chan closeRequest // first close wins
	readerDone chan struct{}
	writerDone chan struct{}

	mu      sync.Mutex
	closing bool           // no new turns start; frames read from now on are discarded
	turns   sync.WaitGroup // turns in flight (at most one: the reader runs them)

	// Owned by the reader goroutine.
	conv       *bot.Conversation // nil before hello; keeps the session's state between turns
	strikes    int               // rate-limited frames in a row
	listening  string            // the session whose pushed entries this socket receives
	stopListen func()

	// Pushed entries wait while the reader answers a frame, so they never overtake its answer
	// (above all the welcome, whose history they would otherwise precede).
	pushMu  sync.Mutex
	holding bool
	held    []pushed
}

type closeRequest struct {
	code   int
	reason string
}

// readPump reads frames until the socket fails or closes, running each frame's turn.
func (c *conn) readPump() {
	defer func() {
		c.listen("")
		close(c.readerDone)
		_ = c.ws.Close()
		<-c.writerDone
	}()
	opts := c.srv.opts
	c.ws.SetReadLimit(opts.HardFrameBytes)
	_ = c.ws.SetReadDeadline(time.Now().Add(opts.PongWait))
	c.ws.SetPongHandler(func(string) error { c.extendReadDeadline(); return nil })
	c.ws.SetCloseHandler(c.onPeerClose)
	for {
		mt, data, err := c.ws.ReadMessage()
		if err != nil {
			c.logReadEnd(err)
			return
		}
		if !c.beginTurn() {
			continue // closing: wait for the client's close frame, ignore anything else
		}
		c.extendReadDeadline()
		c.handleFrame(mt, data)
		c.turns.Done()
	}
}

// extendReadDeadline gives the client another PongWait, unless the socket is closing: then the
// close grace set by closeWith must stand. Both happen under mu so neither overwrites the other.
func (c *conn) extendReadDeadline() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closing {
		_ = c.ws.SetReadDeadline(time.Now().Add(c.srv.opts.PongWait))
	}
}

// beginTurn registers a turn unless the socket is closing.
func (c *conn) beginTurn() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return false
	}
	c.turns.Add(1)
	return true
}

// stopTurns marks the socket closing and reports whether it was the first to do so. From now on
// no turn starts and the read deadline is no longer extended.
func (c *conn) stopTurns() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	first := !c.closing
	c.closing = true
	return first
}

// requestClose asks the writer to send what is queued, then a close frame with code.
func (c *conn) requestClose(code int, reason string) {
	c.stopTurns()
	select {
	case c.closeReq <- closeRequest{code: code, reason: reason}:
	default: // a close is already on its way
	}
}

// onPeerClose answers a client's close frame, unless the server started the close handshake.
func (c *conn) onPeerClose(code int, _ string) error {
	if c.stopTurns() {
		reply := websocket.FormatCloseMessage(code, "")
		if code == websocket.CloseNoStatusReceived {
			reply = websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
		}
		_ = c.ws.WriteControl(websocket.CloseMessage, reply, time.Now().Add(c.srv.opts.WriteWait))
	}
	return nil
}

// enqueue hands one frame of session's to the writer without ever blocking the caller (a turn,
// or the push hub). A full queue means the client is not reading: the socket is closed with 1013
// and the client resumes after reconnecting.
func (c *conn) enqueue(session string, frame any) {
	data, err := EncodeFrame(frame)
	if err != nil {
		c.srv.log.Error("encode frame", "err", err)
		return
	}
	select {
	case c.send <- data:
	default:
		c.srv.metrics.queueOverflow.Inc()
		c.srv.log.Warn("send queue full, closing socket", "session", session, "queue", cap(c.send))
		c.requestClose(CloseTryAgainLater, "send queue full")
	}
}

// writePump writes queued frames and pings, and performs the server side of every close.
func (c *conn) writePump() {
	opts := c.srv.opts
	ticker := time.NewTicker(opts.PingPeriod)
	defer func() {
		ticker.Stop()
		close(c.writerDone)
	}()
	for {
		select {
		case data := <-c.send:
			if !c.write(data) {
				return
			}
		case <-ticker.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(opts.WriteWait)); err != nil {
				_ = c.ws.Close()
				return
			}
		case req := <-c.closeReq:
			c.closeWith(req)
			return
		case <-c.srv.quit:
			// Shutdown: let the turn in flight finish and queue its reply, then go away.
			c.stopTurns()
			c.turns.Wait()
			c.closeWith(closeRequest{code: CloseGoingAway, reason: closeReasonShutdown})
			return
		case <-c.readerDone:
			return
		}
	}
}

// write sends one frame; on failure the socket is closed so the reader stops too.
func (c *conn) write(data []byte) bool {
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.srv.opts.WriteWait))
	if err := c.ws.WriteMessage(websocket.TextMessage, data); err != nil {
		_ = c.ws.Close()
		return false
	}
	return true
}

// closeWith flushes the queue, sends the close frame and lets the reader wait CloseGrace for
// the client's answer.
func (c *conn) closeWith(req closeRequest) {
	for flushing := true; flushing; {
		select {
		case data := <-c.send:
			if !c.write(data) {
				return
			}
		default:
			flushing = false
		}
	}
	c.srv.metrics.closes.WithLabelValues(closeCodeLabel(req.code)).Inc()
	msg := websocket.FormatCloseMessage(req.code, req.reason)
	if err := c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(c.srv.opts.WriteWait)); err != nil {
		_ = c.ws.Close()
		return
	}
	c.mu.Lock()
	_ = c.ws.SetReadDeadline(time.Now().Add(c.srv.opts.CloseGrace))
	c.mu.Unlock()
}

func (c *conn) logReadEnd(err error) {
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &ce):
		c.srv.log.Debug("socket closed", "code", ce.Code, "session", c.session())
	case errors.Is(err, websocket.ErrReadLimit):
		c.srv.metrics.closes.WithLabelValues(closeCodeLabel(CloseTooBig)).Inc()
		c.srv.log.Info("frame over hard cap, socket closed", "limit", c.srv.opts.HardFrameBytes, "session", c.session())
	default:
		c.srv.log.Debug("socket ended", "err", err.Error(), "session", c.session())
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
	default:
		return "other"
	}
}

// session is the id of the socket's session, "" before hello.
func (c *conn) session() string {
	if c.conv == nil {
		return ""
	}
	return c.conv.ID()
}

// handleFrame answers one frame read from the socket. It runs on the reader goroutine.
func (c *conn) handleFrame(mt int, data []byte) {
	s := c.srv
	var (
		f   ClientFrame
		bad *Error
	)
	if mt == websocket.TextMessage {
		f, bad = decodeFrame(data, s.opts.MaxFrameBytes)
	}
	// A message or choose in an open session is counted in its turn's one store call; every
	// other frame (bad ones included) here.
	var limits turnLimits
	if bad == nil && c.conv != nil && (f.Type == TypeMessage || f.Type == TypeChoose) {
		limits = s.limitsFor(c.ip, c.session())
	} else if ok, _ := s.allowFrame(c.ctx, c.ip, c.session()); !ok {
		e := newError(peekID(data), CodeRateLimited)
		s.rejected(channelWebsocket, &e)
		c.strike(e)
		return
	}
	if mt != websocket.TextMessage {
		c.strikes = 0
		c.reject(newError("", CodeBinaryFrame))
		return
	}
	if bad != nil {
		c.strikes = 0
		c.reject(*bad)
		return
	}
	c.hold()
	defer c.release()
	if f.Type == TypeHello && validSessionID(f.Session) {
		// Listen before the history is read: an agent's message stored after the read still
		// arrives, after the welcome.
		c.listen(f.Session)
	}
	frames := s.exchange(c.ctx, channelWebsocket, &c.conv, f, limits)
	c.listen(c.session()) // hello, or a session that expired mid-turn, may have moved the socket
	var limited *Error    // the turn's limits refused it (and counted it)
	for _, frame := range frames {
		if e, ok := frame.(Error); ok && e.Code == CodeRateLimited {
			limited = &e
			continue
		}
		c.enqueue(c.session(), frame)
	}
	if limited != nil {
		c.strike(*limited)
	} else {
		c.strikes = 0
	}
}

func (c *conn) reject(e Error) {
	c.srv.rejected(channelWebsocket, &e)
	c.enqueue(c.session(), e)
}

// strike sends a rate-limit error; too many in a row close the socket with 1008.
func (c *conn) strike(e Error) {
	c.strikes++
	c.enqueue(c.session(), e)
	if c.strikes >= c.srv.opts.RateStrikes {
		c.requestClose(ClosePolicy, "rate limit exceeded")
	}
}
