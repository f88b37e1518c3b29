package leader

import (
	"fmt"
	"slices"

	"github.com/zkctl/zkctl/internal/protolog"
	"github.com/zkctl/zkctl/jute"
)

// LearnerConfig configures a Learner.
type LearnerConfig struct {
	// ID is this server's sid.
	ID int64
	// Observer selects OBSERVERINFO and the observer's INFORM handling.
	Observer bool
	// ObserverSkipLog turns off logging of INFORMs on an observer
	// (observer.syncEnabled=false).
	ObserverSkipLog bool
	// AcceptedEpoch and CurrentEpoch are the values of the epoch files.
	AcceptedEpoch int64
	CurrentEpoch  int64
	// LastLoggedZxid is the last zxid in the local log (sent in ACKEPOCH).
	LastLoggedZxid int64
	// ConfigVersion is the version of the local quorum config.
	ConfigVersion int64
	// InitLimit is the number of Tick calls without a packet from the leader
	// allowed before NEWLEADER; SyncLimit the number after it.
	InitLimit int
	SyncLimit int
	// Logger receives log lines; nil discards them.
	Logger Logger
}

// Snapshot asks the driver to write a snapshot of the in-memory database.
type Snapshot struct {
	// Sync says the snapshot must be fsynced (after a SNAP sync).
	Sync bool
}

// RevalidateAnswer is the leader's answer to a REVALIDATE.
type RevalidateAnswer struct {
	// SessionID is the session asked about.
	SessionID int64
	// Valid reports whether it is still alive.
	Valid bool
}

// LearnerReady is what a learner asks the driver to do, strictly in this
// order:
//  1. Truncate: cut the log after this zxid and reload the database (TRUNC);
//  2. SyncApply: apply these txns in memory only (they are covered by the
//     snapshot of step 3);
//  3. TakeSnapshot: snapshot the in-memory database;
//  4. ToLog: append to the txn log and fsync;
//  5. Epochs: write the epoch files durably;
//  6. Messages: send to the leader, in order (ACKs go out only after 4);
//  7. Apply: apply these committed txns in order;
//  8. Synced: release that many pending client syncs, oldest first;
//  9. Revalidated: answer the sessions' revalidation.
//
// Serving says UPTODATE arrived: start serving clients in epoch Epoch.
// LeaderLost non-nil says following is over: go LOOKING.
type LearnerReady struct {
	Truncate     *int64
	SyncApply    []Proposal
	TakeSnapshot *Snapshot
	ToLog        []Proposal
	Epochs       *Epochs
	Messages     []jute.QuorumPacket
	Apply        []Proposal
	Synced       int
	Revalidated  []RevalidateAnswer
	Serving      bool
	Epoch        int64
	LeaderLost   error
}

type learnerPhase2 int

const (
	lRegistering learnerPhase2 = iota // FOLLOWERINFO sent, waiting for LEADERINFO
	lWaitSync                         // ACKEPOCH sent, waiting for DIFF/TRUNC/SNAP
	lSyncing                          // receiving the sync, waiting for NEWLEADER
	lNewLeader                        // NEWLEADER acked, waiting for UPTODATE
	lBroadcast                        // serving
	lStopped
)

var learnerPhaseNames = [...]string{"REGISTERING", "WAITSYNC", "SYNCHRONIZATION", "NEWLEADER", "BROADCAST", "STOPPED"}

// Learner is the Zab follower/observer state machine for one connection to
// a leader. It is not safe for concurrent use.
type Learner struct {
	cfg   LearnerConfig
	log   Logger
	phase learnerPhase2

	accepted int64
	current  int64
	newEpoch int64
	lastZxid int64 // last txn received/logged

	snapshotNeeded bool
	snapSync       bool
	mode           SyncMode
	notCommitted   []Proposal // packetsNotCommitted
	committed      []int64    // packetsCommitted
	persistedAtNL  []int64    // logged at NEWLEADER, ACKed after UPTODATE
	pending        []Proposal // logged, waiting for COMMIT (follower)

	silent  int // ticks since the last packet from the leader
	touched []SessionTouch

	rd LearnerReady
}

