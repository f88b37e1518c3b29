package zkproc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Process is one run of a child program whose output goes to a log file. It
// is started in its own process group and, on Linux, dies with the parent
// (Pdeathsig). Signals always go to the pid this Process started, never to
// anything found by name.
type Process struct {
	cmd     *exec.Cmd
	logFile *os.File
	done    chan struct{} // closed when Wait returned
	waitErr error         // valid after done is closed
	once    sync.Once
}

// StartProcess starts bin with args and env (appended to os.Environ) in dir,
// appending stdout and stderr to logPath.
func StartProcess(bin string, args, env []string, dir, logPath string) (*Process, error) {
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("zkproc: open log %s: %w", logPath, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = lf
	cmd.Stderr = lf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("zkproc: start %s: %w", bin, err)
	}
	p := &Process{cmd: cmd, logFile: lf, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		lf.Close()
		close(p.done)
	}()
	return p, nil
}

// Pid is the child's process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Exited is closed once the child has exited and been reaped.
func (p *Process) Exited() <-chan struct{} { return p.done }

// Running reports whether the child has not exited yet.
func (p *Process) Running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// ExitErr is the error returned by Wait (nil for exit status 0), or nil while
// the child still runs.
func (p *Process) ExitErr() error {
	if p.Running() {
		return nil
	}
	return p.waitErr
}

// Signal sends sig to the child's pid. Signalling an exited child is a no-op.
func (p *Process) Signal(sig syscall.Signal) error {
	if !p.Running() {
		return nil
	}
	if err := syscall.Kill(p.Pid(), sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("zkproc: signal %v to pid %d: %w", sig, p.Pid(), err)
	}
	return nil
}

// Kill9 sends SIGKILL and waits up to 10 s for the child to be reaped.
func (p *Process) Kill9() error {
	if err := p.Signal(syscall.SIGKILL); err != nil {
		return err
	}
	return p.wait(10 * time.Second)
}

// Stop sends SIGTERM, waits up to grace, then sends SIGKILL.
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
	select {
	case <-p.done:
		return nil
	case <-time.After(d):
		return fmt.Errorf("zkproc: pid %d still running after %v", p.Pid(), d)
	}
}
