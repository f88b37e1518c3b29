package jute

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
)

// Election handshake versions and limits: QuorumCnxManager.PROTOCOL_VERSION_V1,
// PROTOCOL_VERSION_V2 and maxBuffer in 3.8 (docs/quorum-reference.md §2.1).
const (
	// ElectionProtocolV1 is the handshake version carrying one host:port (3.5+).
	ElectionProtocolV1 int64 = -65536
	// ElectionProtocolV2 carries "h1:p1|h2:p2" (3.6+, only with multiAddress enabled).
	ElectionProtocolV2 int64 = -65535
	// ElectionMaxAddrLen is the largest handshake address string a receiver accepts.
	ElectionMaxAddrLen = 2048
)

// ErrElectionHandshake marks an election handshake 3.8 would reject.
var ErrElectionHandshake = errors.New("jute: bad election handshake")

// errIncomplete is returned by DecodeElectionHandshake when more bytes are needed.
var errIncomplete = errors.New("jute: incomplete election handshake")

// ElectionHandshake is what the initiator of an election connection sends
// first and the receiver never answers (QuorumCnxManager.startConnection and
// InitialMessage.parse; docs/quorum-reference.md §2.2). Both the election
// transport and the launcher's link proxies read it, so it lives here once.
type ElectionHandshake struct {
	Version int64    // ElectionProtocolV1, ElectionProtocolV2, or 0 for the pre-3.5 form
	Sid     int64    // the initiator's server id
	Addrs   []string // the initiator's election addresses (host:port), as sent
}

// Encode returns the handshake bytes: int64 version, int64 sid, int32 length
// and the address string ("h:p" for V1, joined with "|" for V2). The pre-3.5
// form is the sid alone.
func (h ElectionHandshake) Encode() []byte {
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

// DecodeElectionHandshake parses a handshake from the start of b and returns
// it with the number of bytes used. A first int64 >= 0 is a pre-3.5 sid with
// no address; V1/V2 must carry an address of 1..ElectionMaxAddrLen bytes; any
// other negative version is rejected. Bad input gives an error wrapping
// ErrElectionHandshake; any other error means more input would help (see
// ReadElectionHandshake).
func DecodeElectionHandshake(b []byte) (ElectionHandshake, int, error) {
	if len(b) < 8 {
		return ElectionHandshake{}, 0, errIncomplete
	}
	first := int64(binary.BigEndian.Uint64(b))
	if first >= 0 {
		return ElectionHandshake{Sid: first}, 8, nil
	}
	if first != ElectionProtocolV1 && first != ElectionProtocolV2 {
		return ElectionHandshake{}, 0, fmt.Errorf("%w: unknown protocol version %d", ErrElectionHandshake, first)
	}
	if len(b) < 20 {
		return ElectionHandshake{}, 0, errIncomplete
	}
	h := ElectionHandshake{Version: first, Sid: int64(binary.BigEndian.Uint64(b[8:]))}
	n := int32(binary.BigEndian.Uint32(b[16:]))
	if n <= 0 || n > ElectionMaxAddrLen {
		return ElectionHandshake{}, 0, fmt.Errorf("%w: address length %d from sid %d (want 1..%d)", ErrElectionHandshake, n, h.Sid, ElectionMaxAddrLen)
	}
	if len(b) < 20+int(n) {
		return ElectionHandshake{}, 0, errIncomplete
	}
	addr := string(b[20 : 20+int(n)])
	if h.Version == ElectionProtocolV1 {
		h.Addrs = []string{addr}
	} else {
		h.Addrs = strings.Split(addr, "|")
	}
	return h, 20 + int(n), nil
}

// ReadElectionHandshake reads one handshake from r, reading no byte beyond it.
func ReadElectionHandshake(r io.Reader) (ElectionHandshake, error) {
	h, _, err := ReadElectionHandshakeBytes(r)
	return h, err
}

// ReadElectionHandshakeBytes is ReadElectionHandshake that also returns every
// byte it read, on error too, so that a proxy can pass on unchanged what it
// cannot parse. It reads no byte beyond the handshake: the version first,
// then sid and length, then the address, stopping as soon as the input is
// rejected.
func ReadElectionHandshakeBytes(r io.Reader) (ElectionHandshake, []byte, error) {
	buf := make([]byte, 0, 20+ElectionMaxAddrLen)
	need := 8
	for {
		n, err := io.ReadFull(r, buf[len(buf):need])
		buf = buf[:len(buf)+n]
		if err != nil {
			return ElectionHandshake{}, buf, fmt.Errorf("jute: reading election handshake: %w", err)
		}
		h, _, err := DecodeElectionHandshake(buf)
		if !errors.Is(err, errIncomplete) {
			return h, buf, err
		}
		// Incomplete means a V1/V2 version, and past 20 bytes a valid length.
		need = 20
		if len(buf) >= 20 {
			need = 20 + int(int32(binary.BigEndian.Uint32(buf[16:])))
		}
	}
}

// ElectionAddrs returns the usable addresses of the handshake: valid
// host:port strings whose host is not a wildcard (0.0.0.0 or ::), which 3.8
// drops (docs/quorum-reference.md §2.2).
func (h ElectionHandshake) ElectionAddrs() []string {
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
