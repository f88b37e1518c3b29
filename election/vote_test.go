package election

import (
	"math"
	"testing"
)

// Reference: FastLeaderElection.totalOrderPredicate — epoch, then zxid, then sid.
func TestTotalOrder(t *testing.T) {
	cases := []struct {
		name                                         string
		newID, newZxid, newEp, curID, curZxid, curEp int64
		want                                         bool
	}{
		{"higher epoch wins despite lower zxid", 1, 0x100000001, 2, 3, 0x1000000ff, 1, true},
		{"lower epoch loses despite higher zxid", 3, 0x2000000ff, 1, 1, 0x200000001, 2, false},
		{"same epoch, higher zxid wins", 1, 0x100000009, 1, 3, 0x100000008, 1, true},
		{"same epoch, lower zxid loses", 3, 0x100000007, 1, 1, 0x100000008, 1, false},
		{"tie on epoch and zxid: higher sid wins", 3, 5, 1, 2, 5, 1, true},
		{"tie: lower sid loses", 2, 5, 1, 3, 5, 1, false},
		{"identical vote does not beat itself", 2, 5, 1, 2, 5, 1, false},
		{"any vote beats the observer's MIN vote", 1, 0, 0, math.MinInt64, math.MinInt64, math.MinInt64, true},
		{"-1 zxid still ordered", 2, -1, 0, 1, -1, 0, true},
	}
	for _, c := range cases {
		if got := TotalOrder(c.newID, c.newZxid, c.newEp, c.curID, c.curZxid, c.curEp); got != c.want {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
}

// Reference: Vote.equals (ZOOKEEPER-1805).
func TestVote_Equal(t *testing.T) {
	look := Vote{Leader: 3, Zxid: 5, ElectionEpoch: 2, PeerEpoch: 1}
	cases := []struct {
		name string
		a, b Vote
		want bool
	}{
		{"looking identical", look, look, true},
		{"looking differs in round", look, Vote{Leader: 3, Zxid: 5, ElectionEpoch: 3, PeerEpoch: 1}, false},
		{"looking vs following: full compare", look, Vote{Leader: 3, Zxid: 5, ElectionEpoch: 2, PeerEpoch: 1, State: Following}, true},
		{"looking vs following, zxid differs", look, Vote{Leader: 3, Zxid: 6, ElectionEpoch: 2, PeerEpoch: 1, State: Following}, false},
		{"both elected, same version class: leader and peerEpoch", Vote{Leader: 3, Zxid: 1, ElectionEpoch: 1, PeerEpoch: 4, State: Following, Version: 2},
			Vote{Leader: 3, Zxid: 9, ElectionEpoch: 7, PeerEpoch: 4, State: Leading, Version: 2}, true},
		{"both elected, peerEpoch differs", Vote{Leader: 3, PeerEpoch: 4, State: Following, Version: 2},
			Vote{Leader: 3, PeerEpoch: 5, State: Leading, Version: 2}, false},
		{"both elected, one version 0: leader only", Vote{Leader: 3, PeerEpoch: 4, State: Following},
			Vote{Leader: 3, PeerEpoch: 5, State: Leading, Version: 2}, true},
		{"both elected, different leader", Vote{Leader: 3, State: Following}, Vote{Leader: 2, State: Leading, Version: 2}, false},
	}
	for _, c := range cases {
		if got := c.a.Equal(c.b); got != c.want {
			t.Errorf("%s: a.Equal(b) = %v", c.name, got)
		}
		if got := c.b.Equal(c.a); got != c.want {
			t.Errorf("%s: not symmetric", c.name)
		}
	}
}
