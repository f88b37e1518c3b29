package leader_test

import (
	"testing"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
	"github.com/zkctl/zkctl/leader/zabtest"
)

// A learner's sync that arrives while a proposal is outstanding is counted
// in Status.PendingSyncs (mntr's pending_syncs) until the commit answers it.
func TestLeader_PendingSyncsGauge(t *testing.T) {
	c := zabtest.New([]int64{1, 2, 3}, nil, 5, 2)
	if err := c.Elect(1); err != nil {
		t.Fatal(err)
	}
	c.Stabilize()
	l := c.Nodes[1].Leader
	if l == nil || l.Status().Phase != leader.PhaseBroadcast {
		t.Fatalf("node 1 is not a broadcasting leader:\n%s", c.Output())
	}
	if err := c.Propose(1); err != nil {
		t.Fatal(err)
	}
	if err := c.Forward(3, jute.OpSync); err != nil {
		t.Fatal(err)
	}
	// The two PROPOSALs, then the SYNC request: the ACKs are still behind it.
	c.Deliver(3)
	if got := l.Status().PendingSyncs; got != 1 {
		t.Fatalf("PendingSyncs = %d with the proposal outstanding, want 1\n%s", got, c.Output())
	}
	c.Stabilize()
	if got := l.Status().PendingSyncs; got != 0 {
		t.Fatalf("PendingSyncs = %d after the commit, want 0\n%s", got, c.Output())
	}
	if c.Nodes[3].Synced != 1 {
		t.Fatalf("learner 3 got %d SYNC answers, want 1", c.Nodes[3].Synced)
	}
}
