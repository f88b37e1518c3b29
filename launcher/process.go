package launcher

import (
	"fmt"
	"syscall"
	"time"

	"github.com/zkctl/zkctl/internal/proc"
)

// Process is a started server process as the supervisor sees it. The real
// implementation is execProcess; tests use a fake.
type Process interface {
	// Pid is the process id (also its process group id).
	Pid() int
	// Signal sends sig to the whole process group.
	Signal(sig syscall.Signal) error
	// Done is closed once the process has exited and been reaped.
	Done() <-chan struct{}
	// ExitCode is the exit status after Done (-1 when killed by a signal).
	ExitCode() int
	// ExitDesc describes how it ended, e.g. "exit status 3" or "killed by SIGKILL".
	ExitDesc() string
	// StartTime is when it was started.
	StartTime() time.Time
}

// execProcess is a Process backed by a real child in its own process group;
// signals go to the whole group.
type execProcess struct{ *proc.Process }

// Signal implements Process.
func (p execProcess) Signal(sig syscall.Signal) error { return p.SignalGroup(sig) }

// startProcess runs argv in dir with stdout and stderr appended to logPath,
// after a line marking the start of this run.
func startProcess(argv, env []string, dir, logPath string) (Process, error) {
	banner := fmt.Sprintf("=== zkctl launcher: starting %q at %s ===", argv, time.Now().Format(time.RFC3339Nano))
	p, err := proc.Start(proc.Spec{Argv: argv, Env: env, Dir: dir, LogPath: logPath, Banner: banner})
	if err != nil {
		return nil, fmt.Errorf("launcher: %w", err)
	}
	return execProcess{p}, nil
}
