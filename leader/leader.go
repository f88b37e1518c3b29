package leader

import (
	"fmt"
	"slices"

	"github.com/zkctl/zkctl/internal/protolog"
	"github.com/zkctl/zkctl/jute"
)

// History is the leader's read-only view of its database, used to
// synchronize learners. The driver implements it over the store.
type History interface {
	// LastProcessedZxid is the DataTree's lastProcessedZxid (L).
	LastProcessedZxid() int64
	// CommittedLog returns the in-memory committed log (the newest committed
	// proposals, ascending by zxid); it may be empty.
	CommittedLog() []Proposal
	// LogSince returns what 3.8's getProposalsFromTxnLog(peerZxid, sizeLimit)
	// reads: the on-disk log from the first record of the newest log file
	// whose first zxid is below peerZxid (nil proposals when the log cannot
	// serve, see SyncInput.DiskLog) and the size of the log files after that
	// one. When sizeLimit > 0 and that size exceeds it, the proposals may be
	// left unread: the leader will not use them. It is called only when
	// peerZxid is older than the committed log.
	LogSince(peerZxid, sizeLimit int64) DiskLog
	// SnapshotBytes is the size of the newest snapshot file (0 when none),
	// the base of the snapshotSizeFactor limit.
	SnapshotBytes() int64
}

// DiskLog is what History.LogSince read from the on-disk txn log.
type DiskLog struct {
	// Proposals are the logged txns, ascending (SyncInput.DiskLog).
	Proposals []Proposal
	// StorageBytes is the summed size of the log files after the one the
	// proposals start in (SyncInput.DiskLogBytes).
	StorageBytes int64
}

// Config configures a Leader.
type Config struct {
	// ID is this server's sid.
	ID int64
	// Voters are the sids of the voting members, this server included.
	Voters []int64
	// AcceptedEpoch and CurrentEpoch are the values of the epoch files.
	AcceptedEpoch int64
	CurrentEpoch  int64
	// History reads the local database. Required.
	History History
	// InitLimit is the number of Tick calls each discovery/sync wait may take.
	InitLimit int
	// SyncLimit is the number of Tick calls a learner may stay silent in broadcast.
	SyncLimit int
	// ConfigVersion is the version of the leader's quorum config; a learner
	// announcing a higher one is refused.
	ConfigVersion int64
	// NewLeaderData is the data of NEWLEADER: the quorum config text.
	NewLeaderData []byte
	// ForceSnap and DiskSyncDisabled tune the sync choice (see SyncInput).
	ForceSnap        bool
	DiskSyncDisabled bool
	// SnapshotSizeFactor is zookeeper.snapshotSizeFactor: a DIFF from the
	// on-disk log may cover at most factor × the newest snapshot's size of
	// log files (TxnLogSizeLimit). Negative disables DIFF from the on-disk
	// log; 0 means no limit. Drivers pass DefaultSnapshotSizeFactor.
	SnapshotSizeFactor float64
	// Logger receives log lines; nil discards them.
	Logger Logger
}

// Phase is the Zab phase of the leader.
type Phase int

// Leader phases.
const (
	// PhaseDiscovery waits for a quorum of FOLLOWERINFO to choose the epoch.
	PhaseDiscovery Phase = iota
	// PhaseEpochAck waits for a quorum of ACKEPOCH.
	PhaseEpochAck
	// PhaseSync waits for a quorum of NEWLEADER ACKs.
	PhaseSync
	// PhaseBroadcast serves: proposals, commits, pings.
	PhaseBroadcast
	// PhaseStopped means leadership ended; the state machine is dead.
	PhaseStopped
)

// String names the phase.
func (p Phase) String() string {
	return [...]string{"DISCOVERY", "EPOCHACK", "SYNCHRONIZATION", "BROADCAST", "STOPPED"}[p]
}

// ForwardedRequest is a REQUEST from a learner for the driver to prep and,
// for writes, Propose.
type ForwardedRequest struct {
	// Conn is the learner connection (the request's owner).
	Conn int64
	// Sid is the learner's server id.
	Sid int64
	// Request is the decoded request.
	Request Request
}

