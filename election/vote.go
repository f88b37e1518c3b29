package election

import (
	"fmt"
	"math"
)

// Vote is FastLeaderElection's vote (Vote.java): a proposed leader with the
// zxid and epoch it is proposed with, the round it was cast in, and, for
// votes recorded from FOLLOWING/LEADING peers, the sender's state and
// notification format version.
type Vote struct {
	Leader        int64       // proposed or believed leader sid
	Zxid          int64       // that leader's last logged zxid
	ElectionEpoch int64       // the round (logical clock) the vote belongs to
	PeerEpoch     int64       // the proposed leader's currentEpoch
	State         ServerState // Looking unless recorded from a FOLLOWING/LEADING notification
	Version       int32       // notification format version; 0 unless recorded with it
}

// String renders the vote with zxid and epochs in hex, as ZooKeeper logs them.
func (v Vote) String() string {
	return fmt.Sprintf("(leader=%d zxid=%s round=%s peerEpoch=%s)", v.Leader, hexInt(v.Zxid), hexInt(v.ElectionEpoch), hexInt(v.PeerEpoch))
}

// hexInt renders n as ZooKeeper's logs do (0x1f), with a leading minus sign
// for negative values (-0x1).
func hexInt(n int64) string {
	if n < 0 {
		if n == math.MinInt64 {
			return "-0x8000000000000000"
		}
		return fmt.Sprintf("-0x%x", -n)
	}
	return fmt.Sprintf("0x%x", n)
}

// TotalOrder reports whether the new vote (newID, newZxid, newEpoch) beats
// the current one: a higher peerEpoch wins, then a higher zxid, then a higher
// sid. Reference: FastLeaderElection.totalOrderPredicate (QuorumMaj weights
// are all 1, so the weight-0 rule never applies).
func TotalOrder(newID, newZxid, newEpoch, curID, curZxid, curEpoch int64) bool {
	if newEpoch != curEpoch {
		return newEpoch > curEpoch
	}
	if newZxid != curZxid {
		return newZxid > curZxid
	}
	return newID > curID
}

// Beats reports whether v beats cur in the total order (leader, zxid, peerEpoch).
func (v Vote) Beats(cur Vote) bool {
	return TotalOrder(v.Leader, v.Zxid, v.PeerEpoch, cur.Leader, cur.Zxid, cur.PeerEpoch)
}

// Equal is Vote.equals as 3.8 defines it, which quorum counting depends on:
// if either vote is LOOKING, leader, zxid, round and peerEpoch must match;
// between two non-LOOKING votes zxid and round are ignored (ZOOKEEPER-1805),
// and only the leader is compared when exactly one of them has version > 0.
func (v Vote) Equal(o Vote) bool {
	if v.State == Looking || o.State == Looking {
		return v.Leader == o.Leader && v.Zxid == o.Zxid && v.ElectionEpoch == o.ElectionEpoch && v.PeerEpoch == o.PeerEpoch
	}
	if (v.Version > 0) != (o.Version > 0) {
		return v.Leader == o.Leader
	}
	return v.Leader == o.Leader && v.PeerEpoch == o.PeerEpoch
}
