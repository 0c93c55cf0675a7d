package main

import (
	"io"
	"log/slog"

	"chatbot/config"
	"chatbot/dialog/pii"
)

// newLogger builds the process logger from log.level and log.format (both validated by config).
// Every line, at every level, goes through maskAttr.
func newLogger(cfg config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level)) // debug|info|warn|error, checked by config
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: maskAttr}
	if cfg.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// identifiers are attributes the server itself makes (random session ids, versions, addresses):
// never personal, and masking their digits would break following a session through the log.
var identifiers = map[string]bool{
	slog.TimeKey: true, slog.LevelKey: true, slog.SourceKey: true,
	"session": true, "reply": true, "message": true, "kb_version": true, "addr": true, "listen": true,
}

// maskAttr masks secrets and personal numbers in every text a log line carries (the message,
// string attributes, errors): the bot masks what users type before it is logged, and this
// catches what reaches a log some other way (an error quoting a request, an agent's words).
func maskAttr(_ []string, a slog.Attr) slog.Attr {
	if identifiers[a.Key] {
		return a
	}
	var s string
	switch a.Value.Kind() {
	case slog.KindString:
		s = a.Value.String()
	case slog.KindAny:
		err, ok := a.Value.Any().(error)
		if !ok {
			return a
		}
		s = err.Error()
	default:
		return a
	}
	if masked, kinds := pii.Mask(s); len(kinds) > 0 {
		a.Value = slog.StringValue(masked)
	}
	return a
}
