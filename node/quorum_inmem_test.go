package node

import (
	"fmt"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/node/zabconn"
)

// TestQuorum_RoleLoopOverInmemZab runs the QuorumPeer role loop of three
// voters with the Zab transport in memory (zabconn.Inmem; elections still
// go through qcm on loopback): they elect and sync, replicate writes made
// through a follower, and when the leader stops its learners see the
// connection end, go LOOKING, elect a new leader among themselves and serve
// writes again (3.8's QuorumPeer.run: LOOKING → FOLLOWING → LOOKING →
// LEADING).
func TestQuorum_RoleLoopOverInmemZab(t *testing.T) {
	srvs := startEnsembleOver(t, zabconn.NewInmem(), 3, 0)
	lead := waitInProcessRoles(t, srvs)
	var rest []*Server
	for _, s := range srvs {
		if s != lead {
			rest = append(rest, s)
		}
	}
	create := func(s *Server, path string) {
		t.Helper()
		c, _ := connect(t, s.ClientAddr().String(), 10*time.Second)
		defer c.Close()
		if _, err := c.Create(path, []byte("x"), 0, zk.WorldACL(zk.PermAll)); err != nil {
			t.Fatalf("myid %d: create %s: %v", s.cfg.MyID, path, err)
		}
	}
	waitNode := func(srvs []*Server, path string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for _, s := range srvs {
			for {
				if _, ok := s.srv.Tree().Get(path); ok {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("myid %d never applied %s", s.cfg.MyID, path)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
	for i, s := range srvs {
		create(s, fmt.Sprintf("/before-%d", i))
	}
	for i := range srvs {
		waitNode(srvs, fmt.Sprintf("/before-%d", i))
	}

	lead.Stop()
	lead2 := waitInProcessRoles(t, rest)
	if lead2.Peer().State != adminapi.StateLeading {
		t.Fatalf("myid %d is %s, want LEADING", lead2.cfg.MyID, lead2.Peer().State)
	}
	for i, s := range rest {
		create(s, fmt.Sprintf("/after-%d", i))
	}
	for i := range rest {
		waitNode(rest, fmt.Sprintf("/after-%d", i))
	}
}
