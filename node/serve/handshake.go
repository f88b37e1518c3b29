package serve

import (
	"bytes"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
)

// connect handles a ConnectRequest (docs/client-reference.md §2.3). It returns true
// when the reader may go on (after the handshake completes) and false when
// the connection is to be closed (possibly after a queued reply).
func (s *Server) connect(c *conn, req *jute.ConnectRequest) bool {
	c.hasReadOnly = req.HasReadOnly
	if ro := s.ro.Load(); ro != nil { // read-only mode (readonly.go)
		return s.readOnlyConnect(ro, c, req)
	}
	if s.role != nil && !s.role.ServingClients() {
		c.log.Info("refusing session: this ensemble member is not serving (no synced leader)", "session", hexID(req.SessionID))
		return false
	}
	if last := s.tree.LastProcessedZxid(); req.LastZxidSeen > last {
		c.log.Info("refusing session: client has seen a newer zxid; it must try another server",
			"client_zxid", hexID(req.LastZxidSeen), "server_zxid", hexID(last), "session", hexID(req.SessionID))
		return false
	}
	timeout := req.TimeOut
	if min := int32(s.cfg.MinSessionTimeoutMs()); timeout < min {
		timeout = min
	}
	if max := int32(s.cfg.MaxSessionTimeoutMs()); timeout > max {
		timeout = max
	}
	now := s.nowMs()
	if req.SessionID == 0 {
		sid := s.sessions.newID()
		s.sessions.add(sid, timeout, now)
		c.sessionID.Store(sid)
		c.timeout.Store(timeout)
		s.bind(sid, c)
		e := jute.NewEncoder(nil)
		e.Int(timeout)
		r := &Request{Request: leader.Request{SessionID: sid, Type: jute.OpCreateSession, Data: e.Bytes()}, rec: &jute.CreateSessionTxn{TimeOut: timeout}, conn: c, timeout: timeout, internal: true}
		return s.submit(r)
	}
	sid := req.SessionID
	// A learner asks the leader whether the session lives (Role.RevalidateRemote).
	if s.role != nil && bytes.Equal(req.Passwd, SessionPassword(sid)) &&
		s.role.RevalidateRemote(&Revalidation{c: c, SessionID: sid, Timeout: timeout, readOnly: req.HasReadOnly, s: s}) {
		return true
	}
	if !bytes.Equal(req.Passwd, SessionPassword(sid)) || !s.sessions.revalidate(sid, timeout, now) {
		c.log.Info("invalid or expired session, answering timeOut=0", "session", hexID(sid))
		c.lingerAfter(outFrame{b: jute.Encode(&jute.ConnectResponse{
			Passwd: make([]byte, 16), HasReadOnly: req.HasReadOnly,
		}), closeAfter: true})
		return false
	}
	c.sessionID.Store(sid)
	c.timeout.Store(timeout)
	s.bind(sid, c)
	c.log.Info("session reconnected", "session", hexID(sid), "timeout", timeout)
	c.send(outFrame{b: jute.Encode(&jute.ConnectResponse{
		TimeOut: timeout, SessionID: sid, Passwd: SessionPassword(sid), HasReadOnly: req.HasReadOnly,
	})})
	close(c.handshake)
	return true
}

// finishRevalidation completes a reconnect handshake with the leader's
// verdict: the session is bound here, or the client is told it expired.
func (s *Server) finishRevalidation(rv *Revalidation, valid bool) {
	c, sid := rv.c, rv.SessionID
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
	if !s.sessions.revalidate(sid, rv.Timeout, now) {
		s.sessions.add(sid, rv.Timeout, now) // committed at the leader, not applied here yet
	}
	c.sessionID.Store(sid)
	c.timeout.Store(rv.Timeout)
	s.bind(sid, c)
	c.log.Info("session reconnected (revalidated by the leader)", "session", hexID(sid), "timeout", rv.Timeout)
	c.send(outFrame{b: jute.Encode(&jute.ConnectResponse{
		TimeOut: rv.Timeout, SessionID: sid, Passwd: SessionPassword(sid), HasReadOnly: rv.readOnly,
	})})
	close(c.handshake)
}
