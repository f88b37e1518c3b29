package node

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/zkctl/zkctl/jute"
)

// ErrQuorumPacket marks a QuorumPacket that could not be read from a
// leader/learner stream (bad length, oversize, truncated).
var ErrQuorumPacket = errors.New("node: bad quorum packet")

// snapTrailer ends the SNAP stream (§5.4): the jute ustring "BenWasHere".
const snapTrailer = "BenWasHere"

// maxAuthIDs bounds the authinfo vector of one packet.
const maxAuthIDs = 64

// readQuorumPacket reads one jute QuorumPacket from a raw leader/learner
// stream (no length prefix, §4.1). Data larger than maxData bytes is refused
// before it is allocated.
func readQuorumPacket(r *bufio.Reader, maxData int) (jute.QuorumPacket, error) {
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
		return p, fmt.Errorf("%w: %v: authinfo count %d", ErrQuorumPacket, p.Type, n)
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
		return nil, fmt.Errorf("%w: %s length %d (limit %d)", ErrQuorumPacket, what, n, max)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("%s: %w", what, unexpectedEOF(err))
	}
	return b, nil
}

// encodeQuorumPacket renders a packet as it goes on the wire.
func encodeQuorumPacket(p *jute.QuorumPacket) []byte { return jute.Encode(p) }

// readSnapTrailer reads and checks the "BenWasHere" trailer of a SNAP stream.
func readSnapTrailer(r *bufio.Reader) error {
	b, err := readBuffer(r, 64, "snapshot trailer")
	if err != nil {
		return err
	}
	if string(b) != snapTrailer {
		return fmt.Errorf("%w: snapshot trailer %q, want %q", ErrQuorumPacket, b, snapTrailer)
	}
	return nil
}

// appendSnapTrailer appends the trailer as a jute ustring.
func appendSnapTrailer(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(snapTrailer)))
	return append(b, snapTrailer...)
}
