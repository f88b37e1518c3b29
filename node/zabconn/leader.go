package zabconn

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkctl/zkctl/jute"
)

// LearnerConn is the leader's end of one learner connection (3.8's
// LearnerHandler socket): a reader goroutine decoding the raw QuorumPacket
// stream and a writer goroutine draining a queue of encoded bytes
// (packets, and the SNAP stream). The leader's driver only queues.
type LearnerConn struct {
	// ID names the connection to the leader state machine (leader.Connect).
	ID     int64
	nc     net.Conn
	log    *slog.Logger
	out    chan []byte
	done   chan struct{}
	once   sync.Once
	closed atomic.Bool
}

// Queue hands bytes to the writer; a learner that stops reading for a full
// queue is closed rather than blocking the leader.
func (c *LearnerConn) Queue(b []byte) {
	if c.closed.Load() {
		return
	}
	select {
	case c.out <- b:
	case <-c.done:
	default:
		c.Close("send queue full: learner is not reading")
	}
}

// RemoteAddr is the learner's address, for the admin port.
func (c *LearnerConn) RemoteAddr() string { return c.nc.RemoteAddr().String() }

// Close drops the connection once; reason is logged.
func (c *LearnerConn) Close(reason string) {
	c.once.Do(func() {
		c.closed.Store(true)
		close(c.done)
		_ = c.nc.Close()
		c.log.Info("learner connection closed", "reason", reason)
	})
}

// Event is a packet from, or the end of (Err set), a Zab connection: what
// both role drivers step their state machine with.
type Event struct {
	// Conn is the LearnerConn's ID on a leader, 0 on a learner.
	Conn int64
	// Pkt is the packet read when Err is nil.
	Pkt jute.QuorumPacket
	// Err ends the connection.
	Err error
}

// LeaderNet is the quorum-port listener of a leader and its learners'
// connections (3.8's LearnerCnxAcceptor and LearnerHandler threads).
type LeaderNet struct {
	ln        net.Listener
	log       *slog.Logger
	readLimit time.Duration // no packet for this long closes the connection
	maxData   int
	accepted  chan *LearnerConn
	recv      chan Event
	wg        sync.WaitGroup
	nextID    atomic.Int64
}

// NewLeaderNet wraps a bound quorum-port listener. A connection silent for
// readLimit, or sending a packet with more than maxData bytes, is closed.
func NewLeaderNet(ln net.Listener, log *slog.Logger, readLimit time.Duration, maxData int) *LeaderNet {
	return &LeaderNet{ln: ln, log: log, readLimit: readLimit, maxData: maxData,
		accepted: make(chan *LearnerConn), recv: make(chan Event, 1024)}
}

// Accepted delivers each new learner connection to the driver.
func (n *LeaderNet) Accepted() <-chan *LearnerConn { return n.accepted }

// Recv delivers every learner's packets and connection ends, in arrival
// order per connection.
func (n *LeaderNet) Recv() <-chan Event { return n.recv }

// Serve accepts learners until the listener closes or ctx ends.
func (n *LeaderNet) Serve(ctx context.Context) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		for {
			nc, err := n.ln.Accept()
			if err != nil {
				if ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
					n.log.Warn("quorum port accept failed", "err", err)
				}
				return
			}
			if tc, ok := nc.(*net.TCPConn); ok {
				_ = tc.SetNoDelay(true)
			}
			c := &LearnerConn{ID: n.nextID.Add(1), nc: nc, out: make(chan []byte, 8192), done: make(chan struct{}),
				log: n.log.With("learner_conn", n.nextID.Load(), "remote", nc.RemoteAddr().String())}
			select {
			case n.accepted <- c:
			case <-ctx.Done():
				_ = nc.Close()
				return
			}
			n.wg.Add(2)
			go func() { defer n.wg.Done(); n.readLoop(ctx, c) }()
			go func() { defer n.wg.Done(); n.writeLoop(c) }()
		}
	}()
}

// readLoop is one LearnerHandler's reading half.
func (n *LeaderNet) readLoop(ctx context.Context, c *LearnerConn) {
	br := bufio.NewReaderSize(c.nc, 64<<10)
	for {
		_ = c.nc.SetReadDeadline(time.Now().Add(n.readLimit))
		p, err := ReadPacket(br, n.maxData)
		if err != nil {
			if !c.closed.Load() && !errors.Is(err, io.EOF) {
				c.log.Warn("dropping learner: bad or missing packet", "err", err)
			}
			c.Close("read: " + err.Error())
			select {
			case n.recv <- Event{Conn: c.ID, Err: err}:
			case <-ctx.Done():
			}
			return
		}
		select {
		case n.recv <- Event{Conn: c.ID, Pkt: p}:
		case <-ctx.Done():
			return
		case <-c.done:
			return
		}
	}
}

// writeLoop is one LearnerHandler's sending half: it flushes when the
// queue runs dry, so a burst of packets goes out in few writes.
func (n *LeaderNet) writeLoop(c *LearnerConn) {
	bw := bufio.NewWriterSize(c.nc, 64<<10)
	for {
		var b []byte
		select {
		case b = <-c.out:
		case <-c.done:
			return
		}
		_ = c.nc.SetWriteDeadline(time.Now().Add(n.readLimit))
		if _, err := bw.Write(b); err != nil {
			c.Close("write: " + err.Error())
			return
		}
		if len(c.out) == 0 {
			if err := bw.Flush(); err != nil {
				c.Close("flush: " + err.Error())
				return
			}
		}
	}
}

// Close stops accepting, closes conns and waits for every connection
// goroutine.
func (n *LeaderNet) Close(conns map[int64]*LearnerConn) {
	_ = n.ln.Close()
	for _, c := range conns {
		c.Close("leadership ended")
	}
	// Unblock an acceptor waiting to hand over a connection.
	go func() {
		for c := range n.accepted {
			c.Close("leadership ended")
		}
	}()
	n.wg.Wait()
	close(n.accepted)
}
