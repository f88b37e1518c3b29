package store

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkctl/zkctl/jute"
)

// Defaults for Options fields left zero.
const (
	DefaultSnapCount        = 100000
	DefaultSnapRetainCount  = 3
	DefaultCommittedLogSize = 500
)

// ErrClosed is returned by a DB used after Close.
var ErrClosed = errors.New("store: database closed")

// Options configure a DB.
type Options struct {
	// DataDir holds version-2/ with snapshots and epoch files. Required.
	DataDir string
	// DataLogDir holds version-2/ with txn logs; DataDir when empty.
	DataLogDir string
	// PreAllocSize is the log preallocation step in bytes; 0 means 64 MiB,
	// negative disables preallocation.
	PreAllocSize int64
	// ForceSync makes Commit fdatasync the log (zookeeper.forceSync=yes).
	ForceSync bool
	// SnapCount is the number of applied txns between snapshots (the actual
	// threshold is random in [SnapCount/2+1, SnapCount]); 0 means 100000,
	// the minimum is 2.
	SnapCount int
	// SnapRetainCount is how many snapshots Purge keeps
	// (autopurge.snapRetainCount); 0 means 3, negative makes Purge a no-op.
	// Nothing is purged unless Purge is called: 3.8 keeps every file unless
	// autopurge.purgeInterval > 0.
	SnapRetainCount int
	// SnapSizeLimit is snapSizeLimitInKb in bytes: a snapshot is also taken
	// once the txns logged since the last one exceed a random threshold in
	// [SnapSizeLimit/2, SnapSizeLimit). 0 or negative disables it.
	SnapSizeLimit int64
	// MaxRecordLen is the longest txn record (and snapshot field) the store
	// writes or reads back: jute.maxbuffer + jute.maxbuffer.extrasize, as
	// 3.8's BinaryInputArchive checks them; 0 means
	// jute.DefaultMaxFieldLen. Append refuses a longer txn up front, since
	// recovery would refuse it.
	MaxRecordLen int
	// FsyncWarning is fsync.warningthresholdms: a Commit slower than this
	// is logged; 0 means one second.
	FsyncWarning time.Duration
	// CommittedLogSize is how many recent txns CommittedLog keeps; 0 means 500.
	CommittedLogSize int
	// DigestDisabled is digest.enabled=false: the tree digest stays 0, the
	// digest history holds zeros, snapshots carry no digest and TxnDigest
	// returns nil, as 3.8 does. The zero value keeps 3.8's default (on).
	DigestDisabled bool
	// Logger receives store events; slog.Default() when nil.
	Logger *slog.Logger
	// Observe receives the durations ZooKeeper 3.8 records in its
	// ServerMetrics; the server passes node/metrics hooks (store itself
	// imports no metrics package). Nil funcs are skipped.
	Observe Observer
}

// Observer is the store's timing callbacks, each called once per event on
// the goroutine that did the work.
type Observer struct {
	// Fsync gets each Commit's flush and fdatasync time when ForceSync
	// (3.8's FileTxnLog.commit: fsynctime).
	Fsync func(time.Duration)
	// Snapshot gets each TakeSnapshot's write time (3.8's
	// ZooKeeperServer.takeSnapshot: snapshottime).
	Snapshot func(time.Duration)
	// Restore gets Open's load of snapshot and txn log (3.8's
	// ZKDatabase.loadDataBase: dbinittime).
	Restore func(time.Duration)
}

// committedTxn is one entry of the committed log.
type committedTxn struct {
	zxid    int64
	payload []byte
}

// appendCommitted adds c and keeps at most keep entries.
func appendCommitted(l []committedTxn, c committedTxn, keep int) []committedTxn {
	l = append(l, c)
	if len(l) > keep {
		// Copy down occasionally rather than on each append.
		if len(l) > 2*keep {
			l = append(l[:0:0], l[len(l)-keep:]...)
		} else {
			return l
		}
	}
	return l
}

// DB is the ZKDatabase: the tree, the session table, the txn log, snapshots
// and the committed-log window. Append/Commit may run on one goroutine and
// Apply on another; readers may use Tree() concurrently.
type DB struct {
	opts    Options
	log     *slog.Logger
	snapDir string
	logDir  string
	tree    *DataTree // stable pointer; contents are swapped on reload

	wmu        sync.Mutex // guards w, lastLogged, closed
	w          *logWriter
	lastLogged int64
	closed     bool

	mu        sync.Mutex // guards sessions, committed, counters
	sessions  map[int64]int32
	committed []committedTxn
	txnCount  int
	logBytes  int64 // bytes of txns applied since the last snapshot
	randRoll  int
	randSize  int64
	rng       *rand.Rand

	snapping atomic.Bool
	purgeMu  sync.Mutex // one Purge at a time
	bg       sync.WaitGroup
}

