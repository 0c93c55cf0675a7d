package channels

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"chatbot/bot"
	"chatbot/channels/limit"
	"chatbot/dialog"
)

// decodeFrame parses and checks one client text frame. A frame it rejects comes back as the
// error frame to send, with reply_to whenever the frame's id could be read.
func decodeFrame(data []byte, maxBytes int64) (ClientFrame, *Error) {
	fail := func(code Code) (ClientFrame, *Error) {
		e := newError(peekID(data), code)
		return ClientFrame{}, &e
	}
	if int64(len(data)) > maxBytes {
		return fail(CodeTooLarge)
	}
	// json.Unmarshal accepts null for a struct and leaves it empty; a frame is an object.
	if !bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("{")) {
		return fail(CodeBadJSON)
	}
	var f ClientFrame
	if err := json.Unmarshal(data, &f); err != nil {
		return fail(CodeBadJSON)
	}
	if code, ok := validate(&f); !ok {
		return fail(code)
	}
	return f, nil
}

// validate checks the fields f's type needs and trims its text.
func validate(f *ClientFrame) (Code, bool) {
	optionalID := f.ID == "" || validID(f.ID)
	switch f.Type {
	case TypeHello, TypePing:
		if !optionalID {
			return CodeBadID, false
		}
	case TypeMessage:
		if !validID(f.ID) {
			return CodeBadID, false
		}
		if f.Text = strings.TrimSpace(f.Text); f.Text == "" {
			return CodeEmptyText, false
		}
	case TypeChoose:
		if !validID(f.ID) {
			return CodeBadID, false
		}
		if f.Value = strings.TrimSpace(f.Value); f.Value == "" {
			return CodeEmptyText, false
		}
	case TypeFeedback:
		if !optionalID || !validID(f.Reply) {
			return CodeBadID, false
		}
		if f.Useful == nil {
			return CodeBadJSON, false
		}
	default:
		return CodeUnknownType, false
	}
	return "", true
}

// exchange applies one valid client frame within the conversation conv (nil before one is open)
// and returns the conversation the client is in afterwards and the frames that answer it.
// Websocket and HTTP share it, so both behave the same; they differ only where a conversation
// comes from (hello on a socket, kept between turns; any frame over HTTP may start one). A
// message or choose is counted against limits in its turn's one store call (scopes names each
// limit for the metric); the caller counts every other frame with allowFrame.
func (s *Server) exchange(ctx context.Context, channel string, conv *bot.Conversation, f ClientFrame, limits turnLimits) (*bot.Conversation, []Frame) {
	switch f.Type {
	case TypePing:
		return conv, []Frame{Control{Type: TypePong, ReplyTo: f.ID}}
	case TypeHello:
		return s.hello(ctx, channel, conv, f)
	}

	var frames []Frame
	if conv == nil {
		// A socket says hello first; feedback is about a reply in an existing session.
		if channel == channelWebsocket || f.Type == TypeFeedback {
			e := newError(f.ID, CodeNotHelloFirst)
			s.rejected(channel, &e)
			return conv, []Frame{e}
		}
		// HTTP: a first message starts a session and says so with a welcome frame.
		opened, welcome, err := s.open(ctx, "", "", false, f.pageContext())
		if err != nil {
			return conv, []Frame{s.failure(channel, f.ID, "open", err)}
		}
		conv = opened
		frames = append(frames, welcome)
	}

	switch f.Type {
	case TypeFeedback:
		if answer := s.feedback(ctx, channel, conv, f); answer != nil {
			frames = append(frames, answer)
		}
		return conv, frames
	case TypeChoose:
		conv, more := s.turn(ctx, channel, conv, bot.Input{MessageID: f.ID, Choice: f.Value}, limits)
		return conv, append(frames, more...)
	default: // TypeMessage
		conv, more := s.turn(ctx, channel, conv, bot.Input{MessageID: f.ID, Text: f.Text}, limits)
		return conv, append(frames, more...)
	}
}

