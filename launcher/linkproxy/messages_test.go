package linkproxy

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/zkctl/zkctl/launcher/wiremsg"
)

// fakeMessages frames as election connections do, holds messages until
// released when hold is set, drops payloads starting with "drop" and
// duplicates those starting with "dupl".
type fakeMessages struct {
	mu      sync.Mutex
	hold    bool
	quiet   bool
	release chan struct{}
	written []string
}

func (f *fakeMessages) Framer(bool) wiremsg.Framer { return &wiremsg.ElectionFramer{} }

func (f *fakeMessages) Admit(fwd bool, fr wiremsg.Frame, read time.Time, done <-chan struct{}) (Verdict, bool) {
	f.mu.Lock()
	hold, rel := f.hold, f.release
	f.mu.Unlock()
	if hold {
		select {
		case <-rel:
		case <-done:
			return Verdict{}, false
		}
	}
	switch string(fr.Data[4:8]) {
	case "drop":
		return Verdict{Copies: 0}, true
	case "dupl":
		return Verdict{Copies: 2}, true
	}
	return Verdict{Copies: 1}, true
}

func (f *fakeMessages) Quiet() bool { return f.quiet }

func (f *fakeMessages) Written(fwd bool, fr wiremsg.Frame, v Verdict) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.written = append(f.written, string(fr.Data[4:])+"x"+string(rune('0'+v.Copies)))
}

func frame(s string) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(s))), s...) }

func startMessageProxy(t *testing.T, target string, m MessageConn) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(ln, Config{Name: "msg", Target: target, Forward: NewDirection(nil), Back: NewDirection(nil),
		Messages: func() MessageConn { return m }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// A message split across writes is still one message; dropped and
// duplicated messages go whole, and the rest of the stream is untouched.
func TestProxy_MessagesDropAndDuplicateWholeFrames(t *testing.T) {
	be := newBackend(t)
	m := &fakeMessages{}
	p := startMessageProxy(t, be.ln.Addr().String(), m)
	c := dial(t, p)
	stream := bytes.Join([][]byte{frame("keep-1"), frame("drop-2"), frame("dupl-3"), frame("keep-4")}, nil)
	if _, err := c.Write(stream[:7]); err != nil {
		t.Fatal(err)
	}
	s := be.accept(t, 2*time.Second)
	time.Sleep(20 * time.Millisecond)
	if _, err := c.Write(stream[7:]); err != nil {
		t.Fatal(err)
	}
	want := bytes.Join([][]byte{frame("keep-1"), frame("dupl-3"), frame("dupl-3"), frame("keep-4")}, nil)
	if got := readN(t, s, len(want), 2*time.Second); !bytes.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	// Back direction: raw bytes that cannot be framed pass as they are.
	if _, err := s.Write([]byte{0xff, 0xff, 0xff, 0xff, 1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if got := readN(t, c, 7, 2*time.Second); !bytes.Equal(got, []byte{0xff, 0xff, 0xff, 0xff, 1, 2, 3}) {
		t.Fatalf("opaque bytes changed: %x", got)
	}
	time.Sleep(20 * time.Millisecond)
	m.mu.Lock()
	defer m.mu.Unlock()
	// Each direction reports in its own order; the two interleave.
	var fwd []string
	for _, w := range m.written {
		if w[0] != 1 {
			fwd = append(fwd, w)
		}
	}
	if len(m.written) != 5 || len(fwd) != 4 || fwd[0] != "keep-1x1" || fwd[1] != "drop-2x0" || fwd[2] != "dupl-3x2" || fwd[3] != "keep-4x1" {
		t.Fatalf("written %q", m.written)
	}
}

// A held message is not written, not even in part, until released.
func TestProxy_MessagesHeldUntilReleased(t *testing.T) {
	be := newBackend(t)
	m := &fakeMessages{hold: true, release: make(chan struct{})}
	p := startMessageProxy(t, be.ln.Addr().String(), m)
	c := dial(t, p)
	if _, err := c.Write(frame("keep-1")); err != nil {
		t.Fatal(err)
	}
	s := be.accept(t, 2*time.Second)
	expectSilence(t, s, 150*time.Millisecond)
	close(m.release)
	if got := readN(t, s, 10, 2*time.Second); !bytes.Equal(got, frame("keep-1")) {
		t.Fatalf("got %q", got)
	}
}

// With nothing held or faulted, queued frames go out together, unchanged
// and each reported.
func TestProxy_MessagesQuietBatches(t *testing.T) {
	be := newBackend(t)
	m := &fakeMessages{quiet: true}
	p := startMessageProxy(t, be.ln.Addr().String(), m)
	c := dial(t, p)
	var stream []byte
	for i := range 500 {
		stream = append(stream, frame(fmt.Sprintf("keep-%03d", i))...)
	}
	if _, err := c.Write(stream); err != nil {
		t.Fatal(err)
	}
	s := be.accept(t, 2*time.Second)
	if got := readN(t, s, len(stream), 2*time.Second); !bytes.Equal(got, stream) {
		t.Fatal("stream changed")
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		m.mu.Lock()
		n := len(m.written)
		m.mu.Unlock()
		if n == 500 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d frames reported, want 500", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
