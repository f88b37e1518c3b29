// Package quorum is the role loop of an ensemble member, 3.8's QuorumPeer:
// LOOKING through the election state machine (election/) over the
// election transport (node/qcm), then lead (lead.go), follow or observe
// (follow.go) through the Zab state machines (leader/) over the Zab
// transport (node/zabconn), and back to LOOKING. The drivers persist what
// the state machines ask for (store/), serve clients through node/serve
// while the role is synced, and publish status for the admin port.
package quorumpeer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/election"
	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/node/metrics"
	"github.com/zkctl/zkctl/node/qcm"
	"github.com/zkctl/zkctl/node/serve"
	"github.com/zkctl/zkctl/node/zabconn"
	"github.com/zkctl/zkctl/node/zkconfig"
	"github.com/zkctl/zkctl/store"
)

// Peer is QuorumPeer: the role loop of an ensemble member. One goroutine
// (run) owns the role; the election state machine has its own goroutine
// (electionLoop) that keeps answering LOOKING peers while this server
// leads or follows. Client requests reach the role drivers through the
// role's pipeline (serve.Server.StartRole).
type Peer struct {
	srv      *serve.Server
	db       *store.DB
	cfg      *zkconfig.Config
	log      *slog.Logger
	myid     int64
	observer bool
	voters   []int64
	qv       string
	qvVer    int64
	tick     time.Duration

	qcm *qcm.Manager
	zab zabconn.Network // the Zab transport: TCP, or Config.Zab in tests

	elecStart  chan electionStart // role loop → election loop: go LOOKING
	elecVote   chan int64         // role loop → election loop: UpdateElectionVote
	elecDecide chan election.Decision
	revalCh    chan *serve.Revalidation // client readers → learner driver: REVALIDATE

	serving  atomic.Bool
	readOnly atomic.Bool // serving read-only clients while LOOKING (readonly.go)
	met      peerMetrics // role loop goroutine only (metrics.go)

	// logCommits and logTxns count the txn-log group commits (one fsync
	// each with forceSync) of the role drivers and the txns in them.
	logCommits, logTxns atomic.Int64

	mu   sync.Mutex // guards the status fields below
	st   peerStatus
	elec election.Status
}

// electionStart asks the election loop to run lookForLeader.
type electionStart struct {
	lastZxid, epoch int64
}

// peerStatus is what the role loop publishes for the admin port.
type peerStatus struct {
	state         string
	zabPhase      string
	leaderID      int64
	accepted      int64
	current       int64
	committed     int64
	lastHeard     time.Time
	syncMode      string
	learners      []adminapi.Learner
	electionStart time.Time
	servingSince  time.Time             // leader: when it began serving clients
	learnerConns  map[int64]learnerMeta // leader: connection facts by learner sid
	pendingSyncs  int                   // leader: syncs waiting for a commit or a quorum round
}

// learnerMeta is what the leader knows of a learner's connection.
type learnerMeta struct {
	addr string
	est  time.Time
}

// Config is what a Peer is built from.
type Config struct {
	// Cfg is the parsed zoo.cfg with server.N lines.
	Cfg *zkconfig.Config
	// Log receives the driver's lines (tagged with myid).
	Log *slog.Logger
	// DB is the file database: the drivers log, truncate and snapshot it.
	DB *store.DB
	// Srv is the client path the roles serve through.
	Srv *serve.Server
	// Zab is the Zab transport; nil means TCP.
	Zab zabconn.Network
	// Metrics receives the role loop's 3.8 ServerMetrics; nil means
	// metrics.Default().
	Metrics *metrics.Server
}

