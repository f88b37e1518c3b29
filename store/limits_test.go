package store

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/zkctl/zkctl/jute"
)

// bigMulti is a multi of two creates under /m whose encoded txn is exactly
// size bytes.
func bigMulti(zxid int64, size int) *jute.Txn {
	mk := func(d int) *jute.Txn {
		half := d / 2
		sub := func(name string, n int) jute.SubTxn {
			return jute.SubTxn{Type: jute.OpCreate, Data: jute.Encode(&jute.CreateTxn{
				Path: "/m/" + name, Data: bytes.Repeat([]byte{'m'}, n), ACL: jute.OpenACLUnsafe(), ParentCVersion: 1})}
		}
		return mkTxn(zxid, 0x10, jute.OpMulti, &jute.MultiTxn{Txns: []jute.SubTxn{sub("a", half), sub("b", d-half)}})
	}
	overhead := len(jute.Encode(mk(0)))
	return mk(size - overhead)
}

// TestLimits_NearEveryLimitSurvivesRecovery writes, with jute.maxbuffer
// raised to 4 MiB (record limit 8 MiB), a node of maxbuffer-ish data, a
// setData of the same size and a multi exactly at the record limit; takes
// a snapshot in between; closes and reopens twice. Recovery accepts all of
// it: nothing acknowledged is refused on restart.
func TestLimits_NearEveryLimitSurvivesRecovery(t *testing.T) {
	const maxBuffer = 4 << 20
	limit := jute.MaxRecordLen(maxBuffer, -1)
	dir := t.TempDir()
	o := testOpts(dir)
	o.MaxRecordLen = limit
	db := openT(t, o)
	z := func(i int) int64 { return jute.MakeZxid(1, int64(i)) }
	big := bytes.Repeat([]byte{'x'}, maxBuffer-100) // a client frame near jute.maxbuffer
	logAndApply(t, db,
		createTxn(z(1), "/big", string(big), 1),
		createTxn(z(2), "/m", "", 2),
	)
	if _, err := db.TakeSnapshot(true); err != nil { // snapshot fields > the old 2 MB limit
		t.Fatal(err)
	}
	multi := bigMulti(z(3), limit)
	if n := len(jute.Encode(multi)); n != limit {
		t.Fatalf("multi is %d bytes, want %d", n, limit)
	}
	logAndApply(t, db,
		multi,
		mkTxn(z(4), 0x10, jute.OpSetData, &jute.SetDataTxn{Path: "/big", Data: append(big, 'y'), Version: 1}),
	)
	want := treeState(db.Tree())
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		db2 := openT(t, o)
		if got := treeState(db2.Tree()); !reflect.DeepEqual(got, want) {
			diffTrees(t, want, got)
			t.Fatalf("reopen %d: tree differs", i)
		}
		if db2.LastLoggedZxid() != z(4) {
			t.Fatalf("reopen %d: last zxid %x", i, db2.LastLoggedZxid())
		}
		db2.Close()
	}
	// The limit is what recovery checks: at the default it refuses the log.
	d := testOpts(dir)
	if db3, err := Open(d); err == nil {
		db3.Close()
		t.Fatal("default limits accepted an 8 MiB record")
	}
}

// TestLimits_PastTheLimitRefusedUpFront: a txn one byte past the record
// limit is refused by Append before anything is written, and the database
// still recovers with everything acknowledged before it.
func TestLimits_PastTheLimitRefusedUpFront(t *testing.T) {
	for _, limit := range []int{0, jute.MaxRecordLen(4<<20, 2048)} {
		dir := t.TempDir()
		o := testOpts(dir)
		o.MaxRecordLen = limit
		db := openT(t, o)
		z := func(i int) int64 { return jute.MakeZxid(1, int64(i)) }
		logAndApply(t, db, createTxn(z(1), "/m", "", 1))
		over := bigMulti(z(2), db.MaxRecordLen()+1)
		if err := db.Append(over); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("limit %d: Append past the limit: %v", db.MaxRecordLen(), err)
		}
		at := bigMulti(z(2), db.MaxRecordLen())
		logAndApply(t, db, at)
		want := treeState(db.Tree())
		db.Close()
		db2 := openT(t, o)
		if !reflect.DeepEqual(treeState(db2.Tree()), want) || db2.LastLoggedZxid() != z(2) {
			t.Fatalf("limit %d: recovery lost or gained txns (last %x)", db.MaxRecordLen(), db2.LastLoggedZxid())
		}
		db2.Close()
	}
}

// TestSnapSizeLimit: with a huge snapCount, snapSizeLimitInKb alone
// triggers snapshots once the logged bytes pass it.
func TestSnapSizeLimit(t *testing.T) {
	dir := t.TempDir()
	o := testOpts(dir)
	o.SnapSizeLimit = 64 << 10
	db := openT(t, o)
	z := func(i int) int64 { return jute.MakeZxid(1, int64(i)) }
	data := string(bytes.Repeat([]byte{'s'}, 4096))
	for i := 1; i <= 100; i++ { // ~400 KiB logged
		logAndApply(t, db, mkTxn(z(i), 0x10, jute.OpCreate, &jute.CreateTxn{Path: "/n" + string(rune('A'+i%26)) + string(rune('A'+i/26)), Data: []byte(data), ACL: jute.OpenACLUnsafe(), ParentCVersion: int32(i)}))
		db.bg.Wait()
	}
	db.Close()
	snaps, _ := listFiles(db.snapDir, snapPrefix)
	if len(snaps) < 5 {
		t.Fatalf("%d snapshots after ~400 KiB with a 64 KiB limit", len(snaps))
	}
}
