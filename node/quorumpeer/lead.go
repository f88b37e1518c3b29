package quorumpeer

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"strconv"
	"time"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
	"github.com/zkctl/zkctl/node/serve"
	"github.com/zkctl/zkctl/node/zabconn"
)

// loggedTxns are txns this server logged but has not applied yet, in
// zxid order; when a role ends they are applied ("fast-forward from the
// log", docs/quorum-reference.md §1.3) so the tree covers every logged txn again.
type loggedTxns struct{ l []leader.Proposal }

func (t *loggedTxns) add(p leader.Proposal) { t.l = append(t.l, p) }

func (t *loggedTxns) applied(zxid int64) {
	for len(t.l) > 0 && t.l[0].Zxid <= zxid {
		t.l = t.l[1:]
	}
}

func (p *Peer) fastForward(t *loggedTxns) {
	for _, pr := range t.l {
		if pr.Zxid <= p.db.Tree().LastProcessedZxid() {
			continue
		}
		txn, err := serve.DecodeTxn(pr.Data)
		if err != nil {
			p.log.Warn("fast-forward: undecodable logged txn", "zxid", hexID(pr.Zxid), "err", err)
			return
		}
		p.srv.ApplyCommitted(txn)
	}
	t.l = nil
}

// quorumAddr is server.N's quorum address.
func (p *Peer) quorumAddr(sid int64) (string, error) {
	sv, ok := p.cfg.Server(sid)
	if !ok || len(sv.Addrs) == 0 {
		return "", fmt.Errorf("node: no quorum address for server %d", sid)
	}
	return net.JoinHostPort(sv.Addrs[0].Host, strconv.Itoa(sv.Addrs[0].QuorumPort)), nil
}

// lead is Leader.lead: discovery, sync and broadcast through the leader
// state machine, with the learners on the quorum port.
func (p *Peer) lead(parent context.Context) error {
	p.setState(adminapi.StateLeading, adminapi.PhaseDiscovery, p.myid)
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	addr, err := p.quorumAddr(p.myid)
	if err != nil {
		return err
	}
	ln, err := zabconn.Listen(ctx, p.zab, addr)
	if err != nil {
		return fmt.Errorf("node: bind quorum port %s: %w", addr, err)
	}
	acc, cur := p.epochs()
	l, err := leader.New(leader.Config{
		ID: p.myid, Voters: p.voters, AcceptedEpoch: acc, CurrentEpoch: cur,
		History: dbHistory{p.db}, InitLimit: p.cfg.InitLimit, SyncLimit: p.cfg.SyncLimit,
		ConfigVersion: p.qvVer, NewLeaderData: []byte(p.qv), Logger: slogLogger{l: p.log, info: slog.LevelInfo},
		SnapshotSizeFactor: p.cfg.SnapshotSizeFactor, // snapshotSizeFactor (config-fidelity)
	})
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("node: %w", err)
	}
	net := zabconn.NewLeaderNet(ln, p.log, time.Duration(p.cfg.InitLimit)*p.tick, p.cfg.MaxRecordLen()+1024)
	net.Serve(ctx)
	conns := map[int64]*zabconn.LearnerConn{}
	seq := p.srv.NewSequencer()
	var pipe *serve.RolePipe
	var logged loggedTxns
	var fwdQ []*serve.Request
	lastPing := map[int64]time.Time{}
	rtt := map[int64]float64{}   // by sid
	connSid := map[int64]int64{} // learner conn -> sid
	syncs := newLeaderSyncs(p.myid, p.voters, time.Duration(p.cfg.SyncLimit)*p.tick/2)
	defer func() {
		cancel()
		net.Close(conns)
		p.endServing(pipe, seq, &logged)
	}()
	// recv handles one learner packet or connection end.
	recv := func(ev zabconn.Event) {
		if ev.Err != nil {
			if c, ok := conns[ev.Conn]; ok {
				c.Close("connection lost")
				delete(conns, ev.Conn)
			}
			l.Disconnect(ev.Conn)
			return
		}
		switch ev.Pkt.Type {
		case jute.PacketFollowerInfo, jute.PacketObserverInfo:
			if li, err := leader.DecodeLearnerInfo(ev.Pkt.Data); err == nil {
				connSid[ev.Conn] = li.ServerID
				if c, ok := conns[ev.Conn]; ok {
					meta := learnerMeta{addr: c.RemoteAddr(), est: time.Now()}
					p.setStatus(func(st *peerStatus) {
						// copy on write: readers use the map outside the lock
						m := maps.Clone(st.learnerConns)
						if m == nil {
							m = map[int64]learnerMeta{}
						}
						m[li.ServerID] = meta
						st.learnerConns = m
					})
				}
			}
		case jute.PacketAck:
			p.met.acked(connSid[ev.Conn], ev.Pkt.Zxid)
		case jute.PacketPing:
			if t, ok := lastPing[ev.Conn]; ok {
				rtt[connSid[ev.Conn]] = float64(time.Since(t).Microseconds()) / 1000
				delete(lastPing, ev.Conn)
				syncs.pingAnswered(connSid[ev.Conn], t)
				syncs.release(seq)
			}
		}
		if err := l.Step(ev.Conn, ev.Pkt); err != nil {
			p.log.Warn("learner packet refused", "conn", ev.Conn, "type", ev.Pkt.Type, "zxid", hexID(ev.Pkt.Zxid), "err", err)
		}
	}
	ticker := time.NewTicker(p.tick)
	defer ticker.Stop()
	for {
		if l.HasReady() {
			rd := l.Ready()
			post, err := p.leaderReady(rd, l, conns, seq, &logged, &fwdQ, lastPing)
			l.Advance()
			for _, f := range post {
				f()
			}
			if rd.Serving {
				pipe = p.startServingLeader(ctx, rd.Epoch)
			}
			if err != nil {
				return err
			}
			if rd.StepDown != nil {
				return fmt.Errorf("node: leadership ended: %w", rd.StepDown)
			}
			p.publishLeader(l, rtt, syncs)
			continue
		}
		var pipeOut <-chan *serve.Request
		var fwdIn chan<- *serve.Request
		var fwdHead *serve.Request
		if pipe != nil {
			pipeOut = pipe.Out()
			if len(fwdQ) > 0 {
				fwdIn, fwdHead = pipe.Forward(), fwdQ[0]
			}
		}
		select {
		case <-ctx.Done():
			return errRoleStopped
		case <-ticker.C:
			l.Tick()
			p.publishLeader(l, rtt, syncs)
		case c := <-net.Accepted():
			conns[c.ID] = c
			l.Connect(c.ID)
		case ev := <-net.Recv():
			recv(ev)
			// NB: while serving, take what else has arrived (mostly the
			// ACKs of one fsync batch) before the next Ready, so their
			// COMMITs go to each learner in one write. Not before: a
			// discovery/sync Ready carries epochs that must not merge.
			for n := 0; pipe != nil && n < 256; n++ {
				select {
				case ev := <-net.Recv():
					recv(ev)
					continue
				default:
				}
				break
			}
		case r := <-pipeOut:
			p.proposeLocal(l, seq, syncs, r)
			for range 1000 { // batch what is queued: one fsync for all
				select {
				case r := <-pipeOut:
					p.proposeLocal(l, seq, syncs, r)
					continue
				default:
				}
				break
			}
		case fwdIn <- fwdHead:
			fwdQ = fwdQ[1:]
		}
	}
}

