package launcher

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"time"
)

// Errors returned by actions; the control API maps them to status codes.
var (
	// ErrBadAction is a malformed action (HTTP 400).
	ErrBadAction = errors.New("launcher: bad action")
	// ErrUnknownNode names a node the cluster does not have (HTTP 404).
	ErrUnknownNode = errors.New("launcher: unknown node")
	// ErrConflict is an action that does not fit the node's state, such as
	// starting a running server (HTTP 409).
	ErrConflict = errors.New("launcher: conflict")
	// ErrClosed means the launcher is shutting down (HTTP 503).
	ErrClosed = errors.New("launcher: shutting down")
)

// procOp is a process operation of the supervisor.
type procOp int

const (
	opStart procOp = iota
	opKill
	opStop
	opRestart
	opPause
	opResume
)

func (o procOp) String() string {
	return [...]string{"start", "kill", "stop", "restart", "pause", "resume"}[o]
}

// procRequest asks the supervisor to apply op to node id; the reply comes
// once the operation has taken effect.
type procRequest struct {
	op    procOp
	id    int
	reply chan error
}

// stopAllRequest stops every running server; force skips the grace period.
type stopAllRequest struct {
	force bool
	reply chan error
}

// snapshotRequest asks for the process table.
type snapshotRequest struct {
	reply chan []procInfo
}

// exitNote reports that generation gen of node id has exited.
type exitNote struct{ id, gen int }

// graceNote reports that the grace period of generation gen expired.
type graceNote struct{ id, gen int }

// procInfo is one row of the process table.
type procInfo struct {
	ID       int
	PID      int
	Running  bool
	Paused   bool
	Started  time.Time
	ExitCode *int
	ExitDesc string
	// Asked is true when the last exit was requested (kill/stop).
	Asked bool
}

// entry is the supervisor's state of one node. Only the supervisor
// goroutine touches it.
type entry struct {
	id      int
	proc    Process
	gen     int // incremented at each start
	running bool
	paused  bool
	// stopping is set from SIGTERM/SIGKILL until the exit is seen.
	stopping bool
	asked    bool
	timer    *time.Timer
	waiters  []func(error) // called when the process exits
	restart  []chan error  // restart requests waiting for the new start
	exitCode *int
	exitDesc string
}

// supervisor owns the process table in one goroutine.
type supervisor struct {
	spawn func(id int) (Process, error)
	grace time.Duration
	emit  func(kind string, node int, format string, args ...any)

	reqs   chan any
	exits  chan exitNote
	graces chan graceNote
	done   chan struct{} // closed when shutdown begins
	// stopped is closed when run has returned and every process is reaped.
	stopped chan struct{}
	wg      sync.WaitGroup

	table map[int]*entry
	order []int // node ids in start order
}

func newSupervisor(ids []int, grace time.Duration, spawn func(int) (Process, error), emit func(string, int, string, ...any)) *supervisor {
	s := &supervisor{
		spawn:   spawn,
		grace:   grace,
		emit:    emit,
		reqs:    make(chan any),
		exits:   make(chan exitNote),
		graces:  make(chan graceNote),
		done:    make(chan struct{}),
		stopped: make(chan struct{}),
		table:   map[int]*entry{},
	}
	for _, id := range ids {
		s.table[id] = &entry{id: id}
	}
	return s
}

// run is the supervisor loop; it returns when ctx is done, after killing
// every process still running and reaping it.
func (s *supervisor) run(ctx context.Context) {
	defer close(s.stopped)
	for {
		select {
		case r := <-s.reqs:
			s.handle(r)
		case n := <-s.exits:
			s.exited(n)
		case g := <-s.graces:
			if e := s.table[g.id]; e != nil && e.gen == g.gen && e.running {
				s.emit("info", e.id, "grace period over, sending SIGKILL to pid %d", e.proc.Pid())
				_ = e.proc.Signal(syscall.SIGKILL)
			}
		case <-ctx.Done():
			close(s.done)
			s.killAllAndReap()
			return
		}
	}
}

