package qcm

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// logBuf collects slog output so tests can assert on warnings.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuf) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(l.String(), s) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("log never contained %q:\n%s", s, l.String())
}

func newManager(t *testing.T, sid int64, logs *logBuf, hsTimeout time.Duration) *Manager {
	t.Helper()
	if logs == nil {
		logs = &logBuf{}
	}
	m, err := New(Config{Sid: sid, Listen: "127.0.0.1:0", ConnectTimeout: 2 * time.Second, HandshakeTimeout: hsTimeout,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// newCluster starts n Managers with sids 1..n on 127.0.0.1 that know each other.
func newCluster(t *testing.T, n int) []*Manager {
	ms := make([]*Manager, n)
	peers := map[int64]string{}
	logs := &logBuf{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("manager logs:\n%s", logs)
		}
	})
	for i := range ms {
		ms[i] = newManager(t, int64(i+1), logs, 0)
		peers[int64(i+1)] = ms[i].Addr()
	}
	for _, m := range ms {
		m.SetPeers(peers)
		m.Start()
	}
	return ms
}

func recvOne(t *testing.T, m *Manager, within time.Duration) Message {
	t.Helper()
	select {
	case msg := <-m.Recv():
		return msg
	case <-time.After(within):
		t.Fatalf("sid %d received nothing within %v", m.cfg.Sid, within)
	}
	return Message{}
}

func waitConnected(t *testing.T, m *Manager, want []int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if slices.Equal(m.Connected(), want) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("sid %d connected to %v, want %v", m.cfg.Sid, m.Connected(), want)
}

// Every manager reaches every other one (and itself). As FLE does, senders
// repeat every 200 ms until delivered: 3.8's rule that a connection from a
// smaller sid kills the existing one and calls back can, with concurrent
// dials, leave a pair unconnected until the next send.
func TestManager_AllToAll(t *testing.T) {
	ms := newCluster(t, 3)
	got := make([]map[int64]string, len(ms))
	for i := range got {
		got[i] = map[int64]string{}
	}
	done := func() bool {
		for _, g := range got {
			if len(g) < len(ms) {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(10 * time.Second)
	for !done() && time.Now().Before(deadline) {
		for _, from := range ms {
			for _, to := range ms {
				if err := from.Send(to.cfg.Sid, fmt.Appendf(nil, "%d->%d", from.cfg.Sid, to.cfg.Sid)); err != nil {
					t.Fatal(err)
				}
			}
		}
		timeout := time.After(200 * time.Millisecond)
	drain:
		for {
			for i, m := range ms {
				select {
				case msg := <-m.Recv():
					got[i][msg.Sid] = string(msg.Payload)
					continue drain
				default:
					_ = i
				}
			}
			select {
			case <-timeout:
				break drain
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	for i, to := range ms {
		for _, from := range ms {
			if want := fmt.Sprintf("%d->%d", from.cfg.Sid, to.cfg.Sid); got[i][from.cfg.Sid] != want {
				t.Errorf("sid %d from %d: %q, want %q", to.cfg.Sid, from.cfg.Sid, got[i][from.cfg.Sid], want)
			}
		}
	}
	// Once traffic settles, exactly one connection per pair remains.
	waitConnected(t, ms[0], []int64{2, 3})
	waitConnected(t, ms[1], []int64{1, 3})
	waitConnected(t, ms[2], []int64{1, 2})
}

// fakePeer dials m claiming sid and returns the raw connection.
func fakeDial(t *testing.T, m *Manager, hs Handshake) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", m.Addr(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if _, err := c.Write(hs.Encode()); err != nil {
		t.Fatal(err)
	}
	return c
}

func expectClosed(t *testing.T, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := io.ReadAll(c)
	// EOF or a reset (we closed with unread input) both mean closed.
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection not closed by the manager: %v", err)
	}
}

func frame(b []byte) []byte { return appendFrame(nil, b) }

// Reference: QuorumCnxManager.handleConnection — a larger sid keeps its
// connection; messages flow both ways on it.
func TestManager_AcceptsLargerSid(t *testing.T) {
	m := newManager(t, 2, nil, 0)
	m.SetPeers(map[int64]string{1: "127.0.0.1:1", 3: "127.0.0.1:1"})
	m.Start()
	c := fakeDial(t, m, Handshake{Version: ProtocolVersionV1, Sid: 3, Addrs: []string{"127.0.0.1:9"}})
	if _, err := c.Write(frame([]byte("hello"))); err != nil {
		t.Fatal(err)
	}
	if msg := recvOne(t, m, 5*time.Second); msg.Sid != 3 || string(msg.Payload) != "hello" {
		t.Fatalf("got %+v", msg)
	}
	if err := m.Send(3, []byte("back")); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := readFrame(c)
	if err != nil || string(got) != "back" {
		t.Fatalf("read %q %v", got, err)
	}
}

// Reference: handleConnection, sid < self: close and connect back, with
// the 3.8 handshake.
func TestManager_SmallerSidClosedAndCalledBack(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	m := newManager(t, 5, nil, 0)
	m.SetPeers(map[int64]string{1: ln.Addr().String()})
	m.Start()
	c := fakeDial(t, m, Handshake{Version: ProtocolVersionV1, Sid: 1, Addrs: []string{ln.Addr().String()}})
	expectClosed(t, c)
	_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(5 * time.Second))
	back, err := ln.Accept()
	if err != nil {
		t.Fatalf("no connect-back: %v", err)
	}
	defer back.Close()
	_ = back.SetReadDeadline(time.Now().Add(5 * time.Second))
	hs, err := ReadHandshake(back)
	if err != nil || hs.Sid != 5 || hs.Version != ProtocolVersionV1 || !slices.Equal(hs.Addrs, []string{m.Addr()}) {
		t.Fatalf("connect-back handshake %+v %v", hs, err)
	}
}

// Reference: docs/quorum-reference.md §2.4 — unknown sids.
func TestManager_UnknownSids(t *testing.T) {
	logs := &logBuf{}
	m := newManager(t, 5, logs, 0)
	m.SetPeers(map[int64]string{1: "127.0.0.1:1"})
	m.Start()
	// Larger unknown sid: kept, delivered (3.8).
	c := fakeDial(t, m, Handshake{Version: ProtocolVersionV1, Sid: 9, Addrs: []string{"127.0.0.1:9"}})
	_, _ = c.Write(frame([]byte("from 9")))
	if msg := recvOne(t, m, 5*time.Second); msg.Sid != 9 {
		t.Fatalf("got %+v", msg)
	}
	logs.waitFor(t, "not in the config")
	// Smaller unknown sid: closed, no call-back.
	c2 := fakeDial(t, m, Handshake{Version: ProtocolVersionV1, Sid: 2, Addrs: []string{"127.0.0.1:9"}})
	expectClosed(t, c2)
	logs.waitFor(t, "Invalid server id")
	// Sending to an unknown sid queues but never dials.
	if err := m.Send(42, []byte("x")); err != nil {
		t.Fatal(err)
	}
	logs.waitFor(t, "sid=42")
}

// Bad input on accepted connections is dropped with a log line and the
// manager keeps working.
func TestManager_BadInputDropped(t *testing.T) {
	logs := &logBuf{}
	m := newManager(t, 5, logs, 300*time.Millisecond)
	m.SetPeers(map[int64]string{})
	m.Start()

	garbage, err := net.Dial("tcp", m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer garbage.Close()
	// "GET / HT" reads as a positive int64: a pre-3.5 sid, as in 3.8; the
	// rest then fails as a frame.
	_, _ = garbage.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	expectClosed(t, garbage)
	logs.waitFor(t, "bad frame length: 1414541105")
	garbage2, err := net.Dial("tcp", m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer garbage2.Close()
	_, _ = garbage2.Write(bytes.Repeat([]byte{0xfe}, 64))
	expectClosed(t, garbage2)
	logs.waitFor(t, "unknown protocol version")

	// Oversize frame after a good handshake.
	big := fakeDial(t, m, Handshake{Version: ProtocolVersionV1, Sid: 7, Addrs: []string{"127.0.0.1:7"}})
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], PacketMaxSize+1)
	_, _ = big.Write(hdr[:])
	expectClosed(t, big)
	logs.waitFor(t, "bad frame length: 524289")

	// Zero-length frame.
	zero := fakeDial(t, m, Handshake{Version: ProtocolVersionV1, Sid: 8, Addrs: []string{"127.0.0.1:8"}})
	_, _ = zero.Write([]byte{0, 0, 0, 0})
	expectClosed(t, zero)
	logs.waitFor(t, "bad frame length: 0")

	// A peer that connects and stalls is dropped after the handshake timeout.
	stall, err := net.Dial("tcp", m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer stall.Close()
	start := time.Now()
	expectClosed(t, stall)
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("stalled peer dropped only after %v", d)
	}

	// A peer claiming my sid.
	self := fakeDial(t, m, Handshake{Version: ProtocolVersionV1, Sid: 5, Addrs: []string{"127.0.0.1:5"}})
	expectClosed(t, self)
	logs.waitFor(t, "claims my own sid")

	// Still working: a good peer gets through.
	good := fakeDial(t, m, Handshake{Version: ProtocolVersionV1, Sid: 6, Addrs: []string{"127.0.0.1:6"}})
	_, _ = good.Write(frame([]byte("ok")))
	if msg := recvOne(t, m, 5*time.Second); msg.Sid != 6 || string(msg.Payload) != "ok" {
		t.Fatalf("got %+v", msg)
	}
}

// A second connection claiming an already-connected sid from another
// address is an impostor: dropped, and the first keeps working.
func TestManager_ImpostorDropped(t *testing.T) {
	logs := &logBuf{}
	m := newManager(t, 1, logs, 0)
	m.SetPeers(map[int64]string{3: "127.0.0.1:1"})
	m.Start()
	real := fakeDial(t, m, Handshake{Version: ProtocolVersionV1, Sid: 3, Addrs: []string{"127.0.0.1:3003"}})
	_, _ = real.Write(frame([]byte("real")))
	recvOne(t, m, 5*time.Second)
	fake := fakeDial(t, m, Handshake{Version: ProtocolVersionV1, Sid: 3, Addrs: []string{"127.0.0.1:6666"}})
	expectClosed(t, fake)
	logs.waitFor(t, "sid already connected from another address")
	_, _ = real.Write(frame([]byte("still")))
	if msg := recvOne(t, m, 5*time.Second); string(msg.Payload) != "still" {
		t.Fatalf("got %+v", msg)
	}
	// The same peer reconnecting (same address) replaces its old connection.
	again := fakeDial(t, m, Handshake{Version: ProtocolVersionV1, Sid: 3, Addrs: []string{"127.0.0.1:3003"}})
	expectClosed(t, real)
	_, _ = again.Write(frame([]byte("again")))
	if msg := recvOne(t, m, 5*time.Second); string(msg.Payload) != "again" {
		t.Fatalf("got %+v", msg)
	}
}

// Reference: SEND_CAPACITY 1 and SendWorker's resend of lastMessageSent.
func TestManager_SendQueueKeepsNewestAndResends(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	m := newManager(t, 2, nil, 0)
	// Peer 1 is "down": its address refuses until we accept. Queue three
	// messages while no connection exists.
	m.SetPeers(map[int64]string{1: "127.0.0.1:1"})
	m.Start()
	for _, s := range []string{"a", "b", "c"} {
		if err := m.Send(1, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if m.HaveDelivered() {
		t.Fatal("HaveDelivered with a full queue")
	}
	// Peer 1 comes up; the next ConnectAll reaches it.
	m.SetPeers(map[int64]string{1: ln.Addr().String()})
	deadline := time.Now().Add(5 * time.Second)
	var c net.Conn
	for c == nil && time.Now().Before(deadline) {
		m.ConnectAll()
		_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(200 * time.Millisecond))
		c, _ = ln.Accept()
	}
	if c == nil {
		t.Fatal("never connected")
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := ReadHandshake(c); err != nil {
		t.Fatal(err)
	}
	got, err := readFrame(c)
	if err != nil || string(got) != "c" {
		t.Fatalf("first frame %q %v, want only the newest", got, err)
	}
	// Drop the connection; on reconnect the last message is sent again.
	_ = c.Close()
	waitConnected(t, m, nil)
	var c2 net.Conn
	deadline = time.Now().Add(5 * time.Second)
	for c2 == nil && time.Now().Before(deadline) {
		m.ConnectAll()
		_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(200 * time.Millisecond))
		c2, _ = ln.Accept()
	}
	if c2 == nil {
		t.Fatal("never reconnected")
	}
	defer c2.Close()
	_ = c2.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := ReadHandshake(c2); err != nil {
		t.Fatal(err)
	}
	if got, err := readFrame(c2); err != nil || string(got) != "c" {
		t.Fatalf("resent %q %v", got, err)
	}
}

func TestManager_SendRejectsBadPayloadAndClosed(t *testing.T) {
	m := newManager(t, 1, nil, 0)
	if err := m.Send(2, nil); err == nil {
		t.Fatal("empty payload accepted")
	}
	if err := m.Send(2, make([]byte, PacketMaxSize+1)); err == nil {
		t.Fatal("oversize payload accepted")
	}
	_ = m.Close()
	if err := m.Send(2, []byte("x")); err != ErrClosed {
		t.Fatalf("after close: %v", err)
	}
	if _, ok := <-m.Recv(); ok {
		t.Fatal("Recv not closed")
	}
}
