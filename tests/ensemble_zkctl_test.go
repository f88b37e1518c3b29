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

// writeN creates n nodes under prefix through c and returns the paths
// whose create was acknowledged.
func writeN(t *testing.T, c *zk.Conn, prefix string, n int) []string {
	t.Helper()
	var out []string
	for i := range n {
		p := fmt.Sprintf("%s-%04d", prefix, i)
		if _, err := c.Create(p, []byte(p), 0, zk.WorldACL(zk.PermAll)); err != nil {
			t.Fatalf("create %s: %v", p, err)
		}
		out = append(out, p)
	}
	return out
}

// checkAll checks that every running server holds every path.
func checkAll(t *testing.T, srvs []*zkproc.Instance, paths []string) {
	t.Helper()
	for _, s := range srvs {
		if s.Pid() == 0 {
			continue
		}
		c := mustConnect(t, s)
		if _, err := c.Sync("/"); err != nil {
			t.Fatalf("%s: sync: %v", s.Name(), err)
		}
		for _, p := range paths {
			ok, _, err := c.Exists(p)
			if err != nil || !ok {
				t.Fatalf("%s: acknowledged write %s missing (err %v)", s.Name(), p, err)
			}
		}
		c.Close()
	}
}

func others(srvs []*zkproc.Instance, not *zkproc.Instance) []*zkproc.Instance {
	var out []*zkproc.Instance
	for _, s := range srvs {
		if s != not {
			out = append(out, s)
		}
	}
	return out
}

// kill -9 of the leader: the survivors elect a new leader and lose no
// acknowledged write; the old leader rejoins and catches up.
func TestEnsembleZkctl_LeaderKillNoLostWrites(t *testing.T) {
	srvs := zkproc.StartEnsemble(t, 3, zkctlEnsembleOptions)
	lead := waitRoles(t, srvs, 30*time.Second)
	c := mustConnect(t, others(srvs, lead)[0])
	acked := writeN(t, c, "/a", 50)
	c.Close()
	lead.Kill9()
	killed := time.Now()
	rest := others(srvs, lead)
	newLead := waitRoles(t, rest, 30*time.Second)
	t.Logf("kill -9 %s: new leader %s after %v", lead.Name(), newLead.Name(), time.Since(killed))
	c2 := mustConnect(t, rest[0])
	acked = append(acked, writeN(t, c2, "/b", 20)...)
	t.Logf("first write after kill: %v", time.Since(killed))
	c2.Close()
	checkAll(t, rest, acked)
	lead.Restart()
	if err := lead.WaitServing(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	waitRoles(t, srvs, 30*time.Second)
	checkAll(t, srvs, acked)
}

// A follower that missed a few writes syncs by DIFF when it comes back;
// one that missed more than the committed log and the retained logs
// hold syncs by SNAP.
func TestEnsembleZkctl_RestartedFollowerSyncsDiffThenSnap(t *testing.T) {
	o := zkctlEnsembleOptions
	o.Extra = map[string]string{"snapCount": "100", "autopurge.snapRetainCount": "3"}
	srvs := zkproc.StartEnsemble(t, 3, o)
	lead := waitRoles(t, srvs, 30*time.Second)
	f := others(srvs, lead)[0]
	lc := mustConnect(t, lead)
	writeN(t, lc, "/pre", 5)
	f.Kill9()
	acked := writeN(t, lc, "/few", 10)
	f.Restart()
	if err := f.WaitServing(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	waitRoles(t, srvs, 30*time.Second)
	if m := syncModeOf(t, lead, f); m != "DIFF" {
		t.Fatalf("follower %s synced by %q after missing 10 writes, want DIFF", f.Name(), m)
	}
	checkAll(t, srvs, acked)

	f.Kill9()
	acked = append(acked, writeN(t, lc, "/many", 1200)...)
	f.Restart()
	if err := f.WaitServing(60 * time.Second); err != nil {
		t.Fatal(err)
	}
	waitRoles(t, srvs, 30*time.Second)
	if m := syncModeOf(t, lead, f); m != "SNAP" {
		t.Fatalf("follower %s synced by %q after missing 1200 writes, want SNAP", f.Name(), m)
	}
	checkAll(t, srvs, acked)
}

// syncModeOf reads the sync mode of learner f from the leader's peer view.
func syncModeOf(t *testing.T, lead, f *zkproc.Instance) string {
	t.Helper()
	p := peerOf(lead)
	if p == nil {
		t.Fatalf("leader %s does not answer /commands/peer", lead.Name())
	}
	for _, l := range p.Learners {
		if l.ID == int64(f.ID()) {
			return l.SyncMode
		}
	}
	t.Fatalf("leader %s shows no learner %d: %+v", lead.Name(), f.ID(), p.Learners)
	return ""
}

// With two of three servers gone the last one stops serving writes.
func TestEnsembleZkctl_MinorityStopsServing(t *testing.T) {
	srvs := zkproc.StartEnsemble(t, 3, zkctlEnsembleOptions)
	lead := waitRoles(t, srvs, 30*time.Second)
	survivor := others(srvs, lead)[0]
	for _, s := range srvs {
		if s != survivor {
			s.Kill9()
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		p := peerOf(survivor)
		if p != nil && p.State == adminapi.StateLooking {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still %+v 15s after losing the quorum", survivor.Name(), p)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if m := survivor.Mode(); m == "leader" || m == "follower" {
		t.Fatalf("%s serves as %s without a quorum", survivor.Name(), m)
	}
	c, _, err := zk.Connect([]string{survivor.ClientAddr()}, 4*time.Second, zk.WithLogger(quietLogger{}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	done := make(chan error, 1)
	go func() {
		_, err := c.Create("/minority", nil, 0, zk.WorldACL(zk.PermAll))
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a write succeeded on a server without a quorum")
		}
	case <-time.After(6 * time.Second):
	}
}
