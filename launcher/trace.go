package launcher

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkctl/zkctl/launcher/linkproxy"
	"github.com/zkctl/zkctl/launcher/wiremsg"
)

// Message kinds: the connection a message travelled on.
const (
	MsgElection = "election"
	MsgZab      = "zab"
)

// Message is one message a link proxy forwarded (or dropped) between two
// servers, as the message log keeps it; docs/trace.md describes the fields.
type Message struct {
	// Seq increases by one per message in the log.
	Seq uint64 `json:"seq"`
	// TimeNs is when the proxy wrote (or dropped) the message, in Unix ns.
	TimeNs int64 `json:"time_ns"`
	// Link names the proxy, e.g. "election 1->2" (the connection's initiator first).
	Link string `json:"link"`
	// Conn numbers the proxied connection the message travelled on.
	Conn uint64 `json:"conn"`
	// Direction is "forward" (initiator to acceptor) or "back".
	Direction string `json:"direction"`
	// From and To are the sending and receiving server ids.
	From int `json:"from"`
	To   int `json:"to"`
	// Kind is MsgElection or MsgZab.
	Kind string `json:"kind"`
	// Type is "handshake", "notification", a QuorumPacket type such as
	// "PROPOSAL", "snapshot" or "opaque".
	Type string `json:"type"`
	// Size is the frame's size on the wire in bytes.
	Size int `json:"size"`
	// Fault is "dropped", "duplicated" or "delayed" when a message fault
	// changed the message.
	Fault string `json:"fault,omitempty"`
	// Fields are the decoded fields (zxids and epochs as hex strings).
	Fields map[string]any `json:"fields,omitempty"`
	// Summary is the message on one line.
	Summary string `json:"summary"`
	// Raw is the frame's bytes, only with Config.TraceRaw (base64 in JSON).
	Raw []byte `json:"raw,omitempty"`
}

// String renders the message as one plain line.
func (m Message) String() string {
	ts := time.Unix(0, m.TimeNs).Format("15:04:05.000000")
	fault := ""
	if m.Fault != "" {
		fault = " [" + m.Fault + "]"
	}
	return fmt.Sprintf("%s %-8s %d -> %d  %s%s", ts, m.Kind, m.From, m.To, m.Summary, fault)
}

// MessagesResponse is the answer of GET /messages.
type MessagesResponse struct {
	Messages []Message `json:"messages"`
	// Last is the newest seq in the log.
	Last uint64 `json:"last"`
	// Dropped counts frames the decoder skipped because it fell behind
	// (they were forwarded all the same).
	Dropped int64 `json:"dropped"`
	// Holding lists the message kinds held for stepping; Waiting counts
	// the links with a held message at their head.
	Holding []string `json:"holding,omitempty"`
	Waiting int      `json:"waiting,omitempty"`
}

// Bounds of the message log.
const (
	msgRingSize  = 20000
	decodeQueue  = 8192
	traceFlushIv = 200 * time.Millisecond
)

// rawMsg is a written frame waiting to be decoded.
type rawMsg struct {
	at    time.Time
	conn  *traceConn
	fwd   bool
	frame wiremsg.Frame
	fault string
}

// tracer owns the message log: a decoder goroutine fed by the proxies
// without blocking them, a bounded ring for GET /messages, the jsonl file,
// and the holds and message faults of stepping.go.
type tracer struct {
	in      chan rawMsg
	dropped atomic.Int64
	conns   atomic.Uint64 // numbers traceConns
	decode  atomic.Bool   // off: frames are forwarded and counted, not decoded

	mu      sync.Mutex
	ring    []Message
	last    uint64
	changed chan struct{}

	file *os.File
	out  *bufio.Writer

	gate *gate
	raw  bool // keep each frame's bytes in Message.Raw

	stop chan struct{}
	done chan struct{}
}

