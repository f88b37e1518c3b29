package store

import (
	"errors"
	"fmt"
	"os"
)

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
