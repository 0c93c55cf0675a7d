package main

import (
	"io"
	"log/slog"

	"chatbot/config"
)

// newLogger builds the process logger from log.level and log.format (both validated by config).
func newLogger(cfg config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level)) // debug|info|warn|error, checked by config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