func newTracer(raw bool) *tracer {
	t := &tracer{in: make(chan rawMsg, decodeQueue), changed: make(chan struct{}), gate: newGate(), raw: raw,
		stop: make(chan struct{}), done: make(chan struct{})}
	t.decode.Store(true)
	return t
}

// start opens <dir>/trace/<time>.jsonl and starts the decoder.
func (t *tracer) start(dir string) error {
	td := filepath.Join(dir, "trace")
	if err := os.MkdirAll(td, 0o755); err != nil {
		return fmt.Errorf("launcher: trace directory: %w", err)
	}
	f, err := os.Create(filepath.Join(td, time.Now().UTC().Format("20060102T150405.000")+".jsonl"))
	if err != nil {
		return fmt.Errorf("launcher: trace file: %w", err)
	}
	t.file, t.out = f, bufio.NewWriterSize(f, 64<<10)
	go t.run()
	return nil
}

// close stops the decoder after the queued frames and closes the file.
func (t *tracer) close() {
	if t.file == nil {
		return
	}
	close(t.stop)
	<-t.done
	t.gate.releaseAll()
}

// enqueue hands a written frame to the decoder, or counts it when the
// decoder is behind: the proxy never waits for the log.
func (t *tracer) enqueue(m rawMsg) {
	if !t.decode.Load() {
		return
	}
	select {
	case t.in <- m:
	default:
		t.dropped.Add(1)
	}
}

func (t *tracer) run() {
	defer close(t.done)
	defer t.file.Close()
	tick := time.NewTicker(traceFlushIv)
	defer tick.Stop()
	var line []byte
	for {
		select {
		case m := <-t.in:
			line = t.record(line, m)
		case <-tick.C:
			_ = t.out.Flush()
		case <-t.stop:
			for {
				select {
				case m := <-t.in:
					line = t.record(line, m)
				default:
					_ = t.out.Flush()
					return
				}
			}
		}
	}
}

// record decodes m, appends it to the ring and, as one JSON line (built in
// buf, which it returns for reuse), to the file.
func (t *tracer) record(buf []byte, m rawMsg) []byte {
	c := m.conn
	d := c.decoder(m.fwd).Decode(m.frame)
	from, to, dir := c.from, c.to, "forward"
	if !m.fwd {
		from, to, dir = c.to, c.from, "back"
	}
	msg := Message{TimeNs: m.at.UnixNano(), Link: c.name, Conn: c.id, Direction: dir, From: from, To: to, Kind: c.kind,
		Type: d.Type, Size: len(m.frame.Data), Fault: m.fault, Fields: d.Fields, Summary: d.Summary}
	if t.raw {
		msg.Raw = m.frame.Data
	}
	t.mu.Lock()
	t.last++
	msg.Seq = t.last
	t.ring = append(t.ring, msg)
	if len(t.ring) > msgRingSize {
		t.ring = append(t.ring[:0:0], t.ring[len(t.ring)-msgRingSize*3/4:]...)
	}
	close(t.changed)
	t.changed = make(chan struct{})
	t.mu.Unlock()
	buf = append(msg.appendJSON(buf[:0]), '\n')
	_, _ = t.out.Write(buf)
	return buf
}

// since returns messages with Seq > seq of kind (all when ""), the newest
// seq and a channel closed on the next message.
func (t *tracer) since(seq uint64, kind string) ([]Message, uint64, <-chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Message
	for _, m := range t.ring {
		if m.Seq > seq && (kind == "" || m.Kind == kind) {
			out = append(out, m)
		}
	}
	return out, t.last, t.changed
}

// wait is since, waiting up to max for a first message.
func (t *tracer) wait(ctx context.Context, seq uint64, kind string, max time.Duration) MessagesResponse {
	deadline := time.NewTimer(max)
	defer deadline.Stop()
	for {
		msgs, last, ch := t.since(seq, kind)
		if len(msgs) > 0 || max <= 0 {
			return t.response(msgs, last)
		}
		select {
		case <-ch:
		case <-deadline.C:
			return t.response([]Message{}, last)
		case <-ctx.Done():
			return t.response([]Message{}, last)
		}
	}
}

