package serve

// Read-only mode (docs/readonly.md): 3.8's ReadOnlyZooKeeperServer with
// its ReadOnlyRequestProcessor. An ensemble member cut off from its quorum
// (LOOKING, readonlymode.enabled) keeps serving the tree it has to clients
// that asked for read-only sessions: reads are answered locally, writes and
// sync are refused with NotReadOnly, and sessions are local to this server
// (never proposed). The role loop (node/quorumpeer) starts and ends it.

import (
	"bytes"
	"context"
	"time"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
)

// readOnlyServer is one period of read-only serving.
type readOnlyServer struct {
	s *Server
	// localSessions is localSessionsEnabled: without it 3.8 refuses the
	// createSession of a read-only client (it would need a quorum).
	localSessions bool
	// global holds the sessions of the database, which a read-only server
	// cannot renew (3.8: "Refusing global session reconnection in RO mode").
	global map[int64]bool
	pipe   *RolePipe
}

// StartReadOnly begins serving read-only clients while the ensemble member
// has no quorum: the role loop calls it after the 3.8 grace period of
// LOOKING and ends it with EndReadOnly once an election decides.
// localSessions is the localSessionsEnabled setting.
func (s *Server) StartReadOnly(ctx context.Context, localSessions bool) {
	last := s.tree.LastProcessedZxid()
	s.prep.reset(last)
	db := s.db.Sessions()
	s.sessions.resetTo(db, s.nowMs())
	ro := &readOnlyServer{s: s, localSessions: localSessions, global: make(map[int64]bool, len(db))}
	for sid := range db {
		ro.global[sid] = true
	}
	ro.pipe = newRolePipe(ctx)
	ro.pipe.start(s, ro.prepare)
	ro.pipe.goFunc(ro.drive)
	ro.pipe.goFunc(ro.expireLocal)
	s.ro.Store(ro)
	s.log.Info("read-only server started", "zxid", hexID(last), "localSessionsEnabled", localSessions)
}

// EndReadOnly stops read-only serving (the quorum is back, or the server
// stops): every read-only connection is closed so that clients look for a
// read-write server, as 3.8 shuts the ReadOnlyZooKeeperServer down.
func (s *Server) EndReadOnly() {
	ro := s.ro.Swap(nil)
	if ro == nil {
		return
	}
	s.closeAllConns("read-only server stopping")
	ro.pipe.stop()
	for {
		select {
		case <-s.prepCh:
			continue
		default:
		}
		break
	}
	s.prep.reset(s.tree.LastProcessedZxid())
	s.log.Info("read-only server stopped")
}

// ReadOnly reports whether this server serves in read-only mode now
// (isro "ro", srvr Mode "read-only").
func (s *Server) ReadOnly() bool { return s.ro.Load() != nil }

// readOnlyConnect is processConnectRequest on a ReadOnlyZooKeeperServer:
// a client that did not ask for read-only is refused (the connection is
// closed, so it tries another server), a global session cannot be renewed,
// and a new session is a local one.
func (s *Server) readOnlyConnect(ro *readOnlyServer, c *conn, req *jute.ConnectRequest) bool {
	if !req.ReadOnly {
		c.log.Info("refusing session request for not-read-only client", "session", hexID(req.SessionID))
		return false
	}
	if last := s.tree.LastProcessedZxid(); req.LastZxidSeen > last {
		c.log.Info("refusing session: client has seen a newer zxid; it must try another server",
			"client_zxid", hexID(req.LastZxidSeen), "server_zxid", hexID(last), "session", hexID(req.SessionID))
		return false
	}
	timeout := min(max(req.TimeOut, int32(s.cfg.MinSessionTimeoutMs())), int32(s.cfg.MaxSessionTimeoutMs()))
	now := s.nowMs()
	if req.SessionID == 0 {
		sid := s.sessions.newID()
		s.sessions.add(sid, timeout, now)
		c.sessionID.Store(sid)
		c.timeout.Store(timeout)
		s.bind(sid, c)
		e := jute.NewEncoder(nil)
		e.Int(timeout)
		return s.submit(&Request{Request: leader.Request{SessionID: sid, Type: jute.OpCreateSession, Data: e.Bytes()},
			rec: &jute.CreateSessionTxn{TimeOut: timeout}, conn: c, timeout: timeout, internal: true})
	}
	sid := req.SessionID
	if ro.global[sid] {
		c.log.Info("refusing global session reconnection in read-only mode", "session", hexID(sid))
		return false
	}
	if !bytes.Equal(req.Passwd, SessionPassword(sid)) || !s.sessions.revalidate(sid, timeout, now) {
		c.log.Info("invalid or expired session, answering timeOut=0", "session", hexID(sid))
		c.lingerAfter(outFrame{b: jute.Encode(&jute.ConnectResponse{
			Passwd: make([]byte, 16), HasReadOnly: req.HasReadOnly, ReadOnly: true,
		})})
		return false
	}
	c.sessionID.Store(sid)
	c.timeout.Store(timeout)
	s.bind(sid, c)
	c.log.Info("read-only session reconnected", "session", hexID(sid), "timeout", timeout)
	c.send(outFrame{b: jute.Encode(&jute.ConnectResponse{
		TimeOut: timeout, SessionID: sid, Passwd: SessionPassword(sid), HasReadOnly: req.HasReadOnly, ReadOnly: true,
	})})
	close(c.handshake)
	return true
}

