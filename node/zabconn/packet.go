package zabconn

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/zkctl/zkctl/jute"
)

// ErrPacket marks a QuorumPacket that could not be read from a
// leader/learner stream (bad length, oversize, truncated): the connection
// is dropped, as 3.8's Learner/LearnerHandler do on an IOException.
var ErrPacket = errors.New("zabconn: bad quorum packet")

// snapTrailer ends the SNAP stream (docs/quorum-reference.md §5.4): the
// jute ustring "BenWasHere".
const snapTrailer = "BenWasHere"

// maxAuthIDs bounds the authinfo vector of one packet.
const maxAuthIDs = 64

// ReadPacket reads one jute QuorumPacket from a raw leader/learner stream
// (no length prefix, docs/quorum-reference.md §4.1). Data larger than
// maxData bytes is refused before it is allocated, so a peer cannot make
// the reader allocate what it likes.
func ReadPacket(r *bufio.Reader, maxData int) (jute.QuorumPacket, error) {
	var p jute.QuorumPacket
	var hdr [16]byte
	if _, err := io.ReadFull(r, hdr[:12]); err != nil {
		return p, err
	}
	p.Type = jute.PacketType(int32(binary.BigEndian.Uint32(hdr[0:4])))
	p.Zxid = int64(binary.BigEndian.Uint64(hdr[4:12]))
	data, err := readBuffer(r, maxData, "data")
	if err != nil {
		return p, fmt.Errorf("%v zxid=0x%x: %w", p.Type, p.Zxid, err)
	}
	p.Data = data
	n, err := readInt32(r)
	if err != nil {
		return p, fmt.Errorf("%v: authinfo count: %w", p.Type, unexpectedEOF(err))
	}
	if n < -1 || n > maxAuthIDs {
		return p, fmt.Errorf("%w: %v: authinfo count %d", ErrPacket, p.Type, n)
	}
	for i := int32(0); i < n; i++ {
		scheme, err := readBuffer(r, 1024, "auth scheme")
		if err != nil {
			return p, fmt.Errorf("%v: %w", p.Type, err)
		}
		id, err := readBuffer(r, 4096, "auth id")
		if err != nil {
			return p, fmt.Errorf("%v: %w", p.Type, err)
		}
		p.AuthInfo = append(p.AuthInfo, jute.Id{Scheme: string(scheme), ID: string(id)})
	}
	return p, nil
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func readInt32(r *bufio.Reader) (int32, error) {
	var b [4]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, err
	}
	return int32(binary.BigEndian.Uint32(b[:])), nil
}

// readBuffer reads a jute buffer: int32 length (-1 = null) then the bytes.
func readBuffer(r *bufio.Reader, max int, what string) ([]byte, error) {
	n, err := readInt32(r)
	if err != nil {
		return nil, fmt.Errorf("%s length: %w", what, unexpectedEOF(err))
	}
	if n == -1 {
		return nil, nil
	}
	if n < 0 || int(n) > max {
		return nil, fmt.Errorf("%w: %s length %d (limit %d)", ErrPacket, what, n, max)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("%s: %w", what, unexpectedEOF(err))
	}
	return b, nil
}

// EncodePacket renders a packet as it goes on the wire, for the writer of
// either end.
func EncodePacket(p *jute.QuorumPacket) []byte { return jute.Encode(p) }

// ReadSnapTrailer reads and checks the "BenWasHere" trailer that ends a
// SNAP stream: a learner that loaded a snapshot knows the stream was whole.
func ReadSnapTrailer(r *bufio.Reader) error {
	b, err := readBuffer(r, 64, "snapshot trailer")
	if err != nil {
		return err
	}
	if string(b) != snapTrailer {
		return fmt.Errorf("%w: snapshot trailer %q, want %q", ErrPacket, b, snapTrailer)
	}
	return nil
}

// AppendSnapTrailer appends the trailer as a jute ustring after the
// leader's snapshot stream.
func AppendSnapTrailer(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(snapTrailer)))
	return append(b, snapTrailer...)
}
