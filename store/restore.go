package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/zkctl/zkctl/jute"
)

// maxSnapshotCandidates is how many valid-looking snapshots restore tries.
const maxSnapshotCandidates = 100

// restored is the state rebuilt from disk.
type restored struct {
	tree      *DataTree
	sessions  map[int64]int32
	snapZxid  int64
	lastZxid  int64 // highest zxid replayed (or the snapshot's)
	committed []committedTxn
}

// quickSnapshotCheck is 3.8's SnapStream.isValidSnapshot for CHECKED files:
// at least 10 bytes, ending with int32 1 and '/'.
func quickSnapshotCheck(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() < 10 {
		return false
	}
	var tail [5]byte
	if _, err := f.ReadAt(tail[:], st.Size()-5); err != nil {
		return false
	}
	return bytes.Equal(tail[:], []byte{0, 0, 0, 1, '/'})
}

// loadNewestSnapshot tries the newest valid-looking snapshots in turn. found
// is false when the directory holds no snapshot candidates at all.
func loadNewestSnapshot(snapDir string, limit int, log *slog.Logger) (c *snapshotContents, zxid int64, found bool, err error) {
	files, err := listFiles(snapDir, snapPrefix)
	if err != nil {
		return nil, 0, false, err
	}
	var errs []error
	tried := 0
	for i := len(files) - 1; i >= 0 && tried < maxSnapshotCandidates; i-- {
		f := files[i]
		if !quickSnapshotCheck(f.path) {
			log.Warn("skipping invalid snapshot", "file", f.path)
			continue
		}
		tried++
		c, err := readSnapshotPath(f.path, limit)
		if err != nil {
			log.Warn("problem reading snapshot", "file", f.path, "err", err)
			errs = append(errs, err)
			continue
		}
		return c, f.zxid, true, nil
	}
	if tried > 0 {
		return nil, 0, true, fmt.Errorf("no valid snapshot in %s: %w", snapDir, errors.Join(errs...))
	}
	return nil, 0, false, nil
}

// readSnapshotPath reads one snapshot file; limit bounds each field (0:
// jute.DefaultMaxFieldLen).
func readSnapshotPath(path string, limit int) (*snapshotContents, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open snapshot: %w", err)
	}
	defer f.Close()
	c, err := readSnapshotFile(f, limit)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	return c, nil
}

// selectLogs is 3.8's FileTxnLog.getLogFiles: the newest file starting at
// or before zxid, and every file after it.
func selectLogs(files []zxidFile, zxid int64) []zxidFile {
	start := 0
	for i, f := range files {
		if f.zxid > zxid {
			break
		}
		start = i
	}
	return files[start:]
}

// restore rebuilds tree and sessions from the newest valid snapshot plus the
// logs after it (docs/quorum-reference.md §7.5). Torn tails are truncated away on disk (docs/quorum-reference.md §7.6). With
// no snapshot and no logs it writes snapshot.0 of a fresh tree.
//
// limit is the longest record or field read back (jute.maxbuffer +
// extrasize; 0: jute.DefaultMaxFieldLen). noDigest is digest.enabled=false.
func restore(snapDir, logDir string, keep, limit int, noDigest bool, log *slog.Logger) (*restored, error) {
	c, snapZxid, found, err := loadNewestSnapshot(snapDir, limit, log)
	if err != nil {
		return nil, err
	}
	logs, err := listFiles(logDir, logPrefix)
	if err != nil {
		return nil, err
	}
	if !found {
		if len(logs) > 0 {
			return nil, fmt.Errorf("no snapshot found in %s, but there are log entries in %s: refusing to start", snapDir, logDir)
		}
		t := NewDataTree()
		t.SetDigestEnabled(!noDigest)
		if _, err := writeSnapshotAt(snapDir, t, map[int64]int32{}, 0, true); err != nil {
			return nil, fmt.Errorf("write initial snapshot: %w", err)
		}
		log.Info("initialized empty database", "snapshot", makeName(snapPrefix, 0))
		return &restored{tree: t, sessions: map[int64]int32{}}, nil
	}
	if n := len(logs); n > 0 {
		// A crash between creating the newest log and writing its header
		// leaves a file too short to hold one; it holds no txn (3.9 deletes it too).
		if st, err := os.Stat(logs[n-1].path); err == nil && st.Size() < logHeaderLen {
			log.Warn("deleting txn log without a complete header", "file", logs[n-1].path, "size", st.Size())
			if err := os.Remove(logs[n-1].path); err != nil {
				return nil, fmt.Errorf("remove headerless log: %w", err)
			}
			logs = logs[:n-1]
		}
	}
	t := c.tree
	t.lastZxid = snapZxid
	if noDigest {
		t.SetDigestEnabled(false)
	}
	t.expectSnapshotDigest(c.digestZxid, c.digest, snapZxid)
	res := &restored{tree: t, sessions: c.sessions, snapZxid: snapZxid, lastZxid: snapZxid}
	log.Info("loaded snapshot", "zxid", hexZxid(snapZxid), "nodes", len(t.nodes), "sessions", len(c.sessions))
	for _, lf := range selectLogs(logs, snapZxid+1) {
		if err := replayFile(lf.path, snapZxid, res, keep, limit, log); err != nil {
			return nil, err
		}
	}
	if d, ok := t.pendingSnapshotDigest(); ok {
		log.Warn("highest txn does not cover the snapshot digest zxid, which might lead to inconsistent state", "lastZxid", hexZxid(res.lastZxid), "digestZxid", hexZxid(d.Zxid))
	}
	if n := t.DigestMismatches(); n > 0 {
		log.Warn("tree digest mismatches during restore", "count", n)
	}
	return res, nil
}

