package election

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// CurrentVersion is the notification format version 3.8 sends
// (Notification.CURRENTVERSION).
const CurrentVersion int32 = 2

// ErrShortNotification is returned for a payload below the oldest format's 28 bytes.
var ErrShortNotification = errors.New("election: notification shorter than 28 bytes")

// ErrMalformedNotification is returned for a payload a 3.8 peer would skip.
var ErrMalformedNotification = errors.New("election: malformed notification")

// Notification is one FLE message (the payload of a QuorumCnxManager frame).
// Sid is the sender as identified by the transport; it is not on the wire.
type Notification struct {
	Sid           int64       // sender sid (from the connection, not encoded)
	State         ServerState // sender's state
	Leader        int64       // proposed or believed leader
	Zxid          int64       // that leader's last zxid
	ElectionEpoch int64       // sender's logical clock (round)
	PeerEpoch     int64       // epoch of the proposed leader
	Version       int32       // format version: 0 (28/40 bytes), 1 (44 bytes) or 2 (with Config)
	Config        string      // sender's QuorumVerifier text; only carried by version >= 2
}

// Vote returns the vote the notification carries, tagged with the sender's
// state and format version (Vote(version, leader, zxid, round, peerEpoch, state)).
func (n Notification) Vote() Vote {
	return Vote{Leader: n.Leader, Zxid: n.Zxid, ElectionEpoch: n.ElectionEpoch, PeerEpoch: n.PeerEpoch, State: n.State, Version: n.Version}
}

// String renders the notification as one log line, zxid and epochs in hex.
func (n Notification) String() string {
	return fmt.Sprintf("%v leader=%d zxid=%s round=%s peerEpoch=%s", n.State, n.Leader, hexInt(n.Zxid), hexInt(n.ElectionEpoch), hexInt(n.PeerEpoch))
}

// Encode returns the wire bytes. Version >= 2 gives the 3.8 format
// (44 + len(Config) bytes, with n.Version written). Version 0 gives the
// 40-byte form, which 3.8 reads as "no version" whatever its last 4 bytes
// hold. Version 1 gives 44 bytes (version 1 and 4 zero bytes), the shortest
// form 3.8 reads back as version 1 (likewise for any other nonzero version
// below 2).
func (n Notification) Encode() []byte {
	size := 40
	switch {
	case n.Version >= 2:
		size = 44 + len(n.Config)
	case n.Version != 0:
		size = 44
	}
	b := make([]byte, 0, size)
	b = binary.BigEndian.AppendUint32(b, uint32(n.State))
	b = binary.BigEndian.AppendUint64(b, uint64(n.Leader))
	b = binary.BigEndian.AppendUint64(b, uint64(n.Zxid))
	b = binary.BigEndian.AppendUint64(b, uint64(n.ElectionEpoch))
	b = binary.BigEndian.AppendUint64(b, uint64(n.PeerEpoch))
	b = binary.BigEndian.AppendUint32(b, uint32(n.Version))
	switch {
	case n.Version >= 2:
		b = binary.BigEndian.AppendUint32(b, uint32(len(n.Config)))
		b = append(b, n.Config...)
	case n.Version != 0:
		b = binary.BigEndian.AppendUint32(b, 0)
	}
	return b
}

// DecodeNotification parses a notification the way 3.8's WorkerReceiver
// does, by length: exactly 28 bytes is the oldest format (state, leader,
// zxid, round; peerEpoch = epoch of the zxid); exactly 40 bytes adds
// peerEpoch and is read as version 0 (its last 4 bytes are not read);
// otherwise peerEpoch and a version at offset 36 are read and, when the
// version is above 1, a config length and the config text. Trailing bytes are ignored, as Java's ByteBuffer reads ignore them.
// The state is returned as sent; callers drop states outside 0..3 (after
// answering a non-voter, as 3.8 does). Sid is left zero.
func DecodeNotification(b []byte) (Notification, error) {
	var n Notification
	if len(b) < 28 {
		return n, fmt.Errorf("%w: %d bytes", ErrShortNotification, len(b))
	}
	n.State = ServerState(int32(binary.BigEndian.Uint32(b[0:])))
	n.Leader = int64(binary.BigEndian.Uint64(b[4:]))
	n.Zxid = int64(binary.BigEndian.Uint64(b[12:]))
	n.ElectionEpoch = int64(binary.BigEndian.Uint64(b[20:]))
	if len(b) == 28 {
		n.PeerEpoch = n.Zxid >> 32
		return n, nil
	}
	if len(b) < 36 {
		return Notification{}, fmt.Errorf("%w: %d bytes cut inside peerEpoch", ErrMalformedNotification, len(b))
	}
	n.PeerEpoch = int64(binary.BigEndian.Uint64(b[28:]))
	if len(b) == 40 {
		return n, nil
	}
	if len(b) < 40 {
		return Notification{}, fmt.Errorf("%w: %d bytes cut inside version", ErrMalformedNotification, len(b))
	}
	n.Version = int32(binary.BigEndian.Uint32(b[36:]))
	if n.Version <= 1 {
		return n, nil
	}
	if len(b) < 44 {
		return Notification{}, fmt.Errorf("%w: version %d but %d bytes, no config length", ErrMalformedNotification, n.Version, len(b))
	}
	cl := int32(binary.BigEndian.Uint32(b[40:]))
	if cl < 0 || int(cl) > len(b)-44 {
		return Notification{}, fmt.Errorf("%w: config length %d with %d bytes left", ErrMalformedNotification, cl, len(b)-44)
	}
	n.Config = string(b[44 : 44+int(cl)])
	return n, nil
}

// ConfigVersion extracts the "version=<hex>" value of a QuorumVerifier text.
// It returns 0, false when the text has no parsable version line.
func ConfigVersion(qv string) (int64, bool) {
	for line := range strings.SplitSeq(qv, "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "version=")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(v, 16, 64)
		if err != nil {
			return 0, false
		}
		return n, true
	}
	return 0, false
}
