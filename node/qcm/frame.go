package qcm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrFrame marks a frame length 3.8 rejects (<= 0 or > PacketMaxSize).
var ErrFrame = errors.New("qcm: bad frame length")

// appendFrame returns the frame for payload: int32 length, then the bytes.
func appendFrame(dst, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)))
	return append(dst, payload...)
}

// readFrame reads one frame, rejecting lengths <= 0 or > PacketMaxSize
// before allocating.
func readFrame(r io.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int32(binary.BigEndian.Uint32(hdr[:]))
	if n <= 0 || n > PacketMaxSize {
		return nil, fmt.Errorf("%w: %d", ErrFrame, n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("qcm: reading %d-byte frame: %w", n, err)
	}
	return b, nil
}
