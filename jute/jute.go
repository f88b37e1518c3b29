// Package jute implements ZooKeeper's binary record encoding ("jute binary
// archive") and every record zkctl exchanges with clients, with other servers
// and with the data files on disk.
//
// All numbers are big-endian. Strings, buffers and vectors carry an int32
// length prefix where -1 means null. The package imports only the standard
// library so that every other package may use it.
package jute

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// DefaultMaxBuffer is ZooKeeper's default jute.maxbuffer: the largest frame a
// server accepts, in bytes.
const DefaultMaxBuffer = 0xfffff

// DefaultMaxFieldLen bounds a single string or buffer inside a record:
// jute.maxbuffer plus the default extrasize (another maxbuffer). It is
// also the default length limit of a txn log record.
const DefaultMaxFieldLen = 2 * DefaultMaxBuffer

// MaxRecordLen is 3.8's BinaryInputArchive limit for a field read back from
// disk or a peer: maxBuffer + extraSize, where extraSize < 0 means "equal
// to maxBuffer" (3.8's default) and anything below 1024 counts as 1024,
// capped at 2^31-1.
func MaxRecordLen(maxBuffer, extraSize int) int {
	if extraSize < 0 {
		extraSize = maxBuffer
	}
	extraSize = max(extraSize, 1024)
	if int64(maxBuffer)+int64(extraSize) > math.MaxInt32 {
		return math.MaxInt32
	}
	return maxBuffer + extraSize
}

// ErrShort is returned when a record needs more bytes than the input holds.
var ErrShort = errors.New("jute: unexpected end of record")

// ErrLength is returned for a negative (other than -1) or unreasonable length.
var ErrLength = errors.New("jute: unreasonable length")

// Record is anything that can be written to and read from the jute encoding.
type Record interface {
	// Encode appends the record's fields to e.
	Encode(e *Encoder)
	// Decode reads the record's fields from d; errors are kept in d.
	Decode(d *Decoder)
}

// Encoder appends jute-encoded values to a byte slice. It never fails.
type Encoder struct {
	// Buf holds the bytes written so far.
	Buf []byte
}

// NewEncoder returns an encoder that appends to buf (which may be nil).
func NewEncoder(buf []byte) *Encoder { return &Encoder{Buf: buf} }

// Bytes returns the encoded bytes.
func (e *Encoder) Bytes() []byte { return e.Buf }

// Len returns the number of bytes written so far.
func (e *Encoder) Len() int { return len(e.Buf) }

// Bool writes a boolean as one byte, 0 or 1.
func (e *Encoder) Bool(v bool) {
	if v {
		e.Buf = append(e.Buf, 1)
	} else {
		e.Buf = append(e.Buf, 0)
	}
}

// Byte writes one byte.
func (e *Encoder) Byte(v byte) { e.Buf = append(e.Buf, v) }

// Int writes a signed 32-bit integer.
func (e *Encoder) Int(v int32) { e.Buf = binary.BigEndian.AppendUint32(e.Buf, uint32(v)) }

// Long writes a signed 64-bit integer.
func (e *Encoder) Long(v int64) { e.Buf = binary.BigEndian.AppendUint64(e.Buf, uint64(v)) }

// String writes a ustring. zkctl never writes a null string: go-zookeeper
// cannot decode length -1, so the empty string is written with length 0.
func (e *Encoder) String(s string) {
	e.Int(int32(len(s)))
	e.Buf = append(e.Buf, s...)
}

// Buffer writes a byte buffer; a nil slice is written as null (length -1).
func (e *Encoder) Buffer(b []byte) {
	if b == nil {
		e.Int(-1)
		return
	}
	e.Int(int32(len(b)))
	e.Buf = append(e.Buf, b...)
}

// Strings writes a vector of ustrings (never null: nil is written as empty).
func (e *Encoder) Strings(v []string) {
	e.Int(int32(len(v)))
	for _, s := range v {
		e.String(s)
	}
}

// Record writes a nested record.
func (e *Encoder) Record(r Record) { r.Encode(e) }

// Encode returns the encoding of r as a fresh byte slice.
func Encode(r Record) []byte {
	e := Encoder{Buf: make([]byte, 0, 64)}
	r.Encode(&e)
	return e.Buf
}

// EncodeAll returns the concatenated encodings of the records.
func EncodeAll(rs ...Record) []byte {
	e := Encoder{Buf: make([]byte, 0, 64)}
	for _, r := range rs {
		if r != nil {
			r.Encode(&e)
		}
	}
	return e.Buf
}

// Decoder reads jute-encoded values from a byte slice. The first error sticks:
// later reads return zero values, and Err reports it.
type Decoder struct {
	buf []byte
	off int
	err error
	// MaxFieldLen bounds each string, buffer and vector length.
	MaxFieldLen int
}

