package zabconn

import (
	"bufio"
	"bytes"
	"errors"
	"testing"

	"github.com/zkctl/zkctl/jute"
)

func TestReadQuorumPacket_RoundTrip(t *testing.T) {
	pkts := []jute.QuorumPacket{
		{Type: jute.PacketUpToDate, Zxid: -1},
		{Type: jute.PacketProposal, Zxid: 0x100000001, Data: []byte("txn")},
		{Type: jute.PacketRequest, Zxid: -1, Data: []byte{1, 2}, AuthInfo: []jute.Id{{Scheme: "ip", ID: "127.0.0.1"}}},
	}
	var buf bytes.Buffer
	for i := range pkts {
		buf.Write(EncodePacket(&pkts[i]))
	}
	r := bufio.NewReader(&buf)
	for i, want := range pkts {
		got, err := ReadPacket(r, 1<<20)
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		if got.Type != want.Type || got.Zxid != want.Zxid || !bytes.Equal(got.Data, want.Data) || len(got.AuthInfo) != len(want.AuthInfo) {
			t.Fatalf("packet %d: got %+v want %+v", i, got, want)
		}
	}
}

func TestReadQuorumPacket_Oversize(t *testing.T) {
	p := jute.QuorumPacket{Type: jute.PacketProposal, Zxid: 1, Data: make([]byte, 100)}
	_, err := ReadPacket(bufio.NewReader(bytes.NewReader(EncodePacket(&p))), 99)
	if !errors.Is(err, ErrPacket) {
		t.Fatalf("oversize packet: err = %v, want ErrPacket", err)
	}
}

func TestSnapTrailer(t *testing.T) {
	if err := ReadSnapTrailer(bufio.NewReader(bytes.NewReader(AppendSnapTrailer(nil)))); err != nil {
		t.Fatal(err)
	}
	if err := ReadSnapTrailer(bufio.NewReader(bytes.NewReader([]byte{0, 0, 0, 2, 'n', 'o'}))); err == nil {
		t.Fatal("wrong trailer accepted")
	}
}

// FuzzReadQuorumPacket feeds arbitrary bytes to the leader/learner stream
// reader: it must return packets or an error, never panic or over-allocate.
func FuzzReadQuorumPacket(f *testing.F) {
	p := jute.QuorumPacket{Type: jute.PacketRequest, Zxid: -1, Data: []byte{1}, AuthInfo: []jute.Id{{Scheme: "ip", ID: "x"}}}
	f.Add(EncodePacket(&p))
	f.Add([]byte{0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff})
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bufio.NewReader(bytes.NewReader(b))
		for range 64 {
			got, err := ReadPacket(r, 4096)
			if err != nil {
				return
			}
			if len(got.Data) > 4096 || len(got.AuthInfo) > maxAuthIDs {
				t.Fatalf("limits exceeded: %d data bytes, %d ids", len(got.Data), len(got.AuthInfo))
			}
		}
	})
}
