package bench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkctl/zkctl/jute"
)

// ProbeCreate is one write attempt from a fresh client: it dials addr, opens
// a new session, creates the persistent node path with an empty payload and
// closes the session. It returns nil only when the server answered the create
// with no error, so a nil error means the ensemble committed two
// transactions (createSession and create) through its leader.
func ProbeCreate(ctx context.Context, addr, path string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("bench: probe %s: %w", addr, err)
	}
	defer c.Close()
	dl, _ := ctx.Deadline()
	if err := c.SetDeadline(dl); err != nil {
		return fmt.Errorf("bench: probe %s: %w", addr, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Now()) })
	defer stop()

	conn := &jute.ConnectRequest{TimeOut: int32(max(timeout, 4*time.Second) / time.Millisecond), Passwd: make([]byte, 16)}
	if err := writeFrame(c, jute.Encode(conn)); err != nil {
		return fmt.Errorf("bench: probe %s: connect: %w", addr, err)
	}
	b, err := readFrame(c)
	if err != nil {
		return fmt.Errorf("bench: probe %s: connect response: %w", addr, err)
	}
	var cr jute.ConnectResponse
	if err := jute.Decode(b, &cr); err != nil {
		return fmt.Errorf("bench: probe %s: connect response: %w", addr, err)
	}
	if cr.SessionID == 0 {
		return fmt.Errorf("bench: probe %s: session refused", addr)
	}
	req := &jute.CreateRequest{Path: path, ACL: []jute.ACL{{Perms: 31, ID: jute.Id{Scheme: "world", ID: "anyone"}}}}
	if err := writeFrame(c, jute.EncodeAll(&jute.RequestHeader{Xid: 1, Type: jute.OpCreate}, req)); err != nil {
		return fmt.Errorf("bench: probe %s: create: %w", addr, err)
	}
	for {
		b, err := readFrame(c)
		if err != nil {
			return fmt.Errorf("bench: probe %s: create reply: %w", addr, err)
		}
		var h jute.ReplyHeader
		d := jute.NewDecoder(b)
		h.Decode(d)
		if d.Err() != nil {
			return fmt.Errorf("bench: probe %s: create reply: %w", addr, d.Err())
		}
		if h.Xid != 1 { // a notification or ping answer
			continue
		}
		if h.Err != 0 {
			return fmt.Errorf("bench: probe %s: create %s: %v", addr, path, h.Err)
		}
		_ = writeFrame(c, jute.Encode(&jute.RequestHeader{Xid: 2, Type: jute.OpCloseSession}))
		return nil
	}
}

func writeFrame(w io.Writer, payload []byte) error {
	frame := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(payload)), uint32(len(payload)))
	_, err := w.Write(append(frame, payload...))
	return err
}

func readFrame(r io.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > 1<<20 {
		return nil, fmt.Errorf("frame of %d bytes", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}

// FirstWrite is a client connected to every address in addrs that keeps
// retrying creates until one succeeds: every `every`, for each address, it
// starts a ProbeCreate of a fresh node under prefix (at most 8 attempts in
// flight per address, each bounded by attemptTimeout). It returns when the
// first create was acknowledged, with that moment and the address that took
// it, or ctx's error.
func FirstWrite(ctx context.Context, addrs []string, prefix string, every, attemptTimeout time.Duration) (time.Time, string, error) {
	if len(addrs) == 0 {
		return time.Time{}, "", errors.New("bench: FirstWrite: no addresses")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type win struct {
		at   time.Time
		addr string
	}
	won := make(chan win, 1)
	var seq atomic.Int64
	var wg sync.WaitGroup
	for _, a := range addrs {
		wg.Go(func() {
			slots := make(chan struct{}, 8)
			t := time.NewTicker(every)
			defer t.Stop()
			for {
				select {
				case slots <- struct{}{}:
					wg.Go(func() {
						defer func() { <-slots }()
						path := fmt.Sprintf("%s-%d", prefix, seq.Add(1))
						if ProbeCreate(ctx, a, path, attemptTimeout) == nil {
							select {
							case won <- win{time.Now(), a}:
							default:
							}
							cancel()
						}
					})
				case <-ctx.Done():
					return
				}
				select {
				case <-t.C:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	var w win
	var err error
	select {
	case w = <-won:
	case <-ctx.Done():
		select {
		case w = <-won:
		default:
			err = fmt.Errorf("bench: no write accepted by %v: %w", addrs, ctx.Err())
		}
	}
	cancel()
	wg.Wait()
	return w.at, w.addr, err
}
