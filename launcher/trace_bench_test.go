package launcher

import (
	"io"
	"net"
	"testing"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/launcher/linkproxy"
)

// benchProxy pumps b.N PROPOSAL packets of about 150 bytes through a quorum
// proxy, framed and decoded (trace) or as plain bytes.
func benchProxy(b *testing.B, trace bool) {
	be, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	got := make(chan int64, 1)
	go func() {
		c, err := be.Accept()
		if err != nil {
			return
		}
		n, _ := io.Copy(io.Discard, c)
		got <- n
	}()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	cfg := linkproxy.Config{Name: "quorum 1->2", Target: be.Addr().String(), Forward: linkproxy.NewDirection(nil), Back: linkproxy.NewDirection(nil)}
	var t *tracer
	if trace {
		t = newTracer(false)
		if err := t.start(b.TempDir()); err != nil {
			b.Fatal(err)
		}
		cfg.Messages = t.messages(cfg.Name, MsgZab, 1, 2)
	}
	p, err := linkproxy.New(ln, cfg)
	if err != nil {
		b.Fatal(err)
	}
	c, err := net.Dial("tcp", p.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	txn := jute.EncodeAll(&jute.TxnHeader{ClientID: 1, Cxid: 2, Zxid: 3, Type: jute.OpSetData}, &jute.SetDataTxn{Path: "/bench/key-0001", Data: make([]byte, 100)})
	pkt := jute.Encode(&jute.QuorumPacket{Type: jute.PacketProposal, Zxid: 0x100000001, Data: txn})
	burst := make([]byte, 0, 32*len(pkt))
	for range 32 {
		burst = append(burst, pkt...)
	}
	b.SetBytes(int64(len(pkt)))
	b.ResetTimer()
	for i := 0; i < b.N; i += 32 {
		if _, err := c.Write(burst); err != nil {
			b.Fatal(err)
		}
	}
	c.(*net.TCPConn).CloseWrite()
	<-got
	b.StopTimer()
	c.Close()
	p.Close()
	if t != nil {
		t.close()
		b.ReportMetric(float64(t.dropped.Load())/float64(b.N), "undecoded/op")
	}
}

func BenchmarkProxy_Raw(b *testing.B)   { benchProxy(b, false) }
func BenchmarkProxy_Trace(b *testing.B) { benchProxy(b, true) }