// New checks the membership, reads the epoch files and opens the
// election transport; Start runs the role loop.
func New(c Config) (*Peer, error) {
	cfg, db := c.Cfg, c.DB
	me, ok := cfg.Me()
	if !ok {
		return nil, fmt.Errorf("node: myid %d is not in the server list", cfg.MyID)
	}
	p := &Peer{
		srv: c.Srv, db: db, cfg: cfg, log: c.Log.With("myid", cfg.MyID), myid: cfg.MyID,
		observer: me.Type == zkconfig.Observer, qv: cfg.QuorumVerifierText(),
		tick:       time.Duration(cfg.TickTime) * time.Millisecond,
		elecStart:  make(chan electionStart, 1),
		elecVote:   make(chan int64, 4),
		elecDecide: make(chan election.Decision, 1),
		revalCh:    make(chan *serve.Revalidation, 256),
		zab:        zabconn.TCP{},
		met:        newPeerMetrics(c.Metrics),
	}
	if c.Zab != nil {
		p.zab = c.Zab
	}
	p.qvVer, _ = election.ConfigVersion(p.qv)
	p.initConfigNode()
	for _, v := range cfg.Voters() {
		p.voters = append(p.voters, v.ID)
	}
	peers := map[int64]string{}
	for _, sv := range cfg.Servers {
		if len(sv.Addrs) == 0 {
			continue
		}
		a := sv.Addrs[0]
		peers[sv.ID] = net.JoinHostPort(a.Host, strconv.Itoa(a.ElectionPort))
	}
	if len(me.Addrs) == 0 {
		return nil, fmt.Errorf("node: server.%d has no address", cfg.MyID)
	}
	listen := peers[cfg.MyID]
	if cfg.QuorumListenOnAllIPs {
		listen = net.JoinHostPort("", strconv.Itoa(me.Addrs[0].ElectionPort))
	}
	m, err := qcm.New(qcm.Config{
		Sid: cfg.MyID, Listen: listen, Advertise: peers[cfg.MyID], Peers: peers,
		HandshakeTimeout: time.Duration(cfg.TickTime*max(cfg.SyncLimit, 1)) * time.Millisecond,
		Logger:           p.log,
	})
	if err != nil {
		return nil, fmt.Errorf("node: election transport: %w", err)
	}
	p.qcm = m
	// st before loadEpochs, which fills st.accepted and st.current.
	p.st = peerStatus{state: adminapi.StateLooking, zabPhase: adminapi.PhaseElection, leaderID: -1}
	if err := p.loadEpochs(); err != nil {
		_ = m.Close()
		return nil, err
	}
	return p, nil
}

// initConfigNode writes the membership into /zookeeper/config as 3.8's
// ZKDatabase.initConfigInZKDatabase does: the QuorumVerifier text (what
// getConfig and `zkCli.sh config` read), Stat version -1, mzxid the config
// version. It runs at start and after a SNAP, which replaced the tree with
// the leader's (Learner.syncWithLeader, reconfig disabled).
func (p *Peer) initConfigNode() {
	p.db.Tree().SetConfig([]byte(p.qv), p.qvVer, time.Now().UnixMilli())
}

// loadEpochs reads (or creates) the epoch files as QuorumPeer.loadDataBase.
func (p *Peer) loadEpochs() error {
	dir := p.cfg.DataDir
	epochOfZxid := jute.EpochOf(p.db.Tree().LastProcessedZxid())
	cur, ok, err := store.ReadEpochFile(dir, store.CurrentEpochFile)
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	if !ok {
		cur = epochOfZxid
		if err := store.WriteEpochFile(dir, store.CurrentEpochFile, cur); err != nil {
			return fmt.Errorf("node: %w", err)
		}
	}
	if epochOfZxid > cur {
		return fmt.Errorf("node: the current epoch %d is older than the last zxid 0x%x", cur, p.db.Tree().LastProcessedZxid())
	}
	acc, ok, err := store.ReadEpochFile(dir, store.AcceptedEpochFile)
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	if !ok {
		acc = epochOfZxid
		if err := store.WriteEpochFile(dir, store.AcceptedEpochFile, acc); err != nil {
			return fmt.Errorf("node: %w", err)
		}
	}
	if acc < cur {
		return fmt.Errorf("node: the accepted epoch %d is less than the current epoch %d", acc, cur)
	}
	p.st.accepted, p.st.current = acc, cur
	return nil
}