// replayFile applies every record of one log file with zxid > snapZxid and
// truncates a torn tail away.
func replayFile(path string, snapZxid int64, res *restored, keep, limit int, log *slog.Logger) error {
	lr, err := openLogFile(path, limit)
	if err != nil {
		return err
	}
	n := 0
	for {
		rec, ok, err := lr.next()
		if err != nil {
			lr.close()
			return err
		}
		if !ok {
			break
		}
		if rec.hdr.Zxid <= snapZxid {
			continue
		}
		txn, err := jute.DecodeTxn(rec.payload)
		if err != nil {
			lr.close()
			return fmt.Errorf("%w: %s: zxid %s: %w", ErrCorruptLog, path, hexZxid(rec.hdr.Zxid), err)
		}
		r := res.tree.Apply(txn)
		applySessions(res.sessions, txn)
		if r.Err != jute.ErrOK && txn.Hdr.Type != jute.OpError && txn.Hdr.Type != jute.OpMulti {
			log.Debug("ignoring replay failure", "zxid", hexZxid(rec.hdr.Zxid), "type", txn.Hdr.Type.String(), "path", r.Path, "err", r.Err.Error())
		}
		res.committed = appendCommitted(res.committed, committedTxn{zxid: rec.hdr.Zxid, payload: rec.payload}, keep)
		if rec.hdr.Zxid > res.lastZxid {
			res.lastZxid = rec.hdr.Zxid
		}
		n++
	}
	torn, end := lr.torn, lr.off
	lr.close()
	if torn {
		log.Warn("truncating torn tail of txn log", "file", path, "offset", end)
		if err := os.Truncate(path, end); err != nil {
			return fmt.Errorf("truncate torn tail of %s at %d: %w", path, end, err)
		}
	}
	log.Debug("replayed txn log", "file", path, "txns", n)
	return nil
}

// applySessions updates the session table for session txns.
func applySessions(sessions map[int64]int32, txn *jute.Txn) {
	switch txn.Hdr.Type {
	case jute.OpCreateSession:
		if b, ok := txn.Body.(*jute.CreateSessionTxn); ok {
			sessions[txn.Hdr.ClientID] = b.TimeOut
		}
	case jute.OpCloseSession:
		delete(sessions, txn.Hdr.ClientID)
	}
}

func hexZxid(z int64) string { return fmt.Sprintf("0x%x", uint64(z)) }

// writeSnapshotAt writes snapshot.<hex zxid> in dir through a temporary file
// and a rename; sync adds an fsync before the rename.
func writeSnapshotAt(dir string, t *DataTree, sessions map[int64]int32, zxid int64, sync bool) (string, error) {
	final := dir + string(os.PathSeparator) + makeName(snapPrefix, zxid)
	tmp := final + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return "", fmt.Errorf("create snapshot %s: %w", tmp, err)
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	err = writeSnapshotFile(bw, t, sessions)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("write snapshot %s: %w", final, err)
	}
	return final, nil
}
