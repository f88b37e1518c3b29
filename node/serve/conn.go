package serve

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
)

// outFrame is one frame queued for a connection's writer.
type outFrame struct {
	b          []byte // payload without the length prefix
	closeAfter bool   // close the connection once written
	raw        bool   // write b as is (4lw text), no length prefix
}

// conn is one client connection: a reader goroutine that decodes frames and
// feeds the pipeline, and a writer goroutine that drains a bounded queue.
type conn struct {
	s      *Server
	nc     net.Conn
	ip     string
	remote string
	log    *slog.Logger

	out     chan outFrame
	done    chan struct{}
	closing atomic.Bool
	// lingering is set once a frame that closes the connection is queued.
	lingering atomic.Bool
	// fourLetter is set when the connection turned out to be a 4lw probe.
	fourLetter atomic.Bool
	once       sync.Once

	slots chan struct{} // per-connection outstanding request slots

	sessionID   atomic.Int64
	timeout     atomic.Int32
	handshake   chan struct{} // closed once the ConnectResponse is queued
	hasReadOnly bool

	authMu sync.Mutex
	auth   []jute.Id

	stats connStats
	est   time.Time
}

// connStats are a connection's counters for cons/stat.
type connStats struct {
	mu                  sync.Mutex
	received, sent      int64
	lastOp              string
	lastCxid, lastZxid  int64
	lastResp            int64
	lastLat, minLat     int64
	maxLat, totLat, cnt int64
}

func (cs *connStats) reset() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.received, cs.sent = 0, 0
	cs.lastOp = "NA"
	cs.lastCxid, cs.lastZxid = -1, -1
	cs.lastLat, cs.minLat, cs.maxLat, cs.totLat, cs.cnt = 0, 0, 0, 0, 0
}

// Notify implements Watcher: queue a notification frame.
func (c *conn) Notify(ev jute.WatcherEvent) {
	hdr := jute.ReplyHeader{Xid: jute.XidNotification, Zxid: -1, Err: jute.ErrOK}
	c.send(outFrame{b: jute.EncodeAll(&hdr, &ev)})
}

// WatcherSession implements Watcher.
func (c *conn) WatcherSession() int64 { return c.sessionID.Load() }

func (c *conn) closed() bool { return c.closing.Load() }

// send queues a frame; a connection whose queue is full (a client that does
// not read) is closed rather than blocking the pipeline.
func (c *conn) send(f outFrame) {
	if c.closed() {
		return
	}
	select {
	case c.out <- f:
	default:
		c.close("send queue full: client is not reading")
	}
}

// close tears the connection down once; reason is logged.
func (c *conn) close(reason string) {
	c.once.Do(func() {
		c.closing.Store(true)
		close(c.done)
		_ = c.nc.Close()
		c.s.connClosed(c)
		level := slog.LevelInfo
		if c.fourLetter.Load() {
			level = slog.LevelDebug // a 4lw probe: one line per probe would flood the log
		}
		c.log.Log(context.Background(), level, "connection closed", "reason", reason, "session", hexID(c.sessionID.Load()))
	})
}

// hexID formats a session id or zxid as ZooKeeper logs it.
func hexID(v int64) string { return fmt.Sprintf("0x%x", uint64(v)) }

func (c *conn) addAuth(ids ...jute.Id) {
	c.authMu.Lock()
	defer c.authMu.Unlock()
	c.auth = append(c.auth, ids...)
}

func (c *conn) authInfo() []jute.Id {
	c.authMu.Lock()
	defer c.authMu.Unlock()
	return append([]jute.Id(nil), c.auth...)
}

// writeLoop drains the queue, flushing when it runs dry.
func (c *conn) writeLoop() {
	w := bufio.NewWriterSize(c.nc, 64<<10)
	var lenBuf [4]byte
	for {
		var f outFrame
		select {
		case f = <-c.out:
		case <-c.done:
			return
		}
		for {
			if !f.raw {
				binary.BigEndian.PutUint32(lenBuf[:], uint32(len(f.b)))
				_, _ = w.Write(lenBuf[:])
			}
			_, _ = w.Write(f.b)
			if f.closeAfter {
				_ = w.Flush()
				c.close("closed by server after reply")
				return
			}
			more := false
			select {
			case f = <-c.out:
				more = true
			default:
			}
			if !more {
				break
			}
		}
		if err := w.Flush(); err != nil {
			c.close(fmt.Sprintf("write: %v", err))
			return
		}
	}
}

// errFrameLen reports a frame length outside [0, jute.maxbuffer].
var errFrameLen = errors.New("node: frame length out of range")

// readFrame reads one length-prefixed frame.
func (c *conn) readFrame(r *bufio.Reader) ([]byte, error) {
	var lenBuf [4]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, err
	}
	return c.readBody(r, int32(binary.BigEndian.Uint32(lenBuf[:])))
}

