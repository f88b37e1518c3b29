package quorumpeer

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
	"github.com/zkctl/zkctl/store"
)

// historyTxn is a create of /h<i> at zxid (1, i).
func historyTxn(i int) *jute.Txn {
	return &jute.Txn{
		Hdr:  jute.TxnHeader{ClientID: 1, Cxid: int32(i), Zxid: jute.MakeZxid(1, int64(i)), Type: jute.OpCreate},
		Body: &jute.CreateTxn{Path: fmt.Sprintf("/h%d", i), Data: make([]byte, 100), ACL: jute.OpenACLUnsafe()},
	}
}

// TestDBHistorySizes: LogSince reports 3.8's getStorageSize (the log files
// after the one the iterator starts in) and SnapshotBytes the newest
// snapshot's size, and the leader's size limit turns a DIFF from the
// on-disk log into a SNAP.
func TestDBHistorySizes(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(store.Options{DataDir: dir, PreAllocSize: -1, CommittedLogSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// log.100000001 holds 1-10, log.10000000b holds 11-20.
	for i := 1; i <= 20; i++ {
		if i == 11 {
			if err := db.RollLog(); err != nil {
				t.Fatal(err)
			}
		}
		txn := historyTxn(i)
		if err := db.Append(txn); err != nil {
			t.Fatal(err)
		}
		db.Apply(txn)
	}
	if err := db.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TakeSnapshot(true); err != nil {
		t.Fatal(err)
	}
	h := dbHistory{db}
	second, err := os.Stat(filepath.Join(db.LogDir(), "log.10000000b"))
	if err != nil {
		t.Fatalf("second log file: %v", err)
	}
	snaps, _ := filepath.Glob(filepath.Join(db.SnapDir(), "snapshot.*"))
	var newest os.FileInfo
	for _, s := range snaps {
		if fi, err := os.Stat(s); err == nil && filepath.Base(s) == "snapshot.100000014" {
			newest = fi
		}
	}
	if newest == nil {
		t.Fatalf("no snapshot.100000014 among %v", snaps)
	}
	if got := h.SnapshotBytes(); got != newest.Size() {
		t.Errorf("SnapshotBytes = %d, want %d", got, newest.Size())
	}

	// From txn 3: starts in the first file, the second one is counted.
	dl := h.LogSince(jute.MakeZxid(1, 3), 0)
	if dl.StorageBytes != second.Size() {
		t.Errorf("StorageBytes from 0x100000003 = %d, want %d", dl.StorageBytes, second.Size())
	}
	if len(dl.Proposals) != 18 || dl.Proposals[0].Zxid != jute.MakeZxid(1, 3) {
		t.Errorf("LogSince from 0x100000003: %d proposals, want 18 from 0x100000003", len(dl.Proposals))
	}
	// From txn 12: starts in the last file, nothing after it.
	if dl := h.LogSince(jute.MakeZxid(1, 12), 0); dl.StorageBytes != 0 || len(dl.Proposals) != 9 {
		t.Errorf("LogSince from 0x10000000c: %d bytes, %d proposals; want 0, 9", dl.StorageBytes, len(dl.Proposals))
	}
	// Over the limit the records are not read.
	if dl := h.LogSince(jute.MakeZxid(1, 3), second.Size()-1); dl.Proposals != nil || dl.StorageBytes != second.Size() {
		t.Errorf("LogSince over the limit: %d proposals, %d bytes; want none, %d", len(dl.Proposals), dl.StorageBytes, second.Size())
	}

	// The choice: a factor large enough to cover the second file gives a
	// DIFF, the default 0.33 (the second file is about half the snapshot
	// here) gives a SNAP.
	factor := float64(second.Size())/float64(newest.Size()) + 0.01
	if factor > 1 || factor < leader.DefaultSnapshotSizeFactor {
		t.Fatalf("test setup: log file %d bytes vs snapshot %d bytes", second.Size(), newest.Size())
	}
	all := h.LogSince(jute.MakeZxid(1, 3), 0).Proposals
	for _, tc := range []struct {
		factor float64
		want   leader.SyncMode
	}{{factor, leader.SyncDiff}, {leader.DefaultSnapshotSizeFactor, leader.SyncSnap}, {-1, leader.SyncSnap}} {
		limit := leader.TxnLogSizeLimit(h.SnapshotBytes(), tc.factor)
		dl := h.LogSince(jute.MakeZxid(1, 3), limit)
		// A committed log of 15-20: the peer at 3 is older than it.
		plan := leader.DecideSync(leader.SyncInput{
			PeerLastZxid: jute.MakeZxid(1, 3), LastProcessed: jute.MakeZxid(1, 20),
			Committed: all[len(all)-6:], DiskLog: dl.Proposals,
			DiskLogBytes: dl.StorageBytes, DiskSizeLimit: limit, DiskSyncDisabled: limit < 0,
		})
		if plan.Mode != tc.want {
			t.Errorf("factor %.3f (limit %d, log %d bytes): mode %v, want %v", tc.factor, limit, dl.StorageBytes, plan.Mode, tc.want)
		}
	}
}