// proposeLocal hands a prepped request to Zab (writes) and queues it.
func (p *Peer) proposeLocal(l *leader.Leader, seq *serve.Sequencer, syncs *leaderSyncs, r *serve.Request) {
	if r.Txn == nil {
		syncs.admit(r, seq, time.Now()) // reads; a sync may wait for a quorum (leadersync.go)
		return
	}
	if err := l.Propose(leader.Proposal{Zxid: r.Txn.Hdr.Zxid, Data: jute.Encode(r.Txn)}); err != nil {
		p.log.Warn("propose failed", "zxid", hexID(r.Txn.Hdr.Zxid), "session", hexID(r.SessionID), "err", err)
		r.Abort("proposal refused: " + err.Error())
		return
	}
	p.met.propose(r.Txn.Hdr.Zxid)
	seq.Add(r, serve.SeqWrite)
}

// leaderReady carries out one leader Ready in its order. It returns calls
// into the state machine to make after Advance.
func (p *Peer) leaderReady(rd leader.Ready, l *leader.Leader, conns map[int64]*zabconn.LearnerConn, seq *serve.Sequencer,
	logged *loggedTxns, fwdQ *[]*serve.Request, lastPing map[int64]time.Time) ([]func(), error) {
	var post []func()
	if rd.Epochs != nil {
		if err := p.writeEpochs(rd.Epochs.AcceptedEpoch, rd.Epochs.CurrentEpoch); err != nil {
			return nil, err
		}
	}
	for _, pr := range rd.ToLog {
		if err := p.db.AppendRaw(pr.Zxid, pr.Data); err != nil {
			p.srv.Fail(fmt.Errorf("node: txn log: %w", err))
			return nil, err
		}
		logged.add(pr)
	}
	sent := p.leaderSend(rd, conns, lastPing)
	// NB: the PROPOSALs are on their way (queued to the learners' writers)
	// before the leader's own fsync, as 3.8's Leader.propose sends before
	// SyncRequestProcessor logs: the learners' fsyncs overlap the leader's.
	// The leader's own ACK (Logged) still waits for its fsync.
	if len(rd.ToLog) > 0 {
		if err := p.db.Commit(); err != nil {
			p.srv.Fail(fmt.Errorf("node: txn log: %w", err))
			return nil, err
		}
		p.logCommits.Add(1)
		p.logTxns.Add(int64(len(rd.ToLog)))
		last := rd.ToLog[len(rd.ToLog)-1].Zxid
		post = append(post, func() { l.Logged(last) })
	}
	for conn, s := range sent {
		post = append(post, func() { l.SentTo(conn, int(s[0]), s[1]) })
	}
	for _, pr := range rd.Committed {
		p.met.committed(pr.Zxid)
		logged.applied(pr.Zxid)
		if !seq.CommittedOnLeader(pr.Zxid) {
			txn, err := serve.DecodeTxn(pr.Data)
			if err != nil {
				return nil, err
			}
			p.srv.ApplyCommitted(txn)
		}
	}
	for _, fr := range rd.Requests {
		*fwdQ = append(*fwdQ, p.srv.ForwardedRequest(fr))
	}
	for _, t := range rd.Touches {
		p.srv.TouchSession(t.SessionID)
	}
	for _, rv := range rd.Revalidations {
		valid := p.srv.RevalidateSession(rv.SessionID, rv.Timeout)
		post = append(post, func() { l.AnswerRevalidate(rv.Conn, rv.SessionID, valid) })
	}
	for _, id := range rd.Close {
		if c, ok := conns[id]; ok {
			c.Close("closed by the leader state machine")
			delete(conns, id)
		}
	}
	return post, nil
}

