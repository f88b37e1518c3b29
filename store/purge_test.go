package store

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestPurge_OnlyWhenAsked: 3.8 keeps every snapshot and log unless
// autopurge.purgeInterval > 0, so snapshots alone delete nothing.
func TestPurge_OnlyWhenAsked(t *testing.T) {
	dir := t.TempDir()
	o := testOpts(dir)
	o.SnapCount = 10
	db := openT(t, o)
	for _, x := range workload(1, 120) {
		logAndApply(t, db, x)
		db.bg.Wait() // let each background snapshot finish: none is skipped
	}
	db.Close()
	snaps, _ := listFiles(filepath.Join(dir, "version-2"), snapPrefix)
	if len(snaps) < 10 {
		t.Fatalf("%d snapshots on disk after 120 txns with snapCount 10; every one must stay", len(snaps))
	}
}

// TestPurge_KeepsNAndTheLogsNeeded: Purge keeps SnapRetainCount snapshots
// and every log from the one holding the oldest kept snapshot's zxid on;
// recovery still works, also from the oldest kept snapshot alone.
func TestPurge_KeepsNAndTheLogsNeeded(t *testing.T) {
	for _, n := range []int{3, 5} {
		dir := t.TempDir()
		o := testOpts(dir)
		o.SnapCount = 10
		o.SnapRetainCount = n
		db := openT(t, o)
		for _, x := range workload(1, 150) {
			logAndApply(t, db, x)
			db.bg.Wait()
		}
		want := treeState(db.Tree())
		v2 := filepath.Join(dir, "version-2")
		before, _ := listFiles(v2, snapPrefix)
		if err := db.Purge(); err != nil {
			t.Fatal(err)
		}
		db.Close()
		snaps, _ := listFiles(v2, snapPrefix)
		logs, _ := listFiles(v2, logPrefix)
		if len(snaps) != n || snaps[0].zxid != before[len(before)-n].zxid {
			t.Fatalf("retain %d: kept %v of %v", n, snaps, before)
		}
		if len(logs) == 0 || logs[0].zxid > snaps[0].zxid+1 {
			t.Fatalf("retain %d: first log %v cannot replay from the oldest snapshot %x", n, logs, snaps[0].zxid)
		}
		db2 := openT(t, o)
		if !reflect.DeepEqual(treeState(db2.Tree()), want) {
			diffTrees(t, want, treeState(db2.Tree()))
			t.Fatalf("retain %d: recovery after purge differs", n)
		}
		db2.Close()
		// The oldest kept snapshot plus the kept logs suffice on their own.
		newest := snaps[1:]
		for _, s := range newest {
			if err := removeFile(s.path); err != nil {
				t.Fatal(err)
			}
		}
		db3 := openT(t, o)
		if !reflect.DeepEqual(treeState(db3.Tree()), want) {
			diffTrees(t, want, treeState(db3.Tree()))
			t.Fatalf("retain %d: recovery from the oldest kept snapshot differs", n)
		}
		db3.Close()
	}
}

// TestPurge_NegativeRetainIsNoop keeps SnapRetainCount < 0 as "never".
func TestPurge_NegativeRetainIsNoop(t *testing.T) {
	dir := t.TempDir()
	o := testOpts(dir)
	o.SnapCount = 10
	o.SnapRetainCount = -1
	db := openT(t, o)
	for _, x := range workload(1, 60) {
		logAndApply(t, db, x)
		db.bg.Wait()
	}
	before, _ := listFiles(filepath.Join(dir, "version-2"), snapPrefix)
	if err := db.Purge(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	after, _ := listFiles(filepath.Join(dir, "version-2"), snapPrefix)
	if len(after) != len(before) {
		t.Fatalf("%d snapshots before, %d after", len(before), len(after))
	}
}

func removeFile(p string) error { return os.Remove(p) }
