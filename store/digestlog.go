package store

import "github.com/zkctl/zkctl/jute"

// The digest history 3.8's DataTree keeps for the `hash` four-letter word
// and the `hash` admin command (DataTree.DIGEST_LOG_INTERVAL/LIMIT): a
// (zxid, tree digest) pair is remembered for every whole txn whose zxid is
// a multiple of DigestLogInterval, the newest DigestLogLimit of them. Two
// servers that applied the same txns show the same history, which is how an
// operator spots a diverged replica.
const (
	DigestLogInterval = 128
	DigestLogLimit    = 1024
)

// ZxidDigest is one entry of the digest history: the tree digest right
// after the txn Zxid, computed by calculator version DigestVersion.
type ZxidDigest struct {
	Zxid          int64
	DigestVersion int32
	Digest        int64
}

// digestState is the DataTree's digest bookkeeping; every field is guarded
// by the tree's lock.
type digestState struct {
	off        bool         // digest.enabled=false: node digests are 0
	log        []ZxidDigest // oldest first, at most DigestLogLimit
	snap       *ZxidDigest  // digest of a fuzzy snapshot not yet reached by replay
	mismatches int64        // digests that disagreed with a TxnDigest or a snapshot
}

// nodeDigestOf is nodeDigest unless digests are turned off (3.8's
// DigestCalculator returns 0 then, so the tree digest stays 0).
func (t *DataTree) nodeDigestOf(path string, n *node) int64 {
	if t.dg.off {
		return 0
	}
	return NodeDigest(path, n.data, &n.stat)
}

// SetDigestEnabled turns the tree digest on or off (digest.enabled), and
// recomputes every node digest accordingly. Call it before serving.
func (t *DataTree) SetDigestEnabled(on bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.setDigestEnabledLocked(on)
}

func (t *DataTree) setDigestEnabledLocked(on bool) {
	t.dg.off = !on
	t.digest = 0
	for p, n := range t.nodes {
		n.digest = t.nodeDigestOf(p, n)
		t.digest += n.digest
	}
	if !on {
		t.digestAt = 0
		t.dg.snap = nil
	}
}

// DigestEnabled reports whether the tree digest is computed.
func (t *DataTree) DigestEnabled() bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return !t.dg.off
}

// DigestLog returns a copy of the digest history, oldest first (3.8
// DataTree.getDigestLog). It is recorded whether or not digests are
// enabled; with digest.enabled=false every digest in it is 0, as in 3.8.
func (t *DataTree) DigestLog() []ZxidDigest {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return append([]ZxidDigest(nil), t.dg.log...)
}

// DigestMismatches counts the times the tree digest disagreed with the
// digest logged with a txn or stored in a snapshot (3.8's
// digest_mismatches_count); 3.8 only counts and logs them.
func (t *DataTree) DigestMismatches() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.dg.mismatches
}

// TxnDigest returns the TxnDigest to log with a txn that leaves the tree at
// its current digest, or nil when digests are off.
func (t *DataTree) TxnDigest() *jute.TxnDigest {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.dg.off {
		return nil
	}
	return &jute.TxnDigest{Version: DigestVersion, TreeDigest: t.digest}
}

// afterTxn records the digest after a whole txn (3.8 processTxn's
// logZxidDigest and compareDigest). While a fuzzy snapshot's digest has
// not been reached by replay, nothing is recorded or compared, as the tree
// is not yet in a state any server had. The caller holds the write lock.
func (t *DataTree) afterTxn(zxid int64, logged *jute.TxnDigest) {
	t.digestZxid, t.digestAt = zxid, t.digest
	if s := t.dg.snap; s != nil {
		if zxid == s.Zxid {
			t.compareSnapDigest()
		}
		return
	}
	if zxid%DigestLogInterval == 0 {
		t.dg.log = append(t.dg.log, ZxidDigest{Zxid: zxid, DigestVersion: DigestVersion, Digest: t.digest})
		if len(t.dg.log) > DigestLogLimit {
			t.dg.log = append(t.dg.log[:0:0], t.dg.log[len(t.dg.log)-DigestLogLimit:]...)
		}
	}
	if !t.dg.off && logged != nil && logged.Version == DigestVersion && logged.TreeDigest != t.digest {
		t.dg.mismatches++
	}
}

// expectSnapshotDigest takes the digest stored in a loaded snapshot whose
// file name says snapZxid (3.8 deserializeZxidDigest and FileSnap's
// compare): a digest older than the snapshot is dropped, one at snapZxid is
// compared at once, a newer one (a fuzzy snapshot) is compared when replay
// reaches its zxid. Nothing happens with digests off or no digest stored.
func (t *DataTree) expectSnapshotDigest(zxid, digest, snapZxid int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.dg.snap = nil
	if t.dg.off || zxid <= 0 || zxid < snapZxid {
		return
	}
	t.dg.snap = &ZxidDigest{Zxid: zxid, DigestVersion: DigestVersion, Digest: digest}
	if zxid == snapZxid {
		t.compareSnapDigest()
	}
}

// compareSnapDigest compares the pending snapshot digest with the tree and
// forgets it. The caller holds the write lock.
func (t *DataTree) compareSnapDigest() {
	if t.dg.snap.Digest != t.digest {
		t.dg.mismatches++
	}
	t.dg.snap = nil
}

// pendingSnapshotDigest reports the snapshot digest replay never reached.
func (t *DataTree) pendingSnapshotDigest() (ZxidDigest, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.dg.snap == nil {
		return ZxidDigest{}, false
	}
	return *t.dg.snap, true
}
