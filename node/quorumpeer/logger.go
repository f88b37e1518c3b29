package quorumpeer

import (
	"context"
	"fmt"
	"log/slog"
)

// slogLogger adapts the protocol cores' protolog.Logger (and Warner) to
// slog: Logf at level info (the election's chatter, one line per
// notification, at debug), Warnf always at warn.
type slogLogger struct {
	l    *slog.Logger
	info slog.Level
}

// Logf implements protolog.Logger.
func (a slogLogger) Logf(format string, args ...any) {
	a.l.Log(context.Background(), a.info, fmt.Sprintf(format, args...))
}

// Warnf implements protolog.Warner.
func (a slogLogger) Warnf(format string, args ...any) { a.l.Warn(fmt.Sprintf(format, args...)) }