func (t *tracer) response(msgs []Message, last uint64) MessagesResponse {
	r := MessagesResponse{Messages: msgs, Last: last, Dropped: t.dropped.Load()}
	r.Holding, r.Waiting = t.gate.holding()
	return r
}

// Messages returns the logged messages after seq, of kind ("" for all),
// waiting up to wait for one.
func (l *Launcher) Messages(ctx context.Context, since uint64, kind string, wait time.Duration) (MessagesResponse, error) {
	return l.trace.wait(ctx, since, kind, wait), nil
}

// traceConn is one proxied connection between servers as the tracer sees
// it; it implements linkproxy.MessageConn. from is the initiator.
type traceConn struct {
	t        *tracer
	id       uint64
	name     string
	kind     string
	from, to int
	// decoders, one per direction, are used by the decoder goroutine only.
	fwdDec, backDec wiremsg.Decoder
}

// messages returns the linkproxy.Config.Messages of one proxy.
func (t *tracer) messages(name, kind string, from, to int) func() linkproxy.MessageConn {
	return func() linkproxy.MessageConn {
		return &traceConn{t: t, id: t.conns.Add(1), name: name, kind: kind, from: from, to: to}
	}
}

func (c *traceConn) decoder(fwd bool) *wiremsg.Decoder {
	if fwd {
		return &c.fwdDec
	}
	return &c.backDec
}

// Framer implements linkproxy.MessageConn.
func (c *traceConn) Framer(bool) wiremsg.Framer {
	if c.kind == MsgElection {
		return &wiremsg.ElectionFramer{}
	}
	return &wiremsg.ZabFramer{}
}

// ends returns the sender and receiver of a direction.
func (c *traceConn) ends(fwd bool) (int, int) {
	if fwd {
		return c.from, c.to
	}
	return c.to, c.from
}

// Admit implements linkproxy.MessageConn: it holds the message while its
// kind is held and applies the message faults of its link.
func (c *traceConn) Admit(fwd bool, f wiremsg.Frame, read time.Time, done <-chan struct{}) (linkproxy.Verdict, bool) {
	from, to := c.ends(fwd)
	if !c.t.gate.admit(c.kind, from, to, read, done) {
		return linkproxy.Verdict{}, false
	}
	return c.t.gate.verdict(c.kind, from, to, f.Type), true
}

// Quiet implements linkproxy.MessageConn.
func (c *traceConn) Quiet() bool { return !c.t.gate.busy.Load() }

// Written implements linkproxy.MessageConn.
func (c *traceConn) Written(fwd bool, f wiremsg.Frame, v linkproxy.Verdict) {
	fault := ""
	switch {
	case v.Copies == 0:
		fault = "dropped"
	case v.Copies > 1:
		fault = "duplicated"
	case v.Delay > 0:
		fault = "delayed"
	}
	c.t.enqueue(rawMsg{at: time.Now(), conn: c, fwd: fwd, frame: f, fault: fault})
}

// Label is the text shown beside a message's arrow, in the dashboard's
// timeline and in the HTML export alike: a notification's vote, a
// handshake's sid, else the summary (or the type), and the fault if any.
func (m *Message) Label() string {
	var s string
	switch m.Type {
	case "notification":
		s = fmt.Sprintf("vote %v zxid %v round %v %v", m.Fields["leader"], m.Fields["zxid"], m.Fields["round"], m.Fields["state"])
	case "handshake":
		s = fmt.Sprintf("hello sid %v", m.Fields["sid"])
	default:
		s = m.Summary
		if s == "" {
			s = m.Type
		}
	}
	if m.Fault != "" {
		s += " [" + m.Fault + "]"
	}
	return s
}