// hello opens the requested session, or a new one, and welcomes the client into it. On failure
// the client stays in conv.
func (s *Server) hello(ctx context.Context, channel string, conv *bot.Conversation, f ClientFrame) (*bot.Conversation, []Frame) {
	if f.V != 0 && f.V != ProtocolVersion {
		e := newError(f.ID, CodeUnsupportedVersion)
		s.rejected(channel, &e)
		return conv, []Frame{e}
	}
	requested := f.Session
	malformed := requested != "" && !validSessionID(requested)
	if malformed {
		requested = ""
	}
	opened, welcome, err := s.open(ctx, requested, f.ID, malformed, f.pageContext())
	if err != nil {
		return conv, []Frame{s.failure(channel, f.ID, "open", err)}
	}
	return opened, []Frame{welcome}
}

// open opens the requested session (or a new one when requested is empty) in the page's
// context pc and returns its conversation and welcome frame.
func (s *Server) open(ctx context.Context, requested, replyTo string, expired bool, pc bot.Context) (*bot.Conversation, Welcome, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.TurnTimeout)
	defer cancel()
	sess, err := s.bot.OpenWith(ctx, requested, pc)
	if err != nil {
		return nil, Welcome{}, err
	}
	return sess.Conversation, newWelcome(replyTo, sess, expired || sess.Expired), nil
}

func newWelcome(replyTo string, sess bot.Session, expired bool) Welcome {
	w := Welcome{
		Type: TypeWelcome, ReplyTo: replyTo, Session: sess.ID, V: ProtocolVersion,
		Resumed: sess.Resumed, Expired: expired, Handoff: sess.Handoff, History: sess.History,
	}
	if w.History == nil {
		w.History = []bot.Entry{}
	}
	if expired {
		w.Notice = expiredNotice
	}
	return w
}

// turn runs one message or choice. If the session expired since hello, a new one is started,
// announced with a welcome frame, and the turn runs there: the user's message is still answered.
func (s *Server) turn(ctx context.Context, channel string, conv *bot.Conversation, in bot.Input, limits turnLimits) (*bot.Conversation, []Frame) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.TurnTimeout)
	defer cancel()
	start := time.Now()
	var frames []Frame
	in.Limits = limits.limits
	out, err := s.bot.Turn(ctx, conv, in)
	if errors.Is(err, bot.ErrUnknownSession) {
		// The welcome has no reply_to: the turn's reply (or error) is the one answer to its id.
		opened, welcome, oerr := s.open(ctx, "", "", true, conv.Context()) // the same page: keep its context
		if oerr != nil {
			return conv, []Frame{s.failure(channel, in.MessageID, "open", oerr)}
		}
		conv = opened
		frames = append(frames, welcome)
		out, err = s.bot.Turn(ctx, conv, in)
	}
	var limited *bot.RateLimitError
	if errors.As(err, &limited) {
		s.metrics.rateLimited.WithLabelValues(limits.scopes[limited.Index]).Inc()
		e := newError(in.MessageID, CodeRateLimited)
		s.rejected(channel, &e)
		return conv, append(frames, e)
	}
	if err != nil {
		return conv, append(frames, s.failure(channel, in.MessageID, "handle", err))
	}
	s.observeTurn(channel, out, time.Since(start))
	return conv, append(frames, NewReply(out))
}

func (s *Server) feedback(ctx context.Context, channel string, conv *bot.Conversation, f ClientFrame) Frame {
	ctx, cancel := context.WithTimeout(ctx, s.opts.TurnTimeout)
	defer cancel()
	err := s.bot.FeedbackOn(ctx, conv, f.Reply, *f.Useful)
	if errors.Is(err, bot.ErrUnknownSession) {
		// The session expired since the reply was shown: the reply is gone with it.
		err = fmt.Errorf("%w: %w", bot.ErrUnknownReply, err)
	}
	if err != nil {
		return s.failure(channel, f.ID, "feedback", err)
	}
	useful := "no"
	if *f.Useful {
		useful = "yes"
	}
	s.metrics.feedback.WithLabelValues(useful).Inc()
	if f.ID == "" {
		return nil // nothing to acknowledge: only errors answer feedback without an id
	}
	return Control{Type: TypeAck, ReplyTo: f.ID}
}