// NewLearner returns a learner that has just connected to the leader; its
// first Ready holds FOLLOWERINFO (or OBSERVERINFO).
func NewLearner(cfg LearnerConfig) (*Learner, error) {
	if cfg.InitLimit <= 0 || cfg.SyncLimit <= 0 {
		return nil, fmt.Errorf("leader: learner %d: initLimit %d and syncLimit %d must be positive", cfg.ID, cfg.InitLimit, cfg.SyncLimit)
	}
	l := &Learner{cfg: cfg, log: cfg.Logger, accepted: cfg.AcceptedEpoch, current: cfg.CurrentEpoch, newEpoch: -1, lastZxid: cfg.LastLoggedZxid}
	if l.log == nil {
		l.log = protolog.Discard{}
	}
	t := jute.PacketFollowerInfo
	if cfg.Observer {
		t = jute.PacketObserverInfo
	}
	info := jute.LearnerInfo{ServerID: cfg.ID, ProtocolVersion: jute.ProtocolVersion, ConfigVersion: cfg.ConfigVersion}
	l.send(jute.QuorumPacket{Type: t, Zxid: jute.MakeZxid(cfg.AcceptedEpoch, 0), Data: jute.Encode(&info)})
	return l, nil
}

func (l *Learner) infof(format string, args ...any) {
	l.log.Logf("sid=%d epoch=%d "+format, append([]any{l.cfg.ID, l.newEpoch}, args...)...)
}

func (l *Learner) warnf(format string, args ...any) {
	protolog.Warnf(l.log, "sid=%d epoch=%d "+format, append([]any{l.cfg.ID, l.newEpoch}, args...)...)
}

func (l *Learner) send(p jute.QuorumPacket) { l.rd.Messages = append(l.rd.Messages, p) }

// Serving reports whether UPTODATE has been received.
func (l *Learner) Serving() bool { return l.phase == lBroadcast }

// Phase returns the learner's Zab phase in adminapi's words.
func (l *Learner) Phase() string {
	switch l.phase {
	case lRegistering, lWaitSync:
		return "discovery"
	case lSyncing, lNewLeader:
		return "synchronization"
	case lBroadcast:
		return "broadcast"
	}
	return "election"
}

// SyncMode returns how the leader is synchronizing this learner.
func (l *Learner) SyncMode() SyncMode { return l.mode }

// Epoch returns the leader's epoch, -1 before LEADERINFO.
func (l *Learner) Epoch() int64 { return l.newEpoch }

// lose ends following.
func (l *Learner) lose(err error) error {
	if l.phase != lStopped {
		l.warnf("leaving the leader in phase %s: %v", learnerPhaseNames[l.phase], err)
		l.phase = lStopped
		l.rd.LeaderLost = err
	}
	return err
}

// Step handles a packet from the leader. An error ends following (the
// error is also in Ready.LeaderLost).
func (l *Learner) Step(p jute.QuorumPacket) error {
	if l.phase == lStopped {
		return ErrStopped
	}
	l.silent = 0
	var err error
	switch l.phase {
	case lRegistering:
		err = l.stepLeaderInfo(p)
	case lWaitSync:
		err = l.stepSyncStart(p)
	case lSyncing, lNewLeader:
		err = l.stepSync(p)
	default:
		err = l.stepBroadcast(p)
	}
	if err != nil {
		return l.lose(err)
	}
	return nil
}

