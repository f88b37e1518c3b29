package launcher

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// fakeProc is a Process that obeys or ignores SIGTERM, inside a synctest bubble.
type fakeProc struct {
	pid        int
	ignoreTerm bool
	termDelay  time.Duration // an obedient process exits this long after SIGTERM

	mu      sync.Mutex
	signals []syscall.Signal
	done    chan struct{}
	closed  bool
	code    int
	start   time.Time
}

func (p *fakeProc) Pid() int              { return p.pid }
func (p *fakeProc) Done() <-chan struct{} { return p.done }
func (p *fakeProc) StartTime() time.Time  { return p.start }
func (p *fakeProc) ExitCode() int         { <-p.done; return p.code }
func (p *fakeProc) ExitDesc() string      { return fmt.Sprintf("exit status %d", p.ExitCode()) }

func (p *fakeProc) exit(code int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed, p.code = true, code
		close(p.done)
	}
}

func (p *fakeProc) Signal(sig syscall.Signal) error {
	p.mu.Lock()
	p.signals = append(p.signals, sig)
	p.mu.Unlock()
	switch sig {
	case syscall.SIGKILL:
		p.exit(-1)
	case syscall.SIGTERM:
		if !p.ignoreTerm {
			time.AfterFunc(p.termDelay, func() { p.exit(0) })
		}
	}
	return nil
}

func (p *fakeProc) got() []syscall.Signal {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]syscall.Signal(nil), p.signals...)
}

type fakeSpawner struct {
	mu         sync.Mutex
	ignoreTerm map[int]bool
	procs      map[int][]*fakeProc
	next       int
}

func (f *fakeSpawner) spawn(id int) (Process, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	p := &fakeProc{pid: 1000 + f.next, ignoreTerm: f.ignoreTerm[id], termDelay: 100 * time.Millisecond, done: make(chan struct{}), start: time.Now()}
	if f.procs == nil {
		f.procs = map[int][]*fakeProc{}
	}
	f.procs[id] = append(f.procs[id], p)
	return p, nil
}

func (f *fakeSpawner) last(id int) *fakeProc {
	f.mu.Lock()
	defer f.mu.Unlock()
	ps := f.procs[id]
	return ps[len(ps)-1]
}

func newTestSupervisor(t *testing.T, ids []int, grace time.Duration, f *fakeSpawner) (*supervisor, context.CancelFunc) {
	t.Helper()
	var mu sync.Mutex
	var events []string
	emit := func(kind string, node int, format string, args ...any) {
		mu.Lock()
		events = append(events, fmt.Sprintf("%s %d %s", kind, node, fmt.Sprintf(format, args...)))
		mu.Unlock()
	}
	s := newSupervisor(ids, grace, f.spawn, emit)
	ctx, cancel := context.WithCancel(context.Background())
	go s.run(ctx)
	return s, cancel
}

func TestSupervisor_StopObedientProcessNeedsNoKill(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeSpawner{}
		s, cancel := newTestSupervisor(t, []int{1}, 5*time.Second, f)
		defer cancel()
		ctx := context.Background()
		if err := s.do(ctx, opStart, 1); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := s.do(ctx, opStop, 1); err != nil {
			t.Fatal(err)
		}
		if el := time.Since(start); el != 100*time.Millisecond {
			t.Fatalf("stop took %v, want the process's own 100ms", el)
		}
		if got := f.last(1).got(); len(got) != 1 || got[0] != syscall.SIGTERM {
			t.Fatalf("signals %v, want only SIGTERM", got)
		}
		rows, _ := s.snapshot(ctx)
		if rows[0].Running || rows[0].ExitCode == nil || *rows[0].ExitCode != 0 {
			t.Fatalf("row after stop: %+v", rows[0])
		}
	})
}

func TestSupervisor_StopEscalatesToKillAfterGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeSpawner{ignoreTerm: map[int]bool{1: true}}
		s, cancel := newTestSupervisor(t, []int{1}, 3*time.Second, f)
		defer cancel()
		ctx := context.Background()
		if err := s.do(ctx, opStart, 1); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := s.do(ctx, opStop, 1); err != nil {
			t.Fatal(err)
		}
		if el := time.Since(start); el != 3*time.Second {
			t.Fatalf("stop took %v, want the 3s grace", el)
		}
		got := f.last(1).got()
		if len(got) != 2 || got[0] != syscall.SIGTERM || got[1] != syscall.SIGKILL {
			t.Fatalf("signals %v, want SIGTERM then SIGKILL", got)
		}
	})
}

