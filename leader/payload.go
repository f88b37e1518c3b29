package leader

import (
	"fmt"

	"github.com/zkctl/zkctl/jute"
)

// Request is a client request a learner forwards to the leader (REQUEST
// packet): the session, the client's cxid and opcode, and the raw request
// record bytes exactly as the client sent them.
type Request struct {
	// SessionID is the client session.
	SessionID int64
	// Cxid is the client's request id.
	Cxid int32
	// Type is the client opcode.
	Type jute.Op
	// Data is the raw request record (for createSession: int32 timeout).
	Data []byte
	// AuthInfo is the client's authentication ids.
	AuthInfo []jute.Id
}

// String renders the request for logs, with the session id in hex.
func (r Request) String() string {
	return fmt.Sprintf("session=0x%x cxid=%d op=%v len=%d", r.SessionID, r.Cxid, r.Type, len(r.Data))
}

// EncodeRequest returns the data of a REQUEST packet for r.
func EncodeRequest(r Request) []byte {
	e := jute.NewEncoder(make([]byte, 0, 16+len(r.Data)))
	e.Long(r.SessionID)
	e.Int(r.Cxid)
	e.Int(int32(r.Type))
	e.Buf = append(e.Buf, r.Data...)
	return e.Bytes()
}

// DecodeRequest parses the data of a REQUEST packet.
func DecodeRequest(data []byte) (Request, error) {
	if len(data) < 16 {
		return Request{}, fmt.Errorf("%w: REQUEST data of %d bytes, need at least 16", ErrBadPacket, len(data))
	}
	d := jute.NewDecoder(data)
	r := Request{SessionID: d.Long(), Cxid: d.Int(), Type: jute.Op(d.Int())}
	r.Data = append([]byte{}, d.Rest()...)
	return r, nil
}

// EncodePing returns the data of a learner's PING reply: one
// (int64 sessionId, int32 timeout) pair per touched session. The data is
// never null: 3.8's Learner.ping always sends its (possibly empty) byte
// array, and 3.8's LearnerHandler reads it without a null check, so a null
// buffer makes an Apache leader drop the learner.
func EncodePing(touches []SessionTouch) []byte {
	e := jute.NewEncoder(make([]byte, 0, 12*len(touches)))
	for _, t := range touches {
		e.Long(t.SessionID)
		e.Int(t.Timeout)
	}
	return e.Bytes()
}

// DecodePing parses the data of a learner's PING reply.
func DecodePing(data []byte) ([]SessionTouch, error) {
	if len(data)%12 != 0 {
		return nil, fmt.Errorf("%w: PING data of %d bytes is not a whole number of (session, timeout) pairs", ErrBadPacket, len(data))
	}
	d := jute.NewDecoder(data)
	out := make([]SessionTouch, 0, len(data)/12)
	for d.Remaining() > 0 {
		out = append(out, SessionTouch{SessionID: d.Long(), Timeout: d.Int()})
	}
	return out, nil
}

// EncodeRevalidate returns the data of a learner's REVALIDATE request.
func EncodeRevalidate(sessionID int64, timeout int32) []byte {
	e := jute.NewEncoder(make([]byte, 0, 12))
	e.Long(sessionID)
	e.Int(timeout)
	return e.Bytes()
}

// DecodeRevalidate parses the data of a learner's REVALIDATE request.
func DecodeRevalidate(data []byte) (sessionID int64, timeout int32, err error) {
	if len(data) < 12 {
		return 0, 0, fmt.Errorf("%w: REVALIDATE data of %d bytes, need 12", ErrBadPacket, len(data))
	}
	d := jute.NewDecoder(data)
	return d.Long(), d.Int(), nil
}

// EncodeRevalidateReply returns the data of the leader's REVALIDATE answer.
func EncodeRevalidateReply(sessionID int64, valid bool) []byte {
	e := jute.NewEncoder(make([]byte, 0, 9))
	e.Long(sessionID)
	e.Bool(valid)
	return e.Bytes()
}

// DecodeRevalidateReply parses the data of the leader's REVALIDATE answer.
func DecodeRevalidateReply(data []byte) (sessionID int64, valid bool, err error) {
	if len(data) < 9 {
		return 0, false, fmt.Errorf("%w: REVALIDATE reply of %d bytes, need 9", ErrBadPacket, len(data))
	}
	d := jute.NewDecoder(data)
	return d.Long(), d.Bool(), nil
}

// DecodeLearnerInfo parses FOLLOWERINFO/OBSERVERINFO data by length as 3.8
// does: the sid from 8 bytes, the protocol version from 12, the config
// version from 20. Null data (anonymous pre-3.4 learners) and a protocol
// version below Zab 1.0 are rejected: zkctl speaks Zab 1.0 only.
func DecodeLearnerInfo(data []byte) (jute.LearnerInfo, error) {
	var li jute.LearnerInfo
	if len(data) < 12 {
		return li, fmt.Errorf("%w: LearnerInfo of %d bytes, need at least 12 (sid and protocol version)", ErrBadPacket, len(data))
	}
	if err := jute.Decode(data, &li); err != nil {
		return li, fmt.Errorf("%w: LearnerInfo: %w", ErrBadPacket, err)
	}
	if li.ProtocolVersion < jute.ProtocolVersion {
		return li, fmt.Errorf("%w: learner %d speaks protocol 0x%x, need 0x%x (Zab 1.0)", ErrBadPacket, li.ServerID, li.ProtocolVersion, jute.ProtocolVersion)
	}
	return li, nil
}

// EncodeEpoch returns the 4-byte data of LEADERINFO (protocol version) or
// ACKEPOCH (current epoch, or -1).
func EncodeEpoch(v int32) []byte {
	e := jute.NewEncoder(make([]byte, 0, 4))
	e.Int(v)
	return e.Bytes()
}

// DecodeEpoch parses the int32 at the start of LEADERINFO or ACKEPOCH data.
func DecodeEpoch(data []byte) (int32, error) {
	if len(data) < 4 {
		return 0, fmt.Errorf("%w: epoch data of %d bytes, need 4", ErrBadPacket, len(data))
	}
	return jute.NewDecoder(data).Int(), nil
}