func (s *Server) observeTurn(channel string, out bot.Output, took time.Duration) {
	m := s.metrics
	if out.Replayed {
		m.replayed.Inc()
		return // counted when it first ran
	}
	m.turns.WithLabelValues(channel, string(out.Kind)).Inc()
	m.turnLatency.WithLabelValues(channel).Observe(took.Seconds())
	if out.Kind == dialog.KindFallback {
		m.fallbacks.Inc()
	}
	if out.HandoffReason != "" {
		m.handoffs.WithLabelValues(out.HandoffReason).Inc()
	}
}

// failure turns a bot error into the error frame the client sees, counting and logging it. The
// error's text goes to the log only.
func (s *Server) failure(channel, replyTo, op string, err error) Error {
	code := codeFor(err)
	s.metrics.turnErrors.WithLabelValues(channel, string(code)).Inc()
	switch code {
	case CodeUnavailable:
		s.log.Warn("bot unavailable", "op", op, "channel", channel, "err", err.Error())
	case CodeConflict, CodeUnknownReply, CodeUnknownIssuer, CodeBadContext:
		s.log.Info("turn refused", "op", op, "channel", channel, "code", string(code))
	default:
		s.log.Error("bot failed", "op", op, "channel", channel, "err", err.Error())
	}
	return newError(replyTo, code)
}

// rejected counts an error frame the channel itself decided (bad frames, rate limits).
func (s *Server) rejected(channel string, e *Error) {
	s.metrics.turnErrors.WithLabelValues(channel, string(e.Code)).Inc()
}

// turnLimits are the rate limits a turn counts against, with each one's scope for the metric.
type turnLimits struct {
	limits []bot.Limit
	scopes []string
}

// limitsFor returns the client address's and the session's rates as limits for a turn, the same
// counts allowFrame keeps (unlimited rates left out).
func (s *Server) limitsFor(ip, session string) turnLimits {
	var l turnLimits
	add := func(scope, key string, r limit.Rate) {
		if !r.Unlimited() {
			l.limits = append(l.limits, bot.Limit{Key: key, Max: r.Limit, Per: r.Per})
			l.scopes = append(l.scopes, scope)
		}
	}
	add("ip", "ip:"+ip, s.opts.IPRate)
	if session != "" {
		add("session", "s:"+session, s.opts.SessionRate)
	}
	return l
}

// A rate-limit call of its own (a frame that is not a turn) is bounded apart: one that does not
// answer within limiterWait (a hung Redis) lets the frame through, as any limiter failure does,
// and is not made again for limiterRest. A frame then waits for the session store only, which
// fails fast on its own (redisclient.DefaultTimeout), so a hung Redis is answered within about
// a second.
const (
	limiterWait = 100 * time.Millisecond
	limiterRest = time.Second
)

// allowFrame counts a frame that is not a turn against the client address's and the session's
// rates, both in one call (one Redis round trip). When counting fails the frame is allowed: the
// store will refuse the turn anyway if Redis is down, and a limiter outage must not lock every
// cardholder out.
func (s *Server) allowFrame(ctx context.Context, ip, session string) (ok bool, scope string) {
	l := s.limitsFor(ip, session)
	if len(l.limits) == 0 || time.Now().UnixNano() < s.limiterDownUntil.Load() {
		return true, ""
	}
	ctx, cancel := context.WithTimeout(ctx, limiterWait)
	defer cancel()
	refused, err := s.bot.Allow(ctx, l.limits...)
	if err != nil {
		s.limiterDownUntil.Store(time.Now().Add(limiterRest).UnixNano())
		s.log.Warn("rate limiter failed, allowing frames for a while", "err", err.Error(), "for", limiterRest.String())
		return true, ""
	}
	if refused < 0 {
		return true, ""
	}
	s.metrics.rateLimited.WithLabelValues(l.scopes[refused]).Inc()
	return false, l.scopes[refused]
}
