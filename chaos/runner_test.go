package chaos

import (
	"bytes"
	"context"
	"errors"
	"math/rand"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/launcher"
)

func fastConfig(out *bytes.Buffer) RunnerConfig {
	return RunnerConfig{Seed: 7, Out: out, PollEvery: 5 * time.Millisecond, WaitWithin: 2 * time.Second}
}

func mustParse(t *testing.T, src string) *Program {
	t.Helper()
	p, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunner_FailoverScript(t *testing.T) {
	f := newFake(5, 3)
	var out bytes.Buffer
	r := NewRunner(f, fastConfig(&out))
	err := r.Run(context.Background(), mustParse(t, `
expect leader == 3
expect quorum
kill leader
wait leader within 2s
expect leader != 3
expect state 3 DOWN
expect state 1 FOLLOWING
pause 1
expect state 1 PAUSED
start 3
wait synced within 2s
`))
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	want := []string{"kill 3", "pause 1", "start 3", "heal", "resume 1"}
	if got := f.log(); !reflect.DeepEqual(got, want) {
		t.Fatalf("actions = %q, want %q", got, want)
	}
	sum := r.Summary()
	if len(sum.Elections) != 1 || sum.Elections[0].From != 3 || sum.Elections[0].To != 5 || sum.Elections[0].Took <= 0 {
		t.Fatalf("elections = %+v", sum.Elections)
	}
	if sum.Faults["kill"] != 1 || sum.Faults["pause"] != 1 || sum.Faults["heal"] != 0 {
		t.Fatalf("faults = %v", sum.Faults)
	}
	if !strings.Contains(sum.String(), "3→5 in") || !strings.Contains(sum.String(), "result: pass") {
		t.Fatalf("summary:\n%s", sum)
	}
}

func TestRunner_FailedExpectReportsWhatWasSeen(t *testing.T) {
	f := newFake(3, 2)
	var out bytes.Buffer
	r := NewRunner(f, fastConfig(&out))
	err := r.Run(context.Background(), mustParse(t, "noheal\nexpect leader != 2\nkill 1"))
	if ExitCode(err) != ExitFailed {
		t.Fatalf("exit %d (%v), want 1", ExitCode(err), err)
	}
	for _, want := range []string{"2:1: expect leader != 2 failed: leader is 2", "1 FOLLOWING", "2 LEADING"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error %q lacks %q", err, want)
		}
	}
	if got := f.log(); len(got) != 0 {
		t.Fatalf("ran actions after the failure or healed despite noheal: %q", got)
	}
	if !strings.Contains(r.Summary().String(), "FAILED") {
		t.Fatal("summary does not report the failure")
	}
}

func TestRunner_WaitTimesOut(t *testing.T) {
	f := newFake(3, 1)
	f.electAfter = 1 << 30 // never elects
	var out bytes.Buffer
	r := NewRunner(f, fastConfig(&out))
	err := r.Run(context.Background(), mustParse(t, "kill 1\nwait leader within 50ms"))
	if ExitCode(err) != ExitFailed || !strings.Contains(err.Error(), "not met within 50ms: no leader (no leader; 1 DOWN, 2 LOOKING") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunner_ScriptErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"kill 9", "no node 9 in this cluster (nodes 1,2,3)"},
		{"partition 1 | 7", "no node 7"},
		{"partition ring", "ring needs at least 4 nodes"},
		{"resume random", "no node to resume now"},
		{"check", "no history to check"},
	} {
		f := newFake(3, 1)
		r := NewRunner(f, fastConfig(&bytes.Buffer{}))
		err := r.Run(context.Background(), mustParse(t, c.src))
		if ExitCode(err) != ExitScriptError || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: exit %d err %v, want 2 and %q", c.src, ExitCode(err), err, c.want)
		}
	}
	f := newFake(3, 1)
	f.failDo = errors.New("launcher unreachable")
	err := NewRunner(f, fastConfig(&bytes.Buffer{})).Run(context.Background(), mustParse(t, "kill 2"))
	if ExitCode(err) != ExitScriptError || !strings.Contains(err.Error(), "1:1: kill 2: kill 2: launcher unreachable") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunner_RunLine(t *testing.T) {
	f := newFake(5, 5)
	r := NewRunner(nil, fastConfig(&bytes.Buffer{}))
	var c launcher.Controller = f
	out, err := r.RunLine(context.Background(), c, "isolate leader; cut 1 -> 2; slow 4 100ms jitter 10ms")
	if err != nil {
		t.Fatal(err)
	}
	want := "isolate 5\ncut 1 -> 2\nslow 4 100ms jitter 10ms\n"
	if out != want {
		t.Fatalf("output %q, want %q", out, want)
	}
	if _, err := r.RunLine(context.Background(), c, "kil 3"); err == nil || !strings.Contains(err.Error(), `did you mean "kill"`) {
		t.Fatalf("err = %v", err)
	}
	var _ launcher.LineRunner = r
}

