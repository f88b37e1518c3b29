package node

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

// learnerConn is the leader's end of one learner connection: a reader
// goroutine decoding the raw QuorumPacket stream and a writer goroutine
// draining a queue of encoded bytes (packets, and the SNAP stream).
type learnerConn struct {
	id     int64
	nc     net.Conn
	log    *slog.Logger
	out    chan []byte
	done   chan struct{}
	once   sync.Once
	closed atomic.Bool
}

// queue hands bytes to the writer; a learner that stops reading for a full
// queue is closed rather than blocking the leader.
func (c *learnerConn) queue(b []byte) {
	if c.closed.Load() {
		return
	}
	select {
	case c.out <- b:
	case <-c.done:
	default:
		c.close("send queue full: learner is not reading")
	}
}

func (c *learnerConn) close(reason string) {
	c.once.Do(func() {
		c.closed.Store(true)
		close(c.done)
		_ = c.nc.Close()
		c.log.Info("learner connection closed", "reason", reason)
	})
}

// connEvent is a packet from, or the end of, a learner connection.
type connEvent struct {
	conn int64
	pkt  jute.QuorumPacket
	err  error
}

// leaderNet is the quorum-port listener of a leader and its connections.
type leaderNet struct {
	ln        net.Listener
	log       *slog.Logger
	readLimit time.Duration // no packet for this long closes the connection
	maxData   int
	accepted  chan *learnerConn
	recv      chan connEvent
	wg        sync.WaitGroup
	nextID    atomic.Int64
}

// listenQuorum binds the quorum port, retrying briefly while a previous
// role's listener is still closing.
func listenQuorum(ctx context.Context, addr string) (net.Listener, error) {
	var err error
	for range 20 {
		var ln net.Listener
		if ln, err = net.Listen("tcp", addr); err == nil {
			return ln, nil
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return nil, err
}

func newLeaderNet(ln net.Listener, log *slog.Logger, readLimit time.Duration, maxData int) *leaderNet {
	return &leaderNet{ln: ln, log: log, readLimit: readLimit, maxData: maxData,
		accepted: make(chan *learnerConn), recv: make(chan connEvent, 1024)}
}

// serve accepts learners until the listener closes or ctx ends.
func (n *leaderNet) serve(ctx context.Context) {
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
			c := &learnerConn{id: n.nextID.Add(1), nc: nc, out: make(chan []byte, 8192), done: make(chan struct{}),
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

func (n *leaderNet) readLoop(ctx context.Context, c *learnerConn) {
	br := bufio.NewReaderSize(c.nc, 64<<10)
	for {
		_ = c.nc.SetReadDeadline(time.Now().Add(n.readLimit))
		p, err := readQuorumPacket(br, n.maxData)
		if err != nil {
			if !c.closed.Load() && !errors.Is(err, io.EOF) {
				c.log.Warn("dropping learner: bad or missing packet", "err", err)
			}
			c.close("read: " + err.Error())
			select {
			case n.recv <- connEvent{conn: c.id, err: err}:
			case <-ctx.Done():
			}
			return
		}
		select {
		case n.recv <- connEvent{conn: c.id, pkt: p}:
		case <-ctx.Done():
			return
		case <-c.done:
			return
		}
	}
}

func (n *leaderNet) writeLoop(c *learnerConn) {
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
			c.close("write: " + err.Error())
			return
		}
		if len(c.out) == 0 {
			if err := bw.Flush(); err != nil {
				c.close("flush: " + err.Error())
				return
			}
		}
	}
}

// close stops accepting and waits for every connection goroutine.
func (n *leaderNet) close(conns map[int64]*learnerConn) {
	_ = n.ln.Close()
	for _, c := range conns {
		c.close("leadership ended")
	}
	// Unblock an acceptor waiting to hand over a connection.
	go func() {
		for c := range n.accepted {
			c.close("leadership ended")
		}
	}()
	n.wg.Wait()
	close(n.accepted)
}
