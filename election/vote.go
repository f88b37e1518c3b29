package election

import "fmt"

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
	return fmt.Sprintf("(leader=%d zxid=0x%x round=0x%x peerEpoch=0x%x)", v.Leader, v.Zxid, v.ElectionEpoch, v.PeerEpoch)
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