// Open opens or initializes the database in opts.DataDir (and DataLogDir):
// it creates the version-2 directories, loads the newest valid snapshot,
// replays the logs after it, truncates a torn log tail, and writes
// snapshot.0 into an empty directory.
func Open(opts Options) (*DB, error) {
	if opts.DataDir == "" {
		return nil, errors.New("store: Options.DataDir is required")
	}
	if opts.DataLogDir == "" {
		opts.DataLogDir = opts.DataDir
	}
	if opts.PreAllocSize == 0 {
		opts.PreAllocSize = DefaultPreAllocSize
	}
	if opts.SnapCount == 0 {
		opts.SnapCount = DefaultSnapCount
	}
	opts.SnapCount = max(opts.SnapCount, 2)
	if opts.SnapRetainCount == 0 {
		opts.SnapRetainCount = DefaultSnapRetainCount
	}
	if opts.CommittedLogSize <= 0 {
		opts.CommittedLogSize = DefaultCommittedLogSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	db := &DB{
		opts:    opts,
		log:     opts.Logger.With("component", "store"),
		snapDir: filepath.Join(opts.DataDir, "version-2"),
		logDir:  filepath.Join(opts.DataLogDir, "version-2"),
		rng:     rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(os.Getpid()))),
	}
	for _, d := range []string{db.snapDir, db.logDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("store: create %s: %w", d, err)
		}
	}
	if err := db.checkDirs(); err != nil {
		return nil, err
	}
	if init := filepath.Join(opts.DataLogDir, "initialize"); fileExists(init) {
		if err := os.Remove(init); err != nil {
			return nil, fmt.Errorf("store: remove %s: %w", init, err)
		}
	}
	restoreStart := time.Now()
	res, err := restore(db.snapDir, db.logDir, opts.CommittedLogSize, opts.MaxRecordLen, opts.DigestDisabled, db.log)
	if err != nil {
		return nil, fmt.Errorf("store: restore %s: %w", opts.DataDir, err)
	}
	if f := opts.Observe.Restore; f != nil {
		f(time.Since(restoreStart))
	}
	db.tree = res.tree
	db.sessions = res.sessions
	db.committed = res.committed
	db.lastLogged = res.lastZxid
	db.w = db.newWriter()
	db.randRoll = db.rng.IntN(opts.SnapCount / 2)
	db.randSize = db.rollSize()
	db.log.Info("database opened", "dir", opts.DataDir, "lastZxid", hexZxid(res.lastZxid), "snapshotZxid", hexZxid(res.snapZxid))
	return db, nil
}

// rollSize is a random size in [0, SnapSizeLimit/2) (3.8's randSize).
func (db *DB) rollSize() int64 {
	if db.opts.SnapSizeLimit/2 <= 0 {
		return 0
	}
	return db.rng.Int64N(db.opts.SnapSizeLimit / 2)
}

// ErrTooLarge is returned by Append for a txn record longer than
// Options.MaxRecordLen: writing it would make the log unrecoverable.
var ErrTooLarge = errors.New("store: txn record longer than jute.maxbuffer + jute.maxbuffer.extrasize")

// MaxRecordLen is the longest txn payload Append accepts (and recovery
// reads back). Invariant: nothing is acknowledged that recovery will
// refuse, so writers check a txn against it before proposing it.
func (db *DB) MaxRecordLen() int { return recordLimit(db.opts.MaxRecordLen) }

func (db *DB) newWriter() *logWriter {
	return &logWriter{dir: db.logDir, preAlloc: db.opts.PreAllocSize, forceSync: db.opts.ForceSync}
}

