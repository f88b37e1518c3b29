package quorumpeer

import (
	"time"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/election"
	"github.com/zkctl/zkctl/leader"
	"github.com/zkctl/zkctl/node/status"
)

// Mode implements serve.Role: srvr's "Mode:" value for the current state.
func (p *Peer) Mode() string {
	if p.readOnly.Load() {
		return status.ModeReadOnly
	}
	switch p.state() {
	case adminapi.StateLeading:
		return status.ModeLeader
	case adminapi.StateFollowing:
		return status.ModeFollower
	case adminapi.StateObserving:
		return status.ModeObserver
	}
	return "looking"
}

func apiVote(v election.Vote) adminapi.Vote {
	return adminapi.Vote{Leader: v.Leader, Zxid: v.Zxid, PeerEpoch: v.PeerEpoch, ElectionEpoch: v.ElectionEpoch}
}

// FillPeer implements serve.Role: it completes the /commands/peer picture
// with the quorum state.
func (p *Peer) FillPeer(pp *adminapi.Peer) {
	p.mu.Lock()
	st, el := p.st, p.elec
	p.mu.Unlock()
	pp.MyID = p.myid
	pp.State = st.state
	pp.ZabPhase = st.zabPhase
	pp.AcceptedEpoch, pp.CurrentEpoch = st.accepted, st.current
	pp.LeaderID = st.leaderID
	if st.state == adminapi.StateLeading {
		pp.CommittedZxid = st.committed
	} else if st.committed != 0 {
		pp.CommittedZxid = st.committed
	}
	if !st.lastHeard.IsZero() && st.state != adminapi.StateLeading && st.state != adminapi.StateLooking {
		pp.LeaderHeardAgoMs = time.Since(st.lastHeard).Milliseconds()
	}
	pp.Learners = st.learners
	pp.Voters = len(p.voters)
	for _, l := range st.learners {
		if l.Synced && l.Role == "follower" {
			pp.SyncedFollowers++
		}
	}
	vote := el.CurrentVote
	if el.State == election.Looking {
		vote = el.Proposal
	}
	pp.Election = adminapi.Election{Round: el.LogicalClock, Vote: apiVote(vote)}
	pp.Election.LastDurationMs = int64(el.ElectionTicks) * election.DefaultTickMs
	for _, rv := range append(append([]election.ReceivedVote(nil), el.Votes...), el.OutOfElection...) {
		pp.Election.Received = append(pp.Election.Received, adminapi.ReceivedVote{
			From: rv.Sid, State: rv.Vote.State.String(), Vote: apiVote(rv.Vote)})
	}
}

// QuorumInfo implements serve.Role: status.QuorumInfo for 4lw/admin
// commands.
func (p *Peer) QuorumInfo(lastZxid int64) status.QuorumInfo {
	p.mu.Lock()
	st := p.st
	p.mu.Unlock()
	qi := status.QuorumInfo{
		MyID: p.myid, State: st.state, ZabPhase: st.zabPhase, SyncMode: st.syncMode,
		IsLeader: st.state == adminapi.StateLeading, LeaderID: st.leaderID, Voting: !p.observer,
		LastZxid: lastZxid, Epoch: st.current, QuorumSize: len(p.voters), ObserverMasterID: -1,
	}
	if qi.IsLeader {
		qi.PendingSyncs = st.pendingSyncs
	}
	if qi.IsLeader && !st.servingSince.IsZero() {
		qi.LeaderUptime = time.Since(st.servingSince)
	}
	for _, l := range st.learners {
		qi.Learners++
		if l.Role == "observer" {
			m := st.learnerConns[l.ID]
			qi.Observers = append(qi.Observers, status.ObserverInfo{
				ID: l.ID, Addr: m.addr, LastZxid: l.AckedZxid, QueuedPackets: l.Queued, Established: m.est})
		}
		if !l.Synced {
			continue
		}
		if l.Role == "observer" {
			qi.SyncedObservers++
		} else {
			qi.SyncedFollowers++
		}
	}
	return qi
}

// adminZabPhase names a leader phase as the admin port does.
func adminZabPhase(p leader.Phase) string {
	switch p {
	case leader.PhaseDiscovery, leader.PhaseEpochAck:
		return adminapi.PhaseDiscovery
	case leader.PhaseSync:
		return adminapi.PhaseSync
	case leader.PhaseBroadcast:
		return adminapi.PhaseBroadcast
	}
	return adminapi.PhaseElection
}

// adminLearners maps the leader's learner rows to the admin port's JSON,
// adding the PING round trips (ms by sid) that only the driver can time.
func adminLearners(rows []leader.LearnerStatus, rtt map[int64]float64) []adminapi.Learner {
	var out []adminapi.Learner
	for _, r := range rows {
		a := adminapi.Learner{
			ID: r.ID, Role: "follower", Phase: adminZabPhase(r.Phase),
			PacketsSent: r.PacketsSent, PacketsTotal: r.PacketsTotal,
			BytesSent: r.BytesSent, BytesTotal: r.BytesTotal,
			AckedZxid: r.AckedZxid, Queued: r.Queued, PingRTTMs: rtt[r.ID], Synced: r.Synced,
		}
		if r.Observer {
			a.Role = "observer"
		}
		if r.SyncMode != leader.SyncNone {
			a.SyncMode = r.SyncMode.String()
		}
		out = append(out, a)
	}
	return out
}
