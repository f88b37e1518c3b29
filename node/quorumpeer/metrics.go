package quorumpeer

import (
	"strconv"
	"time"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/election"
	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/node/metrics"
)

// This file holds the role loop's calls into 3.8's ServerMetrics
// (docs/metrics.md). The role files make one call each; the state those
// calls need (when the server stopped serving, when each outstanding
// proposal was sent) lives here. Every method runs on the role loop's
// goroutine (run, lead, follow), so nothing is locked.

// ackLoggingFrequency is 3.8's zookeeper.leader.ackLoggingFrequency
// default: Leader.processAck records ack_latency for one zxid in 1000.
const ackLoggingFrequency = 1000

// peerMetrics is the Peer's handle on the server's metrics.
type peerMetrics struct {
	m *metrics.Server
	// unavailableSince is when the peer last stopped serving (entered
	// LOOKING); zero while it serves (3.8 QuorumPeer.unavailableStartTime).
	unavailableSince time.Time
	// syncStart is when the learner started its sync with the leader.
	syncStart time.Time
	// proposed holds the leader's outstanding proposals in zxid order
	// with the time each was proposed, for quorum_ack_latency and
	// ack_latency.
	proposed []proposedAt
}

type proposedAt struct {
	zxid int64
	at   time.Time
}

func newPeerMetrics(m *metrics.Server) peerMetrics {
	if m == nil {
		m = metrics.Default()
	}
	return peerMetrics{m: m}
}

// stateChanged follows setState: entering LOOKING counts looking_count
// (3.8 QuorumPeer.run) and starts the unavailable time; the leader's
// BROADCAST ends it (QuorumPeer.setZabState: unavailable_time and
// leader_unavailable_time); a learner's discovery starts its sync time.
func (pm *peerMetrics) stateChanged(state, phase string) {
	now := time.Now()
	switch {
	case state == adminapi.StateLooking:
		pm.m.IncLooking()
		if pm.unavailableSince.IsZero() {
			pm.unavailableSince = now
		}
		pm.proposed = pm.proposed[:0]
	case state == adminapi.StateLeading && phase == adminapi.PhaseBroadcast:
		pm.servingAgain(true, now)
	case phase == adminapi.PhaseDiscovery && state != adminapi.StateLeading:
		pm.syncStart = now
	}
}

// servingAgain records the unavailable time once the peer serves again.
func (pm *peerMetrics) servingAgain(leader bool, now time.Time) {
	if !pm.unavailableSince.IsZero() {
		pm.m.ObserveUnavailable(leader, now.Sub(pm.unavailableSince))
		pm.unavailableSince = time.Time{}
	}
}

// elected records election_time when a role starts: 3.8 sets it at the
// start of Leader.lead and Follower.followLeader (not for an observer).
func (pm *peerMetrics) elected(st election.ServerState, took time.Duration) {
	if st == election.Leading || st == election.Following {
		pm.m.ObserveElection(took)
	}
}

// learnerSynced records the learner's sync time at UPTODATE
// (Follower.followLeader: follower_sync_time; Observer.observeLeader:
// observer_sync_time) and the end of its unavailable time.
func (pm *peerMetrics) learnerSynced(observer bool) {
	now := time.Now()
	if !pm.syncStart.IsZero() {
		pm.m.ObserveFollowerSync(observer, now.Sub(pm.syncStart))
	}
	pm.servingAgain(false, now)
}

// learnerPacket counts a packet from the leader once synced, as 3.8's
// Follower.processPacket (PROPOSAL, COMMIT) and Observer.processPacket
// (INFORM) do.
func (pm *peerMetrics) learnerPacket(t jute.PacketType, serving bool) {
	if !serving {
		return
	}
	switch t {
	case jute.PacketProposal:
		pm.m.IncLearnerProposal()
	case jute.PacketCommit, jute.PacketInform:
		pm.m.IncLearnerCommit()
	}
}

// proposed counts one proposal (Leader.propose: proposal_count) and
// remembers when it was sent.
func (pm *peerMetrics) propose(zxid int64) {
	pm.m.IncProposal()
	pm.proposed = append(pm.proposed, proposedAt{zxid, time.Now()})
}

// committed counts one commit (Leader.commit: commit_count) and records
// how long the proposal waited for its quorum (Leader.tryToCommit:
// quorum_ack_latency).
func (pm *peerMetrics) committed(zxid int64) {
	pm.m.IncCommit()
	n := 0
	for n < len(pm.proposed) && pm.proposed[n].zxid <= zxid {
		if pm.proposed[n].zxid == zxid {
			pm.m.ObserveQuorumAck(time.Since(pm.proposed[n].at))
		}
		n++
	}
	if n > 0 {
		pm.proposed = append(pm.proposed[:0], pm.proposed[n:]...)
	}
}

// acked records a learner's ACK latency for one zxid in
// ackLoggingFrequency, while the proposal is outstanding
// (Leader.processAck: ack_latency, keyed by the learner's sid).
func (pm *peerMetrics) acked(sid, zxid int64) {
	if zxid%ackLoggingFrequency != 0 {
		return
	}
	for _, p := range pm.proposed {
		if p.zxid == zxid {
			pm.m.ObserveAck(strconv.FormatInt(sid, 10), time.Since(p.at))
			return
		}
	}
}

// learnerSync counts the leader's sync decision for a learner
// (LearnerHandler.run: diff_count for DIFF or TRUNC, snap_count for SNAP).
func (pm *peerMetrics) learnerSync(t jute.PacketType) {
	switch t {
	case jute.PacketSnap:
		pm.m.IncLearnerSync(metrics.SyncSnap)
	case jute.PacketDiff, jute.PacketTrunc:
		pm.m.IncLearnerSync(metrics.SyncDiff)
	}
}