func TestRunner_Repeat(t *testing.T) {
	f := newFake(5, 5)
	r := NewRunner(f, fastConfig(&bytes.Buffer{}))
	if err := r.Run(context.Background(), mustParse(t, "noheal\nrepeat 2 { kill leader; wait leader within 1s; start all }")); err != nil {
		t.Fatal(err)
	}
	// start all starts only the node that is down.
	want := []string{"kill 5", "start 5", "kill 4", "start 4"}
	if got := f.log(); !reflect.DeepEqual(got, want) {
		t.Fatalf("actions %q, want %q", got, want)
	}
}

func TestRunner_RecordsSession(t *testing.T) {
	dir := t.TempDir()
	f := newFake(5, 5)
	rec := NewRecorder(dir)
	cfg := fastConfig(&bytes.Buffer{})
	cfg.Recorder = rec
	cfg.Source = launcher.SourceKey
	r := NewRunner(f, cfg)
	if err := r.Run(context.Background(), mustParse(t, "kill leader\nwait 300ms\npartition halves")); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(rec.Path())
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(string(b))
	if err != nil {
		t.Fatalf("session does not parse: %v\n%s", err, b)
	}
	got := strings.TrimSpace(p.String())
	want := "kill 5\nwait 300ms\npartition 1,2,3 | 4,5\nheal"
	if got != want {
		t.Fatalf("session replays as\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(string(b), "kill 5  # key") {
		t.Fatalf("source comment missing:\n%s", b)
	}
}

func TestRecorder_WaitLines(t *testing.T) {
	dir := t.TempDir()
	rec := NewRecorder(dir)
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	rec.now = func() time.Time { return now }
	step := func(d time.Duration, line string) {
		now = now.Add(d)
		if err := rec.Record(line, ""); err != nil {
			t.Fatal(err)
		}
	}
	step(0, "kill 1")
	step(1234*time.Millisecond, "start 1")
	step(20*time.Millisecond, "heal")
	step(83*time.Second+600*time.Millisecond, "check")
	rec.Close()
	b, _ := os.ReadFile(rec.Path())
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")[1:]
	want := []string{"kill 1", "wait 1.2s", "start 1", "heal", "wait 1m24s", "check"}
	if !reflect.DeepEqual(lines, want) {
		t.Fatalf("lines %q, want %q", lines, want)
	}
}

func TestResolveTarget(t *testing.T) {
	f := newFake(5, 3)
	f.nodes[1].Paused = true
	f.nodes[2].Running = false
	st, _ := f.Status(context.Background())
	rng := rand.New(rand.NewSource(1))
	cases := []struct {
		t    Target
		verb string
		want func([]int) bool
		err  string
	}{
		{Target{Kind: TargetLeader}, "kill", func(ids []int) bool { return slices.Equal(ids, []int{3}) }, ""},
		{Target{Kind: TargetFollower}, "kill", func(ids []int) bool { return len(ids) == 1 && (ids[0] == 4 || ids[0] == 5) }, ""},
		{Target{Kind: TargetRandom}, "start", func(ids []int) bool { return slices.Equal(ids, []int{2}) }, ""},
		{Target{Kind: TargetRandom}, "resume", func(ids []int) bool { return slices.Equal(ids, []int{1}) }, ""},
		{Target{Kind: TargetMinority}, "kill", func(ids []int) bool { return len(ids) == 2 && !slices.Contains(ids, 2) }, ""},
		{Target{Kind: TargetMajority}, "kill", func(ids []int) bool { return len(ids) == 3 }, ""},
		{Target{Kind: TargetAll}, "kill", func(ids []int) bool { return slices.Equal(ids, []int{1, 2, 3, 4, 5}) }, ""},
		{Target{Kind: TargetIDs, IDs: []int{4, 2}}, "kill", func(ids []int) bool { return slices.Equal(ids, []int{4, 2}) }, ""},
		{Target{Kind: TargetIDs, IDs: []int{6}}, "kill", nil, "no node 6"},
	}
	for _, c := range cases {
		ids, err := resolveTarget(c.t, c.verb, st, rng)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%v: err %v, want %q", c.t, err, c.err)
			}
			continue
		}
		if err != nil || !c.want(ids) {
			t.Errorf("%v %s: ids %v err %v", c.t, c.verb, ids, err)
		}
	}
	f1 := newFake(1, 1)
	st1, _ := f1.Status(context.Background())
	if _, err := resolveTarget(Target{Kind: TargetMinority}, "kill", st1, rng); err == nil {
		t.Error("minority of 1 voter resolved")
	}
}

