package serve

// The prepare step of each role, run by the role's prep loop
// (pipeline.go) around prepper.prepare (prep.go).

import (
	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
)

// standalonePrepare is PrepRequestProcessor on a standalone server.
func (s *Server) standalonePrepare(r *Request) {
	if r.Err == jute.ErrOK {
		s.prep.prepare(r)
	}
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
	if r.Err != jute.ErrOK || !LearnerForwards(r.Type) {
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

// LearnerForwards reports whether a learner sends this op to the leader
// (FollowerRequestProcessor, docs/quorum-reference.md §6.4).
func LearnerForwards(op jute.Op) bool {
	switch op {
	case jute.OpCheck:
		return false
	case jute.OpSync:
		return true
	}
	return op.IsWrite()
}

// ForwardedRequest turns a learner's REQUEST into a pipeline request owned
// by no local connection; the leader driver queues it on its RolePipe.
func (s *Server) ForwardedRequest(fr leader.ForwardedRequest) *Request {
	r := &Request{Request: fr.Request, internal: fr.Request.Type == jute.OpCreateSession, forwarded: true}
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