// writeEpochs persists changed epochs (fsync + rename) before anything
// that depends on them is sent.
func (p *Peer) writeEpochs(accepted, current int64) error {
	if accepted >= 0 {
		if err := store.WriteEpochFile(p.cfg.DataDir, store.AcceptedEpochFile, accepted); err != nil {
			return fmt.Errorf("node: acceptedEpoch %d: %w", accepted, err)
		}
		p.setStatus(func(st *peerStatus) { st.accepted = accepted })
		p.event("epoch", fmt.Sprintf("acceptedEpoch=%d", accepted))
	}
	if current >= 0 {
		if err := store.WriteEpochFile(p.cfg.DataDir, store.CurrentEpochFile, current); err != nil {
			return fmt.Errorf("node: currentEpoch %d: %w", current, err)
		}
		p.setStatus(func(st *peerStatus) { st.current = current })
		p.event("epoch", fmt.Sprintf("currentEpoch=%d", current))
	}
	return nil
}

func (p *Peer) epochs() (accepted, current int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st.accepted, p.st.current
}

func (p *Peer) setStatus(f func(*peerStatus)) {
	p.mu.Lock()
	f(&p.st)
	p.mu.Unlock()
}

func (p *Peer) state() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st.state
}

// event records an event in the ring with the current state.
func (p *Peer) event(kind, msg string) {
	p.srv.EventRing().Add(kind, p.state(), msg)
}

// setState changes the peer state, logging it and recording an event.
func (p *Peer) setState(state, phase string, leader int64) {
	p.mu.Lock()
	changed := p.st.state != state
	p.st.state, p.st.zabPhase, p.st.leaderID = state, phase, leader
	if state == adminapi.StateLooking {
		p.st.learners, p.st.syncMode = nil, ""
		p.st.servingSince, p.st.learnerConns = time.Time{}, nil
		p.st.pendingSyncs = 0
	}
	p.mu.Unlock()
	p.met.stateChanged(state, phase)
	if changed {
		p.log.Info("peer state", "state", state, "leader", leader)
		p.srv.EventRing().Add("state", state, fmt.Sprintf("%s (leader %d)", state, leader))
	}
}

// run is the QuorumPeer main loop: LOOKING → role → LOOKING, until ctx ends.
func (p *Peer) run(ctx context.Context) {
	for ctx.Err() == nil {
		p.setState(adminapi.StateLooking, adminapi.PhaseElection, -1)
		_, cur := p.epochs()
		start := time.Now()
		p.setStatus(func(st *peerStatus) { st.electionStart = start })
		select {
		case p.elecStart <- electionStart{lastZxid: p.db.LastLoggedZxid(), epoch: cur}:
		case <-ctx.Done():
			return
		}
		stopReadOnly := p.readOnlyWhileLooking(ctx) // readonly.go
		var d election.Decision
		select {
		case d = <-p.elecDecide:
			stopReadOnly()
		case <-ctx.Done():
			stopReadOnly()
			return
		}
		took := time.Since(start)
		p.met.elected(d.State, took)
		p.log.Info("election decided", "state", d.State, "leader", d.Leader, "zxid", hexID(d.Vote.Zxid), "took", took)
		p.srv.EventRing().Add("elected", d.State.String(), fmt.Sprintf("leader %d elected in %d ms (round 0x%x)", d.Leader, took.Milliseconds(), d.Vote.ElectionEpoch))
		var err error
		switch d.State {
		case election.Leading:
			err = p.lead(ctx)
		case election.Following, election.Observing:
			err = p.follow(ctx, d.Leader, d.State == election.Observing)
		}
		if err != nil && ctx.Err() == nil {
			p.log.Warn("role ended", "state", d.State, "err", err)
			p.event("error", fmt.Sprintf("%v ended: %v", d.State, err))
		}
		if d.State == election.Observing && ctx.Err() == nil {
			select {
			case <-time.After(200 * time.Millisecond):
			case <-ctx.Done():
			}
		}
	}
}