// prepare is ReadOnlyRequestProcessor in front of PrepRequestProcessor:
// anything that needs the quorum (writes, check, sync, a global session's
// create or close) is answered NotReadOnly; reads are prepared as usual.
func (ro *readOnlyServer) prepare(r *Request) {
	if r.Err != jute.ErrOK {
		return
	}
	switch r.Type {
	case jute.OpCreateSession:
		if !ro.localSessions {
			r.Err = jute.ErrNotReadOnly
		}
		return
	case jute.OpCloseSession:
		if !ro.localSessions || ro.global[r.SessionID] {
			r.Err = jute.ErrNotReadOnly
		}
		return
	case jute.OpSync:
		r.Err = jute.ErrNotReadOnly
		return
	}
	if r.Type.IsWrite() {
		r.Err = jute.ErrNotReadOnly
		return
	}
	ro.s.prep.prepare(r)
}

// drive is the final stage of the read-only pipeline: nothing waits for a
// quorum, so requests are answered in prep order as they come.
func (ro *readOnlyServer) drive() {
	s := ro.s
	for {
		var r *Request
		select {
		case r = <-ro.pipe.out:
		case <-ro.pipe.ctx.Done():
			return
		}
		switch r.Type {
		case jute.OpCreateSession:
			ro.finishCreate(r)
		case jute.OpCloseSession:
			if r.Err == jute.ErrOK {
				s.sessions.remove(r.SessionID)
				s.log.Info("read-only session closed", "session", hexID(r.SessionID))
			}
			s.reply(r, &jute.ReplyHeader{Xid: r.Cxid, Zxid: s.tree.LastProcessedZxid(), Err: r.Err}, nil)
		default:
			s.finish(r)
		}
	}
}

// finishCreate answers a read-only client's new session: a local session
// gets its ConnectResponse (readOnly=true). Without local sessions 3.8's
// ReadOnlyRequestProcessor answers the createSession with a NotReadOnly
// reply header where the client waits for a ConnectResponse, so the
// client cannot connect; the same frame is sent here, then the connection
// is closed.
func (ro *readOnlyServer) finishCreate(r *Request) {
	s, c, sid := ro.s, r.conn, r.SessionID
	if c == nil {
		return
	}
	if r.Err != jute.ErrOK {
		s.sessions.remove(sid)
		c.log.Info("refusing a global session in read-only mode (localSessionsEnabled=false)", "session", hexID(sid))
		c.lingerAfter(outFrame{b: jute.Encode(&jute.ReplyHeader{Zxid: s.tree.LastProcessedZxid(), Err: jute.ErrNotReadOnly})})
		return
	}
	s.log.Info("read-only local session established", "session", hexID(sid), "timeout", r.timeout)
	c.send(outFrame{b: jute.Encode(&jute.ConnectResponse{
		TimeOut: r.timeout, SessionID: sid, Passwd: SessionPassword(sid), HasReadOnly: c.hasReadOnly, ReadOnly: true,
	})})
	close(c.handshake)
}

// expireLocal expires the local sessions of a read-only server (3.8's
// LocalSessionTracker): a local session owns no ephemeral nodes, so its
// expiry only drops it and closes its connection.
func (ro *readOnlyServer) expireLocal() {
	s := ro.s
	t := time.NewTicker(max(time.Duration(s.cfg.TickTime)*time.Millisecond/4, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-ro.pipe.ctx.Done():
			return
		}
		for _, sid := range s.sessions.expire(s.nowMs()) {
			s.sessions.remove(sid)
			if ro.global[sid] {
				continue
			}
			s.log.Info("read-only local session expired", "session", hexID(sid))
			if c := s.connOf(sid); c != nil {
				c.close("session expired")
			}
		}
	}
}
