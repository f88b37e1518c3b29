package zabconn

import (
	"bufio"
	"context"
	"net"
	"time"

	"github.com/zkctl/zkctl/jute"
)

// LearnerReader reads the leader's stream on a learner (the reading half of
// 3.8's Learner). After a SNAP packet it hands the snapshot stream to
// LoadSnap before passing the packet on, so the database is loaded by the
// time the driver steps SNAP.
type LearnerReader struct {
	// MaxData bounds one packet's data, in bytes.
	MaxData int
	// InitTimeout is the read timeout until NEWLEADER arrives (initLimit
	// ticks), SyncTimeout the one after it (syncLimit ticks): 3.8's Learner
	// sets SO_TIMEOUT so (docs/quorum-reference.md §6.5), and a follower
	// notices a silent leader within syncLimit ticks in broadcast.
	InitTimeout, SyncTimeout time.Duration
	// LoadSnap reads the snapshot stream that follows a SNAP packet of zxid,
	// trailer included.
	LoadSnap func(r *bufio.Reader, zxid int64) error
}

// Run reads packets until an error, which it sends as the last Event, or
// until ctx ends.
func (lr LearnerReader) Run(ctx context.Context, nc net.Conn, out chan<- Event) {
	br := bufio.NewReaderSize(nc, 64<<10)
	send := func(ev Event) bool {
		select {
		case out <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	synced := false
	for {
		timeout := lr.InitTimeout
		if synced {
			timeout = lr.SyncTimeout
		}
		_ = nc.SetReadDeadline(time.Now().Add(timeout))
		pkt, err := ReadPacket(br, lr.MaxData)
		if err == nil && pkt.Type == jute.PacketSnap {
			err = lr.LoadSnap(br, pkt.Zxid)
		}
		if err != nil {
			send(Event{Err: err})
			return
		}
		if pkt.Type == jute.PacketNewLeader {
			synced = true
		}
		if !send(Event{Pkt: pkt}) {
			return
		}
	}
}
