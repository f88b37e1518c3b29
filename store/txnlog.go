package store

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/zkctl/zkctl/jute"
)

// File name prefixes and the record terminator.
const (
	logPrefix  = "log"
	snapPrefix = "snapshot"
	eorByte    = 0x42 // 'B', end of a log record
	// DefaultPreAllocSize is 3.8's default log preallocation (64 MiB).
	DefaultPreAllocSize int64 = 64 << 20
	logHeaderLen              = 16
	recordOverhead            = 8 + 4 + 1 // checksum, length, EOR
)

// ErrCorruptLog marks a log record that was read whole but is wrong (bad
// checksum, bad length, undecodable payload): restore must stop.
var ErrCorruptLog = errors.New("store: corrupt txn log")

// makeName is 3.8's Util.makeLogName/makeSnapshotName: lower-case hex, no
// leading zeros.
func makeName(prefix string, zxid int64) string {
	return prefix + "." + strconv.FormatUint(uint64(zxid), 16)
}

// zxidFromName parses "<prefix>.<hex>"; ok is false for other names.
func zxidFromName(name, prefix string) (int64, bool) {
	parts := strings.Split(name, ".")
	if len(parts) < 2 || parts[0] != prefix {
		return 0, false
	}
	if len(parts) > 2 && !(prefix == snapPrefix && len(parts) == 3 && (parts[2] == "gz" || parts[2] == "snappy")) {
		return 0, false
	}
	v, err := strconv.ParseUint(parts[1], 16, 64)
	if err != nil {
		return 0, false
	}
	return int64(v), true
}

// zxidFile is a data file and the zxid in its name.
type zxidFile struct {
	path string
	zxid int64
}

// listFiles returns dir's files named prefix.<hex>, sorted by zxid ascending.
// Compressed snapshots (.gz, .snappy) are not supported and are skipped.
func listFiles(dir, prefix string) ([]zxidFile, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	var out []zxidFile
	for _, e := range ents {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".tmp") {
			continue
		}
		z, ok := zxidFromName(e.Name(), prefix)
		if !ok || strings.Count(e.Name(), ".") != 1 {
			continue
		}
		out = append(out, zxidFile{filepath.Join(dir, e.Name()), z})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].zxid < out[j].zxid })
	return out, nil
}

// encodeRecord frames one payload: Adler-32 (as an unsigned long), length,
// payload, 0x42.
func encodeRecord(buf []byte, payload []byte) []byte {
	buf = binary.BigEndian.AppendUint64(buf, uint64(adler32.Checksum(payload)))
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(payload)))
	buf = append(buf, payload...)
	return append(buf, eorByte)
}

// logHeader is the FileHeader of a txn log file.
func logHeader() []byte {
	return jute.Encode(&jute.FileHeader{Magic: jute.TxnLogMagic, Version: jute.FileVersion, DBID: 0})
}

// paddedSize is 3.8 FilePadding.calculateFileSizeWithPadding.
func paddedSize(position, fileSize, preAlloc int64) int64 {
	if preAlloc > 0 && position+4096 >= fileSize {
		if position > fileSize {
			fileSize = position + preAlloc
			fileSize -= fileSize % preAlloc
		} else {
			fileSize += preAlloc
		}
	}
	return fileSize
}

// logRecord is one record read from a log file.
type logRecord struct {
	payload []byte
	hdr     jute.TxnHeader
	end     int64 // file offset just after the record's EOR byte
}

// logFileReader reads records from one log file with 3.8's tail rules.
type logFileReader struct {
	name string
	f    *os.File // nil when reading from memory
	r    *bufio.Reader
	off  int64 // offset of the next record
	// torn is set when reading stopped at a partial record (rather than at
	// clean end of data or the zero-filled preallocated area).
	torn bool
	done bool
	// max is the record length limit, jute.maxbuffer + extrasize as 3.8's
	// BinaryInputArchive reads a "txnEntry"; 0 means jute.DefaultMaxFieldLen.
	max int
}

// openLogFile opens a log file and checks its FileHeader; records longer
// than limit (0: jute.DefaultMaxFieldLen) are corrupt.
func openLogFile(path string, limit int) (*logFileReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open log %s: %w", path, err)
	}
	lr, err := newLogReader(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	lr.f = f
	lr.max = limit
	return lr, nil
}

// newLogReader reads a log from r (named name in errors) and checks its
// FileHeader.
func newLogReader(name string, r io.Reader) (*logFileReader, error) {
	lr := &logFileReader{name: name, r: bufio.NewReaderSize(r, 64<<10)}
	var h [logHeaderLen]byte
	if _, err := io.ReadFull(lr.r, h[:]); err != nil {
		return nil, fmt.Errorf("%w: %s: short file header: %w", ErrCorruptLog, name, err)
	}
	var fh jute.FileHeader
	if err := jute.Decode(h[:], &fh); err != nil || fh.Magic != jute.TxnLogMagic {
		return nil, fmt.Errorf("%w: %s: bad magic %#x", ErrCorruptLog, name, fh.Magic)
	}
	lr.off = logHeaderLen
	return lr, nil
}

