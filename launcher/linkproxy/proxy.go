package linkproxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/zkctl/zkctl/launcher/wiremsg"
)

// chunkSize is the largest piece read at once from a socket.
const chunkSize = 32 << 10

// queueLen bounds the chunks read but not yet written per direction; past
// it the reader stops and the kernel's buffers fill as they would in TCP.
const queueLen = 64

// Prefix rewrites the beginning of the forward stream: it reads what it
// needs from r and returns the bytes to forward in their place. The
// launcher uses it to rewrite the address in ZooKeeper's election handshake
// so that connect-backs go through the proxy too.
type Prefix func(r *bufio.Reader) ([]byte, error)

// Config describes one proxy.
type Config struct {
	// Name labels log lines, e.g. "election 1->2".
	Name string
	// Target is the host:port dialled for each accepted connection.
	Target string
	// Forward carries bytes from the accepted side to Target, Back the reply.
	Forward, Back *Direction
	// Prefix, when set, rewrites the start of the forward stream.
	Prefix Prefix
	// DialTimeout bounds each dial of Target (default 2 s).
	DialTimeout time.Duration
	// RefusedRetry is how long a refused dial of Target is retried before
	// the client's connection is reset (default 1 s; negative disables).
	RefusedRetry time.Duration
	// Logger receives debug lines (default slog.Default()).
	Logger *slog.Logger
	// Messages, when set, is called once per accepted connection; its
	// MessageConn frames both directions into whole messages, sees each
	// one and may hold, drop, duplicate or delay it. Without it the proxy
	// forwards bytes as they come.
	Messages func() MessageConn
}

// MessageConn is what the owner of a proxy sees of one connection when the
// proxy forwards whole messages. Forward is the direction from the
// accepted side to Target.
type MessageConn interface {
	// Framer returns the framer of one direction.
	Framer(forward bool) wiremsg.Framer
	// Admit is called before a whole message (a Notification or Packet
	// frame) is written. It may block, to hold the message, until done is
	// closed, and returns what to do with it; ok false means the
	// connection ended while it waited.
	Admit(forward bool, f wiremsg.Frame, read time.Time, done <-chan struct{}) (v Verdict, ok bool)
	// Written is called after each frame (handshake, opaque bytes
	// included) was written, or dropped by its Verdict. It must not block:
	// decoding happens elsewhere.
	Written(forward bool, f wiremsg.Frame, v Verdict)
	// Quiet reports that no message is held or faulted now, so that the
	// proxy may write the frames it has queued together, without Admit.
	// A hold or fault set meanwhile applies from the next batch.
	Quiet() bool
}

// Verdict says what to do with one message.
type Verdict struct {
	// Copies is how many times the message is written: 1 to forward it,
	// 0 to drop it, 2 to duplicate it.
	Copies int
	// Delay is added to the message's due time (order is kept).
	Delay time.Duration
}

// Proxy accepts on a listener and forwards to Target under the faults of
// its two directions.
type Proxy struct {
	cfg    Config
	ln     net.Listener
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	conns map[*link]struct{}

	accepted atomic.Int64
	fwdBytes atomic.Int64
	backByts atomic.Int64
}

// Stats counts a proxy's traffic.
type Stats struct {
	// Accepted is the number of connections accepted so far.
	Accepted int64
	// Open is the number of connections currently held or forwarding.
	Open int
	// ForwardBytes and BackBytes count bytes written to each side.
	ForwardBytes, BackBytes int64
}