// Touch is a session a learner reported in a PING reply.
type Touch struct {
	// Sid is the reporting learner.
	Sid int64
	SessionTouch
}

// Revalidation is a learner asking whether a session is still valid; the
// driver answers with AnswerRevalidate.
type Revalidation struct {
	// Conn is the asking learner's connection.
	Conn int64
	// SessionID and Timeout are the session and its timeout in ms.
	SessionID int64
	Timeout   int32
}

// Ready is what the leader asks the driver to do, in this order:
// persist Epochs (fsync) before sending any Message; append ToLog to the txn
// log and call Logged after the fsync; send Messages in order per
// connection (after a SNAP packet the snapshot stream follows); apply
// Committed in order (after ToLog has been appended); prep Requests; touch
// sessions; answer Revalidations; close the Close connections. Serving
// says the leader has just started serving (the DataTree's lastProcessedZxid
// becomes Epoch<<32); StepDown non-nil says leadership is over: go LOOKING.
type Ready struct {
	Epochs        *Epochs
	ToLog         []Proposal
	Messages      []Message
	Committed     []Proposal
	Requests      []ForwardedRequest
	Touches       []Touch
	Revalidations []Revalidation
	Close         []int64
	Serving       bool
	Epoch         int64
	StepDown      error
}

// learnerPhase is where one learner handler stands.
type learnerPhase int

const (
	lpConnected  learnerPhase = iota // waiting for FOLLOWERINFO/OBSERVERINFO
	lpInfo                           // info received, epoch not chosen yet
	lpLeaderInfo                     // LEADERINFO sent, waiting for ACKEPOCH
	lpEpochAcked                     // ACKEPOCH received, waiting for the quorum
	lpSync                           // sync packets + NEWLEADER queued, waiting for its ACK
	lpUpToDate                       // NEWLEADER acked (UPTODATE queued once serving)
)

// handler is the leader's view of one learner connection (LearnerHandler).
type handler struct {
	conn        int64
	sid         int64
	observer    bool
	voter       bool
	phase       learnerPhase
	accepted    int64 // learner's acceptedEpoch from FOLLOWERINFO
	peerZxid    int64 // learner's lastLoggedZxid from ACKEPOCH
	mode        SyncMode
	forwarding  bool
	deadline    int64 // tick after which the learner is considered gone
	acked       int64 // highest zxid ACKed
	syncPackets int64 // packets queued by the sync (through NEWLEADER)
	syncBytes   int64
	handedOut   int64 // packets handed to the driver
	sentPackets int64 // reported by SentTo
	sentBytes   int64
}

// outstanding is a proposal waiting for its quorum.
type outstanding struct {
	p    Proposal
	acks map[int64]bool
}

// Leader is the Zab leader state machine. It is not safe for concurrent use.
type Leader struct {
	cfg    Config
	log    Logger
	voters map[int64]bool
	phase  Phase
	tick   int64
	// phaseDeadline is the tick by which the current wait must finish.
	phaseDeadline int64

	epoch      int64 // -1 until chosen
	connecting map[int64]bool
	electing   map[int64]bool
	newLeader  map[int64]bool

	handlers map[int64]*handler
	order    []int64 // connections in arrival order, for deterministic output

	lastProposed  int64
	lastCommitted int64
	outstanding   []*outstanding // ascending zxid
	toBeApplied   []Proposal     // committed, maybe not applied yet
	pendingSyncs  []pendingSync

	rd Ready
}

type pendingSync struct {
	zxid int64
	conn int64
}

