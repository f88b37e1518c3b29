package election

import "fmt"

// Step feeds one received notification; n.Sid must be the sender as the
// transport identified it. It first does what 3.8's WorkerReceiver does
// (answer non-voters and, when not LOOKING, LOOKING peers; answer laggards)
// and then, while LOOKING, what lookForLeader does with a dequeued message.
func (e *Election) Step(n Notification) error {
	if !e.started {
		return fmt.Errorf("%w: notification from sid %d", ErrNotStarted, n.Sid)
	}
	if n.Version > 1 && e.state == Looking {
		if v, ok := ConfigVersion(n.Config); ok && v > e.qvVersion && n.Config != e.cfg.QuorumVerifier {
			// 3.8 would processReconfig and restart its election here.
			e.logf("sid %d sent config version 0x%x > mine 0x%x; dynamic reconfig is not supported, ignoring it", n.Sid, v, e.qvVersion)
		}
	}
	if n.State.Valid() {
		e.latest[n.Sid] = n.Vote()
	}
	if !e.voters.IsVoter(n.Sid) {
		// A non-voter (observer or unknown sid): answer at once with the
		// current vote, our round and our state; never queue it.
		cv := e.currentVote
		e.send(n.Sid, Notification{State: e.state, Leader: cv.Leader, Zxid: cv.Zxid, ElectionEpoch: e.logicalclock, PeerEpoch: cv.PeerEpoch})
		return nil
	}
	if !n.State.Valid() {
		return fmt.Errorf("%w: %d from sid %d", ErrBadState, int32(n.State), n.Sid)
	}
	if e.state != Looking {
		if n.State == Looking {
			if e.state == Leading {
				e.looking = append(e.looking, n.Sid)
			}
			cv := e.currentVote
			e.send(n.Sid, Notification{State: e.state, Leader: cv.Leader, Zxid: cv.Zxid, ElectionEpoch: cv.ElectionEpoch, PeerEpoch: cv.PeerEpoch})
		}
		return nil
	}
	if n.State == Looking && n.ElectionEpoch < e.logicalclock {
		// Help a laggard catch up with our round and proposal.
		p := e.proposal
		e.send(n.Sid, Notification{State: Looking, Leader: p.Leader, Zxid: p.Zxid, ElectionEpoch: e.logicalclock, PeerEpoch: p.PeerEpoch})
	}
	e.lookForLeader(n)
	return nil
}

// lookForLeader is one iteration of FastLeaderElection.lookForLeader's loop
// for a dequeued notification n.
func (e *Election) lookForLeader(n Notification) {
	e.idleTicks = 0
	if e.finalizing {
		// The finalize poll: anything not better is discarded and the
		// finalizeWait poll starts again; something better is pushed back
		// and handled by the main loop.
		if !n.Vote().Beats(e.proposal) {
			e.finalizeTicks = 0
			return
		}
		e.finalizing = false
		e.logf("finalize interrupted by a better vote from sid %d: %v", n.Sid, n.Vote())
	}
	if !e.voters.IsVoter(n.Leader) {
		e.logf("Ignoring notification for non-cluster member sid %d from sid %d", n.Leader, n.Sid)
		return
	}
	switch n.State {
	case Looking:
		e.onLooking(n)
	case Observing:
		// Notification from an observer: ignored.
	case Following, Leading:
		e.onElected(n)
	}
}

func (e *Election) onLooking(n Notification) {
	if e.initial.Zxid == -1 || n.Zxid == -1 {
		return // an untrusted empty database neither votes nor counts (7.5)
	}
	nv := Vote{Leader: n.Leader, Zxid: n.Zxid, PeerEpoch: n.PeerEpoch}
	switch {
	case n.ElectionEpoch > e.logicalclock:
		e.logicalclock = n.ElectionEpoch
		clear(e.recvset)
		if nv.Beats(e.initial) {
			e.proposal = nv
		} else {
			e.proposal = e.initial
		}
		e.sendNotifications()
	case n.ElectionEpoch < e.logicalclock:
		return
	case nv.Beats(e.proposal):
		e.proposal = nv
		e.sendNotifications()
	}
	e.recvset[n.Sid] = Vote{Leader: n.Leader, Zxid: n.Zxid, ElectionEpoch: n.ElectionEpoch, PeerEpoch: n.PeerEpoch}
	probe := Vote{Leader: e.proposal.Leader, Zxid: e.proposal.Zxid, ElectionEpoch: e.logicalclock, PeerEpoch: e.proposal.PeerEpoch}
	if e.hasQuorum(e.recvset, probe) {
		e.finalizing = true
		e.finalizeTicks = 0
	}
}

func (e *Election) onElected(n Notification) {
	probe := n.Vote()
	end := Vote{Leader: n.Leader, Zxid: n.Zxid, ElectionEpoch: n.ElectionEpoch, PeerEpoch: n.PeerEpoch}
	if n.ElectionEpoch == e.logicalclock {
		e.recvset[n.Sid] = Vote{Leader: n.Leader, Zxid: n.Zxid, ElectionEpoch: n.ElectionEpoch, PeerEpoch: n.PeerEpoch, State: n.State}
		if e.hasQuorum(e.recvset, probe) && e.checkLeader(e.recvset, n.Leader, n.ElectionEpoch) {
			e.decide(n.Leader, end)
			return
		}
	}
	// Joining an established ensemble: a quorum must follow the same leader.
	e.outofelection[n.Sid] = probe
	if e.hasQuorum(e.outofelection, probe) && e.checkLeader(e.outofelection, n.Leader, n.ElectionEpoch) {
		e.logicalclock = n.ElectionEpoch
		e.decide(n.Leader, end)
	}
}

func (e *Election) hasQuorum(votes map[int64]Vote, probe Vote) bool {
	acks := make(map[int64]struct{})
	for sid, v := range votes {
		if probe.Equal(v) {
			acks[sid] = struct{}{}
		}
	}
	return e.voters.HasQuorum(acks)
}

// checkLeader (FastLeaderElection.checkLeader): another leader must itself
// have said it is LEADING; electing myself needs the round to match.
func (e *Election) checkLeader(votes map[int64]Vote, leader, electionEpoch int64) bool {
	if leader != e.cfg.ID {
		v, ok := votes[leader]
		return ok && v.State == Leading
	}
	return e.logicalclock == electionEpoch
}
