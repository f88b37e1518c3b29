package proc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Spec says what to run and where its output goes.
type Spec struct {
	// Argv is the program and its arguments; it must not be empty.
	Argv []string
	// Env is added to os.Environ() for the child.
	Env []string
	// Dir is the child's working directory ("" is the caller's).
	Dir string
	// LogPath receives the child's stdout and stderr, appended.
	LogPath string
	// Banner, when set, is written to the log as one line before the child
	// starts, so that a log shared by restarts shows where each run begins.
	Banner string
}

// Process is one started child. Its state after exit is read through Done,
// ExitErr, ExitCode and ExitDesc.
type Process struct {
	cmd   *exec.Cmd
	start time.Time
	done  chan struct{} // closed once the child has been reaped
	// Valid once done is closed.
	waitErr error
	code    int
	desc    string
}

// Start starts s.Argv in its own process group with output appended to
// s.LogPath, and reaps it in the background.
func Start(s Spec) (*Process, error) {
	if len(s.Argv) == 0 {
		return nil, errors.New("proc: empty command")
	}
	logf, err := os.OpenFile(s.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("proc: open log: %w", err)
	}
	if s.Banner != "" {
		fmt.Fprintln(logf, s.Banner)
	}
	cmd := exec.Command(s.Argv[0], s.Argv[1:]...)
	cmd.Dir = s.Dir
	cmd.Env = append(os.Environ(), s.Env...)
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("proc: start %s: %w", s.Argv[0], err)
	}
	p := &Process{cmd: cmd, start: time.Now(), done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		p.code = cmd.ProcessState.ExitCode()
		p.desc = describeExit(cmd.ProcessState, p.waitErr)
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

// Pid is the child's process id, which is also its process group id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// StartTime is when the child was started.
func (p *Process) StartTime() time.Time { return p.start }

// Done is closed once the child has exited and been reaped.
func (p *Process) Done() <-chan struct{} { return p.done }

// Running reports whether the child has not exited yet.
func (p *Process) Running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// ExitErr is the error returned by exec.Cmd.Wait (nil for exit status 0),
// or nil while the child still runs.
func (p *Process) ExitErr() error {
	if p.Running() {
		return nil
	}
	return p.waitErr
}

// ExitCode waits for the child to exit and returns its exit status (-1 when
// a signal killed it).
func (p *Process) ExitCode() int {
	<-p.done
	return p.code
}

// ExitDesc waits for the child to exit and says how it ended, e.g. "exit
// status 3" or "killed by SIGKILL".
func (p *Process) ExitDesc() string {
	<-p.done
	return p.desc
}

// Signal sends sig to the child's pid only. Signalling a child that has
// exited, or a pid already gone, is a no-op.
func (p *Process) Signal(sig syscall.Signal) error {
	return p.kill(p.Pid(), "pid", sig)
}

// SignalGroup sends sig to the child's whole process group, so that
// whatever the child started gets it too. A group already gone is a no-op.
func (p *Process) SignalGroup(sig syscall.Signal) error {
	return p.kill(-p.Pid(), "process group", sig)
}

func (p *Process) kill(pid int, what string, sig syscall.Signal) error {
	if !p.Running() {
		return nil
	}
	if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("proc: signal %s to %s %d: %w", signalName(sig), what, p.Pid(), err)
	}
	return nil
}

// Kill9 sends SIGKILL to the child's pid and waits up to 10 s for it to be
// reaped.
func (p *Process) Kill9() error {
	if err := p.Signal(syscall.SIGKILL); err != nil {
		return err
	}
	return p.wait(10 * time.Second)
}

// Stop sends SIGTERM to the child's pid, waits up to grace, then calls Kill9.
func (p *Process) Stop(grace time.Duration) error {
	if err := p.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	if p.wait(grace) == nil {
		return nil
	}
	return p.Kill9()
}

func (p *Process) wait(d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
		return nil
	case <-t.C:
		return fmt.Errorf("proc: pid %d still running after %v", p.Pid(), d)
	}
}

func describeExit(ps *os.ProcessState, err error) string {
	if ps == nil {
		if err != nil {
			return err.Error()
		}
		return "unknown"
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return "killed by " + signalName(ws.Signal())
	}
	return fmt.Sprintf("exit status %d", ps.ExitCode())
}

// signalName returns the C name of the signals a server is usually ended
// with ("SIGKILL"), and Go's description of any other.
func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGSEGV:
		return "SIGSEGV"
	case syscall.SIGABRT:
		return "SIGABRT"
	}
	return s.String()
}
