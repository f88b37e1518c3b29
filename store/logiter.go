package store

import (
	"errors"
	"fmt"
	"os"

	"github.com/zkctl/zkctl/jute"
)

// TxnIterator walks logged txns in zxid order.
type TxnIterator interface {
	// Next returns the next record's payload (TxnHeader + body + digest, the
	// PROPOSAL data) and header; ok is false at the end of the log.
	Next() (payload []byte, hdr jute.TxnHeader, ok bool, err error)
	// Close releases the open file.
	Close()
}

// fileIterator iterates over a list of log files.
type fileIterator struct {
	files []zxidFile
	from  int64
	cur   *logFileReader
	limit int
}

// LogIterator returns an iterator over the on-disk log from the first record
// with zxid >= fromZxid (3.8 FileTxnIterator). Appended but unflushed records
// are flushed first so they are visible.
func (db *DB) LogIterator(fromZxid int64) (TxnIterator, error) {
	db.wmu.Lock()
	err := db.w.flush()
	db.wmu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("store: log iterator: %w", err)
	}
	files, err := listFiles(db.logDir, logPrefix)
	if err != nil {
		return nil, fmt.Errorf("store: log iterator: %w", err)
	}
	return &fileIterator{files: selectLogs(files, fromZxid), from: fromZxid, limit: db.opts.MaxRecordLen}, nil
}

// Next implements TxnIterator.
func (it *fileIterator) Next() ([]byte, jute.TxnHeader, bool, error) {
	for {
		if it.cur == nil {
			if len(it.files) == 0 {
				return nil, jute.TxnHeader{}, false, nil
			}
			lr, err := openLogFile(it.files[0].path, it.limit)
			it.files = it.files[1:]
			if err != nil {
				if errors.Is(err, os.ErrNotExist) {
					continue // purged meanwhile
				}
				return nil, jute.TxnHeader{}, false, fmt.Errorf("store: %w", err)
			}
			it.cur = lr
		}
		rec, ok, err := it.cur.next()
		if err != nil {
			return nil, jute.TxnHeader{}, false, fmt.Errorf("store: %w", err)
		}
		if !ok {
			it.cur.close()
			it.cur = nil
			continue
		}
		if rec.hdr.Zxid < it.from {
			continue
		}
		return rec.payload, rec.hdr, true, nil
	}
}

// Close implements TxnIterator.
func (it *fileIterator) Close() {
	if it.cur != nil {
		it.cur.close()
		it.cur = nil
	}
	it.files = nil
}

// ErrTruncate is returned when the log cannot be cut at the requested zxid.
var ErrTruncate = errors.New("store: cannot truncate log")

// Truncate cuts the log after zxid (docs/quorum-reference.md §7.8): the file holding zxid is cut just
// after that record (before the first record above it, if zxid itself is
// missing), later log files and snapshots newer than zxid are deleted, and
// the tree, sessions and committed log are reloaded from snapshot + log. It
// fails with ErrTruncate when the on-disk history ends before zxid.
func (db *DB) Truncate(zxid int64) error {
	db.bg.Wait()
	db.wmu.Lock()
	defer db.wmu.Unlock()
	if db.closed {
		return ErrClosed
	}
	if err := db.w.close(); err != nil {
		db.w.abandon()
		db.log.Warn("closing log before truncate", "err", err)
	}
	db.w = db.newWriter()
	if err := db.cutLog(zxid); err != nil {
		return err
	}
	snaps, err := listFiles(db.snapDir, snapPrefix)
	if err != nil {
		return fmt.Errorf("store: truncate: %w", err)
	}
	for _, s := range snaps {
		if s.zxid > zxid {
			if err := os.Remove(s.path); err != nil {
				return fmt.Errorf("store: truncate: remove newer snapshot: %w", err)
			}
			db.log.Info("removed snapshot newer than truncation point", "file", s.path)
		}
	}
	res, err := restore(db.snapDir, db.logDir, db.opts.CommittedLogSize, db.opts.MaxRecordLen, db.opts.DigestDisabled, db.log)
	if err != nil {
		return fmt.Errorf("store: reload after truncate to %s: %w", hexZxid(zxid), err)
	}
	db.tree.replaceWith(res.tree)
	db.mu.Lock()
	db.sessions, db.committed, db.txnCount = res.sessions, res.committed, 0
	db.mu.Unlock()
	db.lastLogged = res.lastZxid
	db.log.Info("truncated txn log", "zxid", hexZxid(zxid), "lastZxid", hexZxid(res.lastZxid))
	return nil
}

// cutLog performs the on-disk part of Truncate. The caller holds wmu.
func (db *DB) cutLog(zxid int64) error {
	files, err := listFiles(db.logDir, logPrefix)
	if err != nil {
		return fmt.Errorf("store: truncate: %w", err)
	}
	snaps, err := listFiles(db.snapDir, snapPrefix)
	if err != nil {
		return fmt.Errorf("store: truncate: %w", err)
	}
	reached := false // some snapshot or record is at or above zxid
	for _, s := range snaps {
		if s.zxid == zxid {
			reached = true
		}
	}
	sel := selectLogs(files, zxid)
	for i, f := range sel {
		lr, err := openLogFile(f.path, db.opts.MaxRecordLen)
		if err != nil {
			return fmt.Errorf("store: truncate: %w", err)
		}
		cut := int64(-1)
		prevEnd := lr.off
		for {
			rec, ok, err := lr.next()
			if err != nil {
				lr.close()
				return fmt.Errorf("store: truncate: %w", err)
			}
			if !ok {
				break
			}
			if rec.hdr.Zxid == zxid {
				cut = rec.end
				break
			}
			if rec.hdr.Zxid > zxid {
				cut = prevEnd
				break
			}
			prevEnd = rec.end
		}
		lr.close()
		if cut < 0 {
			continue
		}
		if err := os.Truncate(f.path, cut); err != nil {
			return fmt.Errorf("store: truncate %s at %d: %w", f.path, cut, err)
		}
		for _, later := range sel[i+1:] {
			if err := os.Remove(later.path); err != nil {
				return fmt.Errorf("store: truncate: remove %s: %w", later.path, err)
			}
		}
		return nil
	}
	if reached || zxid == db.lastLogged {
		return nil // the log already ends at zxid
	}
	return fmt.Errorf("%w: the log in %s ends before %s", ErrTruncate, db.logDir, hexZxid(zxid))
}