// electionLoop owns the Election: it ticks it, feeds it notifications
// from the transport in every state, sends its messages and reports
// decisions to the role loop.
func (p *Peer) electionLoop(ctx context.Context) {
	cfg := election.DefaultConfig(p.myid, p.voters, p.qv)
	cfg.Logger = slogLogger{l: p.log, info: slog.LevelDebug}
	e, err := election.New(cfg)
	if err != nil {
		p.srv.Fail(fmt.Errorf("node: election: %w", err))
		return
	}
	t := time.NewTicker(time.Duration(cfg.TickMs) * time.Millisecond)
	defer t.Stop()
	looking := false
	var late lateVotes // latevotes.go
	for {
		select {
		case <-ctx.Done():
			return
		case st := <-p.elecStart:
			e.Start(st.lastZxid, st.epoch)
			looking = true
			for _, n := range late.take(e.LogicalClock()) {
				if err := e.Step(n); err != nil {
					p.log.Debug("replayed notification refused", "from", n.Sid, "err", err)
				}
			}
		case ep := <-p.elecVote:
			e.UpdateElectionVote(ep)
		case <-t.C:
			e.Tick()
		case m, ok := <-p.qcm.Recv():
			if !ok {
				return
			}
			n, err := election.DecodeNotification(m.Payload)
			if err != nil {
				p.log.Warn("bad notification", "from", m.Sid, "err", err)
				continue
			}
			n.Sid = m.Sid
			if !looking {
				late.keep(n)
			}
			if err := e.Step(n); err != nil {
				p.log.Debug("notification refused", "from", m.Sid, "err", err)
			}
		}
		if !e.HasReady() {
			p.publishElection(e.Status())
			continue
		}
		rd := e.Ready()
		for _, msg := range rd.Messages {
			if err := p.qcm.Send(msg.To, msg.N.Encode()); err != nil && ctx.Err() == nil {
				p.log.Debug("send notification", "to", msg.To, "err", err)
			}
		}
		if rd.Decision != nil {
			looking, late = false, lateVotes{}
			select {
			case p.elecDecide <- *rd.Decision:
			default:
			}
		}
		e.Advance()
		p.publishElection(rd.Status)
	}
}

func (p *Peer) publishElection(st election.Status) {
	p.mu.Lock()
	p.elec = st
	p.mu.Unlock()
}

// Start runs the election transport, the election loop and the role loop
// on the client path's goroutines, until it stops (serve.Server.Stop
// waits for them).
func (p *Peer) Start() {
	p.qcm.Start()
	ctx := p.srv.Context()
	p.srv.Go(func() { p.electionLoop(ctx) })
	p.srv.Go(func() { p.run(ctx) })
	p.srv.Go(func() {
		<-ctx.Done()
		_ = p.qcm.Close()
	})
	p.srv.EventRing().Add("state", adminapi.StateLooking, "ensemble member started, election port "+p.qcm.Addr())
	p.srv.Logger().Info("ensemble member started", "myid", p.myid, "client", p.srv.ClientAddr().String(), "election", p.qcm.Addr(),
		"zxid", hexID(p.db.LastLoggedZxid()), "voters", len(p.voters), "observer", p.observer)
}

// Close releases the election transport of a Peer that never started.
func (p *Peer) Close() error { return p.qcm.Close() }

// Epochs returns the accepted and current epochs (the epoch files).
func (p *Peer) Epochs() (accepted, current int64) { return p.epochs() }

// LogCommits returns how many txn-log group commits (one fsync each with
// forceSync) the role drivers made and how many txns they held: the
// measure of group commit on an ensemble.
func (p *Peer) LogCommits() (commits, txns int64) { return p.logCommits.Load(), p.logTxns.Load() }

// hexID formats a session id or zxid as ZooKeeper logs it.
func hexID(v int64) string { return fmt.Sprintf("0x%x", uint64(v)) }

// errRoleStopped ends a role because the server is stopping.
var errRoleStopped = errors.New("node: server stopping")