// checkDirs refuses split directories that hold each other's files (3.8).
func (db *DB) checkDirs() error {
	if db.snapDir == db.logDir {
		return nil
	}
	if snaps, err := listFiles(db.logDir, snapPrefix); err != nil {
		return fmt.Errorf("store: %w", err)
	} else if len(snaps) > 0 {
		return fmt.Errorf("store: log directory %s contains snapshot files such as %s", db.logDir, snaps[0].path)
	}
	if logs, err := listFiles(db.snapDir, logPrefix); err != nil {
		return fmt.Errorf("store: %w", err)
	} else if len(logs) > 0 {
		return fmt.Errorf("store: snapshot directory %s contains log files such as %s", db.snapDir, logs[0].path)
	}
	return nil
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// Tree returns the data tree. The pointer stays valid across Truncate and
// LoadSnapshotStream, which replace its contents.
func (db *DB) Tree() *DataTree { return db.tree }

// Sessions returns a copy of the session table: session id -> timeout (ms).
func (db *DB) Sessions() map[int64]int32 {
	db.mu.Lock()
	defer db.mu.Unlock()
	out := make(map[int64]int32, len(db.sessions))
	for k, v := range db.sessions {
		out[k] = v
	}
	return out
}

// SnapDir returns <DataDir>/version-2.
func (db *DB) SnapDir() string { return db.snapDir }

// LogDir returns <DataLogDir>/version-2.
func (db *DB) LogDir() string { return db.logDir }

// Append writes one txn to the current log file, buffered and not synced.
// The first append after Open or a roll creates log.<hex zxid>.
func (db *DB) Append(txn *jute.Txn) error {
	if txn == nil {
		return errors.New("store: append nil txn")
	}
	return db.AppendRaw(txn.Hdr.Zxid, jute.Encode(txn))
}

// AppendRaw is Append for an already encoded txn payload (TxnHeader, body,
// optional TxnDigest), e.g. a PROPOSAL's data.
func (db *DB) AppendRaw(zxid int64, payload []byte) error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if db.closed {
		return ErrClosed
	}
	if len(payload) > db.MaxRecordLen() {
		return fmt.Errorf("%w: zxid %s is %d bytes, limit %d", ErrTooLarge, hexZxid(zxid), len(payload), db.MaxRecordLen())
	}
	if zxid <= db.lastLogged && db.w.cur != nil {
		db.log.Warn("appending zxid not above the last logged", "zxid", hexZxid(zxid), "last", hexZxid(db.lastLogged))
	}
	if err := db.w.append(zxid, payload); err != nil {
		db.w.abandon()
		return fmt.Errorf("store: append zxid %s: %w", hexZxid(zxid), err)
	}
	if zxid > db.lastLogged {
		db.lastLogged = zxid
	}
	return nil
}

// Commit flushes everything appended so far and fdatasyncs it (when
// ForceSync): the group-commit point. On an I/O error the current file is
// abandoned so later appends go to a new file; records committed before stay
// intact, and a partial record left behind is a torn tail that restore drops.
func (db *DB) Commit() error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if db.closed {
		return ErrClosed
	}
	start := time.Now()
	if err := db.w.commit(); err != nil {
		db.w.abandon()
		return fmt.Errorf("store: commit: %w", err)
	}
	warn := db.opts.FsyncWarning
	if warn <= 0 {
		warn = time.Second
	}
	d := time.Since(start)
	if d > warn {
		db.log.Warn("fsync took long", "duration", d)
	}
	if f := db.opts.Observe.Fsync; f != nil && db.opts.ForceSync {
		f(d)
	}
	return nil
}

// RollLog makes the next Append start a new log file.
func (db *DB) RollLog() error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if err := db.w.roll(); err != nil {
		db.w.abandon()
		return fmt.Errorf("store: roll log: %w", err)
	}
	return nil
}

// LastLoggedZxid returns the highest zxid appended or found on disk.
func (db *DB) LastLoggedZxid() int64 {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	return db.lastLogged
}

// Apply applies a committed txn to the tree and the session table, keeps it
// in the committed log, and counts it towards the next snapshot: when the
// count passes a random threshold in [SnapCount/2+1, SnapCount], or the
// bytes logged pass one in [SnapSizeLimit/2, SnapSizeLimit) (3.8's
// shouldSnapshot), the log is rolled and a fuzzy snapshot is written in
// the background. Old files stay until Purge.
func (db *DB) Apply(txn *jute.Txn) Result {
	r := db.tree.Apply(txn)
	if txn == nil {
		return r
	}
	payload := jute.Encode(txn)
	db.mu.Lock()
	applySessions(db.sessions, txn)
	db.committed = appendCommitted(db.committed, committedTxn{zxid: txn.Hdr.Zxid, payload: payload}, db.opts.CommittedLogSize)
	db.txnCount++
	db.logBytes += int64(len(payload)) + 13 // checksum, length, EOR byte
	snap := db.txnCount > db.opts.SnapCount/2+db.randRoll ||
		(db.opts.SnapSizeLimit > 0 && db.logBytes > db.opts.SnapSizeLimit/2+db.randSize)
	if snap {
		db.txnCount, db.logBytes = 0, 0
		db.randRoll = db.rng.IntN(db.opts.SnapCount / 2)
		db.randSize = db.rollSize()
	}
	db.mu.Unlock()
	if snap {
		if err := db.RollLog(); err != nil {
			db.log.Error("roll log before snapshot", "err", err)
		}
		db.snapshotInBackground()
	}
	return r
}

