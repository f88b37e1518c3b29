package serve

import (
	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
)

// In quorum mode the role driver (leader or learner goroutine) is the
// CommitProcessor and FinalRequestProcessor at once: requests come to it
// from one prep goroutine in arrival order; it holds writes until their
// commit, releases everything strictly in that order and applies committed
// txns itself, so the database only changes on the driver goroutine (which
// keeps SNAP streams and sync decisions consistent with the tree).

// SeqKind says what a queued request waits for.
type SeqKind int

// What a request in the Sequencer waits for.
const (
	SeqRead  SeqKind = iota // nothing: ready at once
	SeqWrite                // its COMMIT
	SeqSync                 // the leader's SYNC (a learner's), or a quorum's PINGs (a leader's)
)

type seqItem struct {
	r     *Request
	kind  SeqKind
	ready bool
}

// Sequencer is the CommitProcessor of a quorum role: each session's
// requests are released strictly in arrival order, and a session's reads
// wait only behind that session's own pending writes and syncs
// (docs/client-reference.md §7 rule 4), never behind other sessions' ones.
// Committed txns are applied in commit order: a local write is always at
// the head of its session's queue when its COMMIT arrives (everything in
// front of it is a read, an older write committed earlier, or a sync that
// the COMMIT itself proves complete). It is owned by one driver goroutine.
type Sequencer struct {
	s *Server
	// release and remote replace s.finish and s.applyRemote (NewSequencerFunc).
	release   func(*Request)
	remote    func(*jute.Txn)
	bySession map[int64][]*seqItem
	byZxid    map[int64]*seqItem // leader: held writes by proposal zxid
	syncs     []*seqItem         // learner: forwarded syncs in SYNC answer order
}

// NewSequencer returns the CommitProcessor of one role of s; it releases
// requests into s's final stage.
func (s *Server) NewSequencer() *Sequencer { return &Sequencer{s: s} }

// NewSequencerFunc returns a Sequencer that hands released requests to
// release and unmatched committed txns to remote instead of a server's
// final stage: tests of the ordering, and of the drivers' use of it,
// record what it releases.
func NewSequencerFunc(release func(*Request), remote func(*jute.Txn)) *Sequencer {
	return &Sequencer{release: release, remote: remote}
}

func (q *Sequencer) init() {
	if q.bySession == nil {
		q.bySession = make(map[int64][]*seqItem)
		q.byZxid = make(map[int64]*seqItem)
	}
}

// Pending is the number of queued requests (all sessions).
func (q *Sequencer) Pending() int {
	n := 0
	for _, l := range q.bySession {
		n += len(l)
	}
	return n
}

// Add queues a prepped request of the role; it is released once ready
// (kind) and everything of its session before it is released.
func (q *Sequencer) Add(r *Request, kind SeqKind) {
	q.init()
	ready := kind == SeqRead || r.Err != jute.ErrOK && r.Txn == nil
	it := &seqItem{r: r, kind: kind, ready: ready}
	q.bySession[r.SessionID] = append(q.bySession[r.SessionID], it)
	if !ready {
		switch kind {
		case SeqWrite:
			if r.Txn != nil {
				q.byZxid[r.Txn.Hdr.Zxid] = it
			}
		case SeqSync:
			q.syncs = append(q.syncs, it)
		}
	}
	q.flush(r.SessionID)
}

// flush applies and answers the ready requests at the head of a session's
// queue.
func (q *Sequencer) flush(sid int64) {
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

// CommittedOnLeader releases the leader's request whose txn has zxid; false
// if no local request holds it.
func (q *Sequencer) CommittedOnLeader(zxid int64) bool {
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

// CommittedOnLearner matches a committed txn to the oldest held write of
// its session with the same cxid (the request forwarded from here) or
// applies it as a remote txn.
func (q *Sequencer) CommittedOnLearner(txn *jute.Txn) {
	q.init()
	sid := txn.Hdr.ClientID
	l := q.bySession[sid]
	at := -1
	for i, it := range l {
		if it.kind == SeqWrite && !it.ready && it.r.Cxid == txn.Hdr.Cxid {
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
		case SeqSync:
			// The leader answered this sync before proposing the write
			// that follows it, so the sync is complete.
			it.ready = true
		case SeqWrite:
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

// Synced releases the oldest forwarded sync: the leader answers SYNCs in
// the order it received them.
func (q *Sequencer) Synced() {
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

// Abort drops every queued request, closing their connections: their
// outcome is unknown to this server now.
func (q *Sequencer) Abort(reason string) {
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
	s.finish(&Request{Request: leader.Request{SessionID: txn.Hdr.ClientID, Cxid: txn.Hdr.Cxid, Type: txn.Hdr.Type}, Txn: txn, internal: true})
}
