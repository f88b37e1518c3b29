package quorumpeer

import (
	"github.com/zkctl/zkctl/leader"
	"github.com/zkctl/zkctl/store"
)

// dbHistory is leader.History over the store.
type dbHistory struct {
	db *store.DB
}

// LastProcessedZxid implements leader.History.
func (h dbHistory) LastProcessedZxid() int64 { return h.db.Tree().LastProcessedZxid() }

// CommittedLog implements leader.History.
func (h dbHistory) CommittedLog() []leader.Proposal {
	_, _, txns := h.db.CommittedLog()
	ps, err := leader.ProposalsFromTxns(txns)
	if err != nil {
		return nil
	}
	return ps
}

// maxDiskDiff bounds how many logged txns a DIFF from disk may carry.
const maxDiskDiff = 100000

// LogSince implements leader.History: the on-disk log from peerZxid on
// (nil when its first record is past peerZxid: continuity unproven) and
// the size of the log files after the one it starts in. Over sizeLimit
// the records are not read: the leader sends a SNAP anyway.
func (h dbHistory) LogSince(peerZxid, sizeLimit int64) leader.DiskLog {
	size := h.db.LogBytesAfter(peerZxid)
	if sizeLimit > 0 && size > sizeLimit {
		return leader.DiskLog{StorageBytes: size}
	}
	it, err := h.db.LogIterator(peerZxid)
	if err != nil {
		return leader.DiskLog{StorageBytes: size}
	}
	defer it.Close()
	var out []leader.Proposal
	for len(out) < maxDiskDiff {
		payload, hdr, ok, err := it.Next()
		if err != nil || !ok {
			break
		}
		if len(out) == 0 && hdr.Zxid > peerZxid {
			return leader.DiskLog{StorageBytes: size}
		}
		out = append(out, leader.Proposal{Zxid: hdr.Zxid, Data: payload})
	}
	if len(out) >= maxDiskDiff {
		return leader.DiskLog{StorageBytes: size}
	}
	return leader.DiskLog{Proposals: out, StorageBytes: size}
}

// SnapshotBytes implements leader.History: the size of the newest snapshot
// file (3.8's findMostRecentSnapshot), 0 when there is none.
func (h dbHistory) SnapshotBytes() int64 { return h.db.SnapshotBytes() }
