package store

import (
	"errors"
	"fmt"
	"os"
)

// Purge is 3.8's DatadirCleanupManager task: it keeps the newest
// Options.SnapRetainCount snapshots and the logs needed to replay from the
// oldest of them, and deletes everything older. The store never calls it
// itself: a server calls it every autopurge.purgeInterval hours, since 3.8
// keeps every file unless that is > 0. Safe to call while txns are
// appended and a snapshot is written (the current log and a snapshot being
// written are never older than the retained ones).
func (db *DB) Purge() error {
	if db.opts.SnapRetainCount < 0 {
		return nil
	}
	db.purgeMu.Lock()
	defer db.purgeMu.Unlock()
	if err := db.purge(db.opts.SnapRetainCount); err != nil {
		return fmt.Errorf("store: purge: %w", err)
	}
	return nil
}

// purge keeps the newest `keep` snapshots and the logs needed to replay from
// the oldest of them (3.8 PurgeTxnLog), deleting everything older.
func (db *DB) purge(keep int) error {
	snaps, err := listFiles(db.snapDir, snapPrefix)
	if err != nil {
		return err
	}
	if len(snaps) <= keep {
		return nil
	}
	least := snaps[len(snaps)-keep].zxid
	var errs []error
	for _, s := range snaps[:len(snaps)-keep] {
		if err := os.Remove(s.path); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", s.path, err))
		} else {
			db.log.Debug("purged snapshot", "file", s.path)
		}
	}
	logs, err := listFiles(db.logDir, logPrefix)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	retained := selectLogs(logs, least)
	if len(retained) > 0 {
		first := retained[0].zxid
		for _, l := range logs {
			if l.zxid >= first {
				break
			}
			if err := os.Remove(l.path); err != nil {
				errs = append(errs, fmt.Errorf("remove %s: %w", l.path, err))
			} else {
				db.log.Debug("purged txn log", "file", l.path)
			}
		}
	}
	return errors.Join(errs...)
}
