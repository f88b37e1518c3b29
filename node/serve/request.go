package serve

import (
	"errors"
	"fmt"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
)

// Request is one client request moving through the pipeline, as ZooKeeper's
// server-side Request. Its identity (session, xid, opcode, the raw request
// record and the client's identities) is a leader.Request, the very fields
// a follower forwards in a REQUEST packet: the leader preps a forwarded
// request from them unchanged, like a local one.
type Request struct {
	leader.Request

	// Txn is set by prep for writes (an error txn for a failed write).
	Txn *jute.Txn
	// Err is a result code decided before apply (reads that fail early,
	// requests that are rejected without a txn).
	Err jute.Err
	// CloseAfter closes the connection once the reply is written.
	CloseAfter bool

	rec      jute.Record // decoded Data, set by prep or final
	conn     *conn       // origin connection; nil for internal requests
	recvNano int64       // monotonic receive time for latency stats
	internal bool        // issued by the server itself (expirer, reaper)
	timeout  int32       // negotiated timeout for createSession
	reply    []byte      // precomputed reply body (auth)

	// forwarded marks a learner's REQUEST on the leader (prep_role.go).
	forwarded bool
}

// Abort closes the request's client connection, if it has one: its outcome
// is unknown here (a proposal or a forward failed), so the client must
// learn it from a new connection.
func (r *Request) Abort(reason string) {
	if r.conn != nil {
		r.conn.close(reason)
	}
}

// multiOp is one op inside a multi or multiRead request.
type multiOp struct {
	Type jute.Op
	Rec  jute.Record
}

// multiRequest is a decoded MultiRequest (opcode 14 or 22).
type multiRequest struct {
	Ops []multiOp
}

// ErrMarshalling reports an undecodable request record.
var ErrMarshalling = errors.New("node: malformed request record")

// ErrUnknownOp reports an opcode the server does not implement.
var ErrUnknownOp = errors.New("node: unimplemented opcode")

// isMultiWriteOp reports whether an op type may appear in a write multi.
func isMultiWriteOp(t jute.Op) bool {
	switch t {
	case jute.OpCreate, jute.OpCreate2, jute.OpCreateContainer, jute.OpCreateTTL,
		jute.OpDelete, jute.OpSetData, jute.OpCheck:
		return true
	}
	return false
}

// validCreateFlags reports whether flags is a CreateMode.
func validCreateFlags(f int32) bool { return f >= 0 && f <= 6 }

// decodeMulti reads MultiHeader+record pairs up to the done marker. Unknown
// op types, mixed read and write ops and bad create flags are marshalling
// errors, as 3.8's MultiOperationRecord.
func decodeMulti(d *jute.Decoder, read bool) (*multiRequest, error) {
	m := &multiRequest{}
	for {
		var h jute.MultiHeader
		h.Decode(d)
		if d.Err() != nil {
			return nil, d.Err()
		}
		if h.Done {
			return m, nil
		}
		var rec jute.Record
		switch {
		case read && (h.Type == jute.OpGetChildren || h.Type == jute.OpGetData):
			rec = &jute.PathWatchRequest{}
		case !read && isMultiWriteOp(h.Type):
			r, err := newRequestRecord(h.Type)
			if err != nil {
				return nil, err
			}
			rec = r
		default:
			return nil, fmt.Errorf("%w: op type %v not allowed in %s", ErrMarshalling, h.Type, map[bool]string{true: "multiRead", false: "multi"}[read])
		}
		rec.Decode(d)
		if d.Err() != nil {
			return nil, d.Err()
		}
		if c, ok := rec.(*jute.CreateRequest); ok && !validCreateFlags(c.Flags) {
			return nil, fmt.Errorf("%w: create flags %d in multi", ErrMarshalling, c.Flags)
		}
		m.Ops = append(m.Ops, multiOp{Type: h.Type, Rec: rec})
		if len(m.Ops) > 1<<20 {
			return nil, fmt.Errorf("%w: too many ops in multi", ErrMarshalling)
		}
	}
}

