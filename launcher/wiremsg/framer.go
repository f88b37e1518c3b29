// Package wiremsg splits the byte streams between ZooKeeper servers into
// whole messages and decodes them, so that the launcher's link proxies can
// log, hold and fault messages rather than bytes. It understands the
// election connection (handshake, then length-prefixed FLE notifications)
// and the quorum connection (a stream of jute QuorumPacket records, with a
// raw snapshot after SNAP); what it cannot frame it passes on as opaque
// bytes, and from then on that stream stays opaque.
//
// NB: design.md lets launcher import adminapi only; this package also
// imports jute and election, which import nothing but the standard library
// and quorum, so the one-way dependencies hold and the decoders are the same
// code the servers use.
package wiremsg

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
)

// FrameType says what a Frame holds.
type FrameType uint8

// Frame types.
const (
	// Opaque is bytes that could not be framed (TLS, an unknown packet type,
	// a bad length); the stream stays opaque after the first one.
	Opaque FrameType = iota
	// Handshake is the opening of an election connection.
	Handshake
	// Notification is one length-prefixed FLE notification frame.
	Notification
	// Packet is one QuorumPacket record.
	Packet
	// Snapshot is part of the raw snapshot a leader sends after SNAP.
	Snapshot
)

// String names the frame type as the message log does.
func (t FrameType) String() string {
	switch t {
	case Handshake:
		return "handshake"
	case Notification:
		return "notification"
	case Packet:
		return "packet"
	case Snapshot:
		return "snapshot"
	}
	return "opaque"
}

// Frame is one whole message, or a piece of bytes that is not one.
type Frame struct {
	Type FrameType
	// Data is the frame's bytes exactly as read (and forwarded).
	Data []byte
}

// Framer reads one direction of a connection one frame at a time. It never
// reads beyond the frame it returns, and returns the bytes it consumed even
// with an error, so a proxy can forward them before passing the error on.
type Framer interface {
	Next(r *bufio.Reader) (Frame, error)
	// Ready reports that r already buffers a whole frame, so that Next
	// will not wait for the network.
	Ready(r *bufio.Reader) bool
}

// Limits of a well-formed stream; a larger length turns the stream opaque.
const (
	// MaxNotification is QuorumCnxManager.PACKETMAXSIZE in 3.8.
	MaxNotification = 512 * 1024
	// maxPacketData bounds a QuorumPacket's data buffer (well above
	// jute.maxbuffer, so a large proposal still frames).
	maxPacketData = 256 << 20
	// maxAuthInfo bounds a QuorumPacket's authinfo vector.
	maxAuthInfo = 1024
	// maxAuthString bounds one authinfo string.
	maxAuthString = 64 << 10
	// rawChunk is the most an opaque frame carries at once.
	rawChunk = 32 << 10
)

// snapSignature ends the snapshot a leader streams after SNAP:
// oa.writeString("BenWasHere", "signature") in LearnerHandler.
var snapSignature = []byte("\x00\x00\x00\x0aBenWasHere")

// slab hands out frame buffers cut from larger blocks: one allocation per
// 64 KiB instead of one per frame, which matters at tens of thousands of
// small packets a second. A block stays alive while any frame cut from it
// does; frames never share bytes.
type slab struct{ block []byte }

const slabSize = 64 << 10

// get returns a slice of n bytes with capacity n.
func (s *slab) get(n int) []byte {
	if n > slabSize/4 {
		return make([]byte, n)
	}
	if len(s.block) < n {
		s.block = make([]byte, slabSize)
	}
	b := s.block[:n:n]
	s.block = s.block[n:]
	return b
}

// readRaw returns what r has buffered (at least one byte, up to rawChunk)
// as a frame of type t.
func readRaw(r *bufio.Reader, t FrameType) (Frame, error) {
	if _, err := r.Peek(1); err != nil {
		return Frame{Type: t}, err
	}
	n := min(r.Buffered(), rawChunk)
	b := make([]byte, n)
	_, err := io.ReadFull(r, b)
	return Frame{Type: t, Data: b}, err
}

// frameReader accumulates one frame's bytes.
type frameReader struct {
	r   *bufio.Reader
	buf []byte
}

// take reads exactly n more bytes and returns them; on error buf keeps what
// was read.
func (f *frameReader) take(n int) ([]byte, error) {
	start := len(f.buf)
	f.buf = append(f.buf, make([]byte, n)...)
	m, err := io.ReadFull(f.r, f.buf[start:])
	f.buf = f.buf[:start+m]
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = io.EOF
		}
		return nil, err
	}
	return f.buf[start:], nil
}

// int32 reads a big-endian int32.
func (f *frameReader) int32() (int32, error) {
	b, err := f.take(4)
	if err != nil {
		return 0, err
	}
	return int32(binary.BigEndian.Uint32(b)), nil
}

// peekInt32 returns the next big-endian int32 without consuming it.
func peekInt32(r *bufio.Reader) (int32, error) {
	b, err := r.Peek(4)
	if err != nil {
		return 0, err
	}
	return int32(binary.BigEndian.Uint32(b)), nil
}

// ElectionFramer frames the notifications of an election connection, in
// either direction, after the handshake (which the launcher reads itself).
type ElectionFramer struct {
	opaque bool
	slab   slab
}

// Next implements Framer: a frame is an int32 length in 1..MaxNotification
// and that many bytes (QuorumCnxManager.RecvWorker).
func (f *ElectionFramer) Next(r *bufio.Reader) (Frame, error) {
	if f.opaque {
		return readRaw(r, Opaque)
	}
	n, err := peekInt32(r)
	if err != nil {
		return readRaw(r, Opaque)
	}
	if n <= 0 || n > MaxNotification {
		f.opaque = true
		return readRaw(r, Opaque)
	}
	fr := frameReader{r: r, buf: f.slab.get(4 + int(n))[:0]}
	if _, err := fr.take(4 + int(n)); err != nil {
		return Frame{Type: Opaque, Data: fr.buf}, err
	}
	return Frame{Type: Notification, Data: fr.buf}, nil
}

