package store

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/adler32"
	"io"
	"sort"

	"github.com/zkctl/zkctl/jute"
)

// SnapSignature is the ustring a leader writes after the SNAP body (docs/quorum-reference.md §5.4).
const SnapSignature = "BenWasHere"

// snapshotDBID is the FileHeader.dbid of snapshot files (3.8 FileSnap).
const snapshotDBID int64 = -1

// ErrCorruptSnapshot marks a snapshot whose structure or checksum is wrong.
var ErrCorruptSnapshot = errors.New("store: corrupt snapshot")

// checkedWriter writes through w and keeps a running Adler-32 of every byte.
type checkedWriter struct {
	w   io.Writer
	sum hash.Hash32
	n   int64
	enc jute.Encoder
}

func newCheckedWriter(w io.Writer) *checkedWriter {
	return &checkedWriter{w: w, sum: adler32.New()}
}

// flushEnc writes the encoder's pending bytes.
func (c *checkedWriter) flushEnc() error {
	if len(c.enc.Buf) == 0 {
		return nil
	}
	c.sum.Write(c.enc.Buf)
	n, err := c.w.Write(c.enc.Buf)
	c.n += int64(n)
	c.enc.Buf = c.enc.Buf[:0]
	return err
}

// maybeFlush flushes once the encoder holds enough bytes.
func (c *checkedWriter) maybeFlush() error {
	if len(c.enc.Buf) >= 64<<10 {
		return c.flushEnc()
	}
	return nil
}

// seal writes the running checksum and the ustring "/" (3.8 SnapStream.sealStream).
func (c *checkedWriter) seal() error {
	if err := c.flushEnc(); err != nil {
		return err
	}
	c.enc.Long(int64(c.sum.Sum32()))
	c.enc.String("/")
	return c.flushEnc()
}

// writeSessions writes the session table in id order.
func writeSessions(c *checkedWriter, sessions map[int64]int32) error {
	ids := make([]int64, 0, len(sessions))
	for id := range sessions {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	c.enc.Int(int32(len(ids)))
	for _, id := range ids {
		c.enc.Long(id)
		c.enc.Int(sessions[id])
		if err := c.maybeFlush(); err != nil {
			return err
		}
	}
	return nil
}

// serializeTree writes the ACL cache, then every node in preorder (root as
// ""), then the terminating "/". The walk is fuzzy like 3.8's: each node is
// copied under a short read lock, so Apply keeps running. It returns the
// (zxid, digest) pair current at the end of the walk.
func (t *DataTree) serializeTree(c *checkedWriter) (digestZxid, digest int64, err error) {
	t.mu.RLock()
	refs := make([]int64, 0, len(t.acls.byRef))
	acls := make(map[int64][]jute.ACL, len(t.acls.byRef))
	for ref, l := range t.acls.byRef {
		refs = append(refs, ref)
		acls[ref] = l
	}
	t.mu.RUnlock()
	sort.Slice(refs, func(i, j int) bool { return refs[i] < refs[j] })
	c.enc.Int(int32(len(refs)))
	for _, ref := range refs {
		c.enc.Long(ref)
		jute.EncodeACLs(&c.enc, acls[ref])
	}
	if err := c.flushEnc(); err != nil {
		return 0, 0, err
	}
	if err := t.serializeNode(c, "/", acls); err != nil {
		return 0, 0, err
	}
	c.enc.String("/")
	if err := c.flushEnc(); err != nil {
		return 0, 0, err
	}
	t.mu.RLock()
	digestZxid, digest = t.digestZxid, t.digestAt
	t.mu.RUnlock()
	return digestZxid, digest, nil
}

func (t *DataTree) serializeNode(c *checkedWriter, path string, acls map[int64][]jute.ACL) error {
	t.mu.RLock()
	n := t.nodes[path]
	if n == nil {
		t.mu.RUnlock()
		return nil // deleted during the walk
	}
	data, ref, st := n.data, n.acl, n.stat
	children := sortedKeys(n.children)
	t.mu.RUnlock()
	if _, ok := acls[ref]; !ok && ref != openACLRef {
		// The ACL was created after the walk began, so a txn after the
		// snapshot's zxid set it and replay will set it again.
		ref = openACLRef
	}
	name := path
	if path == "/" {
		name = ""
	}
	c.enc.String(name)
	c.enc.Buffer(data)
	c.enc.Long(ref)
	st.Encode(&c.enc)
	if err := c.maybeFlush(); err != nil {
		return err
	}
	for _, ch := range children {
		if err := t.serializeNode(c, name+"/"+ch, acls); err != nil {
			return err
		}
	}
	return nil
}

// writeSnapshotFile writes a complete snapshot file body to w: FileHeader,
// sessions, tree, seal, digest, seal (3.8 FileSnap.serialize); without
// digest and second seal when digests are off.
func writeSnapshotFile(w io.Writer, t *DataTree, sessions map[int64]int32) error {
	c := newCheckedWriter(w)
	hdr := jute.FileHeader{Magic: jute.SnapshotMagic, Version: jute.FileVersion, DBID: snapshotDBID}
	hdr.Encode(&c.enc)
	if err := writeSessions(c, sessions); err != nil {
		return err
	}
	dz, dg, err := t.serializeTree(c)
	if err != nil {
		return err
	}
	if err := c.seal(); err != nil {
		return err
	}
	if !t.DigestEnabled() {
		return nil // 3.8 serializeZxidDigest writes nothing, and no second seal
	}
	c.enc.Long(dz)
	c.enc.Int(DigestVersion)
	c.enc.Long(dg)
	return c.seal()
}

// streamReader reads jute values from r without reading past what it needs
// and keeps a running Adler-32 of the bytes consumed.
type streamReader struct {
	r   io.Reader
	sum hash.Hash32
	buf [8]byte
	err error
	max int
}

func newStreamReader(r io.Reader, limit int) *streamReader {
	return &streamReader{r: r, sum: adler32.New(), max: recordLimit(limit)}
}

func (s *streamReader) read(p []byte) {
	if s.err != nil {
		return
	}
	if _, err := io.ReadFull(s.r, p); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		s.err = err
		return
	}
	s.sum.Write(p)
}

