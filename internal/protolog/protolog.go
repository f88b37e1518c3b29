// Package protolog is the one logging interface of the protocol state
// machines (election/ and leader/). They stay free of log/slog and of any
// output: the driver (node/) adapts Logger to slog, tests capture the lines
// into transcripts, as etcd raft's Logger and RedirectLogger do.
package protolog

// Logger receives the state machines' log lines, one formatted line each:
// normal protocol events.
type Logger interface {
	Logf(format string, args ...any)
}

// Warner is the optional capability of a Logger that keeps rejected inputs
// and failures apart from normal events (the driver logs them at warn
// level, leader/zabtest prints only them). Warnf falls back to Logf for a
// Logger without it.
type Warner interface {
	Warnf(format string, args ...any)
}

// Warnf logs a rejected input or a failure through l's Warner, or through
// Logf with a "warn: " prefix when l has none.
func Warnf(l Logger, format string, args ...any) {
	if w, ok := l.(Warner); ok {
		w.Warnf(format, args...)
		return
	}
	l.Logf("warn: "+format, args...)
}

// Discard is a Logger that drops every line: the default when a
// configuration names none.
type Discard struct{}

// Logf implements Logger.
func (Discard) Logf(string, ...any) {}

// Warnf implements Warner.
func (Discard) Warnf(string, ...any) {}
