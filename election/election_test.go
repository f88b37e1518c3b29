package election

import (
	"errors"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The state machine must stay pure: no network, OS, clock, locks or slog.
func TestElection_ImportsArePure(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	banned := map[string]bool{"net": true, "os": true, "time": true, "sync": true, "log/slog": true, "log": true, "math/rand": true}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if banned[p] || strings.HasPrefix(p, "net/") || strings.HasPrefix(p, "sync/") {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}

func newTestElection(t *testing.T, id int64, voters ...int64) *Election {
	t.Helper()
	e, err := New(DefaultConfig(id, voters, "server.1=x\nversion=0"))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestElection_StepBeforeStart(t *testing.T) {
	e := newTestElection(t, 1, 1, 2, 3)
	if err := e.Step(Notification{Sid: 2}); !errors.Is(err, ErrNotStarted) {
		t.Fatalf("err = %v", err)
	}
}

func TestElection_BadStateDropped(t *testing.T) {
	e := newTestElection(t, 1, 1, 2, 3)
	e.Start(5, 0)
	e.Advance()
	err := e.Step(Notification{Sid: 2, State: 7, Leader: 3, Zxid: 9})
	if !errors.Is(err, ErrBadState) {
		t.Fatalf("err = %v", err)
	}
	if e.HasReady() || len(e.Status().Votes) != 0 {
		t.Fatal("bad-state notification had an effect")
	}
}

// Reference: WorkerReceiver — a non-voter gets our current vote at once,
// with our round and state, and is never counted.
func TestElection_NonVoterAnsweredNotCounted(t *testing.T) {
	e := newTestElection(t, 1, 1, 2, 3)
	e.Start(0x100000005, 1)
	e.Advance()
	if err := e.Step(Notification{Sid: 9, State: Looking, Leader: 9, Zxid: 1 << 40, ElectionEpoch: 7, PeerEpoch: 9}); err != nil {
		t.Fatal(err)
	}
	rd := e.Ready()
	if len(rd.Messages) != 1 {
		t.Fatalf("messages = %+v", rd.Messages)
	}
	m := rd.Messages[0]
	want := Notification{Sid: 1, State: Looking, Leader: 1, Zxid: 0x100000005, ElectionEpoch: 1, PeerEpoch: 1, Version: 2, Config: "server.1=x\nversion=0"}
	if m.To != 9 || m.N != want {
		t.Fatalf("reply = %+v", m)
	}
	if len(rd.Status.Votes) != 0 || rd.Status.LogicalClock != 1 || len(rd.Status.Received) != 1 || rd.Status.Received[0].Sid != 9 {
		t.Fatalf("status = %+v", rd.Status)
	}
}

// Reference: lookForLeader — a peer whose database is untrusted (zxid -1)
// neither counts votes nor is counted.
func TestElection_MinusOneZxidIgnored(t *testing.T) {
	e := newTestElection(t, 1, 1, 2, 3)
	e.Start(5, 0)
	_ = e.Step(Notification{Sid: 2, State: Looking, Leader: 2, Zxid: -1, ElectionEpoch: 1})
	if len(e.Status().Votes) != 0 {
		t.Fatal("vote with zxid -1 counted")
	}
	e2 := newTestElection(t, 1, 1, 2, 3)
	e2.Start(-1, 0)
	_ = e2.Step(Notification{Sid: 2, State: Looking, Leader: 2, Zxid: 5, ElectionEpoch: 1})
	if len(e2.Status().Votes) != 0 {
		t.Fatal("peer with zxid -1 counted a vote")
	}
}

// The notification timeout doubles from 200 ms up to the 60 s cap and
// each expiry resends to every voter.
func TestElection_BackoffCapped(t *testing.T) {
	e := newTestElection(t, 1, 1, 2, 3)
	e.Start(5, 0)
	e.Advance()
	var resends, ticks int
	prev := 0
	var gaps []int
	for ticks = 1; ticks <= 20000; ticks++ {
		e.Tick()
		if e.HasReady() {
			rd := e.Ready()
			if len(rd.Messages) != 3 {
				t.Fatalf("resend has %d messages", len(rd.Messages))
			}
			resends++
			gaps = append(gaps, ticks-prev)
			prev = ticks
			e.Advance()
		}
	}
	want := []int{4, 8, 16, 32, 64, 128, 256, 512, 1024, 1200, 1200}
	for i, w := range want {
		if gaps[i] != w {
			t.Fatalf("gaps = %v, want prefix %v", gaps, want)
		}
	}
	if e.Status().TimeoutMs != 60000 {
		t.Fatalf("timeout = %d", e.Status().TimeoutMs)
	}
}

func TestElection_ConfigErrors(t *testing.T) {
	for _, c := range []Config{
		{ID: 1},
		{ID: 1, Voters: []int64{1}, TickMs: -1},
		{ID: 1, Voters: []int64{1}, MinNotificationIntervalMs: 500, MaxNotificationIntervalMs: 100},
	} {
		if _, err := New(c); !errors.Is(err, ErrConfig) {
			t.Errorf("New(%+v) err = %v", c, err)
		}
	}
}

func TestElection_SetState(t *testing.T) {
	e := newTestElection(t, 1, 1, 2, 3)
	if err := e.SetState(Looking); err == nil {
		t.Fatal("SetState(LOOKING) accepted")
	}
	if err := e.SetState(Following); err != nil || e.State() != Following {
		t.Fatal(err)
	}
}

// A single-voter ensemble elects itself after finalizeWait.
func TestElection_SingleVoter(t *testing.T) {
	e := newTestElection(t, 1, 1)
	e.Start(0x100000001, 1)
	rd := e.Ready()
	e.Advance()
	for _, m := range rd.Messages {
		_ = e.Step(m.N)
	}
	for range 4 {
		e.Tick()
	}
	rd = e.Ready()
	if rd.Decision == nil || rd.Decision.State != Leading || rd.Decision.DurationTicks != 4 || rd.Decision.DurationMs != 200 {
		t.Fatalf("decision = %+v", rd.Decision)
	}
}
