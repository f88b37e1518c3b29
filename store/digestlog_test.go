package store

import (
	"testing"

	"github.com/zkctl/zkctl/jute"
)

// TestDigestLog_EveryIntervalAndReplayed: 3.8 remembers the digest after
// zxids that are multiples of 128, and a restart rebuilds the same history
// by replaying the log.
func TestDigestLog_EveryIntervalAndReplayed(t *testing.T) {
	dir := t.TempDir()
	db := openT(t, testOpts(dir))
	txns := workload(1, 300)
	var want []ZxidDigest
	for _, x := range txns {
		logAndApply(t, db, x)
		if x.Hdr.Zxid%DigestLogInterval == 0 {
			want = append(want, ZxidDigest{Zxid: x.Hdr.Zxid, DigestVersion: DigestVersion, Digest: db.Tree().Digest()})
		}
	}
	got := db.Tree().DigestLog()
	if len(want) != 2 || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("digest log %+v, want %+v", got, want)
	}
	if d := db.Tree().TxnDigest(); d == nil || d.TreeDigest != recomputeDigest(db.Tree()) || d.Version != 2 {
		t.Fatalf("TxnDigest %+v", d)
	}
	db.Close()
	db2 := openT(t, testOpts(dir))
	defer db2.Close()
	if got := db2.Tree().DigestLog(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("after replay %+v, want %+v", got, want)
	}
}

// TestDigestLog_Limit keeps the newest DigestLogLimit entries.
func TestDigestLog_Limit(t *testing.T) {
	tr := NewDataTree()
	for i := int64(1); i <= DigestLogLimit+3; i++ {
		tr.Apply(mkTxn(i*DigestLogInterval, 0x10, jute.OpError, &jute.ErrorTxn{Err: -101}))
	}
	l := tr.DigestLog()
	if len(l) != DigestLogLimit || l[0].Zxid != 4*DigestLogInterval || l[len(l)-1].Zxid != (DigestLogLimit+3)*DigestLogInterval {
		t.Fatalf("len %d first %x last %x", len(l), l[0].Zxid, l[len(l)-1].Zxid)
	}
}

// TestDigest_Disabled: digest.enabled=false keeps every digest at 0, logs
// zeros in the history, writes snapshots without a digest record and no
// TxnDigest, as 3.8 does.
func TestDigest_Disabled(t *testing.T) {
	dir := t.TempDir()
	o := testOpts(dir)
	o.DigestDisabled = true
	db := openT(t, o)
	txns := workload(0, 200)
	for i, x := range txns {
		x.Hdr.Zxid = int64(i + 1)
	}
	logAndApply(t, db, txns...)
	if db.Tree().Digest() != 0 || db.Tree().TxnDigest() != nil {
		t.Fatalf("digest %d with digests off", db.Tree().Digest())
	}
	if l := db.Tree().DigestLog(); len(l) != 1 || l[0] != (ZxidDigest{Zxid: 128, DigestVersion: DigestVersion}) {
		t.Fatalf("digest log %+v", l)
	}
	name, err := db.TakeSnapshot(true)
	if err != nil {
		t.Fatal(err)
	}
	c, err := readSnapshotPath(name, 0)
	if err != nil || c.digestZxid != 0 {
		t.Fatalf("snapshot %s: digest zxid %x, err %v", name, c.digestZxid, err)
	}
	db.Close()
	// Reopened with digests on, the tree digest is computed again.
	db2 := openT(t, testOpts(dir))
	defer db2.Close()
	if db2.Tree().Digest() == 0 || db2.Tree().Digest() != recomputeDigest(db2.Tree()) {
		t.Fatalf("digest %d after re-enabling", db2.Tree().Digest())
	}
}

// TestDigest_MismatchCounted: a TxnDigest that disagrees with the tree is
// counted (3.8 only counts and logs), one that agrees or has another
// version is not.
func TestDigest_MismatchCounted(t *testing.T) {
	tr := NewDataTree()
	x := createTxn(1, "/a", "x", 0)
	x.Digest = &jute.TxnDigest{Version: DigestVersion, TreeDigest: 12345}
	tr.Apply(x)
	y := createTxn(2, "/b", "y", 1)
	y.Digest = &jute.TxnDigest{Version: 1, TreeDigest: 12345}
	tr.Apply(y)
	z := createTxn(3, "/c", "z", 2)
	tr2 := NewDataTree()
	tr2.Apply(createTxn(1, "/a", "x", 0))
	tr2.Apply(createTxn(2, "/b", "y", 1))
	tr2.Apply(createTxn(3, "/c", "z", 2))
	z.Digest = tr2.TxnDigest()
	tr.Apply(z)
	if n := tr.DigestMismatches(); n != 1 {
		t.Fatalf("mismatches %d, want 1", n)
	}
}
