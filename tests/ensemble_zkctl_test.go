package tests

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// zkctlEnsembleOptions: fast ticks (initLimit 10, syncLimit 5 from zkproc).
var zkctlEnsembleOptions = zkproc.Options{TickTime: 200, NoFsync: true, StartTimeout: 30 * time.Second}

// peerOf reads /commands/peer of one server (nil when it does not answer).
func peerOf(s *zkproc.Instance) *adminapi.Peer {
	c := adminapi.NewClient(s.AdminAddr(), 2*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	p, err := c.Peer(ctx)
	if err != nil {
		return nil
	}
	return p
}

// waitRoles waits until exactly one running server is LEADING and every
// other running one FOLLOWING or OBSERVING with the same leader, and
// returns the leader.
func waitRoles(t *testing.T, srvs []*zkproc.Instance, within time.Duration) *zkproc.Instance {
	t.Helper()
	deadline := time.Now().Add(within)
	var seen []string
	for time.Now().Before(deadline) {
		seen = seen[:0]
		var lead *zkproc.Instance
		leaders, ok := 0, true
		leaderID := int64(-1)
		for _, s := range srvs {
			if s.Pid() == 0 {
				continue
			}
			p := peerOf(s)
			if p == nil {
				ok = false
				seen = append(seen, s.Name()+"=?")
				continue
			}
			seen = append(seen, fmt.Sprintf("%s=%s/%s(leader %d)", s.Name(), p.State, p.ZabPhase, p.LeaderID))
			switch {
			case p.State == adminapi.StateLeading && p.ZabPhase == adminapi.PhaseBroadcast:
				leaders++
				lead = s
			case (p.State == adminapi.StateFollowing || p.State == adminapi.StateObserving) && p.ZabPhase == adminapi.PhaseBroadcast:
			default:
				ok = false
			}
			if leaderID == -1 {
				leaderID = p.LeaderID
			} else if p.LeaderID != leaderID {
				ok = false
			}
		}
		if ok && leaders == 1 {
			return lead
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no single synced leader within %v: %v", within, seen)
	return nil
}

func mustConnect(t *testing.T, s *zkproc.Instance) *zk.Conn {
	t.Helper()
	c, err := connect(t, s.ClientAddr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// readAll checks that every running server has path = want after a sync.
func readAll(t *testing.T, srvs []*zkproc.Instance, path, want string) {
	t.Helper()
	for _, s := range srvs {
		if s.Pid() == 0 {
			continue
		}
		c := mustConnect(t, s)
		if _, err := c.Sync(path); err != nil {
			t.Fatalf("%s: sync %s: %v", s.Name(), path, err)
		}
		got, _, err := c.Get(path)
		if err != nil {
			t.Fatalf("%s: get %s: %v", s.Name(), path, err)
		}
		if string(got) != want {
			t.Fatalf("%s: %s = %q, want %q", s.Name(), path, got, want)
		}
		c.Close()
	}
}

// Three zkctl servers elect one leader; writes through every server are
// read back from every server.
func TestEnsembleZkctl_ThreeElectAndReplicate(t *testing.T) {
	srvs := zkproc.StartEnsemble(t, 3, zkctlEnsembleOptions)
	start := time.Now()
	lead := waitRoles(t, srvs, 30*time.Second)
	t.Logf("leader %s, roles settled %v after serving", lead.Name(), time.Since(start))
	for i, s := range srvs {
		c := mustConnect(t, s)
		path := fmt.Sprintf("/via-%d", i+1)
		if _, err := c.Create(path, []byte(s.Name()), 0, zk.WorldACL(zk.PermAll)); err != nil {
			t.Fatalf("%s: create %s: %v", s.Name(), path, err)
		}
		if _, err := c.Set(path, []byte(s.Name()+"-v2"), 0); err != nil {
			t.Fatalf("%s: set %s: %v", s.Name(), path, err)
		}
	}
	for i, s := range srvs {
		readAll(t, srvs, fmt.Sprintf("/via-%d", i+1), s.Name()+"-v2")
	}
}
