package jute

// Id names an authenticated identity or an ACL subject: scheme and id, e.g.
// ("world", "anyone") or ("digest", "user:base64hash").
type Id struct {
	Scheme string
	ID     string
}

// Encode implements Record.
func (r *Id) Encode(e *Encoder) { e.String(r.Scheme); e.String(r.ID) }

// Decode implements Record.
func (r *Id) Decode(d *Decoder) { r.Scheme = d.String(); r.ID = d.String() }

// Permission bits of an ACL entry.
const (
	PermRead   int32 = 1 << 0
	PermWrite  int32 = 1 << 1
	PermCreate int32 = 1 << 2
	PermDelete int32 = 1 << 3
	PermAdmin  int32 = 1 << 4
	PermAll    int32 = 0x1f
)

// ACL is one access-control entry: permission bits for an Id.
type ACL struct {
	Perms int32
	ID    Id
}

// Encode implements Record.
func (r *ACL) Encode(e *Encoder) { e.Int(r.Perms); r.ID.Encode(e) }

// Decode implements Record.
func (r *ACL) Decode(d *Decoder) { r.Perms = d.Int(); r.ID.Decode(d) }

// OpenACLUnsafe is world:anyone with every permission.
func OpenACLUnsafe() []ACL { return []ACL{{Perms: PermAll, ID: Id{"world", "anyone"}}} }

// ReadACLUnsafe is world:anyone with READ only.
func ReadACLUnsafe() []ACL { return []ACL{{Perms: PermRead, ID: Id{"world", "anyone"}}} }

// EncodeACLs writes a vector of ACL entries.
func EncodeACLs(e *Encoder, acls []ACL) {
	e.Int(int32(len(acls)))
	for i := range acls {
		acls[i].Encode(e)
	}
}

// DecodeACLs reads a vector of ACL entries (null reads as nil).
func DecodeACLs(d *Decoder) []ACL {
	n := d.VectorLen(12)
	if n == 0 {
		return nil
	}
	out := make([]ACL, n)
	for i := range out {
		out[i].Decode(d)
	}
	return out
}

// Stat is the metadata of a znode as clients see it (68 bytes on the wire).
type Stat struct {
	Czxid          int64
	Mzxid          int64
	Ctime          int64
	Mtime          int64
	Version        int32
	Cversion       int32
	Aversion       int32
	EphemeralOwner int64
	DataLength     int32
	NumChildren    int32
	Pzxid          int64
}

// Encode implements Record.
func (r *Stat) Encode(e *Encoder) {
	e.Long(r.Czxid)
	e.Long(r.Mzxid)
	e.Long(r.Ctime)
	e.Long(r.Mtime)
	e.Int(r.Version)
	e.Int(r.Cversion)
	e.Int(r.Aversion)
	e.Long(r.EphemeralOwner)
	e.Int(r.DataLength)
	e.Int(r.NumChildren)
	e.Long(r.Pzxid)
}

// Decode implements Record.
func (r *Stat) Decode(d *Decoder) {
	r.Czxid = d.Long()
	r.Mzxid = d.Long()
	r.Ctime = d.Long()
	r.Mtime = d.Long()
	r.Version = d.Int()
	r.Cversion = d.Int()
	r.Aversion = d.Int()
	r.EphemeralOwner = d.Long()
	r.DataLength = d.Int()
	r.NumChildren = d.Int()
	r.Pzxid = d.Long()
}

// StatPersisted is the metadata of a znode as snapshots store it: Stat
// without dataLength and numChildren, and with the internal cversion.
type StatPersisted struct {
	Czxid          int64
	Mzxid          int64
	Ctime          int64
	Mtime          int64
	Version        int32
	Cversion       int32
	Aversion       int32
	EphemeralOwner int64
	Pzxid          int64
}

// Encode implements Record.
func (r *StatPersisted) Encode(e *Encoder) {
	e.Long(r.Czxid)
	e.Long(r.Mzxid)
	e.Long(r.Ctime)
	e.Long(r.Mtime)
	e.Int(r.Version)
	e.Int(r.Cversion)
	e.Int(r.Aversion)
	e.Long(r.EphemeralOwner)
	e.Long(r.Pzxid)
}

// Decode implements Record.
func (r *StatPersisted) Decode(d *Decoder) {
	r.Czxid = d.Long()
	r.Mzxid = d.Long()
	r.Ctime = d.Long()
	r.Mtime = d.Long()
	r.Version = d.Int()
	r.Cversion = d.Int()
	r.Aversion = d.Int()
	r.EphemeralOwner = d.Long()
	r.Pzxid = d.Long()
}

// Zxid helpers: epoch in the high 32 bits, counter in the low 32 bits.

// MakeZxid builds a zxid from an epoch and a counter.
func MakeZxid(epoch int64, counter int64) int64 { return epoch<<32 | (counter & 0xffffffff) }

// EpochOf returns the epoch part of a zxid.
func EpochOf(zxid int64) int64 { return zxid >> 32 }

// CounterOf returns the counter part of a zxid.
func CounterOf(zxid int64) int64 { return zxid & 0xffffffff }
