package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/store"
)

// startQuorum is Start for an ensemble member (server.N lines): the client
// port is bound at once but clients are served only while this peer leads
// or follows a synced leader; the role loop runs until Stop.
func (s *Server) startQuorum(ctx context.Context) error {
	db, err := s.openDB()
	if err != nil {
		return fmt.Errorf("node: open database in %s: %w", s.cfg.DataDir, err)
	}
	sdb, ok := db.(*store.DB)
	if !ok {
		_ = db.Close()
		return errors.New("node: quorum mode needs the file database")
	}
	s.db = db
	s.tree = db.Tree()
	now := s.nowMs()
	s.sessions = newSessionTracker(int64(s.cfg.TickTime), s.serverID, now)
	s.sessions.resetTo(db.Sessions(), now)
	s.prep = newPrepper(prepOptions{
		extendedTypes: s.cfg.ExtendedTypesEnabled, reconfigEnabled: s.cfg.ReconfigEnabled, quorum: true,
		quota: newQuotaEnforcer(s.cfg, s.log),
	}, s.tree, s.sessions, s.tree.LastProcessedZxid(), s.nowMs)
	p, err := newQuorumPeer(s, sdb)
	if err != nil {
		_ = db.Close()
		return err
	}
	addr := net.JoinHostPort(s.cfg.ClientPortAddress, strconv.Itoa(s.cfg.ClientPort))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = p.qcm.Close()
		_ = db.Close()
		return fmt.Errorf("node: listen on client port %s: %w", addr, err)
	}
	s.ln = ln
	s.quorum = p
	s.ctx, s.cancel = context.WithCancel(ctx)
	limit := s.cfg.GlobalOutstandingLimit
	if limit <= 0 {
		limit = 1000
	}
	s.prepCh = make(chan *Request, limit)
	s.finalCh = make(chan *Request, limit)
	s.started = time.Now()
	p.qcm.Start()
	s.goFunc(s.acceptLoop)
	s.goFunc(func() { p.electionLoop(s.ctx) })
	s.goFunc(func() { p.run(s.ctx) })
	s.goFunc(func() {
		<-s.ctx.Done()
		_ = s.ln.Close()
		_ = p.qcm.Close()
	})
	if err := s.startAdmin(db); err != nil {
		return err
	}
	s.events.Add("state", adminapi.StateLooking, "ensemble member started, election port "+p.qcm.Addr())
	s.log.Info("ensemble member started", "myid", s.cfg.MyID, "client", ln.Addr().String(), "election", p.qcm.Addr(),
		"zxid", hexID(sdb.LastLoggedZxid()), "voters", len(p.voters), "observer", p.observer)
	return nil
}

// resetTo replaces the tracked sessions with a database's session table,
// each with a fresh deadline (a new leader or a resynced learner).
func (t *sessionTracker) resetTo(sessions map[int64]int32, nowMs int64) {
	t.mu.Lock()
	t.sessions = make(map[int64]*session, len(sessions))
	t.buckets = make(map[int64]map[int64]*session)
	t.mu.Unlock()
	for id, to := range sessions {
		t.add(id, to, nowMs)
	}
}

// reset forgets outstanding changes and restarts zxids after lastZxid.
// Only call it while no prep goroutine runs.
func (p *prepper) reset(lastZxid int64) {
	p.lastZxid = lastZxid
	p.mu.Lock()
	p.changes = nil
	p.byPath = make(map[string]*changeRecord)
	p.mu.Unlock()
}

// resetPipelineState prepares prep and sessions for a new serving role.
func (p *quorumPeer) resetPipelineState(lastZxid int64) {
	p.s.prep.reset(lastZxid)
	p.s.sessions.resetTo(p.db.Sessions(), p.s.nowMs())
}

// endServing stops serving clients when a role ends: connections closed,
// queued requests dropped, logged txns fast-forwarded into the tree.
func (p *quorumPeer) endServing(pipe *rolePipe, seq *sequencer, logged *loggedTxns) {
	wasServing := p.serving.Swap(false)
	p.s.closeAllConns("server left its role")
	if pipe != nil {
		pipe.stop()
	}
	seq.abort("server left its role")
	for {
		select {
		case <-p.s.prepCh:
			continue
		default:
		}
		break
	}
	p.fastForward(logged)
	p.s.prep.reset(p.db.Tree().LastProcessedZxid())
	if wasServing {
		p.event("state", "stopped serving clients")
	}
}

// Serving reports whether this ensemble member serves clients now.
func (p *quorumPeer) servingClients() bool { return p.serving.Load() }