func TestPartitionShapes(t *testing.T) {
	f := newFake(5, 4)
	st, _ := f.Status(context.Background())
	lines := func(shape string) []string {
		as, err := partitionActions(shape, st)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range as {
			out = append(out, a.String())
		}
		return out
	}
	if got := lines(ShapeHalves); !reflect.DeepEqual(got, []string{"partition 1,2,3 | 4,5"}) {
		t.Errorf("halves %q", got)
	}
	if got := lines(ShapeLeader); !reflect.DeepEqual(got, []string{"partition 4 | 1,2,3,5"}) {
		t.Errorf("leader %q", got)
	}
	ring := lines(ShapeRing)
	if len(ring) != 10 || slices.Contains(ring, "cut 1 -> 2") || slices.Contains(ring, "cut 5 -> 1") || !slices.Contains(ring, "cut 1 -> 3") || !slices.Contains(ring, "cut 4 -> 2") {
		t.Errorf("ring %q", ring)
	}
	bridge := lines(ShapeBridge)
	if len(bridge) != 8 || slices.ContainsFunc(bridge, func(s string) bool { return strings.Contains(s, "3") }) || !slices.Contains(bridge, "cut 2 -> 5") {
		t.Errorf("bridge %q", bridge)
	}
}

func TestNemesisSchedule_SameSeedSameSchedule(t *testing.T) {
	kinds := []string{"kill", "pause", "partition", "cut", "slow"}
	ids := []int{1, 2, 3, 4, 5}
	a := NemesisSchedule(kinds, time.Second, 30*time.Second, 42, ids)
	b := NemesisSchedule(kinds, time.Second, 30*time.Second, 42, []int{5, 4, 3, 2, 1})
	c := NemesisSchedule(kinds, time.Second, 30*time.Second, 43, ids)
	if len(a) != 30 || !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed differs or wrong length %d", len(a))
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds gave the same schedule")
	}
	seen := map[string]bool{}
	for i, s := range a {
		if s.At != time.Duration(i)*time.Second || len(s.Apply) == 0 || len(s.Undo) == 0 {
			t.Fatalf("step %d: %v", i, s)
		}
		seen[s.Kind] = true
		if s.Kind == "partition" {
			g := s.Apply[0].Groups
			if len(g[0]) < 1 || len(g[0]) > 2 || len(g[0])+len(g[1]) != 5 {
				t.Fatalf("partition not minority|majority: %v", g)
			}
		}
	}
	if len(seen) != len(kinds) {
		t.Fatalf("kinds seen %v", seen)
	}
}

