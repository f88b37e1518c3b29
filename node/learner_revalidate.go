package node

import (
	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
)

// A client that reconnects to a follower or observer with an existing
// session is validated by the leader (Learner.validateSession → REVALIDATE,
// quorum-reference §6): only the leader knows whether the session expired
// or is closing. The connection's reader hands the check to the learner
// driver and waits for the handshake to complete.

// revalidation is one reconnect waiting for the leader's answer.
type revalidation struct {
	c         *conn
	sessionID int64
	timeout   int32
	readOnly  bool
}

// revalidateRemote queues a reconnect for the leader's verdict. It returns
// false when this server is not a serving learner (the caller checks the
// local session table, which is authoritative on a leader).
func (p *quorumPeer) revalidateRemote(c *conn, sid int64, timeout int32, readOnly bool) bool {
	if p.state() == adminapi.StateLeading || !p.serving.Load() {
		return false
	}
	select {
	case p.revalCh <- revalidation{c: c, sessionID: sid, timeout: timeout, readOnly: readOnly}:
		return true
	default:
		return false // the driver is busy or gone: decide locally
	}
}

// pendingRevalidations are the reconnects a learner driver asked the
// leader about, by session, in request order.
type pendingRevalidations map[int64][]revalidation

// ask sends REVALIDATE for rv unless one for the session is outstanding.
func (pr pendingRevalidations) ask(ln *leader.Learner, rv revalidation) error {
	l := pr[rv.sessionID]
	pr[rv.sessionID] = append(l, rv)
	if len(l) > 0 {
		return nil
	}
	return ln.Revalidate(rv.sessionID, rv.timeout)
}

// answer completes the handshakes waiting for sid.
func (pr pendingRevalidations) answer(s *Server, a leader.RevalidateAnswer) {
	l := pr[a.SessionID]
	delete(pr, a.SessionID)
	for _, rv := range l {
		s.finishRevalidation(rv, a.Valid)
	}
}

// abort closes every waiting connection (the role ended).
func (pr pendingRevalidations) abort() {
	for sid, l := range pr {
		for _, rv := range l {
			rv.c.close("left the role while revalidating the session with the leader")
		}
		delete(pr, sid)
	}
}

// finishRevalidation completes a reconnect handshake with the leader's
// verdict: the session is bound here, or the client is told it expired.
func (s *Server) finishRevalidation(rv revalidation, valid bool) {
	c, sid := rv.c, rv.sessionID
	if c.closed() {
		return
	}
	if !valid {
		c.log.Info("leader says the session expired, answering timeOut=0", "session", hexID(sid))
		c.lingerAfter(outFrame{b: jute.Encode(&jute.ConnectResponse{
			Passwd: make([]byte, 16), HasReadOnly: rv.readOnly,
		}), closeAfter: true})
		return
	}
	now := s.nowMs()
	if !s.sessions.revalidate(sid, rv.timeout, now) {
		s.sessions.add(sid, rv.timeout, now) // committed at the leader, not applied here yet
	}
	c.sessionID.Store(sid)
	c.timeout.Store(rv.timeout)
	s.bind(sid, c)
	c.log.Info("session reconnected (revalidated by the leader)", "session", hexID(sid), "timeout", rv.timeout)
	c.send(outFrame{b: jute.Encode(&jute.ConnectResponse{
		TimeOut: rv.timeout, SessionID: sid, Passwd: SessionPassword(sid), HasReadOnly: rv.readOnly,
	})})
	close(c.handshake)
}