func (c *conn) readBody(r *bufio.Reader, n int32) ([]byte, error) {
	if n < 0 || int(n) > c.s.maxBuffer {
		return nil, fmt.Errorf("%w: len %d is either a malformed message or too large to process (length is greater than jute.maxbuffer=%d)", errFrameLen, n, c.s.maxBuffer)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}

// lingerAfter queues a last frame; the reader then stops and the writer
// closes the connection once the frame is written.
func (c *conn) lingerAfter(f outFrame) {
	f.closeAfter = true
	c.lingering.Store(true)
	c.send(f)
}

// readLoop runs the connection: 4lw or handshake, then requests.
func (c *conn) readLoop() {
	defer func() {
		if c.lingering.Load() {
			// The writer closes after the last queued frame; bound the wait.
			t := time.NewTimer(5 * time.Second)
			defer t.Stop()
			select {
			case <-c.done:
			case <-t.C:
			}
		}
		c.close("reader finished")
	}()
	r := bufio.NewReaderSize(c.nc, 64<<10)
	// A client must complete its ConnectRequest (or 4lw) within the
	// longest session timeout; afterwards session expiry bounds idleness.
	_ = c.nc.SetReadDeadline(time.Now().Add(time.Duration(c.s.cfg.MaxSessionTimeoutMs()) * time.Millisecond))
	var first [4]byte
	if _, err := io.ReadFull(r, first[:]); err != nil {
		return
	}
	if word := string(first[:]); isFourLetterWord(word) {
		c.s.serveFourLetter(c, word, r)
		return
	}
	body, err := c.readBody(r, int32(binary.BigEndian.Uint32(first[:])))
	if err != nil {
		c.log.Warn("bad connect frame", "err", err)
		return
	}
	var req jute.ConnectRequest
	if err := jute.Decode(body, &req); err != nil {
		c.log.Warn("malformed ConnectRequest, closing", "err", err)
		return
	}
	_ = c.nc.SetReadDeadline(time.Time{})
	c.s.observeConnect(len(body))
	if !c.s.connect(c, &req) {
		return
	}
	select {
	case <-c.handshake:
	case <-c.done:
		return
	}
	for {
		frame, err := c.readFrame(r)
		if err != nil {
			if errors.Is(err, errFrameLen) {
				c.log.Warn("closing connection", "err", err, "session", hexID(c.sessionID.Load()))
			} else if !c.closed() && !errors.Is(err, io.EOF) {
				c.log.Debug("read failed", "err", err)
			}
			return
		}
		if !c.handleFrame(frame) {
			return
		}
	}
}

// handleFrame turns one frame into a pipeline request. False ends the loop.
func (c *conn) handleFrame(frame []byte) bool {
	c.s.observeFrame(len(frame))
	d := jute.NewDecoder(frame)
	var h jute.RequestHeader
	h.Decode(d)
	if d.Err() != nil {
		c.log.Warn("frame shorter than a RequestHeader, closing", "len", len(frame))
		return false
	}
	sid := c.sessionID.Load()
	c.stats.mu.Lock()
	c.stats.received++
	c.stats.mu.Unlock()
	c.s.stats.received.Add(1)
	c.s.sessions.touch(sid, c.s.nowMs())
	r := &Request{Request: leader.Request{SessionID: sid, Cxid: h.Xid, Type: h.Type, Data: d.Rest()}, conn: c, recvNano: time.Now().UnixNano()}
	if _, err := newRequestRecord(h.Type); err != nil || h.Type == jute.OpCreateSession || h.Type == jute.OpNotification {
		c.log.Warn("unimplemented opcode, closing", "op", int32(h.Type), "session", hexID(sid))
		r.Err, r.CloseAfter = jute.ErrUnimplemented, true
	} else if h.Type == jute.OpAuth {
		c.authenticate(r)
	} else if h.Type == jute.OpSASL {
		c.log.Warn("SASL is not supported, closing", "session", hexID(sid))
		r.Err, r.CloseAfter = jute.ErrAuthFailed, true
	}
	if h.Type == jute.OpCloseSession {
		r.CloseAfter = true
	}
	r.AuthInfo = c.authInfo()
	select {
	case c.slots <- struct{}{}:
	case <-c.done:
		return false
	}
	closeAfter := r.CloseAfter // r belongs to the pipeline once submitted
	if closeAfter {
		c.lingering.Store(true)
	}
	if !c.s.submit(r) {
		return false
	}
	return !closeAfter
}

// authenticate handles an auth packet on the reader, so that later requests
// of this connection carry the new identity; the reply still goes through
// the pipeline to keep replies in order.
func (c *conn) authenticate(r *Request) {
	var a jute.AuthPacket
	if err := jute.Decode(r.Data, &a); err != nil {
		r.Err, r.CloseAfter = jute.ErrAuthFailed, true
		c.s.stats.authFailed.Add(1)
		return
	}
	ids, err := c.s.auth.authenticate(a.Scheme, a.Auth)
	if err != nil {
		c.log.Warn("authentication failed", "scheme", a.Scheme, "err", err, "session", hexID(c.sessionID.Load()))
		r.Err, r.CloseAfter = jute.ErrAuthFailed, true
		c.s.stats.authFailed.Add(1)
		return
	}
	c.addAuth(ids...)
	c.log.Info("authenticated", "scheme", a.Scheme, "session", hexID(c.sessionID.Load()))
}
