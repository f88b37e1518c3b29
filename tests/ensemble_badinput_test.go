package tests

import (
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/jute"
)

// Bad input on the leader's quorum port (garbage, an oversize packet, a
// FOLLOWERINFO from an unknown sid, a learner that connects and stalls) is
// dropped; the leader keeps its role and the ensemble keeps serving writes.
func TestEnsembleZkctl_QuorumPortBadInput(t *testing.T) {
	srvs := zkproc.StartEnsemble(t, 3, zkctlEnsembleOptions)
	lead := waitRoles(t, srvs, 30*time.Second)
	addr := fmt.Sprintf("127.0.0.1:%d", lead.Member().QuorumPort)
	dial := func() net.Conn {
		nc, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatalf("dial quorum port: %v", err)
		}
		t.Cleanup(func() { nc.Close() })
		return nc
	}
	// Garbage.
	g := dial()
	_, _ = g.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	// Oversize packet: FOLLOWERINFO claiming a 2 GiB data buffer.
	o := dial()
	hdr := binary.BigEndian.AppendUint32(nil, uint32(jute.PacketFollowerInfo))
	hdr = binary.BigEndian.AppendUint64(hdr, 0)
	hdr = binary.BigEndian.AppendUint32(hdr, 0x7fffffff)
	_, _ = o.Write(hdr)
	// Unknown sid.
	u := dial()
	li := jute.LearnerInfo{ServerID: 99, ProtocolVersion: jute.ProtocolVersion}
	_, _ = u.Write(jute.Encode(&jute.QuorumPacket{Type: jute.PacketFollowerInfo, Zxid: 0, Data: jute.Encode(&li)}))
	// Stall: connect and say nothing.
	dial()

	for _, nc := range []net.Conn{g, o} {
		_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := nc.Read(make([]byte, 64)); err == nil {
			t.Fatalf("leader answered bad input on %v", nc.LocalAddr())
		}
	}
	// Writes still commit through a follower, and the leader still leads.
	c := mustConnect(t, others(srvs, lead)[0])
	acked := writeN(t, c, "/after-bad-input", 10)
	c.Close()
	checkAll(t, srvs, acked)
	time.Sleep(time.Duration(10*zkctlEnsembleOptions.TickTime+500) * time.Millisecond) // past initLimit: the staller is dropped
	if p := peerOf(lead); p == nil || p.State != adminapi.StateLeading {
		t.Fatalf("leader %s lost its role after bad input: %+v", lead.Name(), p)
	}
	if now := waitRoles(t, srvs, 10*time.Second); now != lead {
		t.Fatalf("leader changed from %s to %s", lead.Name(), now.Name())
	}
	log := lead.Log()
	for _, want := range []string{"dropping learner", "bad quorum packet"} {
		if !strings.Contains(log, want) {
			t.Errorf("leader log has no %q line", want)
		}
	}
}
