// Package protolog is the one logging interface of the protocol state
// machines (election/ and leader/). They stay free of log/slog and of any
// output: the driver (node/) adapts Logger to slog, tests capture the lines
// into transcripts, as etcd raft's Logger and RedirectLogger do.
package protolog

// Logger receives the state machines' log lines, one formatted line each.
type Logger interface {
	// Infof logs a normal protocol event.
	Infof(format string, args ...any)
	// Warnf logs a rejected input or a failure.
	Warnf(format string, args ...any)
}

// Discard is a Logger that drops every line: the default when a
// configuration names none.
type Discard struct{}

// Infof implements Logger.
func (Discard) Infof(string, ...any) {}

// Warnf implements Logger.
func (Discard) Warnf(string, ...any) {}
