package channels

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"chatbot/bot"
)

// ChatResponse is the body of every POST /api/v1/chat answer: the session the client is in now
// and the frames a websocket would have sent for the request's frame.
type ChatResponse struct {
	Session string  `json:"session"`
	Frames  []Frame `json:"frames"`
}

// serveChat answers one client frame sent as JSON, plus "session", for clients that cannot keep
// a socket. Any frame may start a session; the answer says which one.
func (s *Server) serveChat(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	if !s.origins.check(r) {
		http.Error(w, http.StatusText(http.StatusForbidden), http.StatusForbidden)
		return
	}
	if s.shuttingDown() {
		w.Header().Set("Retry-After", "1")
		s.writeChat(w, "", []Frame{newError("", CodeUnavailable)})
		return
	}

	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.HardFrameBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.writeChat(w, "", []Frame{s.rejectHTTP(newError("", CodeTooLarge))})
		return
	}
	if err != nil {
		return // the client went away mid-body
	}

	session := peekSession(data)
	if !validSessionID(session) {
		session = "" // a malformed id cannot name a stored session: a new one starts
	}
	// A client that gives up waiting does not cut a turn short: it is finished and stored, and a
	// re-send with the same id gets its reply.
	ctx := context.WithoutCancel(r.Context())
	if ok, scope := s.allowFrame(ctx, clientIP(r, s.opts.TrustedProxies), session); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(s.retryAfter(scope)))
		s.writeChat(w, session, []Frame{s.rejectHTTP(newError(peekID(data), CodeRateLimited))})
		return
	}
	f, bad := decodeFrame(data, s.opts.MaxFrameBytes)
	if bad != nil {
		s.writeChat(w, session, []Frame{s.rejectHTTP(*bad)})
		return
	}
	var conv *bot.Conversation
	if session != "" {
		conv = bot.NewConversation(session)
	}
	conv, frames := s.exchange(ctx, channelHTTP, conv, f, turnLimits{}) // counted above
	if conv != nil {
		session = conv.ID()
	}
	s.writeChat(w, session, frames)
}

func (s *Server) rejectHTTP(e Error) Error {
	s.rejected(channelHTTP, &e)
	return e
}

// retryAfter is the Retry-After seconds for a rate-limited request: the scope's window.
func (s *Server) retryAfter(scope string) int {
	per := s.opts.IPRate.Per
	if scope == "session" {
		per = s.opts.SessionRate.Per
	}
	return max(1, int(per.Seconds()))
}

// writeChat writes the response; its status is that of the first error frame, if any.
func (s *Server) writeChat(w http.ResponseWriter, session string, frames []Frame) {
	status := http.StatusOK
	for _, f := range frames {
		if e, ok := f.(Error); ok {
			status = httpStatus(e.Code)
			break
		}
	}
	if frames == nil {
		frames = []Frame{} // feedback without an id: nothing to say, but always an array
	}
	body, err := EncodeFrame(ChatResponse{Session: session, Frames: frames})
	if err != nil {
		s.log.Error("encode chat response", "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// httpStatus is the HTTP status that goes with an error code.
func httpStatus(code Code) int {
	switch code {
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	case CodeConflict:
		return http.StatusConflict
	case CodeInternal:
		return http.StatusInternalServerError
	default:
		return http.StatusBadRequest
	}
}

// peekSession reads the request's session id before the frame is validated, so a rate limit
// can count it.
func peekSession(data []byte) string {
	var f struct {
		Session any `json:"session"`
	}
	if json.Unmarshal(data, &f) != nil {
		return ""
	}
	id, _ := f.Session.(string)
	return id
}
