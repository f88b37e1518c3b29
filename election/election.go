package election

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/zkctl/zkctl/quorum"
)

// ErrNotStarted is returned by Step before the first Start.
var ErrNotStarted = errors.New("election: not started")

// ErrBadState is returned by Step for a notification whose state is not 0..3
// (3.8 drops it).
var ErrBadState = errors.New("election: notification state out of range")

// Election is Fast Leader Election (FastLeaderElection + the QuorumPeer state
// it reads) as a deterministic state machine. Inputs are Start, Step, Tick,
// SetState and UpdateElectionVote; outputs are collected by Ready and
// cleared by Advance. It is not safe for concurrent use: one goroutine, the
// driver, owns it.
type Election struct {
	cfg         Config
	voters      quorum.Majority
	participant bool // ID is a voter (LearnerType PARTICIPANT)
	qvVersion   int64

	state   ServerState
	started bool

	logicalclock int64
	initial      Vote // getInitId/getInitLastLoggedZxid/getPeerEpoch for this run
	proposal     Vote // proposedLeader, proposedZxid, proposedEpoch
	currentVote  Vote // QuorumPeer.currentVote
	haveCurrent  bool

	recvset       map[int64]Vote
	outofelection map[int64]Vote
	latest        map[int64]Vote // newest notification from each sender since Start

	timeoutMs     int // notTimeout of this lookForLeader run
	idleTicks     int // ticks since the last notification reached lookForLeader
	finalizing    bool
	finalizeTicks int // ticks since the finalize poll (re)started
	electionTicks int

	msgs     []Message
	decision *Decision
	looking  []int64
}

// New returns an Election for cfg. Call Start to begin looking.
func New(cfg Config) (*Election, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	e := &Election{cfg: c, voters: quorum.NewMajority(c.Voters...), state: Looking}
	e.participant = e.voters.IsVoter(c.ID)
	e.qvVersion, _ = ConfigVersion(c.QuorumVerifier)
	e.recvset = map[int64]Vote{}
	e.outofelection = map[int64]Vote{}
	e.latest = map[int64]Vote{}
	return e, nil
}

// State returns the peer state as the election knows it.
func (e *Election) State() ServerState { return e.state }

// LogicalClock returns the current election round.
func (e *Election) LogicalClock() int64 { return e.logicalclock }

func (e *Election) logf(format string, args ...any) {
	prefix := fmt.Sprintf("sid=%d round=0x%x %v: ", e.cfg.ID, e.logicalclock, e.state)
	e.cfg.Logger.Logf(prefix+format, args...)
}

// Start begins a lookForLeader run: the peer is LOOKING with the given last
// logged zxid and current epoch. It bumps the logical clock, resets the
// round's votes and the notification timeout, and queues notifications to
// every voter, self included.
func (e *Election) Start(lastLoggedZxid, currentEpoch int64) {
	if !e.haveCurrent {
		// QuorumPeer.startLeaderElection: Vote(myid, lastLoggedZxid, currentEpoch).
		e.currentVote = Vote{Leader: e.cfg.ID, Zxid: lastLoggedZxid, ElectionEpoch: -1, PeerEpoch: currentEpoch}
		e.haveCurrent = true
	}
	e.state = Looking
	e.started = true
	e.logicalclock++
	clear(e.recvset)
	clear(e.outofelection)
	clear(e.latest)
	e.timeoutMs = e.cfg.MinNotificationIntervalMs
	e.idleTicks, e.finalizing, e.finalizeTicks, e.electionTicks = 0, false, 0, 0
	if e.participant {
		e.initial = Vote{Leader: e.cfg.ID, Zxid: lastLoggedZxid, PeerEpoch: currentEpoch}
	} else {
		e.initial = Vote{Leader: math.MinInt64, Zxid: math.MinInt64, PeerEpoch: math.MinInt64}
	}
	e.proposal = e.initial
	e.logf("New election. My id = %d, proposed zxid=0x%x", e.cfg.ID, e.proposal.Zxid)
	e.sendNotifications()
}

// SetState tells the election the peer entered FOLLOWING, LEADING or
// OBSERVING without an election (e.g. after a reconfig). Use Start to go
// back to LOOKING.
func (e *Election) SetState(s ServerState) error {
	if !s.Valid() || s == Looking {
		return fmt.Errorf("election: SetState(%v): only FOLLOWING, LEADING or OBSERVING; use Start for LOOKING", s)
	}
	e.state = s
	e.finalizing = false
	return nil
}

