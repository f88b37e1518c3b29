package node

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/zkctl/zkctl/node/zkconfig"
)

// Under concurrent writes, the leader and each follower log the proposals
// of one burst with one group commit (3.8's SyncRequestProcessor), not one
// fsync per PROPOSAL; every server still ends with every acknowledged set,
// in order (each znode's last value and version agree everywhere).
func TestQuorum_GroupCommitOnLeaderAndFollowers(t *testing.T) {
	srvs := startInProcessEnsemble(t, 3, 0, func(c *zkconfig.Config) { c.ForceSync = true })
	lead := waitInProcessRoles(t, srvs)
	const writers, sets = 16, 40
	conns := make([]*zk.Conn, writers)
	for w := range writers {
		c, _ := connect(t, srvs[w%3].ClientAddr().String(), 10*time.Second)
		if _, err := c.Create(fmt.Sprintf("/gc%d", w), nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
			t.Fatalf("create /gc%d: %v", w, err)
		}
		conns[w] = c
	}
	before := make([][2]int64, len(srvs))
	for i, s := range srvs {
		commits, txns := s.quorum.LogCommits()
		before[i] = [2]int64{commits, txns}
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range sets {
				if _, err := conns[w].Set(fmt.Sprintf("/gc%d", w), fmt.Appendf(nil, "v%d", i), int32(i)); err != nil {
					errs <- fmt.Errorf("writer %d set %d: %w", w, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for i, s := range srvs {
		for w := range writers {
			path := fmt.Sprintf("/gc%d", w)
			for {
				n, ok := s.srv.Tree().Lookup(path)
				if ok && n.Stat.Version == sets && string(n.Data) == fmt.Sprintf("v%d", sets-1) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("myid %d: %s not at version %d with v%d: %+v", i+1, path, sets, sets-1, n)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
	for i, s := range srvs {
		commits, txns := s.quorum.LogCommits()
		commits -= before[i][0]
		txns -= before[i][1]
		role := "follower"
		if s == lead {
			role = "leader"
		}
		t.Logf("myid %d (%s): %d txns in %d group commits", i+1, role, txns, commits)
		if txns < writers*sets {
			t.Errorf("myid %d (%s) logged %d txns, want at least %d", i+1, role, txns, writers*sets)
		}
		// One commit per PROPOSAL would be commits == txns.
		if commits*4 > txns*3 {
			t.Errorf("myid %d (%s): %d txns took %d group commits; a burst should share one", i+1, role, txns, commits)
		}
	}
}