// New starts a proxy serving ln. The proxy owns ln from now on.
func New(ln net.Listener, cfg Config) (*Proxy, error) {
	if cfg.Forward == nil || cfg.Back == nil {
		return nil, errors.New("linkproxy: Forward and Back directions are required")
	}
	if cfg.Target == "" {
		return nil, errors.New("linkproxy: empty Target")
	}
	if cfg.RefusedRetry == 0 {
		cfg.RefusedRetry = time.Second
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 2 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Proxy{cfg: cfg, ln: ln, ctx: ctx, cancel: cancel, conns: map[*link]struct{}{}}
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

// Addr is the listening address.
func (p *Proxy) Addr() net.Addr { return p.ln.Addr() }

// Stats returns the current counters.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	open := len(p.conns)
	p.mu.Unlock()
	return Stats{Accepted: p.accepted.Load(), Open: open, ForwardBytes: p.fwdBytes.Load(), BackBytes: p.backByts.Load()}
}

// Close stops accepting, resets every connection and waits for all of the
// proxy's goroutines.
func (p *Proxy) Close() error {
	p.cancel()
	err := p.ln.Close()
	p.mu.Lock()
	for l := range p.conns {
		l.abort()
	}
	p.mu.Unlock()
	p.wg.Wait()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("linkproxy %s: close: %w", p.cfg.Name, err)
	}
	return nil
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if p.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			p.cfg.Logger.Debug("linkproxy accept failed", "proxy", p.cfg.Name, "err", err)
			select {
			case <-time.After(50 * time.Millisecond):
			case <-p.ctx.Done():
				return
			}
			continue
		}
		p.accepted.Add(1)
		l := &link{p: p, a: c, done: make(chan struct{})}
		p.mu.Lock()
		p.conns[l] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			l.run()
			p.mu.Lock()
			delete(p.conns, l)
			p.mu.Unlock()
		}()
	}
}

// link is one proxied connection: a is the accepted side, b the dialled one.
type link struct {
	p *Proxy
	a net.Conn

	mu      sync.Mutex
	b       net.Conn
	aborted bool

	done     chan struct{} // closed by abort
	doneOnce sync.Once
}

// abort resets both sides; it is safe to call more than once and from any
// goroutine.
func (l *link) abort() {
	l.mu.Lock()
	first := !l.aborted
	l.aborted = true
	b := l.b
	l.mu.Unlock()
	if !first {
		return
	}
	l.doneOnce.Do(func() { close(l.done) })
	resetConn(l.a)
	if b != nil {
		resetConn(b)
	}
}