func (l *Learner) stepLeaderInfo(p jute.QuorumPacket) error {
	if p.Type != jute.PacketLeaderInfo {
		return fmt.Errorf("%w: %v while registering, want LEADERINFO (pre-Zab-1.0 leaders are not supported)", ErrUnexpectedPacket, p.Type)
	}
	if _, err := DecodeEpoch(p.Data); err != nil {
		return err
	}
	ne := jute.EpochOf(p.Zxid)
	var reply int32
	switch {
	case ne > l.accepted:
		l.accepted = ne
		l.rd.Epochs = mergeEpochs(l.rd.Epochs, ne, -1)
		reply = int32(l.current)
	case ne == l.accepted:
		reply = -1
	default:
		return fmt.Errorf("%w: leader proposes epoch %d below our accepted epoch %d", ErrEpochRejected, ne, l.accepted)
	}
	l.newEpoch = ne
	l.infof("LEADERINFO: acceptedEpoch=%d, ACKEPOCH lastZxid=%s", l.accepted, hexz(l.lastZxid))
	l.send(jute.QuorumPacket{Type: jute.PacketAckEpoch, Zxid: l.lastZxid, Data: EncodeEpoch(reply)})
	l.phase = lWaitSync
	return nil
}

func (l *Learner) stepSyncStart(p jute.QuorumPacket) error {
	switch p.Type {
	case jute.PacketDiff:
		l.mode = SyncDiff
	case jute.PacketTrunc:
		l.mode = SyncTrunc
		z := p.Zxid
		l.rd.Truncate = &z
		l.lastZxid = z
		l.snapshotNeeded = true
	case jute.PacketSnap:
		// NB: the driver has read the snapshot stream that follows the
		// packet before delivering the next one.
		l.mode = SyncSnap
		l.lastZxid = p.Zxid
		l.snapshotNeeded = true
		l.snapSync = true
	default:
		return fmt.Errorf("%w: %v, want DIFF, TRUNC or SNAP", ErrUnexpectedPacket, p.Type)
	}
	l.infof("sync %v 0x%x", p.Type, p.Zxid)
	l.phase = lSyncing
	return nil
}

// writeToTxnLog is false until NEWLEADER after a SNAP or TRUNC: commits
// received until then are applied in memory and saved by the snapshot.
func (l *Learner) writeToTxnLog() bool { return !l.snapshotNeeded || l.phase == lNewLeader }

func (l *Learner) stepSync(p jute.QuorumPacket) error {
	switch p.Type {
	case jute.PacketProposal:
		prop, err := ProposalFromTxn(p.Data)
		if err != nil {
			return fmt.Errorf("PROPOSAL 0x%x: %w", p.Zxid, err)
		}
		l.notCommitted = append(l.notCommitted, prop)
	case jute.PacketCommit:
		if !l.writeToTxnLog() {
			if len(l.notCommitted) == 0 || l.notCommitted[0].Zxid != p.Zxid {
				l.warnf("COMMIT 0x%x during sync does not match the next proposal", p.Zxid)
				return nil
			}
			l.rd.SyncApply = append(l.rd.SyncApply, l.notCommitted[0])
			l.lastZxid = l.notCommitted[0].Zxid
			l.notCommitted = l.notCommitted[1:]
			return nil
		}
		l.committed = append(l.committed, p.Zxid)
	case jute.PacketInform:
		prop, err := ProposalFromTxn(p.Data)
		if err != nil {
			return fmt.Errorf("INFORM 0x%x: %w", p.Zxid, err)
		}
		if !l.writeToTxnLog() {
			l.rd.SyncApply = append(l.rd.SyncApply, prop)
			l.lastZxid = prop.Zxid
			return nil
		}
		l.notCommitted = append(l.notCommitted, prop)
		l.committed = append(l.committed, prop.Zxid)
	case jute.PacketNewLeader:
		if l.phase != lSyncing {
			l.warnf("second NEWLEADER ignored")
			return nil
		}
		if p.Zxid != jute.MakeZxid(l.newEpoch, 0) {
			return fmt.Errorf("%w: NEWLEADER 0x%x for epoch %d", ErrUnexpectedPacket, p.Zxid, l.newEpoch)
		}
		l.newLeader()
	case jute.PacketUpToDate:
		if l.phase != lNewLeader {
			return fmt.Errorf("%w: UPTODATE before NEWLEADER", ErrUnexpectedPacket)
		}
		return l.upToDate()
	default:
		// PINGs and the rest are ignored until UPTODATE, as 3.8 does.
	}
	return nil
}

