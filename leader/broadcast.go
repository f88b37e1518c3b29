package leader

import (
	"fmt"

	"github.com/zkctl/zkctl/jute"
)

// stepBroadcast handles a packet from a learner that has acknowledged
// NEWLEADER (3.8 LearnerHandler main loop, docs/quorum-reference.md §6.3).
func (l *Leader) stepBroadcast(h *handler, p jute.QuorumPacket) error {
	switch p.Type {
	case jute.PacketAck:
		l.processAck(h, p.Zxid)
	case jute.PacketPing:
		touches, err := DecodePing(p.Data)
		if err != nil {
			return err
		}
		for _, t := range touches {
			l.rd.Touches = append(l.rd.Touches, Touch{Sid: h.sid, SessionTouch: t})
		}
	case jute.PacketRevalidate:
		sid, to, err := DecodeRevalidate(p.Data)
		if err != nil {
			return err
		}
		l.rd.Revalidations = append(l.rd.Revalidations, Revalidation{Conn: h.conn, SessionID: sid, Timeout: to})
	case jute.PacketRequest:
		r, err := DecodeRequest(p.Data)
		if err != nil {
			return err
		}
		r.AuthInfo = p.AuthInfo
		if r.Type == jute.OpSync {
			l.processSync(h)
			return nil
		}
		l.rd.Requests = append(l.rd.Requests, ForwardedRequest{Conn: h.conn, Sid: h.sid, Request: r})
	default:
		l.warnf("ignoring unexpected %v from sid=%d", p.Type, h.sid)
	}
	return nil
}

// processSync answers a learner's sync once everything proposed so far has
// committed (Leader.processSync).
func (l *Leader) processSync(h *handler) {
	if len(l.outstanding) == 0 {
		l.send(h, jute.QuorumPacket{Type: jute.PacketSync, Zxid: 0})
		return
	}
	l.pendingSyncs = append(l.pendingSyncs, pendingSync{zxid: l.lastProposed, conn: h.conn})
}

// Propose broadcasts a prepped transaction. Its zxid must be the next one of
// the epoch (lastProposed+1); the driver must also append it to the local
// log (it is returned in Ready.ToLog) and call Logged after the fsync.
func (l *Leader) Propose(p Proposal) error {
	if l.phase != PhaseBroadcast {
		return fmt.Errorf("propose %s: %w (phase %v)", hexz(p.Zxid), ErrNotServing, l.phase)
	}
	if jute.CounterOf(l.lastProposed) == 0xffffffff || jute.CounterOf(p.Zxid) == 0xffffffff {
		err := fmt.Errorf("propose %s: %w", hexz(p.Zxid), ErrZxidExhausted)
		l.stepDown(err)
		return err
	}
	if p.Zxid != l.lastProposed+1 {
		return fmt.Errorf("propose %s after %s: %w", hexz(p.Zxid), hexz(l.lastProposed), ErrZxidGap)
	}
	l.lastProposed = p.Zxid
	l.outstanding = append(l.outstanding, &outstanding{p: p, acks: map[int64]bool{}})
	l.rd.ToLog = append(l.rd.ToLog, p)
	pkt := jute.QuorumPacket{Type: jute.PacketProposal, Zxid: p.Zxid, Data: p.Data}
	for _, c := range l.order {
		if h := l.handlers[c]; h.forwarding && !h.observer {
			l.send(h, pkt)
		}
	}
	return nil
}

// Logged tells the leader that its own log is durable through zxid: this
// is the leader's own ACK for every outstanding proposal up to zxid.
func (l *Leader) Logged(zxid int64) {
	if l.phase != PhaseBroadcast {
		return
	}
	for _, o := range l.outstanding {
		if o.p.Zxid <= zxid {
			o.acks[l.cfg.ID] = true
		}
	}
	l.maybeCommit()
}

// processAck counts a learner's ACK (Leader.processAck).
func (l *Leader) processAck(h *handler, zxid int64) {
	if jute.CounterOf(zxid) == 0 {
		return
	}
	if zxid > h.acked {
		h.acked = zxid
	}
	if len(l.outstanding) == 0 || zxid <= l.lastCommitted {
		return
	}
	for _, o := range l.outstanding {
		if o.p.Zxid == zxid {
			if h.voter {
				o.acks[h.sid] = true
			}
			l.maybeCommit()
			return
		}
	}
	l.warnf("ACK from sid=%d for unknown proposal %s", h.sid, hexz(zxid))
}

