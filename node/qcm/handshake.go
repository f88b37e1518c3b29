package qcm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"strings"
)

// Constants of QuorumCnxManager in 3.8.
const (
	// ProtocolVersionV1 is the handshake version carrying one host:port (3.5+).
	ProtocolVersionV1 int64 = -65536
	// ProtocolVersionV2 carries "h1:p1|h2:p2" (3.6+, only with multiAddress enabled).
	ProtocolVersionV2 int64 = -65535
	// MaxAddrLen is the largest handshake address string accepted (maxBuffer).
	MaxAddrLen = 2048
	// PacketMaxSize is the largest election frame accepted (PACKETMAXSIZE).
	PacketMaxSize = 512 * 1024
	// RecvCapacity is the receive queue size; the oldest entry is dropped when full.
	RecvCapacity = 100
	// SendCapacity is the per-peer send queue size; the oldest entry is dropped when full.
	SendCapacity = 1
	// ObserverID is the legacy "anonymous observer" sid (Long.MAX_VALUE).
	ObserverID int64 = math.MaxInt64
)

// ErrHandshake marks a handshake 3.8 would reject.
var ErrHandshake = errors.New("qcm: bad handshake")

// errIncomplete is returned by DecodeHandshake when more bytes are needed.
var errIncomplete = errors.New("qcm: incomplete handshake")

// Handshake is what the initiator of an election connection sends first.
// Version 0 means a pre-3.5 peer that sent only its sid.
type Handshake struct {
	Version int64    // ProtocolVersionV1, ProtocolVersionV2, or 0 for the legacy form
	Sid     int64    // the initiator's server id
	Addrs   []string // the initiator's election addresses (host:port), as sent
}

// Encode returns the handshake bytes: version, sid, then the address string
// ("h:p" for V1, joined with "|" for V2). The legacy form is the sid alone.
func (h Handshake) Encode() []byte {
	if h.Version == 0 {
		return binary.BigEndian.AppendUint64(nil, uint64(h.Sid))
	}
	addr := strings.Join(h.Addrs, "|")
	b := make([]byte, 0, 20+len(addr))
	b = binary.BigEndian.AppendUint64(b, uint64(h.Version))
	b = binary.BigEndian.AppendUint64(b, uint64(h.Sid))
	b = binary.BigEndian.AppendUint32(b, uint32(len(addr)))
	return append(b, addr...)
}

// DecodeHandshake parses a handshake from the start of b and returns it
// with the number of bytes used. A first int64 >= 0 is a pre-3.5 sid with
// no address; V1/V2 must carry an address of 1..MaxAddrLen bytes; any other
// negative version is rejected. It returns an error wrapping ErrHandshake
// for bad input, or one for which more input would help (see
// ReadHandshake).
func DecodeHandshake(b []byte) (Handshake, int, error) {
	if len(b) < 8 {
		return Handshake{}, 0, errIncomplete
	}
	first := int64(binary.BigEndian.Uint64(b))
	if first >= 0 {
		return Handshake{Sid: first}, 8, nil
	}
	if first != ProtocolVersionV1 && first != ProtocolVersionV2 {
		return Handshake{}, 0, fmt.Errorf("%w: unknown protocol version %d", ErrHandshake, first)
	}
	if len(b) < 20 {
		return Handshake{}, 0, errIncomplete
	}
	h := Handshake{Version: first, Sid: int64(binary.BigEndian.Uint64(b[8:]))}
	n := int32(binary.BigEndian.Uint32(b[16:]))
	if n <= 0 || n > MaxAddrLen {
		return Handshake{}, 0, fmt.Errorf("%w: address length %d from sid %d (want 1..%d)", ErrHandshake, n, h.Sid, MaxAddrLen)
	}
	if len(b) < 20+int(n) {
		return Handshake{}, 0, errIncomplete
	}
	addr := string(b[20 : 20+int(n)])
	if h.Version == ProtocolVersionV1 {
		h.Addrs = []string{addr}
	} else {
		h.Addrs = strings.Split(addr, "|")
	}
	return h, 20 + int(n), nil
}

// ReadHandshake reads one handshake from r, reading no byte beyond it.
func ReadHandshake(r io.Reader) (Handshake, error) {
	buf := make([]byte, 8, 20+MaxAddrLen)
	if _, err := io.ReadFull(r, buf); err != nil {
		return Handshake{}, fmt.Errorf("qcm: reading handshake version: %w", err)
	}
	for {
		h, _, err := DecodeHandshake(buf)
		if err == nil {
			return h, nil
		}
		if !errors.Is(err, errIncomplete) {
			return Handshake{}, err
		}
		need := 20
		if len(buf) >= 20 {
			need = 20 + int(int32(binary.BigEndian.Uint32(buf[16:])))
		}
		more := buf[len(buf):need]
		if _, err := io.ReadFull(r, more); err != nil {
			return Handshake{}, fmt.Errorf("qcm: reading handshake: %w", err)
		}
		buf = buf[:need]
	}
}

// ElectionAddrs returns the usable addresses of the handshake: valid
// host:port strings whose host is not a wildcard (0.0.0.0 or ::), which 3.8
// drops.
func (h Handshake) ElectionAddrs() []string {
	var out []string
	for _, a := range h.Addrs {
		host, port, err := net.SplitHostPort(a)
		if err != nil || port == "" {
			continue
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			continue
		}
		out = append(out, a)
	}
	return out
}
