package jute

import "fmt"

// TxnHeader starts every logged transaction (28 bytes).
type TxnHeader struct {
	ClientID int64
	Cxid     int32
	Zxid     int64
	Time     int64
	Type     Op
}

// Encode implements Record.
func (r *TxnHeader) Encode(e *Encoder) {
	e.Long(r.ClientID)
	e.Int(r.Cxid)
	e.Long(r.Zxid)
	e.Long(r.Time)
	e.Int(int32(r.Type))
}

// Decode implements Record.
func (r *TxnHeader) Decode(d *Decoder) {
	r.ClientID = d.Long()
	r.Cxid = d.Int()
	r.Zxid = d.Long()
	r.Time = d.Long()
	r.Type = Op(d.Int())
}

// TxnDigest optionally follows a txn in the log: the tree digest after it.
type TxnDigest struct {
	Version    int32
	TreeDigest int64
}

// Encode implements Record.
func (r *TxnDigest) Encode(e *Encoder) { e.Int(r.Version); e.Long(r.TreeDigest) }

// Decode implements Record.
func (r *TxnDigest) Decode(d *Decoder) { r.Version = d.Int(); r.TreeDigest = d.Long() }

// CreateTxn records a create/create2. ParentCVersion is the parent's internal
// cversion after the create; -1 when read from a legacy CreateTxnV0.
type CreateTxn struct {
	Path           string
	Data           []byte
	ACL            []ACL
	Ephemeral      bool
	ParentCVersion int32
}

// Encode implements Record.
func (r *CreateTxn) Encode(e *Encoder) {
	e.String(r.Path)
	e.Buffer(r.Data)
	EncodeACLs(e, r.ACL)
	e.Bool(r.Ephemeral)
	e.Int(r.ParentCVersion)
}

// Decode implements Record; a body that ends after Ephemeral is CreateTxnV0.
func (r *CreateTxn) Decode(d *Decoder) {
	r.Path = d.String()
	r.Data = d.Buffer()
	r.ACL = DecodeACLs(d)
	r.Ephemeral = d.Bool()
	r.ParentCVersion = -1
	if d.Err() == nil && d.Remaining() >= 4 {
		r.ParentCVersion = d.Int()
	}
}

// CreateContainerTxn records a createContainer.
type CreateContainerTxn struct {
	Path           string
	Data           []byte
	ACL            []ACL
	ParentCVersion int32
}

// Encode implements Record.
func (r *CreateContainerTxn) Encode(e *Encoder) {
	e.String(r.Path)
	e.Buffer(r.Data)
	EncodeACLs(e, r.ACL)
	e.Int(r.ParentCVersion)
}

// Decode implements Record.
func (r *CreateContainerTxn) Decode(d *Decoder) {
	r.Path = d.String()
	r.Data = d.Buffer()
	r.ACL = DecodeACLs(d)
	r.ParentCVersion = d.Int()
}

// CreateTTLTxn records a createTTL.
type CreateTTLTxn struct {
	Path           string
	Data           []byte
	ACL            []ACL
	ParentCVersion int32
	TTL            int64
}

// Encode implements Record.
func (r *CreateTTLTxn) Encode(e *Encoder) {
	e.String(r.Path)
	e.Buffer(r.Data)
	EncodeACLs(e, r.ACL)
	e.Int(r.ParentCVersion)
	e.Long(r.TTL)
}

// Decode implements Record.
func (r *CreateTTLTxn) Decode(d *Decoder) {
	r.Path = d.String()
	r.Data = d.Buffer()
	r.ACL = DecodeACLs(d)
	r.ParentCVersion = d.Int()
	r.TTL = d.Long()
}

// DeleteTxn records a delete or deleteContainer.
type DeleteTxn struct{ Path string }

// Encode implements Record.
func (r *DeleteTxn) Encode(e *Encoder) { e.String(r.Path) }

// Decode implements Record.
func (r *DeleteTxn) Decode(d *Decoder) { r.Path = d.String() }

// SetDataTxn records a setData (and reconfig). Version is the new version.
type SetDataTxn struct {
	Path    string
	Data    []byte
	Version int32
}

// Encode implements Record.
func (r *SetDataTxn) Encode(e *Encoder) { e.String(r.Path); e.Buffer(r.Data); e.Int(r.Version) }

// Decode implements Record.
func (r *SetDataTxn) Decode(d *Decoder) {
	r.Path = d.String()
	r.Data = d.Buffer()
	r.Version = d.Int()
}

// CheckVersionTxn records a check inside a multi.
type CheckVersionTxn struct {
	Path    string
	Version int32
}

// Encode implements Record.
func (r *CheckVersionTxn) Encode(e *Encoder) { e.String(r.Path); e.Int(r.Version) }

// Decode implements Record.
func (r *CheckVersionTxn) Decode(d *Decoder) { r.Path = d.String(); r.Version = d.Int() }

// SetACLTxn records a setACL. Version is the new aversion.
type SetACLTxn struct {
	Path    string
	ACL     []ACL
	Version int32
}

// Encode implements Record.
func (r *SetACLTxn) Encode(e *Encoder) { e.String(r.Path); EncodeACLs(e, r.ACL); e.Int(r.Version) }

