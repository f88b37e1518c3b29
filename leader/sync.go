package leader

import (
	"github.com/zkctl/zkctl/jute"
)

// SyncMode is how the leader brings a learner up to date (ZooKeeper's
// QuorumPeer.SyncMode).
type SyncMode int

// Sync modes.
const (
	// SyncNone means no choice has been made yet.
	SyncNone SyncMode = iota
	// SyncDiff sends the missing committed proposals.
	SyncDiff
	// SyncTrunc cuts the learner's log back, possibly followed by proposals.
	SyncTrunc
	// SyncSnap sends a whole snapshot.
	SyncSnap
)

// String returns ZooKeeper's name of the mode.
func (m SyncMode) String() string {
	switch m {
	case SyncDiff:
		return "DIFF"
	case SyncTrunc:
		return "TRUNC"
	case SyncSnap:
		return "SNAP"
	}
	return "NONE"
}

// SyncInput is everything the DIFF/TRUNC/SNAP choice looks at (3.8
// LearnerHandler.syncFollower).
type SyncInput struct {
	// PeerLastZxid is the learner's last logged zxid (the zxid of ACKEPOCH).
	PeerLastZxid int64
	// LastProcessed is the leader's DataTree lastProcessedZxid (L).
	LastProcessed int64
	// Committed is the leader's in-memory committed log, ascending by zxid
	// (ZooKeeper keeps the newest 500). Empty means min = max = L.
	Committed []Proposal
	// DiskLog is what 3.8's getProposalsFromTxnLog(peerLastZxid, sizeLimit)
	// iterator yields: the on-disk log from the first record of the newest
	// log file whose start zxid is below PeerLastZxid, ascending. Nil when the
	// log cannot serve the learner (no such file, or more bytes than
	// snapshotSizeFactor allows). A log whose first record is already after
	// PeerLastZxid is treated as nil: continuity cannot be proven.
	DiskLog []Proposal
	// ForceSnap is zookeeper.forceSnapshotSync (tests only).
	ForceSnap bool
	// DiskSyncDisabled is a negative zookeeper.snapshotSizeFactor: rule 5 is off.
	DiskSyncDisabled bool
	// DiskLogBytes is 3.8's FileTxnIterator.getStorageSize for DiskLog: the
	// summed size of the log files after the one the iterator starts in.
	DiskLogBytes int64
	// DiskSizeLimit is 3.8's calculateTxnLogSizeLimit (see TxnLogSizeLimit):
	// when positive and DiskLogBytes exceeds it, the on-disk log is not used
	// (rule 5 falls back to SNAP). Zero means no limit.
	DiskSizeLimit int64
}

// DefaultSnapshotSizeFactor is zookeeper.snapshotSizeFactor's default.
const DefaultSnapshotSizeFactor = 0.33

// TxnLogSizeLimit is 3.8's ZKDatabase.calculateTxnLogSizeLimit: the most log
// bytes a DIFF from the on-disk log may cover, factor × the size of the
// newest snapshot, truncated to an integer. A negative factor disables DIFF
// from the on-disk log (-1); a factor above 1 is reset to the default, as
// 3.8 does. A result of 0 (no snapshot, or factor 0) means no limit.
func TxnLogSizeLimit(snapshotBytes int64, factor float64) int64 {
	if factor < 0 {
		return -1
	}
	if factor > 1 {
		factor = DefaultSnapshotSizeFactor
	}
	if snapshotBytes <= 0 {
		return 0
	}
	return int64(float64(snapshotBytes) * factor)
}

// diskLogUsable reports whether rule 5 may read DiskLog: it is not over the
// size limit (3.8's getProposalsFromTxnLog yields nothing then).
func (in SyncInput) diskLogUsable() bool {
	return in.DiskSizeLimit <= 0 || in.DiskLogBytes <= in.DiskSizeLimit
}

// SyncPlan is the outcome of the choice: the packets to queue for the
// learner, in order, before the startForwarding packets and NEWLEADER.
type SyncPlan struct {
	// Mode is DIFF, TRUNC or SNAP.
	Mode SyncMode
	// Packets are DIFF or TRUNC followed by PROPOSAL/COMMIT pairs, or a
	// single SNAP(L) packet. NB: the driver writes the snapshot body and the
	// "BenWasHere" trailer right after the SNAP packet, from a database at
	// (or, fuzzily, after) L.
	Packets []jute.QuorumPacket
	// SyncPoint is the last zxid the learner holds once Packets are applied
	// (3.8's currentZxid); startForwarding sends what lies beyond it.
	SyncPoint int64
}

