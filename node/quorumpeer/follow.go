package quorumpeer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
	"github.com/zkctl/zkctl/node/serve"
	"github.com/zkctl/zkctl/node/zabconn"
)

// leaderReader is the learner's reader of the leader's stream: read
// timeouts of initLimit ticks until NEWLEADER, syncLimit ticks after
// (docs/quorum-reference.md §6.5), a SNAP loaded into the database.
func (p *Peer) leaderReader() zabconn.LearnerReader {
	return zabconn.LearnerReader{
		MaxData:     p.cfg.MaxRecordLen() + 1024, // a proposal carries a txn up to maxbuffer+extrasize
		InitTimeout: time.Duration(p.cfg.InitLimit) * p.tick,
		SyncTimeout: time.Duration(p.cfg.SyncLimit) * p.tick,
		LoadSnap:    p.loadSnap,
	}
}

// loadSnap replaces the database with the SNAP stream
// (docs/quorum-reference.md §5.5).
func (p *Peer) loadSnap(br *bufio.Reader, zxid int64) error {
	start := time.Now()
	if err := p.db.LoadSnapshotStream(br); err != nil {
		return fmt.Errorf("node: SNAP 0x%x: %w", zxid, err)
	}
	if err := zabconn.ReadSnapTrailer(br); err != nil {
		return fmt.Errorf("node: SNAP 0x%x: %w", zxid, err)
	}
	p.db.SetLastProcessedZxid(zxid)
	p.initConfigNode()
	p.log.Info("snapshot received from the leader", "zxid", hexID(zxid), "nodes", p.db.Tree().NodeCount(), "took", time.Since(start))
	return nil
}

// follow is Follower.followLeader / Observer.observeLeader.
func (p *Peer) follow(parent context.Context, leaderID int64, observer bool) error {
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
	nc, err := zabconn.DialLeader(ctx, p.zab, addr, time.Duration(p.cfg.ConnectLimitTicks())*p.tick, p.log) // connectToLearnerMasterLimit
	if err != nil {
		return err
	}
	defer nc.Close()
	acc, cur := p.epochs()
	ln, err := leader.NewLearner(leader.LearnerConfig{
		ID: p.myid, Observer: observer, ObserverSkipLog: !p.cfg.SyncEnabled,
		AcceptedEpoch: acc, CurrentEpoch: cur, LastLoggedZxid: p.db.LastLoggedZxid(),
		ConfigVersion: p.qvVer, InitLimit: p.cfg.InitLimit, SyncLimit: p.cfg.SyncLimit,
		Logger: slogLogger{l: p.log, info: slog.LevelInfo},
	})
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	recv := make(chan zabconn.Event, 1024)
	readDone := make(chan struct{})
	go func() { defer close(readDone); p.leaderReader().Run(ctx, nc, recv) }()
	bw := bufio.NewWriterSize(nc, 64<<10)
	seq := p.srv.NewSequencer()
	var pipe *serve.RolePipe
	var logged loggedTxns
	reval := pendingRevalidations{}
	p.srv.RecordTouches(true)
	defer func() {
		p.srv.RecordTouches(false)
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
				reval.answer(a)
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
				pipe = p.srv.StartRole(ctx, serve.Learning, p.db.Tree().LastProcessedZxid())
				p.serving.Store(true)
				p.met.learnerSynced(observer)
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
		var pipeOut <-chan *serve.Request
		var revalIn <-chan *serve.Revalidation
		if pipe != nil {
			pipeOut, revalIn = pipe.Out(), p.revalCh
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
			for n := 0; batch && ln.Serving() && ev.Err == nil && n < 1000; n++ {
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
				rv.Abort("cannot revalidate the session with the leader: " + err.Error())
			}
		}
	}
}

// learnerStep feeds one packet from the leader, or the end of the
// connection, to the learner state machine.
func (p *Peer) learnerStep(ln *leader.Learner, ev zabconn.Event) {
	if ev.Err != nil {
		ln.ConnectionLost(ev.Err)
		return
	}
	p.setStatus(func(st *peerStatus) { st.lastHeard = time.Now() })
	p.met.learnerPacket(ev.Pkt.Type, ln.Serving())
	if ev.Pkt.Type == jute.PacketPing {
		p.touchLocalSessions(ln)
	}
	if err := ln.Step(ev.Pkt); err != nil && !errors.Is(err, leader.ErrStopped) {
		p.log.Warn("leader packet refused", "type", ev.Pkt.Type, "zxid", hexID(ev.Pkt.Zxid), "err", err)
	}
}

// learnerRequest forwards a write or sync to the leader and queues it.
func (p *Peer) learnerRequest(ln *leader.Learner, seq *serve.Sequencer, r *serve.Request) {
	if r.Err != jute.ErrOK || !serve.LearnerForwards(r.Type) {
		seq.Add(r, serve.SeqRead)
		return
	}
	if err := ln.Forward(r.Request); err != nil {
		r.Abort("cannot forward to the leader: " + err.Error())
		return
	}
	if r.Type == jute.OpSync {
		seq.Add(r, serve.SeqSync)
		return
	}
	seq.Add(r, serve.SeqWrite)
}

// touchLocalSessions reports, in the next PING reply, the sessions of this
// server's clients that sent anything since the previous PING, so the
// leader keeps exactly those alive (Learner.ping in 3.8).
func (p *Peer) touchLocalSessions(ln *leader.Learner) {
	p.srv.TouchedSessions(ln.Touch)
}

// learnerReady carries out a LearnerReady in the order written on its type.
func (p *Peer) learnerReady(rd leader.LearnerReady, nc net.Conn, bw *bufio.Writer, seq *serve.Sequencer, logged *loggedTxns) error {
	if rd.Truncate != nil {
		if err := p.db.Truncate(*rd.Truncate); err != nil {
			return fmt.Errorf("node: TRUNC to 0x%x: %w", *rd.Truncate, err)
		}
		p.event("sync", fmt.Sprintf("log truncated to 0x%x", *rd.Truncate))
	}
	for _, pr := range rd.SyncApply {
		txn, err := serve.DecodeTxn(pr.Data)
		if err != nil {
			return err
		}
		p.srv.ApplyCommitted(txn)
	}
	if rd.TakeSnapshot != nil {
		if _, err := p.db.TakeSnapshot(rd.TakeSnapshot.Sync); err != nil {
			return fmt.Errorf("node: snapshot after sync: %w", err)
		}
	}
	if len(rd.ToLog) > 0 {
		for _, pr := range rd.ToLog {
			if err := p.db.AppendRaw(pr.Zxid, pr.Data); err != nil {
				p.srv.Fail(fmt.Errorf("node: txn log: %w", err))
				return err
			}
			logged.add(pr)
		}
		if err := p.db.Commit(); err != nil {
			p.srv.Fail(fmt.Errorf("node: txn log: %w", err))
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
			if _, err := bw.Write(zabconn.EncodePacket(&rd.Messages[i])); err != nil {
				return fmt.Errorf("node: write to the leader: %w", err)
			}
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("node: write to the leader: %w", err)
		}
	}
	for _, pr := range rd.Apply {
		logged.applied(pr.Zxid)
		txn, err := serve.DecodeTxn(pr.Data)
		if err != nil {
			return err
		}
		seq.CommittedOnLearner(txn)
	}
	for range rd.Synced {
		seq.Synced()
	}
	return nil
}
