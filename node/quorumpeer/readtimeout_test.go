package quorumpeer

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/node/serve"
	"github.com/zkctl/zkctl/node/zabconn"
	"github.com/zkctl/zkctl/node/zkconfig"
)

// TestLearnerReadTimeout: before NEWLEADER the learner's reader tolerates
// initLimit ticks of leader silence, after it only syncLimit ticks (3.8's
// Learner sets SO_TIMEOUT to tickTime*syncLimit at NEWLEADER). Real
// sockets on 127.0.0.1; the fake leader is silent for 6 ticks before
// NEWLEADER (survives initLimit 20, would not survive syncLimit 2), then
// silent for good: the reader must give up after about 2 ticks, well
// before 20.
func TestLearnerReadTimeout(t *testing.T) {
	const tick = 50 * time.Millisecond
	cfg := &zkconfig.Config{InitLimit: 20, SyncLimit: 2}
	p := &Peer{
		srv:  serve.New(cfg, nil, serve.Options{MaxBuffer: jute.DefaultMaxBuffer}),
		cfg:  cfg,
		tick: tick,
	}
	rd := p.leaderReader()
	if got := rd.InitTimeout; got != 20*tick {
		t.Errorf("timeout before NEWLEADER = %v, want %v", got, 20*tick)
	}
	if got := rd.SyncTimeout; got != 2*tick {
		t.Errorf("timeout after NEWLEADER = %v, want %v", got, 2*tick)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	lc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer lc.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	recv := make(chan zabconn.Event, 16)
	done := make(chan struct{})
	go func() { defer close(done); rd.Run(ctx, nc, recv) }()
	defer func() { cancel(); _ = nc.Close(); <-done }()

	write := func(pkt jute.QuorumPacket) {
		t.Helper()
		if _, err := lc.Write(zabconn.EncodePacket(&pkt)); err != nil {
			t.Fatalf("leader write %v: %v", pkt.Type, err)
		}
	}
	expect := func(want jute.PacketType) {
		t.Helper()
		select {
		case ev := <-recv:
			if ev.Err != nil || ev.Pkt.Type != want {
				t.Fatalf("got %v (err %v), want %v", ev.Pkt.Type, ev.Err, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %v within 5 s", want)
		}
	}

	write(jute.QuorumPacket{Type: jute.PacketDiff, Zxid: 0x100000001})
	expect(jute.PacketDiff)
	time.Sleep(6 * tick) // > syncLimit, < initLimit
	write(jute.QuorumPacket{Type: jute.PacketNewLeader, Zxid: 0x200000000})
	expect(jute.PacketNewLeader)
	start := time.Now()
	select {
	case ev := <-recv:
		took := time.Since(start)
		var ne net.Error
		if ev.Err == nil || !errors.As(ev.Err, &ne) || !ne.Timeout() || !errors.Is(ev.Err, os.ErrDeadlineExceeded) {
			t.Fatalf("after NEWLEADER got %v (err %v), want a read timeout", ev.Pkt.Type, ev.Err)
		}
		if took < 2*tick-10*time.Millisecond || took >= 10*tick {
			t.Errorf("read timed out %v after NEWLEADER, want about syncLimit (%v), far below initLimit (%v)", took, 2*tick, 20*tick)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reader still waiting 5 s after NEWLEADER")
	}
}
