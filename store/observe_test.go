package store

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestObserver: Open reports the restore, Commit the fsync (only with
// ForceSync), TakeSnapshot the snapshot write; the server turns them into
// 3.8's dbinittime, fsynctime and snapshottime.
func TestObserver(t *testing.T) {
	var restores, fsyncs, snaps atomic.Int64
	o := testOpts(t.TempDir())
	o.Observe = Observer{
		Restore:  func(time.Duration) { restores.Add(1) },
		Fsync:    func(time.Duration) { fsyncs.Add(1) },
		Snapshot: func(time.Duration) { snaps.Add(1) },
	}
	db := openT(t, o)
	logAndApply(t, db, workload(1, 3)...)
	if _, err := db.TakeSnapshot(false); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if restores.Load() != 1 || fsyncs.Load() != 1 || snaps.Load() != 1 {
		t.Fatalf("restores %d fsyncs %d snapshots %d, want 1 each", restores.Load(), fsyncs.Load(), snaps.Load())
	}
	o.ForceSync = false
	db = openT(t, o)
	logAndApply(t, db, workload(2, 2)...)
	db.Close()
	if fsyncs.Load() != 1 || restores.Load() != 2 {
		t.Fatalf("without ForceSync: fsyncs %d restores %d", fsyncs.Load(), restores.Load())
	}
}