// Encode implements jute.Record.
func (m *multiRequest) Encode(e *jute.Encoder) {
	for _, op := range m.Ops {
		h := jute.MultiHeader{Type: op.Type, Done: false, Err: -1}
		h.Encode(e)
		op.Rec.Encode(e)
	}
	end := jute.MultiHeader{Type: -1, Done: true, Err: -1}
	end.Encode(e)
}

// Decode implements jute.Record (write multi).
func (m *multiRequest) Decode(d *jute.Decoder) {
	got, err := decodeMulti(d, false)
	if err != nil {
		d.Fail(err)
		return
	}
	*m = *got
}

// rawPath is the body of deleteContainer: the path bytes without a length.
type rawPath struct{ Path string }

// Encode implements jute.Record.
func (r *rawPath) Encode(e *jute.Encoder) { e.Buf = append(e.Buf, r.Path...) }

// Decode implements jute.Record.
func (r *rawPath) Decode(d *jute.Decoder) {
	r.Path = string(d.Rest())
	for d.Remaining() > 0 {
		d.Byte()
	}
}

// emptyRecord is the body of requests that carry none.
type emptyRecord struct{}

// Encode implements jute.Record.
func (emptyRecord) Encode(*jute.Encoder) {}

// Decode implements jute.Record.
func (emptyRecord) Decode(*jute.Decoder) {}

// newRequestRecord returns an empty request record for an opcode.
func newRequestRecord(op jute.Op) (jute.Record, error) {
	switch op {
	case jute.OpCreate, jute.OpCreate2, jute.OpCreateContainer:
		return &jute.CreateRequest{}, nil
	case jute.OpCreateTTL:
		return &jute.CreateRequest{HasTTL: true}, nil
	case jute.OpDelete, jute.OpCheck:
		return &jute.PathVersionRequest{}, nil
	case jute.OpExists, jute.OpGetData, jute.OpGetChildren, jute.OpGetChildren2:
		return &jute.PathWatchRequest{}, nil
	case jute.OpSetData:
		return &jute.SetDataRequest{}, nil
	case jute.OpGetACL, jute.OpSync, jute.OpGetAllChildrenNumber, jute.OpGetEphemerals:
		return &jute.PathRequest{}, nil
	case jute.OpSetACL:
		return &jute.SetACLRequest{}, nil
	case jute.OpMulti:
		return &multiRequest{}, nil
	case jute.OpMultiRead:
		return &multiReadRequest{}, nil
	case jute.OpReconfig:
		return &jute.ReconfigRequest{}, nil
	case jute.OpCheckWatches, jute.OpRemoveWatches, jute.OpAddWatch:
		return &jute.PathModeRequest{}, nil
	case jute.OpAuth:
		return &jute.AuthPacket{}, nil
	case jute.OpSetWatches:
		return &jute.SetWatches{}, nil
	case jute.OpSetWatches2:
		return &jute.SetWatches{V2: true}, nil
	case jute.OpSASL:
		return &jute.BufferRecord{}, nil
	case jute.OpPing, jute.OpCloseSession, jute.OpWhoAmI:
		return emptyRecord{}, nil
	case jute.OpDeleteContainer:
		return &rawPath{}, nil
	case jute.OpCreateSession:
		return &jute.CreateSessionTxn{}, nil
	}
	return nil, fmt.Errorf("%w: %v", ErrUnknownOp, op)
}

// multiReadRequest is a MultiRequest of read ops (opcode 22).
type multiReadRequest struct{ multiRequest }

// Decode implements jute.Record (read multi).
func (m *multiReadRequest) Decode(d *jute.Decoder) {
	got, err := decodeMulti(d, true)
	if err != nil {
		d.Fail(err)
		return
	}
	m.multiRequest = *got
}

// DecodeRequest decodes the record of a request with opcode op. It returns
// ErrUnknownOp for opcodes the server does not serve and an error wrapping
// ErrMarshalling for malformed bodies. It never panics, whatever the bytes.
func DecodeRequest(op jute.Op, data []byte) (jute.Record, error) {
	rec, err := newRequestRecord(op)
	if err != nil {
		return nil, err
	}
	d := jute.NewDecoder(data)
	rec.Decode(d)
	if d.Err() != nil {
		return nil, fmt.Errorf("%w: %v: %w", ErrMarshalling, op, d.Err())
	}
	return rec, nil
}