// maybeCommit commits outstanding proposals in zxid order while the oldest
// has a quorum (tryToCommit: never commit zxid while zxid-1 is outstanding).
func (l *Leader) maybeCommit() {
	for len(l.outstanding) > 0 && l.quorum(l.outstanding[0].acks) {
		o := l.outstanding[0]
		l.outstanding = l.outstanding[1:]
		l.commit(o.p)
	}
}

func (l *Leader) commit(p Proposal) {
	l.lastCommitted = p.Zxid
	l.toBeApplied = append(l.toBeApplied, p)
	l.rd.Committed = append(l.rd.Committed, p)
	commit := jute.QuorumPacket{Type: jute.PacketCommit, Zxid: p.Zxid}
	inform := jute.QuorumPacket{Type: jute.PacketInform, Zxid: p.Zxid, Data: p.Data}
	for _, c := range l.order {
		h := l.handlers[c]
		switch {
		case !h.forwarding:
		case h.observer:
			l.send(h, inform)
		default:
			l.send(h, commit)
		}
	}
	kept := l.pendingSyncs[:0]
	for _, s := range l.pendingSyncs {
		if s.zxid <= p.Zxid {
			if h, ok := l.handlers[s.conn]; ok {
				l.send(h, jute.QuorumPacket{Type: jute.PacketSync, Zxid: 0})
			}
			continue
		}
		kept = append(kept, s)
	}
	l.pendingSyncs = kept
}

// AnswerRevalidate queues the answer to a learner's REVALIDATE.
func (l *Leader) AnswerRevalidate(conn, sessionID int64, valid bool) {
	if h, ok := l.handlers[conn]; ok {
		l.send(h, jute.QuorumPacket{Type: jute.PacketRevalidate, Zxid: -1, Data: EncodeRevalidateReply(sessionID, valid)})
	}
}

// SentTo reports that the driver has written packets (and bytes of packet
// data or snapshot) to a learner's socket; it feeds the sync progress in
// Status.
func (l *Leader) SentTo(conn int64, packets int, bytes int64) {
	if h, ok := l.handlers[conn]; ok {
		h.sentPackets += int64(packets)
		h.sentBytes += bytes
	}
}

// Tick advances logical time by one tickTime. While serving it queues a
// PING(lastProposed) to every learner past NEWLEADER, closes learners that
// stayed silent too long, and steps down without a synced quorum; before
// serving it steps down when the current wait exceeds InitLimit.
func (l *Leader) Tick() {
	if l.phase == PhaseStopped {
		return
	}
	l.tick++
	for _, c := range append([]int64(nil), l.order...) {
		if h := l.handlers[c]; l.tick > h.deadline {
			l.dropConn(c, "no packet within the tick limit")
		}
	}
	if l.phase != PhaseBroadcast {
		if l.tick > l.phaseDeadline {
			l.stepDown(fmt.Errorf("%w: %v not complete after %d ticks", ErrTimeout, l.phase, l.cfg.InitLimit))
		}
		return
	}
	synced := map[int64]bool{l.cfg.ID: true}
	for _, c := range l.order {
		h := l.handlers[c]
		if h.voter {
			synced[h.sid] = true
		}
		if h.phase >= lpSync {
			l.send(h, jute.QuorumPacket{Type: jute.PacketPing, Zxid: l.lastProposed})
		}
	}
	if !l.quorum(synced) {
		l.stepDown(fmt.Errorf("%w: %d of %d voters", ErrQuorumLost, len(synced), len(l.voters)))
	}
}

// HasReady reports whether Ready has anything for the driver.
func (l *Leader) HasReady() bool {
	r := &l.rd
	return r.Epochs != nil || len(r.ToLog) > 0 || len(r.Messages) > 0 || len(r.Committed) > 0 ||
		len(r.Requests) > 0 || len(r.Touches) > 0 || len(r.Revalidations) > 0 || len(r.Close) > 0 ||
		r.Serving || r.StepDown != nil
}

// Ready returns what the driver must do now (see Ready for the order).
func (l *Leader) Ready() Ready { return l.rd }

// Advance tells the leader that the last Ready has been carried out.
func (l *Leader) Advance() { l.rd = Ready{} }
