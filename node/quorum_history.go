package node

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/zkctl/zkctl/leader"
	"github.com/zkctl/zkctl/store"
)

// dbHistory is leader.History over the store.
type dbHistory struct {
	db *store.DB
}

// LastProcessedZxid implements leader.History.
func (h dbHistory) LastProcessedZxid() int64 { return h.db.Tree().LastProcessedZxid() }

// CommittedLog implements leader.History.
func (h dbHistory) CommittedLog() []leader.Proposal {
	_, _, txns := h.db.CommittedLog()
	ps, err := leader.ProposalsFromTxns(txns)
	if err != nil {
		return nil
	}
	return ps
}

// maxDiskDiff bounds how many logged txns a DIFF from disk may carry.
const maxDiskDiff = 100000

// LogSince implements leader.History: the on-disk log from peerZxid on
// (nil when its first record is past peerZxid: continuity unproven) and
// the size of the log files after the one it starts in. Over sizeLimit
// the records are not read: the leader sends a SNAP anyway.
func (h dbHistory) LogSince(peerZxid, sizeLimit int64) leader.DiskLog {
	size := laterLogFilesBytes(h.db.LogDir(), peerZxid)
	if sizeLimit > 0 && size > sizeLimit {
		return leader.DiskLog{StorageBytes: size}
	}
	it, err := h.db.LogIterator(peerZxid)
	if err != nil {
		return leader.DiskLog{StorageBytes: size}
	}
	defer it.Close()
	var out []leader.Proposal
	for len(out) < maxDiskDiff {
		payload, hdr, ok, err := it.Next()
		if err != nil || !ok {
			break
		}
		if len(out) == 0 && hdr.Zxid > peerZxid {
			return leader.DiskLog{StorageBytes: size}
		}
		out = append(out, leader.Proposal{Zxid: hdr.Zxid, Data: payload})
	}
	if len(out) >= maxDiskDiff {
		return leader.DiskLog{StorageBytes: size}
	}
	return leader.DiskLog{Proposals: out, StorageBytes: size}
}

// SnapshotBytes implements leader.History: the size of the newest snapshot
// file (3.8's findMostRecentSnapshot), 0 when there is none.
func (h dbHistory) SnapshotBytes() int64 {
	files := zxidFiles(h.db.SnapDir(), "snapshot")
	for i := len(files) - 1; i >= 0; i-- {
		if files[i].size > 0 {
			return files[i].size
		}
	}
	return 0
}

// dataFile is a log or snapshot file: the zxid in its name and its size.
type dataFile struct {
	zxid int64
	size int64
}

// zxidFiles lists dir's "<prefix>.<hex>" files ascending by zxid; a
// directory that cannot be read yields none.
func zxidFiles(dir, prefix string) []dataFile {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []dataFile
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), prefix+".")
		if !ok || e.IsDir() || strings.Contains(rest, ".") {
			continue
		}
		z, err := strconv.ParseUint(rest, 16, 64)
		if err != nil {
			continue
		}
		info, err := os.Stat(filepath.Join(dir, e.Name()))
		if err != nil {
			continue // purged meanwhile
		}
		out = append(out, dataFile{zxid: int64(z), size: info.Size()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].zxid < out[j].zxid })
	return out
}

// laterLogFilesBytes is 3.8's FileTxnIterator.getStorageSize right after it
// opened the log for zxid: the summed size of the log files after the
// newest one starting at or before zxid.
func laterLogFilesBytes(logDir string, zxid int64) int64 {
	files := zxidFiles(logDir, "log")
	start := 0
	for i, f := range files {
		if f.zxid > zxid {
			break
		}
		start = i
	}
	var sum int64
	for i := start + 1; i < len(files); i++ {
		sum += files[i].size
	}
	return sum
}