// New returns a leader in discovery. It counts itself towards the epoch
// quorum at once (a single-voter ensemble decides immediately).
func New(cfg Config) (*Leader, error) {
	if cfg.History == nil {
		return nil, fmt.Errorf("leader: config for sid %d has no History", cfg.ID)
	}
	if cfg.InitLimit <= 0 || cfg.SyncLimit <= 0 {
		return nil, fmt.Errorf("leader: initLimit %d and syncLimit %d must be positive", cfg.InitLimit, cfg.SyncLimit)
	}
	if !slices.Contains(cfg.Voters, cfg.ID) {
		return nil, fmt.Errorf("leader: sid %d is not among the voters %v", cfg.ID, cfg.Voters)
	}
	l := &Leader{
		cfg:        cfg,
		log:        cfg.Logger,
		voters:     map[int64]bool{},
		epoch:      -1,
		connecting: map[int64]bool{},
		electing:   map[int64]bool{},
		newLeader:  map[int64]bool{},
		handlers:   map[int64]*handler{},
	}
	if l.log == nil {
		l.log = protolog.Discard{}
	}
	for _, v := range cfg.Voters {
		l.voters[v] = true
	}
	l.phaseDeadline = int64(cfg.InitLimit)
	l.infof("leading: acceptedEpoch=%d currentEpoch=%d lastProcessed=%s", cfg.AcceptedEpoch, cfg.CurrentEpoch, hexz(cfg.History.LastProcessedZxid()))
	l.proposeEpoch(cfg.ID, cfg.AcceptedEpoch)
	return l, nil
}

func (l *Leader) infof(format string, args ...any) {
	l.log.Logf("sid=%d epoch=%d "+format, append([]any{l.cfg.ID, l.epoch}, args...)...)
}

func (l *Leader) warnf(format string, args ...any) {
	protolog.Warnf(l.log, "sid=%d epoch=%d "+format, append([]any{l.cfg.ID, l.epoch}, args...)...)
}

// quorum reports whether set holds a majority of the voters.
func (l *Leader) quorum(set map[int64]bool) bool {
	n := 0
	for sid := range set {
		if l.voters[sid] {
			n++
		}
	}
	return n > len(l.voters)/2
}

// Phase returns the leader's phase.
func (l *Leader) Phase() Phase { return l.phase }

// Epoch returns the epoch being established or led, -1 before it is chosen.
func (l *Leader) Epoch() int64 { return l.epoch }

// Connect tells the leader that a learner connection was accepted.
func (l *Leader) Connect(conn int64) {
	if l.phase == PhaseStopped {
		return
	}
	if _, ok := l.handlers[conn]; ok {
		l.dropConn(conn, "duplicate connection id")
	}
	l.handlers[conn] = &handler{conn: conn, deadline: l.tick + int64(l.cfg.InitLimit), acked: -1}
	l.order = append(l.order, conn)
}

// Disconnect tells the leader that a learner connection is gone.
func (l *Leader) Disconnect(conn int64) {
	h, ok := l.handlers[conn]
	if !ok {
		return
	}
	l.infof("learner conn=%d sid=%d disconnected", conn, h.sid)
	l.remove(conn)
}

func (l *Leader) remove(conn int64) {
	delete(l.handlers, conn)
	l.order = slices.DeleteFunc(l.order, func(c int64) bool { return c == conn })
	l.pendingSyncs = slices.DeleteFunc(l.pendingSyncs, func(s pendingSync) bool { return s.conn == conn })
}

// dropConn removes a handler and asks the driver to close its connection.
func (l *Leader) dropConn(conn int64, why string) {
	if h, ok := l.handlers[conn]; ok {
		l.warnf("closing learner conn=%d sid=%d: %s", conn, h.sid, why)
		l.remove(conn)
		l.rd.Close = append(l.rd.Close, conn)
	}
}

func (l *Leader) send(h *handler, p jute.QuorumPacket) {
	l.rd.Messages = append(l.rd.Messages, Message{To: h.conn, Packet: p})
	h.handedOut++
}

// stepDown ends leadership.
func (l *Leader) stepDown(err error) {
	if l.phase == PhaseStopped {
		return
	}
	l.warnf("leadership ends: %v", err)
	l.phase = PhaseStopped
	l.rd.StepDown = err
	for _, c := range l.order {
		l.rd.Close = append(l.rd.Close, c)
	}
	l.handlers = map[int64]*handler{}
	l.order = nil
}

