package node

import (
	"context"
	"fmt"
	"sync"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
)

// In quorum mode the role driver (leader or learner goroutine) is the
// CommitProcessor and FinalRequestProcessor at once: requests come to it
// from one prep goroutine in arrival order; it holds writes until their
// commit, releases everything strictly in that order and applies committed
// txns itself, so the database only changes on the driver goroutine (which
// keeps SNAP streams and sync decisions consistent with the tree).

// seqKind says what a queued request waits for.
type seqKind int

const (
	seqRead  seqKind = iota // nothing: ready at once
	seqWrite                // its COMMIT
	seqSync                 // the leader's SYNC (learners only)
)

type seqItem struct {
	r     *Request
	kind  seqKind
	ready bool
}

// sequencer keeps client requests in arrival order and releases them once
// ready. It is owned by one driver goroutine.
type sequencer struct {
	s *Server
	q []*seqItem
}

func (q *sequencer) add(r *Request, kind seqKind) {
	ready := kind == seqRead || r.Err != jute.ErrOK && r.Txn == nil
	q.q = append(q.q, &seqItem{r: r, kind: kind, ready: ready})
	q.flush()
}

// flush applies and answers the ready requests at the head of the queue.
func (q *sequencer) flush() {
	for len(q.q) > 0 && q.q[0].ready {
		it := q.q[0]
		q.q[0] = nil
		q.q = q.q[1:]
		q.s.finish(it.r)
	}
}

// committedOnLeader releases the leader's request whose txn has zxid.
func (q *sequencer) committedOnLeader(zxid int64) bool {
	for _, it := range q.q {
		if it.kind == seqWrite && !it.ready && it.r.Txn != nil && it.r.Txn.Hdr.Zxid == zxid {
			it.ready = true
			q.flush()
			return true
		}
	}
	return false
}

// committedOnLearner matches a committed txn to the oldest held write of
// its session with the same cxid (the request forwarded from here) or
// applies it as a remote txn.
func (q *sequencer) committedOnLearner(txn *jute.Txn) {
	for _, it := range q.q {
		if it.kind == seqWrite && !it.ready && it.r.SessionID == txn.Hdr.ClientID && it.r.Cxid == txn.Hdr.Cxid {
			it.r.Txn = txn
			it.ready = true
			q.flush()
			return
		}
	}
	q.s.applyRemote(txn)
}

// synced releases the oldest pending sync.
func (q *sequencer) synced() {
	for _, it := range q.q {
		if it.kind == seqSync && !it.ready {
			it.ready = true
			q.flush()
			return
		}
	}
}

// abort drops every queued request, closing their connections: their
// outcome is unknown to this server now.
func (q *sequencer) abort(reason string) {
	for _, it := range q.q {
		if it.r.conn != nil {
			it.r.conn.close(reason)
		}
	}
	q.q = nil
}

// applyRemote applies a committed txn that no local client waits for.
func (s *Server) applyRemote(txn *jute.Txn) {
	if txn.Hdr.Type == jute.OpCreateSession {
		if cs, ok := txn.Body.(*jute.CreateSessionTxn); ok {
			s.sessions.add(txn.Hdr.ClientID, cs.TimeOut, s.nowMs())
		}
	}
	s.finish(&Request{SessionID: txn.Hdr.ClientID, Cxid: txn.Hdr.Cxid, Type: txn.Hdr.Type, Txn: txn, internal: true})
}

// decodeTxn decodes a PROPOSAL's data into a txn.
func decodeTxn(data []byte) (*jute.Txn, error) {
	var t jute.Txn
	if err := jute.Decode(data, &t); err != nil {
		return nil, fmt.Errorf("node: decode txn: %w", err)
	}
	return &t, nil
}

// rolePipe is the prep goroutine of one serving role. It reads the
// server's prep channel (and, on a leader, learners' forwarded requests),
// prepares each request for the role and hands it to the driver on out.
type rolePipe struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	out    chan *Request // to the driver, in order
	fwd    chan *Request // leader: forwarded REQUESTs from learners
}

func newRolePipe(parent context.Context) *rolePipe {
	ctx, cancel := context.WithCancel(parent)
	return &rolePipe{ctx: ctx, cancel: cancel, out: make(chan *Request, 1024), fwd: make(chan *Request, 1024)}
}

// start runs the prep goroutine with prepare as the per-request step.
func (rp *rolePipe) start(s *Server, prepare func(*Request)) {
	rp.wg.Add(1)
	go func() {
		defer rp.wg.Done()
		for {
			var r *Request
			select {
			case r = <-s.prepCh:
			case r = <-rp.fwd:
			case <-rp.ctx.Done():
				return
			}
			prepare(r)
			select {
			case rp.out <- r:
			case <-rp.ctx.Done():
				return
			}
		}
	}()
}

// stop ends the prep goroutine and waits for it.
func (rp *rolePipe) stop() {
	rp.cancel()
	rp.wg.Wait()
}

// leaderPrepare is PrepRequestProcessor on the leader.
func (s *Server) leaderPrepare(r *Request) {
	if r.Err == jute.ErrOK {
		s.prep.prepare(r)
	}
}

// learnerPrepare classifies a request on a follower or observer: writes,
// session changes and sync go to the leader, reads are checked locally.
func (s *Server) learnerPrepare(r *Request) {
	if r.Err != jute.ErrOK || !learnerForwards(r.Type) {
		if r.Err == jute.ErrOK {
			s.prep.prepare(r) // reads: session check only; check: refused as on the leader
		}
		return
	}
	if r.Type != jute.OpCloseSession && r.Type != jute.OpCreateSession && !r.internal && !s.sessions.valid(r.SessionID) {
		r.Err = jute.ErrSessionExpired
		return
	}
	if r.rec == nil {
		if rec, err := DecodeRequest(r.Type, r.Data); err == nil {
			r.rec = rec // the multi reply needs the op types
		}
	}
}

// learnerForwards reports whether a learner sends this op to the leader
// (FollowerRequestProcessor, §6.4).
func learnerForwards(op jute.Op) bool {
	switch op {
	case jute.OpCheck:
		return false
	case jute.OpSync:
		return true
	}
	return op.IsWrite()
}

// forwardedRequest turns a learner's REQUEST into a pipeline request owned
// by no local connection.
func (s *Server) forwardedRequest(fr leader.ForwardedRequest) *Request {
	r := &Request{SessionID: fr.Request.SessionID, Cxid: fr.Request.Cxid, Type: fr.Request.Type,
		Data: fr.Request.Data, AuthInfo: fr.Request.AuthInfo, internal: fr.Request.Type == jute.OpCreateSession}
	if r.Type == jute.OpCreateSession {
		d := jute.NewDecoder(r.Data)
		to := d.Int()
		if d.Err() != nil {
			r.Err = jute.ErrMarshallingError
			return r
		}
		r.timeout = to
		r.rec = &jute.CreateSessionTxn{TimeOut: to}
		s.sessions.add(r.SessionID, to, s.nowMs())
	}
	return r
}