// isNewEpochZxid reports whether z marks an epoch start (counter 0), which
// never belongs to a transaction.
func isNewEpochZxid(z int64) bool { return jute.CounterOf(z) == 0 }

// planner carries needOpPacket across the two queueCommitted calls of rule 5.
type planner struct {
	needOp bool
	mode   SyncMode
	pkts   []jute.QuorumPacket
}

func (p *planner) op(t jute.PacketType, z int64) {
	p.pkts = append(p.pkts, jute.QuorumPacket{Type: t, Zxid: z})
	p.needOp = false
	if t == jute.PacketDiff {
		p.mode = SyncDiff
	} else {
		p.mode = SyncTrunc
	}
}

// queueCommitted queues the proposals of items in (peerZxid, maxZxid], each
// followed by its COMMIT, opening with DIFF or TRUNC as 3.8's
// queueCommittedProposals does; it returns the last zxid queued.
func (p *planner) queueCommitted(items []Proposal, peerZxid int64, maxZxid int64, hasMax bool, lastCommitted int64) int64 {
	newEpochPeer := isNewEpochZxid(peerZxid)
	queued := peerZxid
	prev := int64(-1)
	for _, it := range items {
		z := it.Zxid
		if hasMax && z > maxZxid {
			break
		}
		if z < peerZxid {
			prev = z
			continue
		}
		if p.needOp {
			if z == peerZxid {
				// The learner's last txn is in our history.
				p.op(jute.PacketDiff, lastCommitted)
				continue
			}
			if newEpochPeer {
				p.op(jute.PacketDiff, lastCommitted)
			} else if z > peerZxid {
				// The learner holds txns we never had: cut it back to our
				// previous txn, but never across an epoch (SNAP instead).
				if jute.EpochOf(z) != jute.EpochOf(peerZxid) {
					return queued
				}
				p.op(jute.PacketTrunc, prev)
			}
		}
		if z <= queued {
			continue
		}
		p.pkts = append(p.pkts,
			jute.QuorumPacket{Type: jute.PacketProposal, Zxid: z, Data: it.Data},
			jute.QuorumPacket{Type: jute.PacketCommit, Zxid: z})
		queued = z
	}
	if p.needOp && newEpochPeer {
		p.op(jute.PacketDiff, lastCommitted)
	}
	return queued
}

// DecideSync chooses DIFF, TRUNC or SNAP for a learner and lists the packets
// to queue, following 3.8's rules in order (docs/quorum-reference.md §5.2):
// forced SNAP; peer == L → empty DIFF; peer beyond the committed log (and not
// an epoch start) → TRUNC(max); peer inside the committed log → proposals
// from it; peer before it → the on-disk log then the committed log, SNAP if
// there is a gap or when the log files to read exceed DiskSizeLimit
// (snapshotSizeFactor × snapshot size); anything else, or no DIFF/TRUNC
// queued → SNAP.
func DecideSync(in SyncInput) SyncPlan {
	peer := in.PeerLastZxid
	L := in.LastProcessed
	minC, maxC := L, L
	if n := len(in.Committed); n > 0 {
		minC, maxC = in.Committed[0].Zxid, in.Committed[n-1].Zxid
	}
	p := &planner{needOp: true}
	current := peer
	needSnap := true
	switch {
	case in.ForceSnap:
	case peer == L:
		p.op(jute.PacketDiff, peer)
		needSnap = false
	case peer > maxC && !isNewEpochZxid(peer):
		p.op(jute.PacketTrunc, maxC)
		current = maxC
		needSnap = false
	case minC <= peer && peer <= maxC:
		current = p.queueCommitted(in.Committed, peer, 0, false, maxC)
		needSnap = false
	case peer < minC && !in.DiskSyncDisabled:
		disk := in.DiskLog
		if !in.diskLogUsable() {
			disk = nil
		}
		if len(disk) > 0 && disk[0].Zxid > peer {
			disk = nil
		}
		if len(disk) == 0 {
			break
		}
		current = p.queueCommitted(disk, peer, minC, true, maxC)
		if current < minC {
			// Gap between the end of the on-disk log and the committed log.
			current = peer
			p.pkts = nil
			p.needOp = true
			break
		}
		current = p.queueCommitted(in.Committed, current, 0, false, maxC)
		needSnap = false
	}
	if needSnap || p.needOp {
		return SyncPlan{
			Mode:      SyncSnap,
			Packets:   []jute.QuorumPacket{{Type: jute.PacketSnap, Zxid: L}},
			SyncPoint: L,
		}
	}
	return SyncPlan{Mode: p.mode, Packets: p.pkts, SyncPoint: current}
}