// killAllAndReap is the last resort at shutdown.
func (s *supervisor) killAllAndReap() {
	for _, e := range s.table {
		if e.running {
			_ = e.proc.Signal(syscall.SIGKILL)
			<-e.proc.Done()
			e.running = false
			for _, w := range e.waiters {
				w(ErrClosed)
			}
			for _, r := range e.restart {
				r <- ErrClosed
			}
			e.waiters, e.restart = nil, nil
		}
	}
	s.wg.Wait()
}

// call sends a request and waits for the reply or ctx.
func (s *supervisor) call(ctx context.Context, req any, reply chan error) error {
	select {
	case s.reqs <- req:
	case <-s.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-s.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// do applies op to node id and waits until it took effect.
func (s *supervisor) do(ctx context.Context, op procOp, id int) error {
	reply := make(chan error, 1)
	return s.call(ctx, procRequest{op: op, id: id, reply: reply}, reply)
}

// stopAll stops every running server, with or without the grace period.
func (s *supervisor) stopAll(ctx context.Context, force bool) error {
	reply := make(chan error, 1)
	return s.call(ctx, stopAllRequest{force: force, reply: reply}, reply)
}

// snapshot returns the process table ordered by node id.
func (s *supervisor) snapshot(ctx context.Context) ([]procInfo, error) {
	reply := make(chan []procInfo, 1)
	select {
	case s.reqs <- snapshotRequest{reply: reply}:
	case <-s.done:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case p := <-reply:
		return p, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *supervisor) handle(r any) {
	switch r := r.(type) {
	case procRequest:
		e := s.table[r.id]
		if e == nil {
			r.reply <- fmt.Errorf("node %d: %w", r.id, ErrUnknownNode)
			return
		}
		s.apply(e, r)
	case stopAllRequest:
		s.handleStopAll(r)
	case snapshotRequest:
		r.reply <- s.rows()
	default:
		// Unknown request types are a programming error; never panic the
		// supervisor for them.
		s.emit("info", 0, "supervisor: ignoring unknown request %T", r)
	}
}

func (s *supervisor) rows() []procInfo {
	out := make([]procInfo, 0, len(s.table))
	for _, e := range s.table {
		pi := procInfo{ID: e.id, Running: e.running, Paused: e.paused, ExitCode: e.exitCode, ExitDesc: e.exitDesc, Asked: e.asked}
		if e.proc != nil {
			pi.PID = e.proc.Pid()
			pi.Started = e.proc.StartTime()
		}
		out = append(out, pi)
	}
	slices.SortFunc(out, func(a, b procInfo) int { return a.ID - b.ID })
	return out
}

func (s *supervisor) apply(e *entry, r procRequest) {
	notRunning := func() error {
		return fmt.Errorf("node %d is not running: %w", e.id, ErrConflict)
	}
	switch r.op {
	case opStart:
		if e.running {
			r.reply <- fmt.Errorf("node %d is already running (pid %d): %w", e.id, e.proc.Pid(), ErrConflict)
			return
		}
		r.reply <- s.start(e)
	case opKill:
		if !e.running {
			r.reply <- notRunning()
			return
		}
		e.waiters = append(e.waiters, func(err error) { r.reply <- err })
		s.kill(e)
	case opStop, opRestart:
		if !e.running {
			if r.op == opRestart {
				r.reply <- s.start(e)
				return
			}
			r.reply <- notRunning()
			return
		}
		if r.op == opRestart {
			e.restart = append(e.restart, r.reply)
		} else {
			e.waiters = append(e.waiters, func(err error) { r.reply <- err })
		}
		s.terminate(e)
	case opPause:
		if !e.running {
			r.reply <- notRunning()
			return
		}
		if err := e.proc.Signal(syscall.SIGSTOP); err != nil {
			r.reply <- err
			return
		}
		e.paused = true
		s.emit("paused", e.id, "SIGSTOP pid %d", e.proc.Pid())
		r.reply <- nil
	case opResume:
		if !e.running {
			r.reply <- notRunning()
			return
		}
		if err := e.proc.Signal(syscall.SIGCONT); err != nil {
			r.reply <- err
			return
		}
		e.paused = false
		s.emit("resumed", e.id, "SIGCONT pid %d", e.proc.Pid())
		r.reply <- nil
	default:
		r.reply <- fmt.Errorf("unknown operation %d: %w", r.op, ErrBadAction)
	}
}

// start spawns a new generation of e and watches for its exit.
func (s *supervisor) start(e *entry) error {
	p, err := s.spawn(e.id)
	if err != nil {
		return fmt.Errorf("start node %d: %w", e.id, err)
	}
	e.gen++
	e.proc, e.running, e.paused, e.stopping, e.asked = p, true, false, false, false
	e.exitCode, e.exitDesc = nil, ""
	s.order = append(slices.DeleteFunc(s.order, func(id int) bool { return id == e.id }), e.id)
	gen := e.gen
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		<-p.Done()
		select {
		case s.exits <- exitNote{id: e.id, gen: gen}:
		case <-s.done:
		}
	}()
	s.emit("started", e.id, "pid %d", p.Pid())
	return nil
}

// kill sends SIGKILL at once.
func (s *supervisor) kill(e *entry) {
	e.stopping, e.asked = true, true
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	_ = e.proc.Signal(syscall.SIGKILL)
}

// terminate sends SIGTERM (and SIGCONT, so a paused server can act on it)
// and arms the grace timer that escalates to SIGKILL.
func (s *supervisor) terminate(e *entry) {
	if e.stopping {
		return // already on its way out; the waiter is registered
	}
	e.stopping, e.asked = true, true
	_ = e.proc.Signal(syscall.SIGTERM)
	if e.paused {
		_ = e.proc.Signal(syscall.SIGCONT)
		e.paused = false
	}
	id, gen := e.id, e.gen
	e.timer = time.AfterFunc(s.grace, func() {
		select {
		case s.graces <- graceNote{id: id, gen: gen}:
		case <-s.done:
		}
	})
}

func (s *supervisor) handleStopAll(r stopAllRequest) {
	var running []*entry
	for i := len(s.order) - 1; i >= 0; i-- { // reverse start order
		if e := s.table[s.order[i]]; e != nil && e.running {
			running = append(running, e)
		}
	}
	if len(running) == 0 {
		r.reply <- nil
		return
	}
	left := len(running)
	var errs error
	for _, e := range running {
		e.waiters = append(e.waiters, func(err error) {
			errs = errors.Join(errs, err)
			if left--; left == 0 {
				r.reply <- errs
			}
		})
		if r.force {
			s.kill(e)
		} else {
			s.terminate(e)
		}
	}
}

// exited records an exit; a crash is reported and never restarted unasked.
func (s *supervisor) exited(n exitNote) {
	e := s.table[n.id]
	if e == nil || e.gen != n.gen || !e.running {
		return
	}
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	code := e.proc.ExitCode()
	e.running, e.paused, e.stopping = false, false, false
	e.exitCode, e.exitDesc = &code, e.proc.ExitDesc()
	if e.asked {
		s.emit("exited", e.id, "pid %d %s", e.proc.Pid(), e.exitDesc)
	} else {
		s.emit("crashed", e.id, "pid %d %s (not restarted)", e.proc.Pid(), e.exitDesc)
	}
	waiters, restarts := e.waiters, e.restart
	e.waiters, e.restart = nil, nil
	for _, w := range waiters {
		w(nil)
	}
	if len(restarts) > 0 {
		err := s.start(e)
		for _, r := range restarts {
			r <- err
		}
	}
}
