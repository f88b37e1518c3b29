package launcher

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Process is a started server process as the supervisor sees it. The real
// implementation wraps exec.Cmd; tests use a fake.
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

// execProcess is a Process backed by exec.Cmd, in its own process group.
type execProcess struct {
	cmd   *exec.Cmd
	start time.Time
	done  chan struct{}
	once  sync.Once
	code  int
	desc  string
	log   *os.File
}

// startProcess runs argv with stdout and stderr appended to logPath.
func startProcess(argv []string, dir, logPath string) (*execProcess, error) {
	if len(argv) == 0 {
		return nil, errors.New("launcher: empty command")
	}
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("launcher: open log: %w", err)
	}
	fmt.Fprintf(logf, "=== zkctl launcher: starting %q at %s ===\n", argv, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.Stdin = nil
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("launcher: start %s: %w", argv[0], err)
	}
	p := &execProcess{cmd: cmd, start: time.Now(), done: make(chan struct{}), log: logf}
	go p.wait()
	return p, nil
}

// wait reaps the process exactly once.
func (p *execProcess) wait() {
	p.once.Do(func() {
		err := p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		p.desc = describeExit(p.cmd.ProcessState, err)
		p.log.Close()
		close(p.done)
	})
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

func (p *execProcess) Pid() int              { return p.cmd.Process.Pid }
func (p *execProcess) Done() <-chan struct{} { return p.done }
func (p *execProcess) StartTime() time.Time  { return p.start }

func (p *execProcess) ExitCode() int {
	<-p.done
	return p.code
}

func (p *execProcess) ExitDesc() string {
	<-p.done
	return p.desc
}

// Signal sends sig to the process group; a group already gone is not an error.
func (p *execProcess) Signal(sig syscall.Signal) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	err := syscall.Kill(-p.cmd.Process.Pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("launcher: signal %s to pid %d: %w", signalName(sig), p.cmd.Process.Pid, err)
	}
	return nil
}
