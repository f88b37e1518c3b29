package linkproxy

import (
	"bufio"
	"errors"
	"io"
	"math/rand"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// backend accepts connections on 127.0.0.1 and hands them to the test.
type backend struct {
	ln    net.Listener
	conns chan net.Conn
}

func newBackend(t *testing.T) *backend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &backend{ln: ln, conns: make(chan net.Conn, 16)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(b.conns)
				return
			}
			b.conns <- c
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return b
}

func (b *backend) accept(t *testing.T, within time.Duration) net.Conn {
	t.Helper()
	select {
	case c := <-b.conns:
		t.Cleanup(func() { c.Close() })
		return c
	case <-time.After(within):
		t.Fatalf("backend: no connection within %v", within)
		return nil
	}
}

func (b *backend) expectNone(t *testing.T, within time.Duration) {
	t.Helper()
	select {
	case c := <-b.conns:
		c.Close()
		t.Fatal("backend got a connection while the link was cut")
	case <-time.After(within):
	}
}

func startProxy(t *testing.T, target string, fwd, back *Direction, prefix Prefix) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(ln, Config{Name: "test", Target: target, Forward: fwd, Back: back, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func dial(t *testing.T, p *Proxy) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", p.Addr().String(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func readN(t *testing.T, c net.Conn, n int, within time.Duration) []byte {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(within))
	buf := make([]byte, n)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatalf("read %d bytes: %v", n, err)
	}
	_ = c.SetReadDeadline(time.Time{})
	return buf
}

func expectSilence(t *testing.T, c net.Conn, within time.Duration) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(within))
	buf := make([]byte, 1)
	n, err := c.Read(buf)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("expected nothing within %v, got n=%d err=%v", within, n, err)
	}
	_ = c.SetReadDeadline(time.Time{})
}

func TestProxy_ForwardsBothWays(t *testing.T) {
	b := newBackend(t)
	p := startProxy(t, b.ln.Addr().String(), NewDirection(nil), NewDirection(nil), nil)
	c := dial(t, p)
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	s := b.accept(t, 2*time.Second)
	if got := string(readN(t, s, 4, 2*time.Second)); got != "ping" {
		t.Fatalf("backend got %q", got)
	}
	if _, err := s.Write([]byte("pong")); err != nil {
		t.Fatal(err)
	}
	if got := string(readN(t, c, 4, 2*time.Second)); got != "pong" {
		t.Fatalf("client got %q", got)
	}
	// A FIN from the client reaches the backend as EOF.
	c.(*net.TCPConn).CloseWrite()
	_ = s.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, err := s.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("backend read after FIN: n=%d err=%v", n, err)
	}
}

func TestProxy_CutHoldsBytesAndCloseThenHealDeliversInOrder(t *testing.T) {
	b := newBackend(t)
	fwd, back := NewDirection(nil), NewDirection(nil)
	p := startProxy(t, b.ln.Addr().String(), fwd, back, nil)
	c := dial(t, p)
	c.Write([]byte("a"))
	s := b.accept(t, 2*time.Second)
	readN(t, s, 1, 2*time.Second)

	fwd.Set(State{Mode: Cut})
	want := make([]byte, 0, 3000)
	for i := range 1000 {
		msg := []byte{byte('0' + i%10), byte('a' + i%26), '\n'}
		want = append(want, msg...)
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
	}
	c.(*net.TCPConn).CloseWrite() // the FIN must be held too
	expectSilence(t, s, 300*time.Millisecond)

	// The back direction still flows while only forward is cut.
	s.Write([]byte("r"))
	if got := string(readN(t, c, 1, 2*time.Second)); got != "r" {
		t.Fatalf("back direction got %q", got)
	}

	fwd.Set(State{Mode: OK})
	_ = s.SetReadDeadline(time.Now().Add(3 * time.Second))
	got, err := io.ReadAll(s)
	if err != nil {
		t.Fatalf("read after heal: %v", err)
	}
	if string(got) != string(want) {
		t.Fatalf("after heal got %d bytes, want %d in order", len(got), len(want))
	}
}

func TestProxy_CutHoldsNewDialsUntilHeal(t *testing.T) {
	b := newBackend(t)
	fwd, back := NewDirection(nil), NewDirection(nil)
	back.Set(State{Mode: Cut}) // either direction cut holds the dial
	p := startProxy(t, b.ln.Addr().String(), fwd, back, nil)
	c := dial(t, p)
	c.Write([]byte("hello"))
	b.expectNone(t, 300*time.Millisecond)
	back.Set(State{Mode: OK})
	s := b.accept(t, 2*time.Second)
	if got := string(readN(t, s, 5, 2*time.Second)); got != "hello" {
		t.Fatalf("got %q", got)
	}
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF)
}