func (s *streamReader) int32() int32 {
	s.read(s.buf[:4])
	if s.err != nil {
		return 0
	}
	return int32(binary.BigEndian.Uint32(s.buf[:4]))
}

func (s *streamReader) int64() int64 {
	s.read(s.buf[:8])
	if s.err != nil {
		return 0
	}
	return int64(binary.BigEndian.Uint64(s.buf[:8]))
}

// bytes reads a length-prefixed buffer; null (-1) is nil.
func (s *streamReader) bytes(what string) []byte {
	n := s.int32()
	if s.err != nil || n == -1 {
		return nil
	}
	if n < 0 || int(n) > s.max {
		s.err = fmt.Errorf("%w: %s length %d", ErrCorruptSnapshot, what, n)
		return nil
	}
	b := make([]byte, n)
	s.read(b)
	return b
}

func (s *streamReader) str(what string) string { return string(s.bytes(what)) }

// checkSeal reads a seal and compares it with the running checksum.
func (s *streamReader) checkSeal() error {
	want := int64(s.sum.Sum32())
	got := s.int64()
	end := s.str("seal")
	if s.err != nil {
		return s.err
	}
	if got != want {
		return fmt.Errorf("%w: checksum %#x, computed %#x", ErrCorruptSnapshot, got, want)
	}
	if end != "/" {
		return fmt.Errorf("%w: seal ends with %q, want \"/\"", ErrCorruptSnapshot, end)
	}
	return nil
}

// readSessions reads the session table.
func readSessions(s *streamReader) (map[int64]int32, error) {
	n := s.int32()
	if s.err != nil {
		return nil, s.err
	}
	if n < 0 {
		return nil, fmt.Errorf("%w: session count %d", ErrCorruptSnapshot, n)
	}
	sessions := make(map[int64]int32, min(int(n), 1<<16))
	for i := int32(0); i < n && s.err == nil; i++ {
		id := s.int64()
		sessions[id] = s.int32()
	}
	return sessions, s.err
}

