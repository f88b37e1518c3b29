package tests

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// TestTop_ApacheAdminServer checks what `zkctl top` shows of an Apache
// ZooKeeper 3.8 ensemble: the dashboard's Peer assembled from 3.8's own
// zabstate, monitor and leader commands carries each server's id, state,
// epoch, zxid, leader and the leader's synced followers.
func TestTop_ApacheAdminServer(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	oracle.RequireOrSkip(t)
	if !oracle.AdminAvailable() {
		if os.Getenv(oracle.RequireEnv) == "1" {
			t.Fatal("Apache ZooKeeper's AdminServer needs Debian's Jetty jars (apt-get install zookeeper)")
		}
		t.Skip("Jetty jars for Apache ZooKeeper's AdminServer are missing")
	}
	servers := oracle.StartEnsemble(t, 3, zkproc.Options{})
	var peers []*adminapi.Peer
	deadline := time.Now().Add(30 * time.Second)
	for {
		peers = peers[:0]
		leaders, followers := 0, 0
		var lastErr error
		for _, s := range servers {
			// A JVM's first AdminServer answers can take seconds on a
			// loaded machine: an error is "not yet" until the deadline.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			p, err := adminapi.NewClient(s.AdminAddr(), 5*time.Second).PeerOrZooKeeper(ctx)
			cancel()
			if err != nil {
				lastErr = fmt.Errorf("%s: %w", s.Name(), err)
				break
			}
			peers = append(peers, p)
			switch p.State {
			case adminapi.StateLeading:
				if p.SyncedFollowers == 2 {
					leaders++
				}
			case adminapi.StateFollowing:
				followers++
			}
		}
		if leaders == 1 && followers == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no leader with 2 synced followers seen through the admin ports: %+v (last error: %v)", peers, lastErr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var leaderID int64 = -1
	for _, p := range peers {
		if p.State == adminapi.StateLeading {
			leaderID = p.MyID
		}
	}
	for i, p := range peers {
		if p.Implementation != "zookeeper" {
			t.Errorf("%s: implementation %q, want zookeeper", servers[i].Name(), p.Implementation)
		}
		if p.MyID != int64(servers[i].ID()) {
			t.Errorf("%s: myid %d, want %d", servers[i].Name(), p.MyID, servers[i].ID())
		}
		// NB: 3.8's zabstate derives zab_epoch from the last logged zxid, so
		// a follower that has logged nothing in the new epoch reports 0.
		if p.LeaderID != leaderID || p.LastLoggedZxid>>32 != p.CurrentEpoch {
			t.Errorf("%s: leader %d epoch %d zxid 0x%x, want leader %d and a zxid in the epoch", servers[i].Name(), p.LeaderID, p.CurrentEpoch, p.LastLoggedZxid, leaderID)
		}
		if p.Voters != 3 && p.State == adminapi.StateLeading {
			t.Errorf("%s: quorum size %d, want 3", servers[i].Name(), p.Voters)
		}
	}
}