// Step handles a packet received on a learner connection. An error means
// the packet was refused; the leader has then asked (in Ready.Close) to
// close that connection.
func (l *Leader) Step(conn int64, p jute.QuorumPacket) error {
	if l.phase == PhaseStopped {
		return ErrStopped
	}
	h, ok := l.handlers[conn]
	if !ok {
		return fmt.Errorf("%w: %v on unknown conn %d", ErrUnexpectedPacket, p.Type, conn)
	}
	if err := l.step(h, p); err != nil {
		err = fmt.Errorf("learner conn=%d sid=%d: %w", conn, h.sid, err)
		l.dropConn(conn, err.Error())
		return err
	}
	return nil
}

func (l *Leader) step(h *handler, p jute.QuorumPacket) error {
	if h.phase >= lpUpToDate {
		h.deadline = l.tick + int64(l.cfg.SyncLimit)
	} else {
		h.deadline = l.tick + int64(l.cfg.InitLimit)
	}
	switch h.phase {
	case lpConnected:
		if p.Type != jute.PacketFollowerInfo && p.Type != jute.PacketObserverInfo {
			return fmt.Errorf("%w: first packet is %v, want FOLLOWERINFO or OBSERVERINFO", ErrUnexpectedPacket, p.Type)
		}
		return l.stepInfo(h, p)
	case lpLeaderInfo:
		if p.Type != jute.PacketAckEpoch {
			return fmt.Errorf("%w: %v, want ACKEPOCH", ErrUnexpectedPacket, p.Type)
		}
		return l.stepAckEpoch(h, p)
	case lpInfo, lpEpochAcked:
		return fmt.Errorf("%w: %v before LEADERINFO/NEWLEADER was sent", ErrUnexpectedPacket, p.Type)
	case lpSync:
		if p.Type != jute.PacketAck {
			// 3.8 learners ignore PINGs until UPTODATE, so nothing else is expected.
			l.warnf("ignoring %v from sid=%d while waiting for the NEWLEADER ACK", p.Type, h.sid)
			return nil
		}
		if p.Zxid == jute.MakeZxid(l.epoch, 0) {
			l.newLeaderAcked(h)
			return nil
		}
		// A proposal ACK overtaking the NEWLEADER ACK (5.5): count it.
		l.processAck(h, p.Zxid)
		return nil
	default:
		return l.stepBroadcast(h, p)
	}
}

func (l *Leader) stepInfo(h *handler, p jute.QuorumPacket) error {
	li, err := DecodeLearnerInfo(p.Data)
	if err != nil {
		return err
	}
	if li.ConfigVersion > l.cfg.ConfigVersion {
		return fmt.Errorf("%w: learner has config version 0x%x above the leader's 0x%x", ErrFollowerAhead, li.ConfigVersion, l.cfg.ConfigVersion)
	}
	// NB: collect first: dropConn edits l.order in place, so dropping
	// while ranging over it would visit shifted and zeroed slots.
	var stale []int64
	for _, c := range l.order {
		if o := l.handlers[c]; c != h.conn && o.sid == li.ServerID && o.phase != lpConnected {
			stale = append(stale, c)
		}
	}
	for _, c := range stale {
		l.dropConn(c, fmt.Sprintf("sid %d reconnected on conn %d", li.ServerID, h.conn))
	}
	h.sid = li.ServerID
	h.observer = p.Type == jute.PacketObserverInfo
	h.voter = !h.observer && l.voters[h.sid]
	h.accepted = jute.EpochOf(p.Zxid)
	h.phase = lpInfo
	l.infof("%v from sid=%d acceptedEpoch=%d", p.Type, h.sid, h.accepted)
	if l.phase == PhaseDiscovery {
		l.proposeEpoch(h.sid, h.accepted)
		return nil
	}
	l.sendLeaderInfo(h)
	return nil
}

