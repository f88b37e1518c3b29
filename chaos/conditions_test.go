package chaos

import (
	"testing"

	"github.com/zkctl/zkctl/launcher"
)

// TestSyncedNow pins what `wait synced` and `expect synced` accept: every
// live learner follows the leader and holds what it had committed. A
// leader's zxid with counter 0 is an epoch mark, not a txn; learners synced
// by an empty DIFF keep an older zxid, as 3.8's do (issue 10).
func TestSyncedNow(t *testing.T) {
	node := func(id int, state string, leader int64, epoch, zxid int64) launcher.NodeStatus {
		return launcher.NodeStatus{ID: id, Running: true, State: state, LeaderID: leader, Epoch: epoch, Zxid: zxid}
	}
	for _, tc := range []struct {
		name  string
		nodes []launcher.NodeStatus
		floor int64
		want  bool
	}{
		{"fresh idle cluster: followers at 0x0, leader at its epoch mark", []launcher.NodeStatus{
			node(1, "FOLLOWING", 3, 1, 0), node(2, "FOLLOWING", 3, 1, 0), node(3, "LEADING", 0, 1, 0x100000000),
		}, 0x100000000, true},
		{"a follower still in the previous epoch has not seen NEWLEADER", []launcher.NodeStatus{
			node(1, "FOLLOWING", 3, 1, 0x100000004), node(2, "FOLLOWING", 3, 2, 0x100000007), node(3, "LEADING", 0, 2, 0x200000000),
		}, 0x200000000, false},
		{"after a new epoch with no writes: every follower in it", []launcher.NodeStatus{
			node(1, "FOLLOWING", 3, 2, 0x100000007), node(2, "FOLLOWING", 3, 2, 0x100000007), node(3, "LEADING", 0, 2, 0x200000000),
		}, 0x200000000, true},
		{"a follower behind a committed txn of this epoch", []launcher.NodeStatus{
			node(1, "FOLLOWING", 3, 2, 0x200000001), node(2, "FOLLOWING", 3, 2, 0x200000003), node(3, "LEADING", 0, 2, 0x200000003),
		}, 0x200000003, false},
		{"everyone at the leader's txn", []launcher.NodeStatus{
			node(1, "FOLLOWING", 3, 2, 0x200000003), node(2, "FOLLOWING", 3, 2, 0x200000003), node(3, "LEADING", 0, 2, 0x200000003),
		}, 0x200000003, true},
		{"a follower of another leader", []launcher.NodeStatus{
			node(1, "FOLLOWING", 2, 1, 0), node(2, "FOLLOWING", 3, 1, 0), node(3, "LEADING", 0, 1, 0x100000000),
		}, 0x100000000, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := launcher.ClusterStatus{Leader: 3, Nodes: tc.nodes}
			got, why := syncedNow(st, tc.floor)
			if got != tc.want {
				t.Fatalf("syncedNow = %v (%s), want %v", got, why, tc.want)
			}
		})
	}
}
