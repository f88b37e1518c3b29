package store

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/zkctl/zkctl/jute"
)

func testOpts(dir string) Options {
	return Options{DataDir: dir, PreAllocSize: 64 << 10, ForceSync: true, SnapCount: 1 << 30,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func openT(t *testing.T, o Options) *DB {
	t.Helper()
	db, err := Open(o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return db
}

// logAndApply appends, commits and applies txns like a server would.
func logAndApply(t *testing.T, db *DB, txns ...*jute.Txn) {
	t.Helper()
	for _, x := range txns {
		if err := db.Append(x); err != nil {
			t.Fatalf("Append: %v", err)
		}
	}
	if err := db.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	for _, x := range txns {
		db.Apply(x)
	}
}

// workload returns n txns with zxids epoch<<32|1.. covering several types.
// Creates carry explicit parent cversions, as PrepRequestProcessor writes them,
// so that replay over a fuzzy snapshot is idempotent.
func workload(epoch int64, n int) []*jute.Txn {
	var out []*jute.Txn
	z := func(i int) int64 { return jute.MakeZxid(epoch, int64(i)) }
	out = append(out, mkTxn(z(1), 0x77, jute.OpCreateSession, &jute.CreateSessionTxn{TimeOut: 4000}))
	out = append(out, createTxn(z(2), "/app", "root-data", 2))
	var cv int32
	for i := 3; len(out) < n; i++ {
		name := string(rune('a'+i%26)) + string(rune('a'+i/26%26))
		switch i % 4 {
		case 0:
			out = append(out, mkTxn(z(i), 0x77, jute.OpSetData, &jute.SetDataTxn{Path: "/app", Data: []byte{byte(i)}, Version: int32(i)}))
		case 1:
			cv++
			out = append(out, mkTxn(z(i), 0x77, jute.OpCreate2, &jute.CreateTxn{Path: "/app/e" + name, Data: []byte("e"), ACL: jute.OpenACLUnsafe(), Ephemeral: true, ParentCVersion: cv}))
		default:
			cv++
			out = append(out, createTxn(z(i), "/app/n"+name, "v", cv))
		}
	}
	return out
}

// treeState is a comparable dump of a tree.
func treeState(tr *DataTree) map[string]NodeView {
	out := map[string]NodeView{}
	for _, p := range tr.Paths() {
		v, _ := tr.Get(p)
		out[p] = v
	}
	return out
}

func TestDB_EmptyDirWritesSnapshotZero(t *testing.T) {
	dir := t.TempDir()
	db := openT(t, testOpts(dir))
	defer db.Close()
	if !fileExists(filepath.Join(dir, "version-2", "snapshot.0")) {
		t.Fatal("snapshot.0 missing")
	}
	if db.Tree().NodeCount() != 5 || db.LastLoggedZxid() != 0 {
		t.Fatal("fresh db not empty")
	}
}

func TestDB_LogReplayRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := openT(t, testOpts(dir))
	txns := workload(1, 60)
	logAndApply(t, db, txns...)
	want := treeState(db.Tree())
	wantDigest := db.Tree().Digest()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if !fileExists(filepath.Join(dir, "version-2", "log.100000001")) {
		t.Fatal("log.100000001 missing")
	}
	st, _ := os.Stat(filepath.Join(dir, "version-2", "log.100000001"))
	if st.Size() != logHeaderLen+64<<10 {
		t.Fatalf("log size %d, want header + one preallocation step", st.Size())
	}
	db2 := openT(t, testOpts(dir))
	defer db2.Close()
	if got := treeState(db2.Tree()); !reflect.DeepEqual(got, want) {
		t.Fatal("replayed tree differs")
	}
	if db2.Tree().Digest() != wantDigest || db2.LastLoggedZxid() != txns[len(txns)-1].Hdr.Zxid {
		t.Fatalf("digest/lastZxid after replay: %x", db2.LastLoggedZxid())
	}
	if s := db2.Sessions(); s[0x77] != 4000 {
		t.Fatalf("sessions %v", s)
	}
	minZ, maxZ, raw := db2.CommittedLog()
	if minZ != txns[0].Hdr.Zxid || maxZ != txns[len(txns)-1].Hdr.Zxid || len(raw) != len(txns) {
		t.Fatalf("committed log %x..%x (%d)", minZ, maxZ, len(raw))
	}
	if !bytes.Equal(raw[5], jute.Encode(txns[5])) {
		t.Fatal("committed log payload differs from the proposal bytes")
	}
	it, err := db2.LogIterator(txns[10].Hdr.Zxid)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for {
		p, h, ok, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if h.Zxid != txns[10+n].Hdr.Zxid || !bytes.Equal(p, jute.Encode(txns[10+n])) {
			t.Fatalf("iterator record %d: zxid %x", n, h.Zxid)
		}
		n++
	}
	if n != len(txns)-10 {
		t.Fatalf("iterator gave %d records", n)
	}
}

func TestDB_TornTailEveryOffset(t *testing.T) {
	src := t.TempDir()
	db := openT(t, testOpts(src))
	txns := workload(1, 5)
	logAndApply(t, db, txns...)
	db.Close()
	logName := filepath.Join(src, "version-2", "log.100000001")
	full, _ := os.ReadFile(logName)
	// Find the end of the data: header + records.
	end := int64(logHeaderLen)
	var lastStart int64
	for _, x := range txns {
		lastStart = end
		end += int64(recordOverhead + len(jute.Encode(x)))
	}
	snap0, _ := os.ReadFile(filepath.Join(src, "version-2", "snapshot.0"))
	for cut := lastStart; cut < end; cut++ {
		dir := t.TempDir()
		v2 := filepath.Join(dir, "version-2")
		os.MkdirAll(v2, 0o755)
		os.WriteFile(filepath.Join(v2, "snapshot.0"), snap0, 0o644)
		// Cut exactly, and cut followed by the zero padding.
		data := full[:cut]
		if cut%2 == 1 {
			data = append(append([]byte{}, full[:cut]...), make([]byte, 100)...)
		}
		os.WriteFile(filepath.Join(v2, "log.100000001"), data, 0o644)
		db, err := Open(testOpts(dir))
		if err != nil {
			t.Fatalf("cut at %d: Open: %v", cut, err)
		}
		if got, want := db.LastLoggedZxid(), txns[len(txns)-2].Hdr.Zxid; got != want {
			t.Fatalf("cut at %d: last zxid %x, want %x", cut, got, want)
		}
		// New records go to a new file and survive a restart.
		next := createTxn(jute.MakeZxid(1, 100), "/after", "", -1)
		logAndApply(t, db, next)
		db.Close()
		// The torn tail is gone: at most zero padding follows the last record.
		if after, _ := os.ReadFile(filepath.Join(v2, "log.100000001")); len(after) < int(lastStart) || !bytes.Equal(after[lastStart:], make([]byte, len(after)-int(lastStart))) {
			t.Fatalf("cut at %d: torn tail not truncated: size %d", cut, len(after))
		}
		db, err = Open(testOpts(dir))
		if err != nil {
			t.Fatalf("cut at %d: reopen: %v", cut, err)
		}
		if !db.Tree().Exists("/after") || db.LastLoggedZxid() != next.Hdr.Zxid {
			t.Fatalf("cut at %d: record after recovery lost", cut)
		}
		db.Close()
	}
}

func TestDB_CorruptCompleteRecordIsError(t *testing.T) {
	dir := t.TempDir()
	db := openT(t, testOpts(dir))
	logAndApply(t, db, workload(1, 4)...)
	db.Close()
	p := filepath.Join(dir, "version-2", "log.100000001")
	b, _ := os.ReadFile(p)
	b[logHeaderLen+12+20] ^= 0xff // inside the first payload
	os.WriteFile(p, b, 0o644)
	_, err := Open(testOpts(dir))
	if !errors.Is(err, ErrCorruptLog) || !strings.Contains(err.Error(), "log.100000001") || !strings.Contains(err.Error(), "CRC") {
		t.Fatalf("Open of corrupt log: %v", err)
	}
}

func TestDB_SnapshotRoundTripAndRestoreAfterRoll(t *testing.T) {
	dir := t.TempDir()
	db := openT(t, testOpts(dir))
	txns := workload(2, 40)
	logAndApply(t, db, txns[:20]...)
	if err := db.RollLog(); err != nil {
		t.Fatal(err)
	}
	wantNodes := db.Tree().NodeCount()
	path, err := db.TakeSnapshot(true)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "snapshot.200000014" {
		t.Fatalf("snapshot name %s", path)
	}
	logAndApply(t, db, txns[20:]...)
	want := treeState(db.Tree())
	db.Close()
	if !fileExists(filepath.Join(dir, "version-2", "log.200000015")) {
		t.Fatal("rolled log file missing")
	}
	c, err := readSnapshotPath(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.tree.NodeCount() != wantNodes || c.sessions[0x77] != 4000 || c.digestZxid != txns[19].Hdr.Zxid || c.digest != c.tree.digest {
		t.Fatalf("snapshot contents: nodes %d sessions %v digest %x/%d", c.tree.NodeCount(), c.sessions, c.digestZxid, c.digest)
	}
	// Restore must use the snapshot and both logs.
	os.Remove(filepath.Join(dir, "version-2", "snapshot.0"))
	db2 := openT(t, testOpts(dir))
	defer db2.Close()
	if got := treeState(db2.Tree()); !reflect.DeepEqual(got, want) {
		t.Fatal("restored tree differs")
	}
	// A damaged newest snapshot falls back to an older one.
	db2.Close()
	os.WriteFile(filepath.Join(dir, "version-2", "snapshot.200000020"), []byte("garbage\x00\x00\x00\x01/"), 0o644)
	db3 := openT(t, testOpts(dir))
	if got := treeState(db3.Tree()); !reflect.DeepEqual(got, want) {
		t.Fatal("fallback restore differs")
	}
	db3.Close()
}

func TestDB_NoSnapshotButLogsFails(t *testing.T) {
	dir := t.TempDir()
	db := openT(t, testOpts(dir))
	logAndApply(t, db, workload(1, 3)...)
	db.Close()
	os.Remove(filepath.Join(dir, "version-2", "snapshot.0"))
	if _, err := Open(testOpts(dir)); err == nil || !strings.Contains(err.Error(), "no snapshot") {
		t.Fatalf("err %v", err)
	}
}

func TestDB_Truncate(t *testing.T) {
	dir := t.TempDir()
	db := openT(t, testOpts(dir))
	defer db.Close()
	txns := workload(1, 30)
	logAndApply(t, db, txns[:15]...)
	db.RollLog()
	logAndApply(t, db, txns[15:]...)
	// Reference: a tree with only the first 10 txns.
	ref := NewDataTree()
	for _, x := range txns[:10] {
		ref.Apply(x)
	}
	if err := db.Truncate(txns[9].Hdr.Zxid); err != nil {
		t.Fatal(err)
	}
	if got := treeState(db.Tree()); !reflect.DeepEqual(got, treeState(ref)) {
		t.Fatal("tree after truncate differs")
	}
	if db.LastLoggedZxid() != txns[9].Hdr.Zxid || db.Tree().LastProcessedZxid() != txns[9].Hdr.Zxid {
		t.Fatalf("last zxid %x", db.LastLoggedZxid())
	}
	if fileExists(filepath.Join(dir, "version-2", "log.100000010")) {
		t.Fatal("later log file not deleted")
	}
	// Appending after a truncate continues the history.
	logAndApply(t, db, createTxn(jute.MakeZxid(2, 1), "/new-epoch", "", -1))
	db.Close()
	db2 := openT(t, testOpts(dir))
	defer db2.Close()
	if !db2.Tree().Exists("/new-epoch") || db2.Tree().Exists("/app/nl") {
		t.Fatal("history after truncate + restart is wrong")
	}
	if err := db2.Truncate(jute.MakeZxid(9, 9)); !errors.Is(err, ErrTruncate) {
		t.Fatalf("truncate beyond the log: %v", err)
	}
}

func TestDB_SnapshotStream(t *testing.T) {
	db := openT(t, testOpts(t.TempDir()))
	defer db.Close()
	logAndApply(t, db, workload(1, 25)...)
	var buf bytes.Buffer
	zxid, err := db.WriteSnapshotStream(&buf)
	if err != nil || zxid != jute.MakeZxid(1, 25) {
		t.Fatalf("WriteSnapshotStream: %x %v", zxid, err)
	}
	body := buf.Len()
	buf.WriteString("trailing packet")
	db2 := openT(t, testOpts(t.TempDir()))
	defer db2.Close()
	if err := db2.LoadSnapshotStream(&buf); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "trailing packet" {
		t.Fatalf("LoadSnapshotStream consumed %d bytes past the %d-byte body", 15-buf.Len(), body)
	}
	db2.SetLastProcessedZxid(zxid)
	if !reflect.DeepEqual(treeState(db2.Tree()), treeState(db.Tree())) || !reflect.DeepEqual(db2.Sessions(), db.Sessions()) {
		t.Fatal("tree or sessions differ after SNAP stream")
	}
	if db2.Tree().Digest() != db.Tree().Digest() {
		t.Fatal("digest differs")
	}
	if _, err := db2.TakeSnapshot(true); err != nil {
		t.Fatal(err)
	}
}

func TestDB_BackgroundSnapshotAndPurge(t *testing.T) {
	dir := t.TempDir()
	o := testOpts(dir)
	o.SnapCount = 10
	db := openT(t, o)
	txns := workload(1, 80)
	for _, x := range txns {
		logAndApply(t, db, x)
	}
	want := treeState(db.Tree())
	db.Close()
	// Purging happens only when asked (3.8: autopurge.purgeInterval > 0).
	if err := db.Purge(); err != nil {
		t.Fatal(err)
	}
	snaps, _ := listFiles(filepath.Join(dir, "version-2"), snapPrefix)
	logs, _ := listFiles(filepath.Join(dir, "version-2"), logPrefix)
	if len(snaps) != 3 {
		t.Fatalf("%d snapshots kept, want 3", len(snaps))
	}
	if len(logs) < 2 || logs[0].zxid > snaps[0].zxid {
		t.Fatalf("logs %v vs oldest snapshot %x", logs, snaps[0].zxid)
	}
	db2 := openT(t, o)
	defer db2.Close()
	if !reflect.DeepEqual(treeState(db2.Tree()), want) {
		diffTrees(t, want, treeState(db2.Tree()))
		t.Fatal("restore after background snapshots differs")
	}
}

func TestEpochFiles(t *testing.T) {
	dir := t.TempDir()
	if _, found, err := ReadEpochFile(dir, CurrentEpochFile); found || err != nil {
		t.Fatalf("missing file: %v %v", found, err)
	}
	if err := WriteEpochFile(dir, CurrentEpochFile, 42); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "version-2", "currentEpoch"))
	if string(b) != "42" {
		t.Fatalf("file holds %q", b)
	}
	if v, found, err := ReadEpochFile(dir, CurrentEpochFile); v != 42 || !found || err != nil {
		t.Fatalf("read %d %v %v", v, found, err)
	}
	os.WriteFile(filepath.Join(dir, "version-2", "acceptedEpoch"), []byte("x1\n"), 0o644)
	if _, _, err := ReadEpochFile(dir, AcceptedEpochFile); err == nil || !strings.Contains(err.Error(), "acceptedEpoch") {
		t.Fatalf("bad epoch file: %v", err)
	}
}

func TestOpen_BadDirs(t *testing.T) {
	if _, err := Open(Options{}); err == nil {
		t.Fatal("no DataDir accepted")
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "file")
	os.WriteFile(f, nil, 0o644)
	if _, err := Open(testOpts(f)); err == nil || !strings.Contains(err.Error(), "file") {
		t.Fatalf("DataDir is a file: %v", err)
	}
}

func BenchmarkAppendCommit(b *testing.B) {
	db, err := Open(Options{DataDir: b.TempDir(), ForceSync: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	data := bytes.Repeat([]byte("x"), 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x := mkTxn(int64(i+1), 1, jute.OpSetData, &jute.SetDataTxn{Path: "/bench", Data: data, Version: int32(i)})
		if err := db.Append(x); err != nil {
			b.Fatal(err)
		}
		if i%10 == 9 {
			if err := db.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := db.Commit(); err != nil {
		b.Fatal(err)
	}
}

func TestDB_HeaderlessLastLogIsDropped(t *testing.T) {
	dir := t.TempDir()
	db := openT(t, testOpts(dir))
	logAndApply(t, db, workload(1, 5)...)
	db.Close()
	os.WriteFile(filepath.Join(dir, "version-2", "log.100000006"), []byte{0x5a, 0x4b}, 0o644)
	db = openT(t, testOpts(dir))
	defer db.Close()
	if db.LastLoggedZxid() != jute.MakeZxid(1, 5) || fileExists(filepath.Join(dir, "version-2", "log.100000006")) {
		t.Fatalf("last zxid %x", db.LastLoggedZxid())
	}
}

// TestDB_CommitErrorKeepsCommittedRecords breaks the open log file under the
// writer: Commit must fail with a wrapped error, later appends must go to a
// new file, and a restart must see every record committed before and after.
func TestDB_CommitErrorKeepsCommittedRecords(t *testing.T) {
	dir := t.TempDir()
	db := openT(t, testOpts(dir))
	txns := workload(1, 8)
	logAndApply(t, db, txns[:3]...)
	for _, x := range txns[3:5] {
		if err := db.Append(x); err != nil {
			t.Fatal(err)
		}
	}
	db.w.cur.Close() // simulate the device failing under the writer
	err := db.Commit()
	if err == nil || !strings.Contains(err.Error(), "log.100000001") {
		t.Fatalf("Commit on a failed file: %v", err)
	}
	logAndApply(t, db, txns[5])
	db.Close()
	if !fileExists(filepath.Join(dir, "version-2", "log.100000006")) {
		t.Fatal("append after a failed commit did not start a new file")
	}
	db2 := openT(t, testOpts(dir))
	defer db2.Close()
	for _, i := range []int{0, 1, 2, 5} {
		if p, ok := txns[i].Body.(*jute.CreateTxn); ok && !db2.Tree().Exists(p.Path) {
			t.Fatalf("committed create %s lost", p.Path)
		}
	}
	if db2.LastLoggedZxid() != txns[5].Hdr.Zxid {
		t.Fatalf("last zxid %x", db2.LastLoggedZxid())
	}
}

// TestDB_ConcurrentReadersDuringApplyAndSnapshot runs readers, the applier
// and background snapshots together (meaningful under -race).
func TestDB_ConcurrentReadersDuringApplyAndSnapshot(t *testing.T) {
	o := testOpts(t.TempDir())
	o.SnapCount = 8
	db := openT(t, o)
	defer db.Close()
	done := make(chan struct{})
	var readers sync.WaitGroup
	for r := 0; r < 2; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for i := 0; i < 100000; i++ {
				select {
				case <-done:
					return
				default:
				}
				db.Tree().Get("/app")
				db.Tree().Digest()
				db.Tree().AllChildrenNumber("/app")
				db.CommittedLog()
			}
		}()
	}
	for _, x := range workload(1, 120) {
		logAndApply(t, db, x)
	}
	close(done)
	readers.Wait()
	if got := db.Tree().AllChildrenNumber("/app"); got != db.Tree().NodeCount()-6 {
		t.Fatalf("AllChildrenNumber(/app) = %d with %d nodes", got, db.Tree().NodeCount())
	}
}