// proposeEpoch is 3.8's getEpochToPropose without the blocking: the epoch is
// decided once a quorum (this server included) has connected.
func (l *Leader) proposeEpoch(sid, accepted int64) {
	if accepted >= l.epoch {
		l.epoch = accepted + 1
	}
	if l.voters[sid] {
		l.connecting[sid] = true
	}
	if !l.connecting[l.cfg.ID] || !l.quorum(l.connecting) {
		return
	}
	l.phase = PhaseEpochAck
	l.phaseDeadline = l.tick + int64(l.cfg.InitLimit)
	l.lastProposed = jute.MakeZxid(l.epoch, 0)
	l.rd.Epochs = mergeEpochs(l.rd.Epochs, l.epoch, -1)
	l.infof("new epoch chosen from a quorum of FOLLOWERINFO")
	for _, c := range l.order {
		if h := l.handlers[c]; h.phase == lpInfo {
			l.sendLeaderInfo(h)
		}
	}
	l.ackEpoch(l.cfg.ID, l.cfg.CurrentEpoch, l.cfg.History.LastProcessedZxid())
}

func mergeEpochs(e *Epochs, accepted, current int64) *Epochs {
	if e == nil {
		e = &Epochs{AcceptedEpoch: -1, CurrentEpoch: -1}
	}
	if accepted >= 0 {
		e.AcceptedEpoch = accepted
	}
	if current >= 0 {
		e.CurrentEpoch = current
	}
	return e
}

func (l *Leader) sendLeaderInfo(h *handler) {
	l.send(h, jute.QuorumPacket{Type: jute.PacketLeaderInfo, Zxid: jute.MakeZxid(l.epoch, 0), Data: EncodeEpoch(jute.ProtocolVersion)})
	h.phase = lpLeaderInfo
}

func (l *Leader) stepAckEpoch(h *handler, p jute.QuorumPacket) error {
	cur, err := DecodeEpoch(p.Data)
	if err != nil {
		return err
	}
	h.peerZxid = p.Zxid
	h.phase = lpEpochAcked
	l.infof("ACKEPOCH from sid=%d currentEpoch=%d lastZxid=%s", h.sid, cur, hexz(p.Zxid))
	if l.phase == PhaseEpochAck {
		if cur != -1 {
			lc, lz := l.cfg.CurrentEpoch, l.cfg.History.LastProcessedZxid()
			if int64(cur) > lc || (int64(cur) == lc && p.Zxid > lz) {
				return fmt.Errorf("%w: learner (currentEpoch=%d, lastZxid=%s) vs leader (%d, %s)", ErrFollowerAhead, cur, hexz(p.Zxid), lc, hexz(lz))
			}
			if p.Zxid != -1 && h.voter {
				l.ackEpoch(h.sid, int64(cur), p.Zxid)
			}
		}
		return nil
	}
	l.startSync(h)
	return nil
}

// ackEpoch is 3.8's waitForEpochAck: once a quorum (this server included)
// has acknowledged the epoch, currentEpoch is persisted and every waiting
// learner is synchronized.
func (l *Leader) ackEpoch(sid, _ int64, _ int64) {
	l.electing[sid] = true
	if l.phase != PhaseEpochAck || !l.electing[l.cfg.ID] || !l.quorum(l.electing) {
		return
	}
	l.phase = PhaseSync
	l.phaseDeadline = l.tick + int64(l.cfg.InitLimit)
	l.rd.Epochs = mergeEpochs(l.rd.Epochs, -1, l.epoch)
	l.infof("quorum of ACKEPOCH: currentEpoch persisted, synchronizing learners")
	for _, c := range l.order {
		if h := l.handlers[c]; h.phase == lpEpochAcked {
			l.startSync(h)
		}
	}
	l.newLeaderAck(l.cfg.ID)
}