func TestProxy_RejectResetsExistingAndNewConnections(t *testing.T) {
	b := newBackend(t)
	fwd, back := NewDirection(nil), NewDirection(nil)
	p := startProxy(t, b.ln.Addr().String(), fwd, back, nil)
	c := dial(t, p)
	c.Write([]byte("x"))
	s := b.accept(t, 2*time.Second)
	readN(t, s, 1, 2*time.Second)

	fwd.Set(State{Mode: Reject})
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err := c.Read(make([]byte, 1))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("client read after reject: %v, want connection reset", err)
	}
	_ = s.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := s.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("backend read after reject: %v, want connection reset", err)
	}

	// A new connection is reset, during the dial or at the first read.
	c2, err := net.DialTimeout("tcp", p.Addr().String(), time.Second)
	if err == nil {
		defer c2.Close()
		_ = c2.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, err = c2.Read(make([]byte, 1))
	}
	if !isReset(err) {
		t.Fatalf("new connection under reject: %v, want reset", err)
	}
	b.expectNone(t, 100*time.Millisecond)
}

func TestProxy_SlowAddsDelay(t *testing.T) {
	b := newBackend(t)
	fwd, back := NewDirection(rand.New(rand.NewSource(7))), NewDirection(nil)
	p := startProxy(t, b.ln.Addr().String(), fwd, back, nil)
	c := dial(t, p)
	c.Write([]byte("a"))
	s := b.accept(t, 2*time.Second)
	readN(t, s, 1, 2*time.Second)

	const delay, jitter = 200 * time.Millisecond, 50 * time.Millisecond
	fwd.Set(State{Mode: Slow, Delay: delay, Jitter: jitter})
	start := time.Now()
	c.Write([]byte("b"))
	readN(t, s, 1, 3*time.Second)
	if el := time.Since(start); el < delay-jitter {
		t.Fatalf("slow link delivered after %v, want at least %v", el, delay-jitter)
	}
	// The other direction is not slowed.
	start = time.Now()
	s.Write([]byte("c"))
	readN(t, c, 1, 3*time.Second)
	if el := time.Since(start); el > 100*time.Millisecond {
		t.Fatalf("back direction took %v", el)
	}
}

func TestProxy_PrefixRewritesStartOfStream(t *testing.T) {
	b := newBackend(t)
	prefix := func(r *bufio.Reader) ([]byte, error) {
		head := make([]byte, 3)
		if _, err := io.ReadFull(r, head); err != nil {
			return head, err
		}
		return []byte("XYZW"), nil
	}
	p := startProxy(t, b.ln.Addr().String(), NewDirection(nil), NewDirection(nil), prefix)
	c := dial(t, p)
	c.Write([]byte("abcdef"))
	s := b.accept(t, 2*time.Second)
	if got := string(readN(t, s, 7, 2*time.Second)); got != "XYZWdef" {
		t.Fatalf("got %q", got)
	}
}

func TestProxy_CloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	b := newBackend(t)
	fwd, back := NewDirection(nil), NewDirection(nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(ln, Config{Name: "leak", Target: b.ln.Addr().String(), Forward: fwd, Back: back})
	if err != nil {
		t.Fatal(err)
	}
	var clients []net.Conn
	for range 5 {
		c, err := net.Dial("tcp", p.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("x"))
		clients = append(clients, c)
	}
	for range 5 {
		b.accept(t, 2*time.Second)
	}
	fwd.Set(State{Mode: Cut})
	c, _ := net.Dial("tcp", p.Addr().String()) // held dial
	clients = append(clients, c)
	time.Sleep(50 * time.Millisecond)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		c.Close()
	}
	b.ln.Close()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before+1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+1 {
		buf := make([]byte, 1<<16)
		t.Fatalf("goroutines: %d before, %d after Close\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func TestParseMode(t *testing.T) {
	for _, m := range []Mode{OK, Cut, Slow, Reject} {
		got, err := ParseMode(m.String())
		if err != nil || got != m {
			t.Fatalf("ParseMode(%q) = %v, %v", m.String(), got, err)
		}
	}
	if _, err := ParseMode("drop"); err == nil {
		t.Fatal("ParseMode(drop) succeeded")
	}
}

// TestProxy_RefusedTargetRetriedUntilItListens checks that a dial to a
// target that starts listening a little later succeeds through the proxy,
// as a client retrying a refused connect would, instead of the proxy
// resetting the already-accepted client connection at once.
func TestProxy_RefusedTargetRetriedUntilItListens(t *testing.T) {
	// Reserve a port, then free it so the first dials are refused.
	tmp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := tmp.Addr().String()
	tmp.Close()
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(pl, Config{Name: "refused", Target: target, RefusedRetry: 2 * time.Second,
		Forward: NewDirection(nil), Back: NewDirection(nil)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.DialTimeout("tcp", p.Addr().String(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	time.Sleep(300 * time.Millisecond)
	ln, err := net.Listen("tcp", target)
	if err != nil {
		t.Skipf("target port taken meanwhile: %v", err)
	}
	defer ln.Close()
	go func() {
		s, err := ln.Accept()
		if err != nil {
			return
		}
		_, _ = s.Write([]byte("hello"))
		s.Close()
	}()
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "hello" {
		t.Fatalf("want hello through the proxy after the target came up, got %q %v", buf, err)
	}
}