// next returns the next record, or ok=false at the end of the file's data.
// A complete record with a bad checksum, a bad length or an undecodable
// header is an error wrapping ErrCorruptLog.
func (lr *logFileReader) next() (rec logRecord, ok bool, err error) {
	if lr.done {
		return rec, false, nil
	}
	var h [12]byte
	n, err := io.ReadFull(lr.r, h[:])
	if err != nil {
		lr.done = true
		lr.torn = n > 0 // bytes after the last record that do not make a header
		return rec, false, nil
	}
	sum := binary.BigEndian.Uint64(h[:8])
	length := int32(binary.BigEndian.Uint32(h[8:]))
	if length == 0 {
		lr.done = true
		lr.torn = sum != 0
		return rec, false, nil
	}
	if length < 0 || int(length) > recordLimit(lr.max) {
		return rec, false, fmt.Errorf("%w: %s at offset %d: record length %d", ErrCorruptLog, lr.name, lr.off, length)
	}
	buf := make([]byte, int(length)+1)
	if _, err := io.ReadFull(lr.r, buf); err != nil {
		lr.done, lr.torn = true, true
		return rec, false, nil
	}
	if buf[length] != eorByte {
		lr.done, lr.torn = true, true // "Last transaction was partial"
		return rec, false, nil
	}
	payload := buf[:length]
	if uint64(adler32.Checksum(payload)) != sum {
		return rec, false, fmt.Errorf("%w: %s at offset %d: CRC check failed", ErrCorruptLog, lr.name, lr.off)
	}
	if err := jute.Decode(payload, &rec.hdr); err != nil {
		return rec, false, fmt.Errorf("%w: %s at offset %d: txn header: %w", ErrCorruptLog, lr.name, lr.off, err)
	}
	rec.payload = payload
	lr.off += int64(len(h)) + int64(len(buf))
	rec.end = lr.off
	return rec, true, nil
}

func (lr *logFileReader) close() error {
	if lr.f == nil {
		return nil
	}
	return lr.f.Close()
}

// logWriter appends records to log.<zxid> files (3.8 FileTxnLog).
type logWriter struct {
	dir       string
	preAlloc  int64
	forceSync bool

	cur       *os.File
	curPath   string
	bw        *bufio.Writer
	pos       int64      // logical end of written data, buffered bytes included
	allocated int64      // current preallocated size
	unsynced  []*os.File // rolled files still to be synced by the next commit
	lastSeen  int64      // highest zxid appended
	scratch   []byte
}

// append writes one record, opening a new file first if none is open.
func (w *logWriter) append(zxid int64, payload []byte) error {
	if zxid > w.lastSeen {
		w.lastSeen = zxid
	}
	if w.cur == nil {
		path := filepath.Join(w.dir, makeName(logPrefix, zxid))
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return fmt.Errorf("create log %s: %w", path, err)
		}
		if _, err := f.Write(logHeader()); err != nil {
			f.Close()
			os.Remove(path)
			return fmt.Errorf("write header of %s: %w", path, err)
		}
		w.cur, w.curPath, w.bw = f, path, bufio.NewWriterSize(f, 64<<10)
		w.pos, w.allocated = logHeaderLen, logHeaderLen
	}
	if ns := paddedSize(w.pos, w.allocated, w.preAlloc); ns != w.allocated {
		if _, err := w.cur.WriteAt([]byte{0}, ns-1); err != nil {
			return fmt.Errorf("preallocate %s to %d bytes: %w", w.curPath, ns, err)
		}
		w.allocated = ns
	}
	w.scratch = encodeRecord(w.scratch[:0], payload)
	if _, err := w.bw.Write(w.scratch); err != nil {
		return fmt.Errorf("append to %s: %w", w.curPath, err)
	}
	w.pos += int64(len(w.scratch))
	return nil
}

// flush writes buffered records to the OS without syncing.
func (w *logWriter) flush() error {
	if w.bw == nil {
		return nil
	}
	if err := w.bw.Flush(); err != nil {
		return fmt.Errorf("flush %s: %w", w.curPath, err)
	}
	return nil
}

// commit flushes and fdatasyncs the current and any rolled files, then
// closes the rolled ones.
func (w *logWriter) commit() error {
	if err := w.flush(); err != nil {
		return err
	}
	files := w.unsynced
	if w.cur != nil {
		files = append(files, w.cur)
	}
	for _, f := range files {
		if w.forceSync {
			if err := fdatasync(f); err != nil {
				return fmt.Errorf("fsync %s: %w", f.Name(), err)
			}
		}
	}
	for _, f := range w.unsynced {
		f.Close()
	}
	w.unsynced = nil
	return nil
}

// roll makes the next append open a new file; the old one is synced by the
// next commit.
func (w *logWriter) roll() error {
	if w.cur == nil {
		return nil
	}
	err := w.flush()
	w.unsynced = append(w.unsynced, w.cur)
	w.cur, w.bw, w.curPath = nil, nil, ""
	return err
}

// abandon drops the current file after a write error: buffered bytes are
// discarded, and the next append starts a new file, so a partial record can
// only ever be a torn tail.
func (w *logWriter) abandon() {
	if w.cur != nil {
		w.cur.Close()
	}
	for _, f := range w.unsynced {
		f.Close()
	}
	w.cur, w.bw, w.curPath, w.unsynced = nil, nil, "", nil
}

// close commits and closes every file.
func (w *logWriter) close() error {
	err := w.commit()
	if w.cur != nil {
		if cerr := w.cur.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close %s: %w", w.curPath, cerr)
		}
	}
	w.cur, w.bw, w.curPath = nil, nil, ""
	return err
}

// recordLimit is limit, or jute.DefaultMaxFieldLen (3.8's default
// jute.maxbuffer plus extrasize) when limit is 0.
func recordLimit(limit int) int {
	if limit <= 0 {
		return jute.DefaultMaxFieldLen
	}
	return limit
}
