package node

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
)

// A learner retries a failed dial to its leader every leaderDialDelay for
// leaderDialWindow (3.8's connectToLeader: 5 attempts 100 ms apart), and
// never past initLimit ticks, which also bounds one slow dial (§4.1).
//
// NB: the window is what bounds a refused dial: a leader that died between
// the election and its learners' connect (refused at once, every time) must
// send them back to LOOKING within half a second, not after
// initLimit*tickTime (20 s with the sample config), which is what retrying
// until that deadline did to the first failover after a fresh start. The
// retries are closer than 3.8's because the learner that switched its vote
// usually decides a few ms before its new leader listens: a 100 ms pause
// after that first refusal was a third of a typical failover.
const (
	leaderDialWindow = 500 * time.Millisecond
	leaderDialDelay  = 20 * time.Millisecond
)

// dialLeader connects to the leader's quorum port (see leaderDialWindow).
func (p *quorumPeer) dialLeader(ctx context.Context, addr string) (net.Conn, error) {
	start := time.Now()
	deadline := start.Add(time.Duration(p.cfg.InitLimit) * p.tick) // bounds each dial too
	retryUntil := start.Add(leaderDialWindow)
	if retryUntil.After(deadline) {
		retryUntil = deadline
	}
	var lastErr error
	for attempt := 0; attempt == 0 || time.Now().Add(leaderDialDelay).Before(retryUntil); attempt++ {
		if attempt > 0 {
			select {
			case <-time.After(leaderDialDelay):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		d := net.Dialer{Timeout: time.Until(deadline)}
		nc, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			if tc, ok := nc.(*net.TCPConn); ok {
				_ = tc.SetNoDelay(true)
			}
			return nc, nil
		}
		lastErr = err
		p.log.Debug("connecting to the leader", "addr", addr, "attempt", attempt+1, "err", err)
	}
	if lastErr == nil {
		lastErr = context.DeadlineExceeded
	}
	return nil, fmt.Errorf("node: connect to leader %s within %v: %w", addr, time.Since(start).Round(time.Millisecond), lastErr)
}

// learnerRead reads the leader's packets; after a SNAP packet it loads the
// snapshot stream into the database before handing the packet on (the
// driver is then idle, waiting for sync packets). A read that waits longer
// than learnerReadTimeout ends the stream with a timeout error.
func (p *quorumPeer) learnerRead(ctx context.Context, nc net.Conn, out chan<- connEvent) {
	br := bufio.NewReaderSize(nc, 64<<10)
	send := func(ev connEvent) bool {
		select {
		case out <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	synced := false
	for {
		_ = nc.SetReadDeadline(time.Now().Add(p.learnerReadTimeout(synced)))
		pkt, err := readQuorumPacket(br, p.s.maxBuffer+1024)
		if err == nil && pkt.Type == jute.PacketSnap {
			err = p.loadSnap(br, pkt.Zxid)
		}
		if err != nil {
			send(connEvent{err: err})
			return
		}
		if pkt.Type == jute.PacketNewLeader {
			synced = true
		}
		if !send(connEvent{pkt: pkt}) {
			return
		}
	}
}

// learnerReadTimeout is the learner socket's read timeout (§6.5, 3.8's
// Learner SO_TIMEOUT): initLimit ticks from connect, syncLimit ticks once
// NEWLEADER has arrived, so a follower notices a silent leader within
// syncLimit ticks in broadcast.
func (p *quorumPeer) learnerReadTimeout(synced bool) time.Duration {
	if synced {
		return time.Duration(p.cfg.SyncLimit) * p.tick
	}
	return time.Duration(p.cfg.InitLimit) * p.tick
}

// loadSnap replaces the database with the SNAP stream (§5.5).
func (p *quorumPeer) loadSnap(br *bufio.Reader, zxid int64) error {
	start := time.Now()
	if err := p.db.LoadSnapshotStream(br); err != nil {
		return fmt.Errorf("node: SNAP 0x%x: %w", zxid, err)
	}
	if err := readSnapTrailer(br); err != nil {
		return fmt.Errorf("node: SNAP 0x%x: %w", zxid, err)
	}
	p.db.SetLastProcessedZxid(zxid)
	p.initConfigNode()
	p.log.Info("snapshot received from the leader", "zxid", hexID(zxid), "nodes", p.db.Tree().NodeCount(), "took", time.Since(start))
	return nil
}

// follow is Follower.followLeader / Observer.observeLeader.
func (p *quorumPeer) follow(parent context.Context, leaderID int64, observer bool) error {
	state := adminapi.StateFollowing
	if observer {
		state = adminapi.StateObserving
	}
	p.setState(state, adminapi.PhaseDiscovery, leaderID)
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	addr, err := p.quorumAddr(leaderID)
	if err != nil {
		return err
	}
	nc, err := p.dialLeader(ctx, addr)
	if err != nil {
		return err
	}
	defer nc.Close()
	acc, cur := p.epochs()
	ln, err := leader.NewLearner(leader.LearnerConfig{
		ID: p.myid, Observer: observer, ObserverSkipLog: !p.cfg.SyncEnabled,
		AcceptedEpoch: acc, CurrentEpoch: cur, LastLoggedZxid: p.db.LastLoggedZxid(),
		ConfigVersion: p.qvVer, InitLimit: p.cfg.InitLimit, SyncLimit: p.cfg.SyncLimit,
		Logger: slogZabLogger{p.log},
	})
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	recv := make(chan connEvent, 1024)
	readDone := make(chan struct{})
	go func() { defer close(readDone); p.learnerRead(ctx, nc, recv) }()
	bw := bufio.NewWriterSize(nc, 64<<10)
	seq := &sequencer{s: p.s}
	var pipe *rolePipe
	var logged loggedTxns
	reval := pendingRevalidations{}
	p.s.sessions.recordTouches(true)
	defer func() {
		p.s.sessions.recordTouches(false)
		cancel()
		_ = nc.Close()
		<-readDone
		reval.abort()
		p.endServing(pipe, seq, &logged)
	}()
	ticker := time.NewTicker(p.tick)
	defer ticker.Stop()
	lastMode := leader.SyncNone
	for {
		if ln.HasReady() {
			rd := ln.Ready()
			err := p.learnerReady(rd, nc, bw, seq, &logged)
			for _, a := range rd.Revalidated {
				reval.answer(p.s, a)
			}
			ln.Advance()
			if err != nil {
				return err
			}
			if m := ln.SyncMode(); m != lastMode {
				lastMode = m
				p.setStatus(func(st *peerStatus) { st.syncMode = m.String() })
				p.event("sync", fmt.Sprintf("synchronizing with leader %d by %v", leaderID, m))
			}
			if rd.Serving {
				pipe = newRolePipe(ctx)
				p.resetPipelineState(p.db.Tree().LastProcessedZxid())
				pipe.start(p.s, p.s.learnerPrepare)
				p.serving.Store(true)
				select {
				case p.elecVote <- rd.Epoch:
				default:
				}
				p.event("state", fmt.Sprintf("synced with leader %d in epoch %d, serving clients", leaderID, rd.Epoch))
			}
			p.setStatus(func(st *peerStatus) { st.zabPhase = ln.Phase(); st.committed = p.db.Tree().LastProcessedZxid() })
			if rd.LeaderLost != nil {
				return fmt.Errorf("node: leader %d lost: %w", leaderID, rd.LeaderLost)
			}
			continue
		}
		var pipeOut <-chan *Request
		var revalIn <-chan revalidation
		if pipe != nil {
			pipeOut, revalIn = pipe.out, p.revalCh
		}
		select {
		case <-ctx.Done():
			return errRoleStopped
		case <-ticker.C:
			ln.Tick()
		case ev := <-recv:
			batch := ln.Serving() // already past UPTODATE before this packet
			p.learnerStep(ln, ev)
			// NB: once serving, step what else has arrived (the PROPOSALs
			// of one leader batch, their COMMITs) before the next Ready:
			// one fsync and one write of ACKs for all of them, as 3.8's
			// SyncRequestProcessor groups its flushes. Not during sync,
			// whose Readies carry epochs and snapshots that must not merge.
			for n := 0; batch && ln.Serving() && ev.err == nil && n < 1000; n++ {
				select {
				case ev = <-recv:
					p.learnerStep(ln, ev)
					continue
				default:
				}
				break
			}
		case r := <-pipeOut:
			p.learnerRequest(ln, seq, r)
		case rv := <-revalIn:
			if err := reval.ask(ln, rv); err != nil {
				rv.c.close("cannot revalidate the session with the leader: " + err.Error())
			}
		}
	}
}

// learnerStep feeds one packet from the leader, or the end of the
// connection, to the learner state machine.
func (p *quorumPeer) learnerStep(ln *leader.Learner, ev connEvent) {
	if ev.err != nil {
		ln.ConnectionLost(ev.err)
		return
	}
	p.setStatus(func(st *peerStatus) { st.lastHeard = time.Now() })
	if ev.pkt.Type == jute.PacketPing {
		p.touchLocalSessions(ln)
	}
	if err := ln.Step(ev.pkt); err != nil && !errors.Is(err, leader.ErrStopped) {
		p.log.Warn("leader packet refused", "type", ev.pkt.Type, "zxid", hexID(ev.pkt.Zxid), "err", err)
	}
}

// learnerRequest forwards a write or sync to the leader and queues it.
func (p *quorumPeer) learnerRequest(ln *leader.Learner, seq *sequencer, r *Request) {
	if r.Err != jute.ErrOK || !learnerForwards(r.Type) {
		seq.add(r, seqRead)
		return
	}
	err := ln.Forward(leader.Request{SessionID: r.SessionID, Cxid: r.Cxid, Type: r.Type, Data: r.Data, AuthInfo: r.AuthInfo})
	if err != nil {
		if r.conn != nil {
			r.conn.close("cannot forward to the leader: " + err.Error())
		}
		return
	}
	if r.Type == jute.OpSync {
		seq.add(r, seqSync)
		return
	}
	seq.add(r, seqWrite)
}

// touchLocalSessions reports, in the next PING reply, the sessions of this
// server's clients that sent anything since the previous PING, so the
// leader keeps exactly those alive (Learner.ping in 3.8).
func (p *quorumPeer) touchLocalSessions(ln *leader.Learner) {
	for sid, to := range p.s.sessions.takeTouched() {
		ln.Touch(sid, to)
	}
}

// learnerReady carries out a LearnerReady in the order written on its type.
func (p *quorumPeer) learnerReady(rd leader.LearnerReady, nc net.Conn, bw *bufio.Writer, seq *sequencer, logged *loggedTxns) error {
	if rd.Truncate != nil {
		if err := p.db.Truncate(*rd.Truncate); err != nil {
			return fmt.Errorf("node: TRUNC to 0x%x: %w", *rd.Truncate, err)
		}
		p.event("sync", fmt.Sprintf("log truncated to 0x%x", *rd.Truncate))
	}
	for _, pr := range rd.SyncApply {
		txn, err := decodeTxn(pr.Data)
		if err != nil {
			return err
		}
		p.s.applyRemote(txn)
	}
	if rd.TakeSnapshot != nil {
		if _, err := p.db.TakeSnapshot(rd.TakeSnapshot.Sync); err != nil {
			return fmt.Errorf("node: snapshot after sync: %w", err)
		}
	}
	if len(rd.ToLog) > 0 {
		for _, pr := range rd.ToLog {
			if err := p.db.AppendRaw(pr.Zxid, pr.Data); err != nil {
				p.s.fail(fmt.Errorf("node: txn log: %w", err))
				return err
			}
			logged.add(pr)
		}
		if err := p.db.Commit(); err != nil {
			p.s.fail(fmt.Errorf("node: txn log: %w", err))
			return err
		}
		p.logCommits.Add(1)
		p.logTxns.Add(int64(len(rd.ToLog)))
	}
	if rd.Epochs != nil {
		if err := p.writeEpochs(rd.Epochs.AcceptedEpoch, rd.Epochs.CurrentEpoch); err != nil {
			return err
		}
	}
	if len(rd.Messages) > 0 {
		_ = nc.SetWriteDeadline(time.Now().Add(time.Duration(p.cfg.SyncLimit) * p.tick))
		for i := range rd.Messages {
			if _, err := bw.Write(encodeQuorumPacket(&rd.Messages[i])); err != nil {
				return fmt.Errorf("node: write to the leader: %w", err)
			}
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("node: write to the leader: %w", err)
		}
	}
	for _, pr := range rd.Apply {
		logged.applied(pr.Zxid)
		txn, err := decodeTxn(pr.Data)
		if err != nil {
			return err
		}
		seq.committedOnLearner(txn)
	}
	for range rd.Synced {
		seq.synced()
	}
	return nil
}
