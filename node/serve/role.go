package serve

import (
	"context"
	"fmt"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/node/status"
)

// Role is what the client path asks of an ensemble member's role loop
// (node/quorumpeer); nil on a standalone server.
type Role interface {
	// ServingClients reports whether clients may be served now: this peer
	// leads, or follows a synced leader.
	ServingClients() bool
	// RevalidateRemote hands a reconnect to the learner driver, which asks
	// the leader (REVALIDATE) and calls rv.Finish. False when this peer is
	// not a serving learner: the local session table decides.
	RevalidateRemote(rv *Revalidation) bool
	// Mode is srvr's "Mode:" line.
	Mode() string
	// QuorumInfo fills the quorum part of mntr.
	QuorumInfo(lastZxid int64) status.QuorumInfo
	// FillPeer fills the ensemble fields of /commands/peer.
	FillPeer(p *adminapi.Peer)
}

// Revalidation is a client's reconnect with an existing session to a
// learner, waiting for the leader's verdict (3.8's
// Learner.validateSession, docs/quorum-reference.md §6.3).
type Revalidation struct {
	c *conn
	// SessionID is the session the client reconnects with.
	SessionID int64
	// Timeout is the negotiated session timeout in ms.
	Timeout  int32
	readOnly bool
	s        *Server
}

// Abort closes the waiting connection: the role ended before the answer.
func (rv *Revalidation) Abort(reason string) { rv.c.close(reason) }

// Finish completes the handshake with the leader's verdict: the session is
// bound here, or the client is told it expired.
func (rv *Revalidation) Finish(valid bool) { rv.s.finishRevalidation(rv, valid) }

// Fail stops serving after an unrecoverable error (the txn log cannot be
// written): nothing more is acknowledged.
func (s *Server) Fail(err error) { s.fail(err) }

// ApplyCommitted applies a committed txn that no local client waits for
// (a leader's COMMIT of another server's request, a sync from the leader,
// a fast-forward from the log).
func (s *Server) ApplyCommitted(txn *jute.Txn) { s.applyRemote(txn) }

// TouchSession keeps a session alive (a learner reported it in a PING).
func (s *Server) TouchSession(sid int64) { s.sessions.touch(sid, s.nowMs()) }

// RevalidateSession answers a learner's REVALIDATE: whether the session
// lives, touching it with timeout if so.
func (s *Server) RevalidateSession(sid int64, timeout int32) bool {
	return s.sessions.revalidate(sid, timeout, s.nowMs())
}

// RecordTouches starts (on) or stops recording which sessions send
// anything, for a learner's PING replies (3.8's LearnerSessionTracker);
// starting forgets what an earlier role recorded.
func (s *Server) RecordTouches(on bool) { s.sessions.recordTouches(on) }

// TouchedSessions calls f for each session that sent anything since the
// previous call (nothing unless RecordTouches(true)): a learner reports
// exactly those in its PING reply, so a client that falls silent on a
// follower expires on the leader.
func (s *Server) TouchedSessions(f func(sid int64, timeout int32)) {
	for sid, to := range s.sessions.takeTouched() {
		f(sid, to)
	}
}

// RoleKind says which prepare step a role's pipeline runs.
type RoleKind int

// Role kinds.
const (
	// Leading preps local and forwarded requests into txns, expires
	// sessions and reaps containers.
	Leading RoleKind = iota
	// Learning (follower or observer) forwards writes, syncs and session
	// changes to the leader and serves reads locally.
	Learning
)

// StartRole begins serving clients in an ensemble role: sessions are taken
// from the database, prep restarts after lastZxid, and the role's pipeline
// runs until EndRole. Only the role driver calls it.
func (s *Server) StartRole(ctx context.Context, kind RoleKind, lastZxid int64) *RolePipe {
	s.prep.reset(lastZxid)
	s.sessions.resetTo(s.db.Sessions(), s.nowMs())
	pipe := newRolePipe(ctx)
	switch kind {
	case Leading:
		pipe.start(s, s.timedPrep(s.leaderPrepare))
		pipe.goFunc(func() { s.expireEvery(pipe.ctx, pipe.submit) })
		pipe.goFunc(func() { s.reapEvery(pipe.ctx, pipe.submit) })
	case Learning:
		pipe.start(s, s.learnerPrepare)
	}
	return pipe
}

// EndRole stops serving clients when a role ends: connections closed, the
// pipeline stopped (pipe may be nil), queued requests dropped with their
// connections. fastForward then brings the tree up to the logged txns
// before prep restarts from the tree.
func (s *Server) EndRole(pipe *RolePipe, seq *Sequencer, fastForward func()) {
	s.closeAllConns("server left its role")
	if pipe != nil {
		pipe.stop()
	}
	seq.Abort("server left its role")
	for {
		select {
		case <-s.prepCh:
			continue
		default:
		}
		break
	}
	fastForward()
	s.prep.reset(s.tree.LastProcessedZxid())
}

// DecodeTxn decodes a PROPOSAL's data into a txn.
func DecodeTxn(data []byte) (*jute.Txn, error) {
	var t jute.Txn
	if err := jute.Decode(data, &t); err != nil {
		return nil, fmt.Errorf("node: decode txn: %w", err)
	}
	return &t, nil
}