// newLeader persists what the sync delivered, then acknowledges NEWLEADER
// (the 3.8.5+ order: snapshot, txns fsynced, currentEpoch, ACK).
func (l *Learner) newLeader() {
	if l.snapshotNeeded {
		l.rd.TakeSnapshot = &Snapshot{Sync: l.snapSync}
	}
	l.phase = lNewLeader
	for _, p := range l.notCommitted {
		l.rd.ToLog = append(l.rd.ToLog, p)
		l.pending = append(l.pending, p)
		l.persistedAtNL = append(l.persistedAtNL, p.Zxid)
		l.lastZxid = p.Zxid
	}
	l.notCommitted = nil
	l.current = l.newEpoch
	l.rd.Epochs = mergeEpochs(l.rd.Epochs, -1, l.newEpoch)
	l.infof("NEWLEADER: logged %d txns, currentEpoch=%d, ACK", len(l.persistedAtNL), l.newEpoch)
	l.send(jute.QuorumPacket{Type: jute.PacketAck, Zxid: jute.MakeZxid(l.newEpoch, 0)})
}

// upToDate starts serving: the UPTODATE ack, the ACKs of the txns logged at
// NEWLEADER, the proposals received since, then the commits in order.
func (l *Learner) upToDate() error {
	l.phase = lBroadcast
	l.rd.Serving = true
	l.rd.Epoch = l.newEpoch
	l.send(jute.QuorumPacket{Type: jute.PacketAck, Zxid: jute.MakeZxid(l.newEpoch, 0)})
	if !l.cfg.Observer {
		for _, z := range l.persistedAtNL {
			l.send(jute.QuorumPacket{Type: jute.PacketAck, Zxid: z})
		}
	}
	l.persistedAtNL = nil
	for _, p := range l.notCommitted {
		l.logProposal(p)
	}
	l.notCommitted = nil
	committed := l.committed
	l.committed = nil
	for _, z := range committed {
		if err := l.commit(z); err != nil {
			if !l.cfg.Observer {
				return err
			}
			// Observers skip unmatched commits with a warning, as 3.8 does.
			l.warnf("commit after UPTODATE: %v", err)
		}
	}
	l.infof("UPTODATE: serving, lastZxid=%s", hexz(l.lastZxid))
	return nil
}

// logProposal logs a txn and (on a follower) ACKs it after the fsync.
func (l *Learner) logProposal(p Proposal) {
	if l.lastZxid >= 0 && p.Zxid != l.lastZxid+1 && jute.EpochOf(p.Zxid) == jute.EpochOf(l.lastZxid) {
		l.warnf("proposal %s does not follow %s", hexz(p.Zxid), hexz(l.lastZxid))
	}
	l.lastZxid = p.Zxid
	l.pending = append(l.pending, p)
	if l.cfg.Observer && l.cfg.ObserverSkipLog {
		return
	}
	l.rd.ToLog = append(l.rd.ToLog, p)
	if !l.cfg.Observer {
		l.send(jute.QuorumPacket{Type: jute.PacketAck, Zxid: p.Zxid})
	}
}

// commit applies the oldest pending txn, which must be zxid.
func (l *Learner) commit(zxid int64) error {
	if len(l.pending) == 0 || l.pending[0].Zxid != zxid {
		head := int64(-1)
		if len(l.pending) > 0 {
			head = l.pending[0].Zxid
		}
		return fmt.Errorf("%w: COMMIT %s, oldest pending %s", ErrCommitMismatch, hexz(zxid), hexz(head))
	}
	l.rd.Apply = append(l.rd.Apply, l.pending[0])
	l.pending = l.pending[1:]
	return nil
}