// Decode implements Record.
func (r *SetACLTxn) Decode(d *Decoder) {
	r.Path = d.String()
	r.ACL = DecodeACLs(d)
	r.Version = d.Int()
}

// CreateSessionTxn records a new session and its negotiated timeout (ms).
type CreateSessionTxn struct{ TimeOut int32 }

// Encode implements Record.
func (r *CreateSessionTxn) Encode(e *Encoder) { e.Int(r.TimeOut) }

// Decode implements Record.
func (r *CreateSessionTxn) Decode(d *Decoder) { r.TimeOut = d.Int() }

// CloseSessionTxn records a session close and the ephemerals it deletes.
// An empty body (older writers) decodes as no paths.
type CloseSessionTxn struct{ Paths2Delete []string }

// Encode implements Record.
func (r *CloseSessionTxn) Encode(e *Encoder) { e.Strings(r.Paths2Delete) }

// Decode implements Record.
func (r *CloseSessionTxn) Decode(d *Decoder) {
	if d.Remaining() == 0 {
		return
	}
	r.Paths2Delete = d.Strings()
}

// ErrorTxn records a failed write (or a failed op inside a multi).
type ErrorTxn struct{ Err Err }

// Encode implements Record.
func (r *ErrorTxn) Encode(e *Encoder) { e.Int(int32(r.Err)) }

// Decode implements Record.
func (r *ErrorTxn) Decode(d *Decoder) { r.Err = Err(d.Int()) }

// SubTxn is one op of a MultiTxn: its type and the encoded sub-record.
type SubTxn struct {
	Type Op
	Data []byte
}

// MultiTxn records a multi: one SubTxn per op.
type MultiTxn struct{ Txns []SubTxn }

// Encode implements Record.
func (r *MultiTxn) Encode(e *Encoder) {
	e.Int(int32(len(r.Txns)))
	for _, t := range r.Txns {
		e.Int(int32(t.Type))
		e.Buffer(t.Data)
	}
}

// Decode implements Record.
func (r *MultiTxn) Decode(d *Decoder) {
	n := d.VectorLen(8)
	r.Txns = nil
	for i := 0; i < n && d.Err() == nil; i++ {
		r.Txns = append(r.Txns, SubTxn{Type: Op(d.Int()), Data: d.Buffer()})
	}
}

// NewTxnRecord returns an empty record for a txn type, or an error for a type
// that never appears at the top level of a log.
func NewTxnRecord(t Op) (Record, error) {
	switch t {
	case OpCreate, OpCreate2:
		return &CreateTxn{}, nil
	case OpCreateContainer:
		return &CreateContainerTxn{}, nil
	case OpCreateTTL:
		return &CreateTTLTxn{}, nil
	case OpDelete, OpDeleteContainer:
		return &DeleteTxn{}, nil
	case OpSetData, OpReconfig:
		return &SetDataTxn{}, nil
	case OpSetACL:
		return &SetACLTxn{}, nil
	case OpCheck:
		return &CheckVersionTxn{}, nil
	case OpMulti:
		return &MultiTxn{}, nil
	case OpCreateSession:
		return &CreateSessionTxn{}, nil
	case OpCloseSession:
		return &CloseSessionTxn{}, nil
	case OpError:
		return &ErrorTxn{}, nil
	}
	return nil, fmt.Errorf("jute: no txn record for type %v", t)
}

// Txn is one decoded transaction: header, body and optional digest.
type Txn struct {
	Hdr    TxnHeader
	Body   Record
	Digest *TxnDigest
}

// Encode writes header, body and digest (if any) — the bytes of a log record
// payload, of a PROPOSAL's data and of an INFORM.
func (t *Txn) Encode(e *Encoder) {
	t.Hdr.Encode(e)
	if t.Body != nil {
		t.Body.Encode(e)
	}
	if t.Digest != nil {
		t.Digest.Encode(e)
	}
}

// Decode reads a txn payload; the digest is read when enough bytes remain.
func (t *Txn) Decode(d *Decoder) {
	t.Hdr.Decode(d)
	if d.Err() != nil {
		return
	}
	body, err := NewTxnRecord(t.Hdr.Type)
	if err != nil {
		d.Fail(err)
		return
	}
	body.Decode(d)
	t.Body = body
	if d.Err() == nil && d.Remaining() >= 12 {
		t.Digest = &TxnDigest{}
		t.Digest.Decode(d)
	}
}

// DecodeTxn decodes a log-record payload.
func DecodeTxn(b []byte) (*Txn, error) {
	t := &Txn{}
	if err := Decode(b, t); err != nil {
		return nil, fmt.Errorf("decode txn: %w", err)
	}
	return t, nil
}

// FileHeader starts txn log (magic ZKLG) and snapshot (magic ZKSN) files.
type FileHeader struct {
	Magic   int32
	Version int32
	DBID    int64
}

// File magics and version.
const (
	TxnLogMagic   int32 = 0x5A4B4C47
	SnapshotMagic int32 = 0x5A4B534E
	FileVersion   int32 = 2
)

// Encode implements Record.
func (r *FileHeader) Encode(e *Encoder) { e.Int(r.Magic); e.Int(r.Version); e.Long(r.DBID) }

// Decode implements Record.
func (r *FileHeader) Decode(d *Decoder) { r.Magic = d.Int(); r.Version = d.Int(); r.DBID = d.Long() }
