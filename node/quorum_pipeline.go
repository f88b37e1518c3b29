package node

import (
	"fmt"

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

// sequencer is the CommitProcessor of a quorum role: each session's
// requests are released strictly in arrival order, and a session's reads
// wait only behind that session's own pending writes and syncs
// (client-reference §7 rule 4), never behind other sessions' ones.
// Committed txns are applied in commit order: a local write is always at
// the head of its session's queue when its COMMIT arrives (everything in
// front of it is a read, an older write committed earlier, or a sync that
// the COMMIT itself proves complete). It is owned by one driver goroutine.
type sequencer struct {
	s *Server
	// release and remote replace s.finish and s.applyRemote in tests.
	release   func(*Request)
	remote    func(*jute.Txn)
	bySession map[int64][]*seqItem
	byZxid    map[int64]*seqItem // leader: held writes by proposal zxid
	syncs     []*seqItem         // learner: forwarded syncs in SYNC answer order
}

func (q *sequencer) init() {
	if q.bySession == nil {
		q.bySession = make(map[int64][]*seqItem)
		q.byZxid = make(map[int64]*seqItem)
	}
}

// pending is the number of queued requests (all sessions).
func (q *sequencer) pending() int {
	n := 0
	for _, l := range q.bySession {
		n += len(l)
	}
	return n
}

func (q *sequencer) add(r *Request, kind seqKind) {
	q.init()
	ready := kind == seqRead || r.Err != jute.ErrOK && r.Txn == nil
	it := &seqItem{r: r, kind: kind, ready: ready}
	q.bySession[r.SessionID] = append(q.bySession[r.SessionID], it)
	if !ready {
		switch kind {
		case seqWrite:
			if r.Txn != nil {
				q.byZxid[r.Txn.Hdr.Zxid] = it
			}
		case seqSync:
			q.syncs = append(q.syncs, it)
		}
	}
	q.flush(r.SessionID)
}

// flush applies and answers the ready requests at the head of a session's
// queue.
func (q *sequencer) flush(sid int64) {
	l := q.bySession[sid]
	for len(l) > 0 && l[0].ready {
		it := l[0]
		l[0] = nil
		l = l[1:]
		if q.release != nil {
			q.release(it.r)
		} else {
			q.s.finish(it.r)
		}
	}
	if len(l) == 0 {
		delete(q.bySession, sid)
		return
	}
	q.bySession[sid] = l
}

// committedOnLeader releases the leader's request whose txn has zxid; false
// if no local request holds it.
func (q *sequencer) committedOnLeader(zxid int64) bool {
	q.init()
	it, ok := q.byZxid[zxid]
	if !ok {
		return false
	}
	delete(q.byZxid, zxid)
	it.ready = true
	q.flush(it.r.SessionID)
	return true
}

// committedOnLearner matches a committed txn to the oldest held write of
// its session with the same cxid (the request forwarded from here) or
// applies it as a remote txn.
func (q *sequencer) committedOnLearner(txn *jute.Txn) {
	q.init()
	sid := txn.Hdr.ClientID
	l := q.bySession[sid]
	at := -1
	for i, it := range l {
		if it.kind == seqWrite && !it.ready && it.r.Cxid == txn.Hdr.Cxid {
			at = i
			break
		}
	}
	if at < 0 {
		if q.remote != nil {
			q.remote(txn)
		} else {
			q.s.applyRemote(txn)
		}
		return
	}
	for _, it := range l[:at] {
		if it.ready {
			continue
		}
		switch it.kind {
		case seqSync:
			// The leader answered this sync before proposing the write
			// that follows it, so the sync is complete.
			it.ready = true
		case seqWrite:
			// An older forwarded write of the session was never
			// committed: its outcome is unknown, the client must learn it
			// from a new connection.
			if c := it.r.conn; c != nil {
				c.close("a forwarded request was not committed by the leader")
			}
			it.ready, it.r.conn = true, nil
			it.r.Err = jute.ErrConnectionLoss
		}
	}
	l[at].r.Txn = txn
	l[at].ready = true
	q.flush(sid)
}

// synced releases the oldest forwarded sync: the leader answers SYNCs in
// the order it received them.
func (q *sequencer) synced() {
	if len(q.syncs) == 0 {
		return
	}
	it := q.syncs[0]
	q.syncs[0] = nil
	q.syncs = q.syncs[1:]
	if !it.ready {
		it.ready = true
		q.flush(it.r.SessionID)
	}
}

// abort drops every queued request, closing their connections: their
// outcome is unknown to this server now.
func (q *sequencer) abort(reason string) {
	for _, l := range q.bySession {
		for _, it := range l {
			if it.r.conn != nil {
				it.r.conn.close(reason)
			}
		}
	}
	q.bySession, q.byZxid, q.syncs = nil, nil, nil
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

// leaderPrepare is PrepRequestProcessor on the leader. A learner's
// REQUEST always yields a txn, as in 3.8, because the learner holds the
// client's request until its COMMIT: closeSession of a session the leader
// no longer tracks is still proposed (a no-op closeSession txn), and any
// other refusal becomes an error txn.
func (s *Server) leaderPrepare(r *Request) {
	if r.forwarded && r.Type == jute.OpCloseSession {
		r.internal = true // 3.8 skips the session check for closeSession
	}
	if r.Err == jute.ErrOK {
		s.prep.prepare(r)
	}
	if r.forwarded && r.Txn == nil && r.Err != jute.ErrOK {
		s.prep.errorTxn(r, r.Err)
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
		Data: fr.Request.Data, AuthInfo: fr.Request.AuthInfo, internal: fr.Request.Type == jute.OpCreateSession,
		forwarded: true}
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
