package launcher

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"testing"

	"github.com/zkctl/zkctl/jute"
)

func handshake(ver, sid int64, addr string) []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(ver))
	b = binary.BigEndian.AppendUint64(b, uint64(sid))
	b = binary.BigEndian.AppendUint32(b, uint32(len(addr)))
	return append(b, addr...)
}

func TestElectionHandshakePrefix_RewritesAddress(t *testing.T) {
	in := append(handshake(jute.ElectionProtocolV1, 3, "127.0.0.1:21833"), "NOTIFICATION"...)
	r := bufio.NewReader(bytes.NewReader(in))
	head, err := electionHandshakePrefix("127.0.0.1:22031")(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := handshake(jute.ElectionProtocolV1, 3, "127.0.0.1:22031"); !bytes.Equal(head, want) {
		t.Fatalf("head %x, want %x", head, want)
	}
	rest, _ := io.ReadAll(r)
	if string(rest) != "NOTIFICATION" {
		t.Fatalf("rest %q", rest)
	}
	// A pre-3.5 handshake (sid only) passes through.
	old := binary.BigEndian.AppendUint64(nil, 5)
	head, err = electionHandshakePrefix("x:1")(bufio.NewReader(bytes.NewReader(old)))
	if err != nil || !bytes.Equal(head, old) {
		t.Fatalf("old handshake: %x %v", head, err)
	}
}

// FuzzElectionHandshakePrefix checks that the rewrite never panics, never
// loses bytes it does not understand, and always rewrites a well-formed
// handshake.
func FuzzElectionHandshakePrefix(f *testing.F) {
	f.Add(handshake(jute.ElectionProtocolV1, 1, "127.0.0.1:3888"))
	f.Add(handshake(jute.ElectionProtocolV2, 2, "a:1|b:2"))
	f.Add(handshake(jute.ElectionProtocolV1, 1, ""))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 7})
	f.Add([]byte{0xff, 0xff})
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReader(bytes.NewReader(in))
		head, err := electionHandshakePrefix("127.0.0.1:9")(r)
		rest, _ := io.ReadAll(r)
		out := append(append([]byte(nil), head...), rest...)
		if len(in) >= 20 {
			ver := int64(binary.BigEndian.Uint64(in))
			alen := int32(binary.BigEndian.Uint32(in[16:]))
			if (ver == jute.ElectionProtocolV1 || ver == jute.ElectionProtocolV2) && alen > 0 && alen <= jute.ElectionMaxAddrLen && len(in) >= 20+int(alen) &&
				len(bytes.TrimSpace(in[20:20+alen])) > 0 {
				want := append(handshake(jute.ElectionProtocolV1, int64(binary.BigEndian.Uint64(in[8:])), "127.0.0.1:9"), in[20+alen:]...)
				if err != nil || !bytes.Equal(out, want) {
					t.Fatalf("rewrite of %x = %x, %v; want %x", in, out, err, want)
				}
				return
			}
		}
		if !bytes.Equal(out, in) {
			t.Fatalf("bytes changed: in %x out %x (err %v)", in, out, err)
		}
	})
}
