// Package store is the persistence and data model of a zkctl server: the
// in-memory znode tree (DataTree), the session table, the transaction log and
// snapshot files under version-2/ (byte-compatible with Apache ZooKeeper 3.8),
// recovery from them, truncation, and the committed-log window used by the
// leader for DIFF synchronisation.
//
// A server drives it like this:
//
//	db, err := store.Open(store.Options{DataDir: dir})
//	for each proposal txn:
//		db.Append(txn)             // buffered
//	db.Commit()                    // group commit: flush + fdatasync, then ACK
//	for each committed txn:
//		res := db.Apply(txn)       // tree + sessions + committed log, maybe snapshot
//		fire res.Events, reply with res.Err / res.Stat / res.Path
//
// The DataTree is safe for one writer (Apply) and any number of concurrent
// readers (Get and friends).
package store
