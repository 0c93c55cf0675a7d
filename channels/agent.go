package channels

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"chatbot/bot"
)

// Agents is what a contact-center system drives through POST /admin/sessions/{id}/agent; *bot.Bot
// is one.
type Agents interface {
	AgentJoined(ctx context.Context, sessionID, agent string) error
	AgentLeft(ctx context.Context, sessionID string) error
	AgentMessage(ctx context.Context, sessionID, agent, text string) (bot.Entry, error)
}

// Live delivers entries added to a session outside the user's turns (what an agent writes, an
// agent joining or leaving), from any instance, so open sockets can show them at once;
// *bot.Bot is one.
type Live interface {
	Listen(sessionID string, deliver func(bot.Entry)) (stop func())
}

// Agent actions.
const (
	AgentJoin    = "join"
	AgentLeave   = "leave"
	AgentMessage = "message"
)

// AgentRequest is the body of POST /admin/sessions/{id}/agent.
type AgentRequest struct {
	Action string `json:"action"`          // join, leave or message
	Agent  string `json:"agent,omitempty"` // join, message: the name the user sees, e.g. "客服 8012"
	Text   string `json:"text,omitempty"`  // message
}

// AgentResult answers an agent request.
type AgentResult struct {
	Session string `json:"session"`
	// Handoff is the session's handoff state after the request.
	Handoff bot.HandoffState `json:"handoff,omitempty"`
	// Entry is the transcript entry an agent's message became (the user sees the same as a
	// reply frame of kind "agent").
	Entry *bot.Entry `json:"entry,omitempty"`
	Error string     `json:"error,omitempty"` // what was wrong, for the contact center's logs
}

// maxAgentName bounds the agent's display name.
const maxAgentName = 64

// serveAgent lets a contact-center system take a session whose user waits for a person, write
// to the user, and give the session back to the bot.
func (s *Server) serveAgent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxFrameBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeJSON(w, http.StatusRequestEntityTooLarge, AgentResult{Session: id, Error: "body over ws.max_frame_bytes"})
		return
	}
	if err != nil {
		return // the caller went away mid-body
	}
	var req AgentRequest
	if err := json.Unmarshal(data, &req); err != nil {
		writeJSON(w, http.StatusBadRequest, AgentResult{Session: id, Error: "body is not an agent request: " + err.Error()})
		return
	}
	if len(req.Agent) > maxAgentName {
		writeJSON(w, http.StatusBadRequest, AgentResult{Session: id, Error: fmt.Sprintf("agent name longer than %d bytes", maxAgentName)})
		return
	}

	// The contact center gets its answer even if it hangs up: the change is made or not, wholly.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), s.opts.TurnTimeout)
	defer cancel()
	res := AgentResult{Session: id}
	switch req.Action {
	case AgentJoin:
		err = s.opts.Agents.AgentJoined(ctx, id, req.Agent)
		res.Handoff = bot.HandoffAgent
	case AgentLeave:
		err = s.opts.Agents.AgentLeft(ctx, id)
		res.Handoff = bot.HandoffBot
	case AgentMessage:
		var e bot.Entry
		e, err = s.opts.Agents.AgentMessage(ctx, id, req.Agent, req.Text)
		res.Entry, res.Handoff = &e, bot.HandoffAgent
	default:
		writeJSON(w, http.StatusBadRequest, AgentResult{Session: id, Error: `action must be "join", "leave" or "message"`})
		return
	}
	if err != nil {
		status, msg := agentErrorStatus(err)
		if status >= http.StatusInternalServerError {
			s.log.Warn("agent request failed", "action", req.Action, "session", bot.LogID(id), "err", err.Error())
		}
		writeJSON(w, status, AgentResult{Session: id, Error: msg})
		return
	}
	s.metrics.agentActions.WithLabelValues(req.Action).Inc()
	writeJSON(w, http.StatusOK, res)
}

// agentErrorStatus maps a bot error to the status and message the contact center gets.
func agentErrorStatus(err error) (int, string) {
	switch {
	case errors.Is(err, bot.ErrUnknownSession):
		return http.StatusNotFound, "unknown or expired session"
	case errors.Is(err, bot.ErrHandoffState):
		return http.StatusConflict, "the session is not in a state for this action (join needs a waiting user, message needs a joined agent)"
	case errors.Is(err, bot.ErrBadInput):
		return http.StatusBadRequest, fmt.Sprintf("text must not be empty or longer than %d characters", bot.MaxAgentTextLength)
	case errors.Is(err, bot.ErrConflict):
		return http.StatusConflict, "the session changed at the same moment: retry"
	case codeFor(err) == CodeUnavailable:
		return http.StatusServiceUnavailable, "session store unavailable: nothing was changed, retry"
	default:
		return http.StatusInternalServerError, "internal error"
	}
}