// resetConn closes c with an RST rather than a FIN.
func resetConn(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

// states returns both directions' states and channels closed when each
// next changes.
func (l *link) states() (fwd, back State, changed <-chan struct{}, changed2 <-chan struct{}) {
	fwd, c1 := l.p.cfg.Forward.watch()
	back, c2 := l.p.cfg.Back.watch()
	return fwd, back, c1, c2
}

// dialTarget dials the target, retrying a refused connection for up to
// RefusedRetry. NB: the kernel has already accepted the client's connection,
// so a refusal can only reach the client as a reset after a successful
// connect, which clients (ZooKeeper's learner among them) treat differently
// from a refused connect that they would simply retry. Retrying here for
// about as long as such a client would keeps the behaviour of the network
// without the proxy.
func (l *link) dialTarget() (net.Conn, error) {
	deadline := time.Now().Add(l.p.cfg.RefusedRetry)
	for {
		d := net.Dialer{Timeout: l.p.cfg.DialTimeout}
		b, err := d.DialContext(l.p.ctx, "tcp", l.p.cfg.Target)
		if err == nil || !errors.Is(err, syscall.ECONNREFUSED) || time.Now().After(deadline) {
			return b, err
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-l.done:
			return nil, err
		case <-l.p.ctx.Done():
			return nil, err
		}
	}
}

func (l *link) run() {
	defer l.abort()
	// Hold the dial while either direction is cut: a SYN or its SYN-ACK
	// would be lost on a real network.
	for {
		fwd, back, c1, c2 := l.states()
		if fwd.Mode == Reject || back.Mode == Reject {
			return
		}
		if fwd.Mode != Cut && back.Mode != Cut {
			break
		}
		select {
		case <-c1:
		case <-c2:
		case <-l.done:
			return
		case <-l.p.ctx.Done():
			return
		}
	}
	b, err := l.dialTarget()
	if err != nil {
		l.p.cfg.Logger.Debug("linkproxy dial failed", "proxy", l.p.cfg.Name, "target", l.p.cfg.Target, "err", err)
		return
	}
	l.mu.Lock()
	if l.aborted {
		l.mu.Unlock()
		resetConn(b)
		return
	}
	l.b = b
	l.mu.Unlock()

	var mc MessageConn
	if l.p.cfg.Messages != nil {
		mc = l.p.cfg.Messages()
	}
	var wg sync.WaitGroup
	wg.Add(3)
	var finished atomic.Int32
	pipeDone := func() {
		if finished.Add(1) == 2 {
			// Both directions delivered their close: finish cleanly.
			_ = l.a.Close()
			_ = b.Close()
			l.doneOnce.Do(func() { close(l.done) })
		}
	}
	go func() {
		defer wg.Done()
		defer pipeDone()
		l.pipe(bufio.NewReaderSize(l.a, chunkSize), b, l.p.cfg.Forward, l.p.cfg.Prefix, &l.p.fwdBytes, mc, true)
	}()
	go func() {
		defer wg.Done()
		defer pipeDone()
		l.pipe(bufio.NewReaderSize(b, chunkSize), l.a, l.p.cfg.Back, nil, &l.p.backByts, mc, false)
	}()
	go func() {
		defer wg.Done()
		l.watchReject()
	}()
	wg.Wait()
}

// watchReject resets the connection as soon as either direction rejects.
func (l *link) watchReject() {
	for {
		fwd, back, c1, c2 := l.states()
		if fwd.Mode == Reject || back.Mode == Reject {
			l.abort()
			return
		}
		select {
		case <-c1:
		case <-c2:
		case <-l.done:
			return
		}
	}
}

// chunk is one piece of a direction's stream; eof and err end it. With a
// MessageConn each chunk is one frame.
type chunk struct {
	data  []byte
	due   time.Time
	read  time.Time
	frame wiremsg.FrameType
	// more are whole frames read together with data (framed streams only).
	more []wiremsg.Frame
	eof  bool
	err  error
}

// pipe forwards src to dst under dir: a reader goroutine stamps each chunk
// with its due time, the writer waits while the direction is cut and until
// the chunk is due, so order is kept and delay does not cap throughput.
func (l *link) pipe(src *bufio.Reader, dst net.Conn, dir *Direction, prefix Prefix, count *atomic.Int64, mc MessageConn, forward bool) {
	q := make(chan chunk, queueLen)
	stop := make(chan struct{})
	readerDone := make(chan struct{})
	defer func() {
		close(stop)
		<-readerDone
	}()
	go func() {
		defer close(readerDone)
		defer close(q)
		var last time.Time
		send := func(c chunk) bool {
			now := time.Now()
			due := now.Add(dir.delay())
			if due.Before(last) {
				due = last
			}
			last = due
			c.due, c.read = due, now
			select {
			case q <- c:
				return true
			case <-stop:
				return false
			case <-l.done:
				return false
			}
		}
		if prefix != nil {
			head, err := prefix(src)
			if len(head) > 0 && !send(chunk{data: head, frame: wiremsg.Handshake}) {
				return
			}
			if err != nil {
				send(chunk{err: err, eof: errors.Is(err, io.EOF)})
				return
			}
		}
		var framer wiremsg.Framer
		if mc != nil {
			framer = mc.Framer(forward)
		}
		for {
			var c chunk
			var err error
			if framer != nil {
				var f wiremsg.Frame
				f, err = framer.Next(src)
				c = chunk{data: f.Data, frame: f.Type}
				// Take the whole frames already buffered along, so a burst
				// costs one hand-over, as one read does without framing.
				for err == nil && len(c.data) > 0 && c.frame != wiremsg.Handshake && len(c.more) < maxBatch && mc.Quiet() && framer.Ready(src) {
					f, err = framer.Next(src)
					if len(f.Data) > 0 {
						c.more = append(c.more, f)
					}
				}
			} else {
				buf := make([]byte, chunkSize)
				var n int
				n, err = src.Read(buf)
				c = chunk{data: buf[:n]}
			}
			if len(c.data) > 0 && !send(c) {
				return
			}
			if err != nil {
				send(chunk{err: err, eof: errors.Is(err, io.EOF)})
				return
			}
		}
	}()
	var lastDue time.Time
	// handle writes one frame (or unframed chunk) under dir and the
	// message verdict; false ends the pipe.
	handle := func(c chunk) bool {
		v := Verdict{Copies: 1}
		if mc != nil && (c.frame == wiremsg.Notification || c.frame == wiremsg.Packet) {
			var ok bool
			if v, ok = mc.Admit(forward, wiremsg.Frame{Type: c.frame, Data: c.data}, c.read, l.done); !ok {
				return false
			}
			c.due = c.due.Add(v.Delay)
			if c.due.Before(lastDue) {
				c.due = lastDue
			}
			lastDue = c.due
		}
		if !l.waitReady(dir, c.due) {
			return false
		}
		switch {
		case c.eof:
			if tc, ok := dst.(*net.TCPConn); ok {
				_ = tc.CloseWrite()
			} else {
				_ = dst.Close()
			}
			return false
		case c.err != nil:
			// The source reset or failed: pass the reset on.
			l.abort()
			return false
		}
		for range v.Copies {
			if _, err := dst.Write(c.data); err != nil {
				l.abort()
				return false
			}
			count.Add(int64(len(c.data)))
		}
		if mc != nil {
			mc.Written(forward, wiremsg.Frame{Type: c.frame, Data: c.data}, v)
		}
		return true
	}
	for c := range q {
		if mc != nil && mc.Quiet() && dir.State().Mode == OK && c.frame != wiremsg.Handshake && c.data != nil {
			// Under load many small frames wait: write them with one
			// writev instead of a write each, as the byte proxy would.
			next, ok := l.writeBatch(c, q, dst, count, mc, forward)
			if !ok {
				return
			}
			if next == nil {
				continue
			}
			c = *next
		}
		if !handle(c) {
			return
		}
		for _, f := range c.more {
			if !handle(chunk{data: f.Data, frame: f.Type, due: c.due, read: c.read}) {
				return
			}
		}
	}
}

// maxBatch bounds the frames writeBatch writes at once.
const maxBatch = 64

// writeBatch writes first and the frames queued behind it in one writev and
// reports them written. It returns the first chunk it took but could not
// batch (end of stream, error, handshake), to be handled normally, and
// false when the connection failed.
func (l *link) writeBatch(first chunk, q <-chan chunk, dst net.Conn, count *atomic.Int64, mc MessageConn, forward bool) (*chunk, bool) {
	batch := []chunk{first}
	var rest *chunk
	size := len(first.data)
	for _, f := range first.more {
		size += len(f.Data)
	}
drain:
	for len(batch) < maxBatch && size < 4*chunkSize {
		select {
		case c, ok := <-q:
			if !ok {
				break drain
			}
			if c.data == nil || c.frame == wiremsg.Handshake {
				rest = &c
				break drain
			}
			batch = append(batch, c)
			size += len(c.data)
			for _, f := range c.more {
				size += len(f.Data)
			}
		default:
			break drain
		}
	}
	bufs := make(net.Buffers, 0, len(batch))
	for _, c := range batch {
		bufs = append(bufs, c.data)
		for _, f := range c.more {
			bufs = append(bufs, f.Data)
		}
	}
	if _, err := bufs.WriteTo(dst); err != nil {
		l.abort()
		return nil, false
	}
	count.Add(int64(size))
	for _, c := range batch {
		mc.Written(forward, wiremsg.Frame{Type: c.frame, Data: c.data}, Verdict{Copies: 1})
		for _, f := range c.more {
			mc.Written(forward, f, Verdict{Copies: 1})
		}
	}
	return rest, true
}

// waitReady blocks while dir is cut and until due; false when aborted.
func (l *link) waitReady(dir *Direction, due time.Time) bool {
	for {
		st, changed := dir.watch()
		if st.Mode == Cut {
			select {
			case <-changed:
				continue
			case <-l.done:
				return false
			}
		}
		wait := time.Until(due)
		if wait <= 0 {
			return true
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-changed:
			t.Stop()
		case <-l.done:
			t.Stop()
			return false
		}
	}
}