// readTree reads the ACL cache and the nodes up to the "/" terminator into a
// new tree (3.8 DataTree.deserialize).
func readTree(s *streamReader) (*DataTree, error) {
	t := newEmptyTree()
	n := s.int32()
	if s.err == nil && n < 0 {
		return nil, fmt.Errorf("%w: ACL cache count %d", ErrCorruptSnapshot, n)
	}
	for i := int32(0); i < n && s.err == nil; i++ {
		ref := s.int64()
		cnt := s.int32()
		if s.err == nil && (cnt < 0 || int(cnt) > s.max/12) {
			return nil, fmt.Errorf("%w: ACL list length %d", ErrCorruptSnapshot, cnt)
		}
		var l []jute.ACL
		for j := int32(0); j < cnt && s.err == nil; j++ {
			perms := s.int32()
			scheme := s.str("scheme")
			id := s.str("id")
			l = append(l, jute.ACL{Perms: perms, ID: jute.Id{Scheme: scheme, ID: id}})
		}
		if l == nil {
			l = []jute.ACL{}
		}
		t.acls.put(ref, l)
	}
	for s.err == nil {
		path := s.str("path")
		if s.err != nil || path == "/" {
			break
		}
		nd := &node{}
		nd.data = s.bytes("data")
		nd.acl = s.int64()
		st := &nd.stat
		st.Czxid, st.Mzxid, st.Ctime, st.Mtime = s.int64(), s.int64(), s.int64(), s.int64()
		st.Version, st.Cversion, st.Aversion = s.int32(), s.int32(), s.int32()
		st.EphemeralOwner, st.Pzxid = s.int64(), s.int64()
		if s.err != nil {
			break
		}
		key := path
		if path == "" {
			key = "/"
		} else {
			p, _, ok := parentOf(path)
			if !ok || t.nodes[p] == nil {
				return nil, fmt.Errorf("%w: node %q read before its parent", ErrCorruptSnapshot, path)
			}
			if t.nodes[path] != nil {
				return nil, fmt.Errorf("%w: node %q appears twice", ErrCorruptSnapshot, path)
			}
		}
		if key == "/" && t.nodes["/"] != nil {
			return nil, fmt.Errorf("%w: root appears twice", ErrCorruptSnapshot)
		}
		if nd.acl != openACLRef {
			if _, ok := t.acls.byRef[nd.acl]; !ok {
				return nil, fmt.Errorf("%w: node %q uses unknown ACL reference %d", ErrCorruptSnapshot, path, nd.acl)
			}
		}
		t.acls.addUsage(nd.acl)
		t.putNode(key, nd)
	}
	if s.err != nil {
		return nil, s.err
	}
	if t.nodes["/"] == nil {
		return nil, fmt.Errorf("%w: no root node", ErrCorruptSnapshot)
	}
	t.setupQuota()
	t.acls.purgeUnused()
	return t, nil
}

// snapshotContents is what a snapshot file holds.
type snapshotContents struct {
	tree       *DataTree
	sessions   map[int64]int32
	digestZxid int64 // 0 = no digest
	digest     int64
}

// readSnapshotFile parses a whole snapshot file (3.8 FileSnap.deserialize):
// header, sessions, tree, seal 1, then digest and seal 2 when present.
func readSnapshotFile(r io.Reader, limit int) (*snapshotContents, error) {
	s := newStreamReader(bufio.NewReaderSize(r, 64<<10), limit)
	var hdr jute.FileHeader
	hdr.Magic, hdr.Version, hdr.DBID = s.int32(), s.int32(), s.int64()
	if s.err != nil {
		return nil, fmt.Errorf("read header: %w", s.err)
	}
	if hdr.Magic != jute.SnapshotMagic {
		return nil, fmt.Errorf("%w: magic %#x, want %#x", ErrCorruptSnapshot, hdr.Magic, jute.SnapshotMagic)
	}
	sessions, err := readSessions(s)
	if err != nil {
		return nil, fmt.Errorf("read sessions: %w", err)
	}
	tree, err := readTree(s)
	if err != nil {
		return nil, fmt.Errorf("read tree: %w", err)
	}
	if err := s.checkSeal(); err != nil {
		return nil, fmt.Errorf("first seal: %w", err)
	}
	out := &snapshotContents{tree: tree, sessions: sessions}
	zxid := s.int64()
	if errors.Is(s.err, io.ErrUnexpectedEOF) {
		return out, nil // an older snapshot without digest
	}
	ver := s.int32()
	var dg int64
	if ver < 2 {
		fmt.Sscanf(s.str("digest"), "%x", &dg)
	} else {
		dg = s.int64()
	}
	if s.err != nil {
		return nil, fmt.Errorf("read digest: %w", s.err)
	}
	if err := s.checkSeal(); err != nil {
		return nil, fmt.Errorf("second seal: %w", err)
	}
	if zxid > 0 {
		out.digestZxid, out.digest = zxid, dg
	}
	return out, nil
}

// writeSnapshotBody writes the SNAP stream body: sessions then tree, with no
// header, seal or checksum (docs/quorum-reference.md §5.4).
func writeSnapshotBody(w io.Writer, t *DataTree, sessions map[int64]int32) error {
	c := newCheckedWriter(w)
	if err := writeSessions(c, sessions); err != nil {
		return err
	}
	_, _, err := t.serializeTree(c)
	return err
}

// readSnapshotBody reads a SNAP stream body, consuming exactly its bytes.
func readSnapshotBody(r io.Reader, limit int) (*DataTree, map[int64]int32, error) {
	s := newStreamReader(r, limit)
	sessions, err := readSessions(s)
	if err != nil {
		return nil, nil, fmt.Errorf("read sessions: %w", err)
	}
	tree, err := readTree(s)
	if err != nil {
		return nil, nil, fmt.Errorf("read tree: %w", err)
	}
	return tree, sessions, nil
}
