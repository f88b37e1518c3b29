package tests

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/zkctl/zkctl/jute"
)

// rawClient speaks the client protocol directly with jute records, for the
// requests go-zookeeper cannot send (create2's Stat, getAllChildrenNumber,
// getEphemerals, paths it would reject client-side). Synchronous: one request
// in flight; watch notifications are skipped.
type rawClient struct {
	c         net.Conn
	xid       int32
	sessionID int64
}

func dialRaw(addr string) (*rawClient, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("raw dial %s: %w", addr, err)
	}
	r := &rawClient{c: c}
	req := &jute.ConnectRequest{TimeOut: 30000, Passwd: make([]byte, 16)}
	if err := r.write(jute.Encode(req)); err != nil {
		c.Close()
		return nil, err
	}
	b, err := r.read()
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("raw connect response: %w", err)
	}
	var resp jute.ConnectResponse
	if err := jute.Decode(b, &resp); err != nil {
		c.Close()
		return nil, fmt.Errorf("raw connect response: %w", err)
	}
	if resp.SessionID == 0 {
		c.Close()
		return nil, fmt.Errorf("raw connect: session refused")
	}
	r.sessionID = resp.SessionID
	return r, nil
}

func (r *rawClient) write(payload []byte) error {
	_ = r.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	frame := binary.BigEndian.AppendUint32(nil, uint32(len(payload)))
	if _, err := r.c.Write(append(frame, payload...)); err != nil {
		return fmt.Errorf("raw write: %w", err)
	}
	return nil
}

func (r *rawClient) read() ([]byte, error) {
	_ = r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var hdr [4]byte
	if _, err := io.ReadFull(r.c, hdr[:]); err != nil {
		return nil, fmt.Errorf("raw read length: %w", err)
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > 4<<20 {
		return nil, fmt.Errorf("raw read: frame of %d bytes", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r.c, b); err != nil {
		return nil, fmt.Errorf("raw read frame: %w", err)
	}
	return b, nil
}

// call sends one request and decodes the reply body into resp (may be nil).
// It returns the reply's zxid and error code; a transport failure is err.
func (r *rawClient) call(op jute.Op, req, resp jute.Record) (int64, jute.Err, error) {
	r.xid++
	hdr := jute.RequestHeader{Xid: r.xid, Type: op}
	recs := []jute.Record{&hdr}
	if req != nil {
		recs = append(recs, req)
	}
	if err := r.write(jute.EncodeAll(recs...)); err != nil {
		return 0, 0, err
	}
	for {
		b, err := r.read()
		if err != nil {
			return 0, 0, err
		}
		d := jute.NewDecoder(b)
		var rh jute.ReplyHeader
		rh.Decode(d)
		if d.Err() != nil {
			return 0, 0, fmt.Errorf("raw reply header: %w", d.Err())
		}
		if rh.Xid == -1 || rh.Xid == -2 { // notification or ping
			continue
		}
		if rh.Xid != r.xid {
			return 0, 0, fmt.Errorf("raw reply xid %d, want %d", rh.Xid, r.xid)
		}
		if rh.Err == 0 && resp != nil {
			resp.Decode(d)
			if d.Err() != nil {
				return rh.Zxid, rh.Err, fmt.Errorf("raw reply body of %v: %w", op, d.Err())
			}
		}
		return rh.Zxid, rh.Err, nil
	}
}

func (r *rawClient) close() {
	_, _, _ = r.call(jute.OpCloseSession, nil, nil)
	r.c.Close()
}
