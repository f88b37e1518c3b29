package store

import "os"

// fileSizes returns the sizes of dir's prefix.<hex> files, ascending by
// zxid (listFiles' order); a directory that cannot be read, or a file
// purged meanwhile, yields nothing for it.
func fileSizes(dir, prefix string) (zxids, sizes []int64) {
	files, err := listFiles(dir, prefix)
	if err != nil {
		return nil, nil
	}
	for _, f := range files {
		info, err := os.Stat(f.path)
		if err != nil {
			continue
		}
		zxids = append(zxids, f.zxid)
		sizes = append(sizes, info.Size())
	}
	return zxids, sizes
}

// SnapshotBytes is the size of the newest non-empty snapshot file (3.8's
// FileTxnSnapLog.findMostRecentSnapshot), 0 when there is none. The leader
// weighs a DIFF against it (leader.TxnLogSizeLimit), so callers need not
// know the data directory's file names.
func (db *DB) SnapshotBytes() int64 {
	_, sizes := fileSizes(db.snapDir, snapPrefix)
	for i := len(sizes) - 1; i >= 0; i-- {
		if sizes[i] > 0 {
			return sizes[i]
		}
	}
	return 0
}

// LogBytesAfter is 3.8's FileTxnIterator.getStorageSize right after it
// opened the log for zxid: the summed size of the log files after the
// newest one starting at or before zxid.
func (db *DB) LogBytesAfter(zxid int64) int64 {
	zxids, sizes := fileSizes(db.logDir, logPrefix)
	start := 0
	for i, z := range zxids {
		if z > zxid {
			break
		}
		start = i
	}
	var sum int64
	for i := start + 1; i < len(sizes); i++ {
		sum += sizes[i]
	}
	return sum
}