// UpdateElectionVote replaces the peerEpoch of the current vote with the
// newly established epoch, as the leader (startZkServer) and each learner
// (after UPTODATE) do in 3.8 (ZOOKEEPER-1732), so that a running ensemble
// advertises one (leader, peerEpoch).
func (e *Election) UpdateElectionVote(newEpoch int64) {
	if !e.haveCurrent {
		return
	}
	e.currentVote.PeerEpoch = newEpoch
	e.logf("updated election vote peerEpoch=0x%x", newEpoch)
}

// Tick advances logical time by one tick. While LOOKING it runs the
// finalizeWait timer, or else the notification timeout: when that expires
// the notifications are sent again and the timeout doubles, capped.
func (e *Election) Tick() {
	if !e.started || e.state != Looking {
		return
	}
	e.electionTicks++
	if e.finalizing {
		e.finalizeTicks++
		if e.finalizeTicks >= e.cfg.ticks(e.cfg.FinalizeWaitMs) {
			e.decide(e.proposal.Leader, Vote{Leader: e.proposal.Leader, Zxid: e.proposal.Zxid, ElectionEpoch: e.logicalclock, PeerEpoch: e.proposal.PeerEpoch})
		}
		return
	}
	e.idleTicks++
	if e.idleTicks < e.cfg.ticks(e.timeoutMs) {
		return
	}
	e.idleTicks = 0
	// NB: 3.8 calls connectAll instead when no send queue is empty; a queue
	// that never drains means no connection, and the transport dials on send.
	e.sendNotifications()
	e.timeoutMs = min(e.timeoutMs*2, e.cfg.MaxNotificationIntervalMs)
	e.logf("Notification time out: %d ms", e.timeoutMs)
}

// sendNotifications queues the current proposal to every voter, self
// included (FastLeaderElection.sendNotifications).
func (e *Election) sendNotifications() {
	for _, sid := range e.voters.Voters() {
		e.send(sid, Notification{State: Looking, Leader: e.proposal.Leader, Zxid: e.proposal.Zxid,
			ElectionEpoch: e.logicalclock, PeerEpoch: e.proposal.PeerEpoch})
	}
}

func (e *Election) send(to int64, n Notification) {
	n.Sid = e.cfg.ID
	n.Version = CurrentVersion
	n.Config = e.cfg.QuorumVerifier
	e.msgs = append(e.msgs, Message{To: to, N: n})
}

func (e *Election) decide(leader int64, end Vote) {
	switch {
	case leader == e.cfg.ID:
		e.state = Leading
	case e.participant:
		e.state = Following
	default:
		e.state = Observing
	}
	e.finalizing = false
	e.currentVote = end
	e.decision = &Decision{Leader: leader, State: e.state, Vote: end,
		DurationTicks: e.electionTicks, DurationMs: int64(e.electionTicks) * int64(e.cfg.TickMs)}
	e.logf("decided %v leader=%d zxid=0x%x peerEpoch=0x%x after %d ticks", e.state, leader, end.Zxid, end.PeerEpoch, e.electionTicks)
}

// HasReady reports whether Ready has messages, a decision or reports.
func (e *Election) HasReady() bool {
	return len(e.msgs) > 0 || e.decision != nil || len(e.looking) > 0
}

// Ready returns the outputs accumulated since the last Advance.
func (e *Election) Ready() Ready {
	return Ready{Messages: slices.Clone(e.msgs), Decision: e.decision, LookingPeers: slices.Clone(e.looking), Status: e.Status()}
}

// Advance tells the election the last Ready was acted on.
func (e *Election) Advance() {
	e.msgs = e.msgs[:0]
	e.decision = nil
	e.looking = e.looking[:0]
}

// Status returns a snapshot of the election state.
func (e *Election) Status() Status {
	return Status{
		ID: e.cfg.ID, State: e.state, LogicalClock: e.logicalclock, Proposal: e.proposal,
		CurrentVote: e.currentVote, Votes: sortedVotes(e.recvset), OutOfElection: sortedVotes(e.outofelection),
		Received:  sortedVotes(e.latest),
		TimeoutMs: e.timeoutMs, Finalizing: e.finalizing, ElectionTicks: e.electionTicks,
	}
}

func sortedVotes(m map[int64]Vote) []ReceivedVote {
	out := make([]ReceivedVote, 0, len(m))
	for sid, v := range m {
		out = append(out, ReceivedVote{Sid: sid, Vote: v})
	}
	slices.SortFunc(out, func(a, b ReceivedVote) int {
		switch {
		case a.Sid < b.Sid:
			return -1
		case a.Sid > b.Sid:
			return 1
		}
		return 0
	})
	return out
}