func TestRunner_NemesisHealsAndRestarts(t *testing.T) {
	f := newFake(5, 5)
	var out bytes.Buffer
	r := NewRunner(f, fastConfig(&out))
	err := r.Run(context.Background(), mustParse(t, "nemesis kill,pause every 20ms for 100ms seed 9"))
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "(replay with: nemesis kill,pause every 20ms for 100ms seed 9)") {
		t.Errorf("replay line missing or wrong:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "nemesis seed 9: 5 faults") {
		t.Fatalf("seed not printed:\n%s", out.String())
	}
	st, _ := f.Status(context.Background())
	for _, n := range st.Nodes {
		if !n.Running || n.Paused {
			t.Fatalf("node %d left down after nemesis: %+v\n%s", n.ID, n, out.String())
		}
	}
	// The applied faults follow the schedule for seed 9.
	var want []string
	for _, s := range NemesisSchedule([]string{"kill", "pause"}, 20*time.Millisecond, 100*time.Millisecond, 9, []int{1, 2, 3, 4, 5}) {
		want = append(want, s.Apply[0].String())
	}
	var got []string
	for _, a := range f.log() {
		if strings.HasPrefix(a, "kill") || strings.HasPrefix(a, "pause") {
			got = append(got, a)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("applied %q, schedule %q", got, want)
	}
}

func TestRunner_CancelStillHeals(t *testing.T) {
	f := newFake(3, 3)
	r := NewRunner(f, fastConfig(&bytes.Buffer{}))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(30 * time.Millisecond); cancel() }()
	err := r.Run(ctx, mustParse(t, "pause 1\nwait 10s"))
	if ExitCode(err) != ExitScriptError {
		t.Fatalf("err %v", err)
	}
	if got := f.log(); !reflect.DeepEqual(got, []string{"pause 1", "heal", "resume 1"}) {
		t.Fatalf("actions %q", got)
	}
}

// A status asked for before the last one observed (the monitor and the
// script fetch concurrently) must not count: an old "no leader" arriving
// after the new leader would fake an election from the new leader to itself.
func TestLeaderWatch_DropsOlderStatus(t *testing.T) {
	lead := func(id int) launcher.ClusterStatus {
		st := launcher.ClusterStatus{Leader: id}
		for i := 1; i <= 3; i++ {
			s := launcher.NodeStatus{ID: i, Running: true, State: "FOLLOWING", LeaderID: int64(id)}
			if i == id {
				s.State = "LEADING"
			}
			if id == 0 {
				s.State, s.LeaderID = "LOOKING", -1
			}
			st.Nodes = append(st.Nodes, s)
		}
		return st
	}
	var w leaderWatch
	t0 := time.Unix(100, 0)
	w.observe(lead(3), t0)
	w.observe(lead(0), t0.Add(10*time.Millisecond))
	if e, ok := w.observe(lead(2), t0.Add(300*time.Millisecond)); !ok || e.From != 3 || e.To != 2 {
		t.Fatalf("election 3→2 not seen: %+v %v", e, ok)
	}
	// A "no leader" status asked for at 200 ms arrives late.
	if _, ok := w.observe(lead(0), t0.Add(200*time.Millisecond)); ok {
		t.Fatal("an older status completed an election")
	}
	if e, ok := w.observe(lead(2), t0.Add(400*time.Millisecond)); ok {
		t.Fatalf("a fake election 2→2: %+v", e)
	}
}