func TestSupervisor_ForcedStopAllSkipsGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeSpawner{ignoreTerm: map[int]bool{1: true, 2: true, 3: true}}
		s, cancel := newTestSupervisor(t, []int{1, 2, 3}, 10*time.Second, f)
		defer cancel()
		ctx := context.Background()
		for id := 1; id <= 3; id++ {
			if err := s.do(ctx, opStart, id); err != nil {
				t.Fatal(err)
			}
		}
		// A graceful stop-all is under way; a second Ctrl-C forces it.
		graceful := make(chan error, 1)
		go func() { graceful <- s.stopAll(ctx, false) }()
		time.Sleep(time.Second)
		start := time.Now()
		if err := s.stopAll(ctx, true); err != nil {
			t.Fatal(err)
		}
		if el := time.Since(start); el != 0 {
			t.Fatalf("forced stop took %v", el)
		}
		if err := <-graceful; err != nil {
			t.Fatal(err)
		}
		for id := 1; id <= 3; id++ {
			got := f.last(id).got()
			if got[len(got)-1] != syscall.SIGKILL {
				t.Fatalf("node %d signals %v, want SIGKILL last", id, got)
			}
		}
	})
}

func TestSupervisor_PausedStopGetsSIGCONT(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeSpawner{}
		s, cancel := newTestSupervisor(t, []int{1}, time.Second, f)
		defer cancel()
		ctx := context.Background()
		s.do(ctx, opStart, 1)
		if err := s.do(ctx, opPause, 1); err != nil {
			t.Fatal(err)
		}
		if err := s.do(ctx, opStop, 1); err != nil {
			t.Fatal(err)
		}
		got := f.last(1).got()
		want := []syscall.Signal{syscall.SIGSTOP, syscall.SIGTERM, syscall.SIGCONT}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("signals %v, want %v", got, want)
		}
	})
}

func TestSupervisor_CrashIsReportedNotRestarted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeSpawner{}
		s, cancel := newTestSupervisor(t, []int{1}, time.Second, f)
		defer cancel()
		ctx := context.Background()
		s.do(ctx, opStart, 1)
		f.last(1).exit(3)
		synctest.Wait()
		rows, _ := s.snapshot(ctx)
		if rows[0].Running || rows[0].ExitCode == nil || *rows[0].ExitCode != 3 || rows[0].Asked {
			t.Fatalf("row after crash: %+v", rows[0])
		}
		time.Sleep(10 * time.Second)
		f.mu.Lock()
		n := len(f.procs[1])
		f.mu.Unlock()
		if n != 1 {
			t.Fatalf("crashed node was started %d times", n)
		}
	})
}

func TestSupervisor_RestartAndConflicts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeSpawner{}
		s, cancel := newTestSupervisor(t, []int{1}, time.Second, f)
		defer cancel()
		ctx := context.Background()
		if err := s.do(ctx, opKill, 1); !errors.Is(err, ErrConflict) {
			t.Fatalf("kill of a never-started node: %v", err)
		}
		if err := s.do(ctx, opStart, 7); !errors.Is(err, ErrUnknownNode) {
			t.Fatalf("start of node 7: %v", err)
		}
		s.do(ctx, opStart, 1)
		if err := s.do(ctx, opStart, 1); !errors.Is(err, ErrConflict) {
			t.Fatalf("double start: %v", err)
		}
		first := f.last(1)
		if err := s.do(ctx, opRestart, 1); err != nil {
			t.Fatal(err)
		}
		if f.last(1) == first {
			t.Fatal("restart did not spawn a new process")
		}
		rows, _ := s.snapshot(ctx)
		if !rows[0].Running || rows[0].PID != f.last(1).pid {
			t.Fatalf("row after restart: %+v", rows[0])
		}
	})
}
