package store

import (
	"bytes"
	"testing"

	"github.com/zkctl/zkctl/jute"
)

// FuzzLogFile feeds arbitrary bytes to the txn log reader as a log file, and
// applies whatever decodes to a tree: no panics, and records only come back
// whole with a matching checksum.
func FuzzLogFile(f *testing.F) {
	var good []byte
	good = append(good, logHeader()...)
	for _, x := range richWorkload() {
		good = encodeRecord(good, jute.Encode(x))
	}
	f.Add(good)
	f.Add(good[:len(good)-3])
	f.Add(append(append([]byte{}, good...), make([]byte, 40)...))
	f.Add(logHeader())
	f.Fuzz(func(t *testing.T, b []byte) {
		lr, err := newLogReader("fuzz", bytes.NewReader(b))
		if err != nil {
			return
		}
		tr := NewDataTree()
		defer checkDigestLog(t, tr)
		for i := 0; i < 10000; i++ {
			rec, ok, err := lr.next()
			if err != nil || !ok {
				return
			}
			if rec.end > int64(len(b)) {
				t.Fatalf("record ends at %d past the file's %d bytes", rec.end, len(b))
			}
			if txn, err := jute.DecodeTxn(rec.payload); err == nil {
				tr.Apply(txn)
			}
		}
	})
}

// checkDigestLog checks the digest history's invariants: at most
// DigestLogLimit entries, zxids that are multiples of DigestLogInterval,
// the current digest when the last entry is the last applied txn.
func checkDigestLog(t *testing.T, tr *DataTree) {
	t.Helper()
	l := tr.DigestLog()
	if len(l) > DigestLogLimit {
		t.Fatalf("digest log holds %d entries", len(l))
	}
	for _, d := range l {
		if d.Zxid%DigestLogInterval != 0 || d.DigestVersion != DigestVersion {
			t.Fatalf("digest log entry %+v", d)
		}
	}
	if tr.Digest() != recomputeDigest(tr) {
		t.Fatal("incremental digest differs from recomputed")
	}
}

// FuzzApplyPayload decodes arbitrary txn payloads and applies them.
func FuzzApplyPayload(f *testing.F) {
	for _, x := range richWorkload() {
		f.Add(jute.Encode(x))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		txn, err := jute.DecodeTxn(b)
		if err != nil {
			return
		}
		tr := NewDataTree()
		tr.Apply(txn)
		tr.Apply(txn)
		if tr.Digest() != recomputeDigest(tr) {
			t.Fatal("incremental digest differs from recomputed")
		}
	})
}

// FuzzSnapshotFile feeds arbitrary bytes to the snapshot file reader.
func FuzzSnapshotFile(f *testing.F) {
	tr := NewDataTree()
	for _, x := range richWorkload() {
		tr.Apply(x)
	}
	var buf bytes.Buffer
	if err := writeSnapshotFile(&buf, tr, map[int64]int32{1: 2}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()-25])
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := readSnapshotFile(bytes.NewReader(b), 0)
		if err != nil {
			return
		}
		// Whatever loads must serialize again and load to the same tree.
		var out bytes.Buffer
		if err := writeSnapshotFile(&out, c.tree, c.sessions); err != nil {
			t.Fatal(err)
		}
		c2, err := readSnapshotFile(&out, 0)
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		if c2.tree.NodeCount() != c.tree.NodeCount() || c2.tree.Digest() != c.tree.Digest() {
			t.Fatal("snapshot round trip changed the tree")
		}
	})
}

// FuzzSnapshotStream feeds arbitrary bytes to the SNAP body reader.
func FuzzSnapshotStream(f *testing.F) {
	tr := NewDataTree()
	for _, x := range richWorkload() {
		tr.Apply(x)
	}
	var buf bytes.Buffer
	if err := writeSnapshotBody(&buf, tr, map[int64]int32{7: 3000}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		if _, _, err := readSnapshotBody(r, 0); err != nil {
			return
		}
	})
}