// Ready implements Framer.
func (f *ElectionFramer) Ready(r *bufio.Reader) bool {
	if f.opaque {
		return r.Buffered() > 0
	}
	if r.Buffered() < 4 {
		return false
	}
	b, _ := r.Peek(4)
	n := int32(binary.BigEndian.Uint32(b))
	return n <= 0 || n > MaxNotification || r.Buffered() >= 4+int(n)
}

// ZabFramer frames QuorumPacket records on a quorum connection, in either
// direction, and the raw snapshot that follows a SNAP.
type ZabFramer struct {
	opaque bool
	// inSnap is set after a SNAP packet until the snapshot's signature.
	inSnap bool
	// tail keeps the last bytes of the snapshot so far, to find a
	// signature split across reads.
	tail []byte
	slab slab
}

// Next implements Framer.
func (f *ZabFramer) Next(r *bufio.Reader) (Frame, error) {
	switch {
	case f.opaque:
		return readRaw(r, Opaque)
	case f.inSnap:
		return f.nextSnap(r)
	}
	t, err := peekInt32(r)
	if err != nil {
		return readRaw(r, Opaque)
	}
	if t < 1 || t > 19 {
		f.opaque = true
		return readRaw(r, Opaque)
	}
	if fr, ok := f.fast(r, t); ok {
		return fr, nil
	}
	fr := frameReader{r: r}
	fail := func(err error) (Frame, error) {
		if err == nil {
			// A bad length inside the record: what was read goes on as
			// opaque and so does the rest.
			f.opaque = true
		}
		return Frame{Type: Opaque, Data: fr.buf}, err
	}
	if _, err := fr.take(12); err != nil { // type, zxid
		return fail(err)
	}
	n, err := fr.int32()
	if err != nil {
		return fail(err)
	}
	if n < -1 || n > maxPacketData {
		return fail(nil)
	}
	if n > 0 {
		if _, err := fr.take(int(n)); err != nil {
			return fail(err)
		}
	}
	ids, err := fr.int32()
	if err != nil {
		return fail(err)
	}
	if ids < -1 || ids > maxAuthInfo {
		return fail(nil)
	}
	for i := 0; i < int(ids)*2; i++ { // each Id is two ustrings
		l, err := fr.int32()
		if err != nil {
			return fail(err)
		}
		if l < -1 || l > maxAuthString {
			return fail(nil)
		}
		if l > 0 {
			if _, err := fr.take(int(l)); err != nil {
				return fail(err)
			}
		}
	}
	if t == 15 { // SNAP: the snapshot follows
		f.inSnap, f.tail = true, nil
	}
	return Frame{Type: Packet, Data: fr.buf}, nil
}

// Ready implements Framer. It answers false for a packet with authinfo,
// which is rare, rather than parse it twice.
func (f *ZabFramer) Ready(r *bufio.Reader) bool {
	if f.opaque || f.inSnap {
		return r.Buffered() > 0
	}
	_, ok := simplePacket(r, r.Buffered())
	return ok
}

// simplePacket returns the size of the packet at the start of r when it
// has no authinfo and fits in limit bytes. It peeks only (waiting for bytes
// up to limit when r has fewer buffered).
func simplePacket(r *bufio.Reader, limit int) (int, bool) {
	if limit < 20 {
		return 0, false
	}
	hdr, err := r.Peek(16)
	if err != nil {
		return 0, false
	}
	n := int(int32(binary.BigEndian.Uint32(hdr[12:])))
	size := 16 + max(n, 0) + 4
	if n < -1 || size > limit {
		return 0, false
	}
	b, err := r.Peek(size)
	if err != nil {
		return 0, false
	}
	ids := int32(binary.BigEndian.Uint32(b[size-4:]))
	return size, ids == -1 || ids == 0
}

// fast frames a packet without authinfo that fits in r's buffer with one
// allocation, the common case under load; ok false leaves r untouched for
// the general path.
func (f *ZabFramer) fast(r *bufio.Reader, t int32) (Frame, bool) {
	size, ok := simplePacket(r, r.Size())
	if !ok {
		return Frame{}, false
	}
	b, _ := r.Peek(size)
	out := f.slab.get(size)
	copy(out, b)
	_, _ = r.Discard(size)
	if t == 15 { // SNAP: the snapshot follows
		f.inSnap, f.tail = true, nil
	}
	return Frame{Type: Packet, Data: out}, true
}

// nextSnap returns snapshot bytes up to and including the signature.
func (f *ZabFramer) nextSnap(r *bufio.Reader) (Frame, error) {
	if _, err := r.Peek(1); err != nil {
		return Frame{Type: Snapshot}, err
	}
	avail, _ := r.Peek(min(r.Buffered(), rawChunk))
	hay := append(append([]byte(nil), f.tail...), avail...)
	n := len(avail)
	if i := bytes.Index(hay, snapSignature); i >= 0 {
		n = i + len(snapSignature) - len(f.tail)
		f.inSnap, f.tail = false, nil
	} else {
		keep := min(len(hay), len(snapSignature)-1)
		f.tail = append(f.tail[:0], hay[len(hay)-keep:]...)
	}
	b := make([]byte, n)
	_, err := io.ReadFull(r, b)
	return Frame{Type: Snapshot, Data: b}, err
}