// snapshotInBackground starts a fuzzy snapshot unless one is running.
func (db *DB) snapshotInBackground() {
	if !db.snapping.CompareAndSwap(false, true) {
		db.log.Warn("too busy to snap, skipping")
		return
	}
	db.bg.Add(1)
	go func() {
		defer db.bg.Done()
		defer db.snapping.Store(false)
		if _, err := db.TakeSnapshot(false); err != nil {
			db.log.Error("background snapshot failed", "err", err)
		}
	}()
}

// TakeSnapshot writes snapshot.<hex lastProcessedZxid> now (fuzzy: Apply may
// keep running). It deletes nothing (see Purge). With sync the file is
// fsynced before its final rename.
func (db *DB) TakeSnapshot(sync bool) (string, error) {
	start := time.Now()
	zxid := db.tree.LastProcessedZxid()
	sessions := db.Sessions()
	path, err := writeSnapshotAt(db.snapDir, db.tree, sessions, zxid, sync)
	if err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	if f := db.opts.Observe.Snapshot; f != nil {
		f(time.Since(start))
	}
	db.log.Info("snapshot written", "file", path, "zxid", hexZxid(zxid))
	return path, nil
}

// CommittedLog returns the recent committed txns as PROPOSAL payloads,
// oldest first, with the first and last zxid (0, 0 when empty).
func (db *DB) CommittedLog() (minZxid, maxZxid int64, txns [][]byte) {
	db.mu.Lock()
	defer db.mu.Unlock()
	l := db.committed
	if len(l) > db.opts.CommittedLogSize {
		l = l[len(l)-db.opts.CommittedLogSize:]
	}
	if len(l) == 0 {
		return 0, 0, nil
	}
	txns = make([][]byte, len(l))
	for i, c := range l {
		txns[i] = c.payload
	}
	return l[0].zxid, l[len(l)-1].zxid, txns
}

// WriteSnapshotStream writes the SNAP stream body (docs/quorum-reference.md §5.4): session table then
// tree, exactly the snapshot file body with no header or seals. The caller
// writes the SNAP packet before it and SnapSignature after it. It returns
// the lastProcessedZxid the stream was started at.
func (db *DB) WriteSnapshotStream(w io.Writer) (int64, error) {
	zxid := db.tree.LastProcessedZxid()
	if err := writeSnapshotBody(w, db.tree, db.Sessions()); err != nil {
		return 0, fmt.Errorf("store: write snapshot stream: %w", err)
	}
	return zxid, nil
}

// LoadSnapshotStream replaces the tree and the session table with a SNAP
// stream body read from r (exactly its bytes are consumed; pass a buffered
// reader for speed). The committed log is cleared and the log rolled. The
// tree's lastProcessedZxid is 0 afterwards: call SetLastProcessedZxid with
// the SNAP packet's zxid, then TakeSnapshot(true) as a learner does.
func (db *DB) LoadSnapshotStream(r io.Reader) error {
	db.bg.Wait() // a fuzzy snapshot must not walk a tree being replaced
	t, sessions, err := readSnapshotBody(r, db.opts.MaxRecordLen)
	if err != nil {
		return fmt.Errorf("store: load snapshot stream: %w", err)
	}
	db.tree.replaceWith(t)
	db.mu.Lock()
	db.sessions = sessions
	db.committed = nil
	db.mu.Unlock()
	return db.RollLog()
}

// SetLastProcessedZxid sets the tree's lastProcessedZxid (after a SNAP, or a
// new leader's epoch start) and raises LastLoggedZxid to it if lower.
func (db *DB) SetLastProcessedZxid(zxid int64) {
	db.tree.SetLastProcessedZxid(zxid)
	db.wmu.Lock()
	if zxid > db.lastLogged {
		db.lastLogged = zxid
	}
	db.wmu.Unlock()
}

// Close waits for a background snapshot, commits and closes the log.
func (db *DB) Close() error {
	db.bg.Wait()
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if db.closed {
		return nil
	}
	db.closed = true
	if err := db.w.close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// replaceWith swaps in the contents of o (a freshly loaded tree).
func (t *DataTree) replaceWith(o *DataTree) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nodes, t.acls, t.ephems, t.conts, t.ttls = o.nodes, o.acls, o.ephems, o.conts, o.ttls
	t.digest, t.dataSize, t.lastZxid = o.digest, o.dataSize, o.lastZxid
	t.digestZxid, t.digestAt = o.digestZxid, o.digestAt
	off := t.dg.off
	t.dg = o.dg // a new tree starts a new digest history, as 3.8's new DataTree
	if o.dg.off != off {
		t.setDigestEnabledLocked(!off)
	}
	t.quotas = o.quotas // quota roots rebuilt by readTree's setupQuota
}