// startSync queues the sync packets, the startForwarding packets and
// NEWLEADER for one learner (LearnerHandler.syncFollower + startForwarding).
func (l *Leader) startSync(h *handler) {
	hist := l.cfg.History
	in := SyncInput{
		PeerLastZxid:     h.peerZxid,
		LastProcessed:    hist.LastProcessedZxid(),
		Committed:        hist.CommittedLog(),
		ForceSnap:        l.cfg.ForceSnap,
		DiskSyncDisabled: l.cfg.DiskSyncDisabled,
	}
	minC := in.LastProcessed
	if len(in.Committed) > 0 {
		minC = in.Committed[0].Zxid
	}
	limit := TxnLogSizeLimit(hist.SnapshotBytes(), l.cfg.SnapshotSizeFactor)
	if limit < 0 {
		in.DiskSyncDisabled = true
	}
	if in.PeerLastZxid < minC && !in.DiskSyncDisabled && !in.ForceSnap {
		dl := hist.LogSince(in.PeerLastZxid, limit)
		in.DiskLog, in.DiskLogBytes, in.DiskSizeLimit = dl.Proposals, dl.StorageBytes, limit
		if !in.diskLogUsable() {
			l.infof("sync sid=%d: txn log size %d exceeds sizeLimit %d, not diffing from the on-disk log", h.sid, dl.StorageBytes, limit)
		}
	}
	plan := DecideSync(in)
	h.mode = plan.Mode
	l.infof("sync sid=%d peerLastZxid=%s L=%s mode=%v syncPoint=%s", h.sid, hexz(h.peerZxid), hexz(in.LastProcessed), plan.Mode, hexz(plan.SyncPoint))
	before := h.handedOut
	queue := func(p jute.QuorumPacket) {
		l.send(h, p)
		h.syncBytes += int64(len(p.Data))
	}
	for _, p := range plan.Packets {
		queue(p)
	}
	// startForwarding.
	l.pruneApplied()
	if l.lastProposed > plan.SyncPoint {
		for _, p := range l.toBeApplied {
			if p.Zxid > plan.SyncPoint {
				queue(jute.QuorumPacket{Type: jute.PacketProposal, Zxid: p.Zxid, Data: p.Data})
				queue(jute.QuorumPacket{Type: jute.PacketCommit, Zxid: p.Zxid})
			}
		}
		if !h.observer {
			for _, o := range l.outstanding {
				if o.p.Zxid > plan.SyncPoint {
					queue(jute.QuorumPacket{Type: jute.PacketProposal, Zxid: o.p.Zxid, Data: o.p.Data})
				}
			}
		}
	}
	h.forwarding = true
	queue(jute.QuorumPacket{Type: jute.PacketNewLeader, Zxid: jute.MakeZxid(l.epoch, 0), Data: l.cfg.NewLeaderData})
	h.syncPackets = h.handedOut - before
	h.phase = lpSync
}

// pruneApplied forgets committed proposals the database has applied.
func (l *Leader) pruneApplied() {
	applied := l.cfg.History.LastProcessedZxid()
	l.toBeApplied = slices.DeleteFunc(l.toBeApplied, func(p Proposal) bool { return p.Zxid <= applied })
}

func (l *Leader) newLeaderAcked(h *handler) {
	h.phase = lpUpToDate
	h.deadline = l.tick + int64(l.cfg.SyncLimit)
	l.infof("NEWLEADER ACK from sid=%d", h.sid)
	if l.phase == PhaseBroadcast {
		l.send(h, jute.QuorumPacket{Type: jute.PacketUpToDate, Zxid: -1})
		return
	}
	if h.voter {
		l.newLeaderAck(h.sid)
	}
}

// newLeaderAck is 3.8's waitForNewLeaderAck: a quorum starts serving.
func (l *Leader) newLeaderAck(sid int64) {
	l.newLeader[sid] = true
	if l.phase != PhaseSync || !l.newLeader[l.cfg.ID] || !l.quorum(l.newLeader) {
		return
	}
	l.phase = PhaseBroadcast
	l.lastCommitted = jute.MakeZxid(l.epoch, 0)
	l.rd.Serving = true
	l.rd.Epoch = l.epoch
	l.infof("quorum of NEWLEADER ACKs: serving from %s", hexz(l.lastCommitted))
	for _, c := range l.order {
		if h := l.handlers[c]; h.phase == lpUpToDate {
			l.send(h, jute.QuorumPacket{Type: jute.PacketUpToDate, Zxid: -1})
		}
	}
}