// NewDecoder returns a decoder over buf with the default field limit, raised
// to len(buf): a field that fits in the buffer is never refused. The buffer
// itself is already bounded by whoever read it (the client frame by
// jute.maxbuffer, a log record or proposal by jute.maxbuffer + extrasize),
// and 3.8 checks fields against maxbuffer + extrasize, which is at least
// those bounds; so with jute.maxbuffer raised, a 3 MB setData decodes as in
// 3.8 instead of failing a fixed 2 MB check.
func NewDecoder(buf []byte) *Decoder {
	return &Decoder{buf: buf, MaxFieldLen: max(DefaultMaxFieldLen, len(buf))}
}

// Err returns the first error met, or nil.
func (d *Decoder) Err() error { return d.err }

// Offset returns how many bytes have been consumed.
func (d *Decoder) Offset() int { return d.off }

// Remaining returns how many bytes are left.
func (d *Decoder) Remaining() int { return len(d.buf) - d.off }

// Rest returns the unread bytes without consuming them.
func (d *Decoder) Rest() []byte { return d.buf[d.off:] }

// Fail records err as the decoder's error unless one is already recorded.
func (d *Decoder) Fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *Decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || d.off+n > len(d.buf) {
		d.err = fmt.Errorf("%w: need %d bytes at offset %d, have %d", ErrShort, n, d.off, len(d.buf)-d.off)
		return nil
	}
	b := d.buf[d.off : d.off+n]
	d.off += n
	return b
}

// Bool reads a boolean; any non-zero byte is true.
func (d *Decoder) Bool() bool {
	b := d.take(1)
	return b != nil && b[0] != 0
}

// Byte reads one byte.
func (d *Decoder) Byte() byte {
	b := d.take(1)
	if b == nil {
		return 0
	}
	return b[0]
}

// Int reads a signed 32-bit integer.
func (d *Decoder) Int() int32 {
	b := d.take(4)
	if b == nil {
		return 0
	}
	return int32(binary.BigEndian.Uint32(b))
}

// Long reads a signed 64-bit integer.
func (d *Decoder) Long() int64 {
	b := d.take(8)
	if b == nil {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}

func (d *Decoder) length(what string) (n int, null bool) {
	l := d.Int()
	if d.err != nil {
		return 0, true
	}
	if l == -1 {
		return 0, true
	}
	max := d.MaxFieldLen
	if max <= 0 {
		max = math.MaxInt32
	}
	if l < 0 || int(l) > max {
		d.err = fmt.Errorf("%w: %s length %d at offset %d", ErrLength, what, l, d.off-4)
		return 0, true
	}
	return int(l), false
}

// String reads a ustring; null (-1) reads as the empty string.
func (d *Decoder) String() string {
	n, null := d.length("string")
	if null {
		return ""
	}
	return string(d.take(n))
}

// Buffer reads a byte buffer; null reads as nil and empty as a non-nil empty slice.
func (d *Decoder) Buffer() []byte {
	n, null := d.length("buffer")
	if null {
		return nil
	}
	b := d.take(n)
	if b == nil {
		return nil
	}
	out := make([]byte, n)
	copy(out, b)
	return out
}

// VectorLen reads a vector count; null reads as 0. Each element needs at least
// minElem bytes, which bounds the count by the remaining input.
func (d *Decoder) VectorLen(minElem int) int {
	n, null := d.length("vector")
	if null {
		return 0
	}
	if minElem < 1 {
		minElem = 1
	}
	if n > d.Remaining()/minElem {
		d.Fail(fmt.Errorf("%w: vector of %d elements in %d bytes", ErrShort, n, d.Remaining()))
		return 0
	}
	return n
}

// Strings reads a vector of ustrings; null reads as nil.
func (d *Decoder) Strings() []string {
	n := d.VectorLen(4)
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, d.String())
	}
	return out
}

// Record reads a nested record.
func (d *Decoder) Record(r Record) { r.Decode(d) }

// Decode decodes r from b and returns an error if b is malformed. Trailing
// bytes are allowed (ZooKeeper ignores them); use DecodeExact to forbid them.
func Decode(b []byte, r Record) error {
	d := NewDecoder(b)
	r.Decode(d)
	return d.Err()
}

// DecodeExact decodes r from b and fails if bytes are left over.
func DecodeExact(b []byte, r Record) error {
	d := NewDecoder(b)
	r.Decode(d)
	if d.Err() != nil {
		return d.Err()
	}
	if d.Remaining() != 0 {
		return fmt.Errorf("jute: %d trailing bytes after %T", d.Remaining(), r)
	}
	return nil
}