func (l *Learner) stepBroadcast(p jute.QuorumPacket) error {
	switch p.Type {
	case jute.PacketProposal:
		if l.cfg.Observer {
			return nil
		}
		prop, err := ProposalFromTxn(p.Data)
		if err != nil {
			return fmt.Errorf("PROPOSAL 0x%x: %w", p.Zxid, err)
		}
		l.logProposal(prop)
	case jute.PacketCommit:
		if l.cfg.Observer {
			return nil
		}
		return l.commit(p.Zxid)
	case jute.PacketInform:
		if !l.cfg.Observer {
			l.warnf("INFORM on a follower ignored")
			return nil
		}
		prop, err := ProposalFromTxn(p.Data)
		if err != nil {
			return fmt.Errorf("INFORM 0x%x: %w", p.Zxid, err)
		}
		l.logProposal(prop)
		return l.commit(prop.Zxid)
	case jute.PacketPing:
		l.send(jute.QuorumPacket{Type: jute.PacketPing, Zxid: p.Zxid, Data: EncodePing(l.touched), AuthInfo: p.AuthInfo})
		l.touched = nil
	case jute.PacketSync:
		l.rd.Synced++
	case jute.PacketRevalidate:
		sid, valid, err := DecodeRevalidateReply(p.Data)
		if err != nil {
			return err
		}
		l.rd.Revalidated = append(l.rd.Revalidated, RevalidateAnswer{SessionID: sid, Valid: valid})
	default:
		l.warnf("ignoring %v while serving", p.Type)
	}
	return nil
}

// Tick advances logical time; without a packet from the leader for
// InitLimit ticks (SyncLimit once NEWLEADER is acknowledged) the learner
// gives up and asks to go LOOKING.
func (l *Learner) Tick() {
	if l.phase == lStopped {
		return
	}
	l.silent++
	limit := l.cfg.InitLimit
	if l.phase >= lNewLeader {
		limit = l.cfg.SyncLimit
	}
	if l.silent > limit {
		_ = l.lose(fmt.Errorf("%w: no packet from the leader for %d ticks", ErrTimeout, l.silent))
	}
}

// Touch records client activity on a session; the next PING reply reports it.
func (l *Learner) Touch(sessionID int64, timeout int32) {
	for i := range l.touched {
		if l.touched[i].SessionID == sessionID {
			l.touched[i].Timeout = timeout
			return
		}
	}
	l.touched = append(l.touched, SessionTouch{SessionID: sessionID, Timeout: timeout})
}

// Forward sends a client request to the leader (REQUEST). Only writes,
// session changes and sync are forwarded by 3.8; that choice is the caller's.
func (l *Learner) Forward(r Request) error {
	if l.phase != lBroadcast {
		return fmt.Errorf("forward %v: %w", r, ErrNotServing)
	}
	l.send(jute.QuorumPacket{Type: jute.PacketRequest, Zxid: -1, Data: EncodeRequest(r), AuthInfo: slices.Clone(r.AuthInfo)})
	return nil
}

// Revalidate asks the leader whether a session is still valid.
func (l *Learner) Revalidate(sessionID int64, timeout int32) error {
	if l.phase == lStopped {
		return ErrStopped
	}
	l.send(jute.QuorumPacket{Type: jute.PacketRevalidate, Zxid: -1, Data: EncodeRevalidate(sessionID, timeout)})
	return nil
}

// HasReady reports whether Ready has anything for the driver.
func (l *Learner) HasReady() bool {
	r := &l.rd
	return r.Truncate != nil || len(r.SyncApply) > 0 || r.TakeSnapshot != nil || len(r.ToLog) > 0 ||
		r.Epochs != nil || len(r.Messages) > 0 || len(r.Apply) > 0 || r.Synced > 0 ||
		len(r.Revalidated) > 0 || r.Serving || r.LeaderLost != nil
}

// Ready returns what the driver must do now (see LearnerReady for the order).
func (l *Learner) Ready() LearnerReady { return l.rd }

// Advance tells the learner that the last Ready has been carried out.
func (l *Learner) Advance() { l.rd = LearnerReady{} }

// ConnectionLost tells the learner that its connection to the leader broke
// (a read or write failed, or the leader closed it): it gives up.
func (l *Learner) ConnectionLost(reason error) {
	_ = l.lose(fmt.Errorf("connection to the leader lost: %w", reason))
}
