package chaos

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zkctl/zkctl/launcher"
)

// eventCluster is a fake cluster that also serves launcher events, as the
// real launcher does; the runner must take its elections from them.
type eventCluster struct {
	*fakeCluster
	mu  sync.Mutex
	evs []launcher.Event
}

func (c *eventCluster) add(e launcher.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.Seq = uint64(len(c.evs) + 1)
	e.Time = time.Now()
	c.evs = append(c.evs, e)
}

func (c *eventCluster) EventsSince(_ context.Context, since uint64, _ time.Duration) ([]launcher.Event, uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []launcher.Event
	for _, e := range c.evs {
		if e.Seq > since {
			out = append(out, e)
		}
	}
	return out, uint64(len(c.evs)), nil
}

func (c *eventCluster) Do(ctx context.Context, a launcher.Action) error {
	if err := c.fakeCluster.Do(ctx, a); err != nil {
		return err
	}
	if a.Kind == launcher.ActKill {
		c.add(launcher.Event{Kind: launcher.EventKindLeader, Node: 4, From: a.Nodes[0], Epoch: 2, TookMs: 1234})
	}
	return nil
}

func TestRunner_ElectionsFromLauncherEvents(t *testing.T) {
	c := &eventCluster{fakeCluster: newFake(5, 5)}
	// An election before the run must not be counted.
	c.add(launcher.Event{Kind: launcher.EventKindLeader, Node: 5, Epoch: 1, TookMs: 500})
	var out bytes.Buffer
	r := NewRunner(c, fastConfig(&out))
	if err := r.Run(context.Background(), mustParse(t, "kill leader\nwait leader within 1s")); err != nil {
		t.Fatal(err)
	}
	s := r.Summary()
	if len(s.Elections) != 1 || s.Elections[0].From != 5 || s.Elections[0].To != 4 || s.Elections[0].Took != 1234*time.Millisecond {
		t.Fatalf("elections %+v, want one 5→4 in 1.234s", s.Elections)
	}
	if got := s.String(); !strings.Contains(got, "elections:  1 (timed from launcher events); 5→4 in 1.23s") {
		t.Fatalf("summary:\n%s", got)
	}
}

func TestSummary_ResultLines(t *testing.T) {
	base := Summary{Seed: 1, Load: LoadStats{OK: 300, Failed: 1, Unknown: 2}, LoadTime: 3 * time.Second,
		Faults: map[string]int{"kill": 2}, Check: &CheckResult{Linearizable: true, Checked: 303, Took: 40 * time.Millisecond}}
	pass := base.String()
	for _, w := range []string{"operations: 300 ok, 1 failed, 2 unknown (100.0 ok/s over 3s of load)", "faults:     2 (kill 2)",
		"linearizable: yes (303 ops checked in 40ms)", "result: pass"} {
		if !strings.Contains(pass, w) {
			t.Errorf("summary lacks %q:\n%s", w, pass)
		}
	}
	e := base
	e.Error = "3:1: kill 7: no node 7"
	if got := e.String(); !strings.Contains(got, "ERROR: 3:1: kill 7") || strings.Contains(got, "result: pass") {
		t.Errorf("script error summary:\n%s", got)
	}
	f := base
	f.Check = &CheckResult{Checked: 10, HTMLPath: "h.html"}
	f.Failures = []string{"5:1: check failed"}
	if got := f.String(); !strings.Contains(got, "linearizable: NO (10 ops checked") || !strings.Contains(got, "FAILED: 5:1") {
		t.Errorf("failed summary:\n%s", got)
	}
}

func TestExitCode_CarriedOverTheControlAPI(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, ExitPass},
		{&FailError{Stmt: "expect synced"}, ExitFailed},
		{errors.Join(errors.New("heal failed"), &FailError{Stmt: "check"}), ExitFailed},
		{&launcher.StatusError{Code: 422, Msg: "1:1: expect synced failed: x", Exit: 1}, ExitFailed},
		{&launcher.StatusError{Code: 400, Msg: "unknown command", Exit: 2}, ExitScriptError},
		{&launcher.StatusError{Code: 500, Msg: "boom"}, ExitScriptError},
		{errors.New("parse"), ExitScriptError},
	} {
		if got := ExitCode(tc.err); got != tc.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// sourceCluster records each action's source.
type sourceCluster struct {
	*fakeCluster
	sources []string
}

func (c *sourceCluster) Do(ctx context.Context, a launcher.Action) error {
	c.sources = append(c.sources, a.Source)
	return c.fakeCluster.Do(ctx, a)
}

func TestRunner_RunLineSourceFromContext(t *testing.T) {
	c := &sourceCluster{fakeCluster: newFake(3, 3)}
	r := NewRunner(c, RunnerConfig{Seed: 1, Source: launcher.SourceDo})
	if _, err := r.RunLine(context.Background(), nil, "kill 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.RunLine(launcher.WithSource(context.Background(), launcher.SourceKey), nil, "start 1"); err != nil {
		t.Fatal(err)
	}
	if want := []string{launcher.SourceDo, launcher.SourceKey}; strings.Join(c.sources, ",") != strings.Join(want, ",") {
		t.Fatalf("sources %q, want %q", c.sources, want)
	}
}
