package qcm

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zkctl/zkctl/election"
)

// tlog adapts election.Logger to the test log.
type tlog struct{ t *testing.T }

func (l tlog) Logf(format string, args ...any) { l.t.Logf(format, args...) }

// drive is a minimal driver: one goroutine owns the Election, ticks it with
// a real timer and moves notifications between it and the Manager. It
// reports every decision on out and returns when ctx ends.
func drive(ctx context.Context, t *testing.T, m *Manager, e *election.Election, tickEvery time.Duration, out chan<- election.Decision) {
	driveCtl(ctx, t, m, e, tickEvery, out, nil)
}

// driveCtl is drive with a control channel: each function received runs
// on the driver goroutine, the only one allowed to touch e.
func driveCtl(ctx context.Context, t *testing.T, m *Manager, e *election.Election, tickEvery time.Duration, out chan<- election.Decision, ctl <-chan func(*election.Election)) {
	tick := time.NewTicker(tickEvery)
	defer tick.Stop()
	for {
		if e.HasReady() {
			rd := e.Ready()
			for _, msg := range rd.Messages {
				if err := m.Send(msg.To, msg.N.Encode()); err != nil && ctx.Err() == nil {
					t.Logf("sid %d: send to %d: %v", m.cfg.Sid, msg.To, err)
				}
			}
			if rd.Decision != nil {
				select {
				case out <- *rd.Decision:
				default:
				}
			}
			e.Advance()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			e.Tick()
		case f := <-ctl:
			f(e)
		case msg, ok := <-m.Recv():
			if !ok {
				return
			}
			n, err := election.DecodeNotification(msg.Payload)
			if err != nil {
				t.Logf("sid %d: bad notification from %d: %v", m.cfg.Sid, msg.Sid, err)
				continue
			}
			n.Sid = msg.Sid
			if err := e.Step(n); err != nil {
				t.Logf("sid %d: step: %v", m.cfg.Sid, err)
			}
		}
	}
}

// qvText renders the 3.8 QuorumVerifier text for participants on 127.0.0.1.
func qvText(quorumPorts, electionPorts map[int64]int, sids ...int64) string {
	var b strings.Builder
	for _, sid := range sids {
		fmt.Fprintf(&b, "server.%d=127.0.0.1:%d:%d:participant\n", sid, quorumPorts[sid], electionPorts[sid])
	}
	b.WriteString("version=0")
	return b.String()
}

// Three Managers and three Elections on real sockets and timers elect sid 3
// (equal zxids and epochs); when 3 goes away the survivors elect 2.
func TestDriver_ThreePeersElectOneLeader(t *testing.T) {
	ms := newCluster(t, 3)
	sids := []int64{1, 2, 3}
	eports := map[int64]int{}
	for i, m := range ms {
		eports[sids[i]] = portOf(t, m.Addr())
	}
	qv := qvText(map[int64]int{1: 1, 2: 2, 3: 3}, eports, sids...)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	elections := make([]*election.Election, 3)
	decisions := make([]chan election.Decision, 3)
	cancels := make([]context.CancelFunc, 3)
	start := time.Now()
	for i, m := range ms {
		cfg := election.DefaultConfig(sids[i], sids, qv)
		cfg.Logger = tlog{t}
		e, err := election.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		e.Start(0x100000007, 1)
		elections[i] = e
		decisions[i] = make(chan election.Decision, 4)
		pctx, pcancel := context.WithCancel(ctx)
		cancels[i] = pcancel
		wg.Add(1)
		go func() {
			defer wg.Done()
			drive(pctx, t, m, e, 50*time.Millisecond, decisions[i])
		}()
	}
	for i := range ms {
		select {
		case d := <-decisions[i]:
			want := election.Following
			if sids[i] == 3 {
				want = election.Leading
			}
			if d.Leader != 3 || d.State != want {
				t.Fatalf("sid %d decided %+v", sids[i], d)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("sid %d decided nothing within 10s", sids[i])
		}
	}
	t.Logf("elected 3 in %v", time.Since(start))

	// Leader 3 goes away; 1 and 2 look again (their Zab side would notice).
	cancels[2]()
	_ = ms[2].Close()
	for i := range 2 {
		cancels[i]()
	}
	wg.Wait()
	for i := range 2 {
		elections[i].Start(0x100000009, 1)
		pctx, pcancel := context.WithCancel(ctx)
		cancels[i] = pcancel
		wg.Add(1)
		go func() {
			defer wg.Done()
			drive(pctx, t, ms[i], elections[i], 50*time.Millisecond, decisions[i])
		}()
	}
	for i := range 2 {
		select {
		case d := <-decisions[i]:
			if d.Leader != 2 {
				t.Fatalf("after crash, sid %d decided %+v", sids[i], d)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("after crash, sid %d decided nothing within 10s", sids[i])
		}
	}
}

func portOf(t *testing.T, addr string) int {
	t.Helper()
	var p int
	if _, err := fmt.Sscanf(addr[strings.LastIndex(addr, ":")+1:], "%d", &p); err != nil {
		t.Fatal(err)
	}
	return p
}
