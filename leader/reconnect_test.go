package leader

import (
	"testing"

	"github.com/zkctl/zkctl/jute"
)

// A learner that reconnects while its previous connection is still
// registered (3.8 learners retry within milliseconds) replaces it. The
// old connection is dropped while stepInfo walks the connection list;
// that walk must not see the list shifted under it (it used to read a
// zeroed slot and panic on a nil handler). Seen in a mixed ensemble: an
// Apache ZooKeeper 3.8 follower reconnecting to a zkctl leader in
// discovery crashed the leader.
func TestLeader_LearnerReconnectsDuringDiscovery(t *testing.T) {
	l, err := New(Config{ID: 2, Voters: []int64{1, 2, 3}, History: fakeHistory{}, InitLimit: 5, SyncLimit: 2})
	if err != nil {
		t.Fatal(err)
	}
	info := jute.Encode(&jute.LearnerInfo{ServerID: 3, ProtocolVersion: jute.ProtocolVersion})
	fi := jute.QuorumPacket{Type: jute.PacketFollowerInfo, Zxid: jute.MakeZxid(2, 0), Data: info}
	for conn := int64(1); conn <= 4; conn++ {
		l.Connect(conn)
		if err := l.Step(conn, fi); err != nil {
			t.Fatalf("FOLLOWERINFO on conn %d: %v", conn, err)
		}
		rd := l.Ready()
		if conn > 1 && (len(rd.Close) != 1 || rd.Close[0] != conn-1) {
			t.Fatalf("conn %d: Close = %v, want [%d]", conn, rd.Close, conn-1)
		}
		l.Advance()
	}
	if got := len(l.Status().Learners); got != 1 {
		t.Fatalf("%d learner rows after 4 connects of sid 3, want 1", got)
	}
}