// leaderSend queues a Ready's messages to the learners' writers, the SNAP
// stream after its packet, and returns packets and bytes queued per
// connection.
func (p *Peer) leaderSend(rd leader.Ready, conns map[int64]*zabconn.LearnerConn, lastPing map[int64]time.Time) map[int64][2]int64 {
	sent := map[int64][2]int64{}
	for _, m := range rd.Messages {
		c, ok := conns[m.To]
		if !ok {
			continue
		}
		b := zabconn.EncodePacket(&m.Packet)
		n := int64(len(m.Packet.Data))
		if m.Packet.Type == jute.PacketSnap {
			var buf bytes.Buffer
			buf.Write(b)
			zxid, err := p.db.WriteSnapshotStream(&buf)
			if err != nil {
				c.Close("snapshot: " + err.Error())
				continue
			}
			b = zabconn.AppendSnapTrailer(buf.Bytes())
			n = int64(len(b))
			p.log.Info("sending SNAP", "conn", m.To, "zxid", hexID(zxid), "bytes", len(b))
			p.event("sync", fmt.Sprintf("SNAP of 0x%x (%d bytes) to learner conn %d", zxid, len(b), m.To))
		}
		p.met.learnerSync(m.Packet.Type)
		switch m.Packet.Type {
		case jute.PacketDiff, jute.PacketTrunc:
			p.event("sync", fmt.Sprintf("%v 0x%x to learner conn %d", m.Packet.Type, m.Packet.Zxid, m.To))
		case jute.PacketPing:
			if _, ok := lastPing[m.To]; !ok {
				lastPing[m.To] = time.Now()
			}
		}
		c.Queue(b)
		s := sent[m.To]
		sent[m.To] = [2]int64{s[0] + 1, s[1] + n}
	}
	return sent
}

// startServingLeader opens the leader's pipeline: lastProcessedZxid and
// prep's zxid move to epoch<<32, sessions are taken from the database, the
// expirer and the reaper run while this peer leads.
func (p *Peer) startServingLeader(ctx context.Context, epoch int64) *serve.RolePipe {
	z := jute.MakeZxid(epoch, 0)
	p.db.SetLastProcessedZxid(z)
	pipe := p.srv.StartRole(ctx, serve.Leading, z)
	p.serving.Store(true)
	p.setStatus(func(st *peerStatus) { st.servingSince = time.Now() })
	select {
	case p.elecVote <- epoch:
	default:
	}
	p.setState(adminapi.StateLeading, adminapi.PhaseBroadcast, p.myid)
	p.log.Info("leader serving", "epoch", epoch, "zxid", hexID(z))
	p.event("state", fmt.Sprintf("leading epoch %d, serving clients", epoch))
	return pipe
}

// publishLeader copies the leader's status for the admin port. Its
// pending syncs are the learners' syncs waiting for a commit plus the
// local clients' syncs waiting for a quorum's PING answers.
func (p *Peer) publishLeader(l *leader.Leader, rtt map[int64]float64, syncs *leaderSyncs) {
	st := l.Status()
	learners := adminLearners(st.Learners, rtt)
	p.setStatus(func(ps *peerStatus) {
		ps.zabPhase = adminZabPhase(st.Phase)
		ps.learners = learners
		ps.committed = st.LastCommitted
		ps.pendingSyncs = st.PendingSyncs + len(syncs.held)
	})
}
