// Package serve is the client path of a zkctl server: connections and
// their handshake, sessions, watches, ACLs and the request processors,
// named after ZooKeeper 3.8's stages: prep.go (PrepRequestProcessor),
// sync.go (SyncRequestProcessor: group commit), commit.go
// (CommitProcessor of an ensemble role) and final.go
// (FinalRequestProcessor: apply, watches, reply). pipeline.go joins them:
// one prep loop and a Proposer, the same for every role.
//
// Every request, reads included, passes the stages in arrival order, so
// replies come back in request order and a client's reads see its writes.
// An ensemble member plugs its role in through Role (node/quorumpeer).
package serve

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/node/metrics"
	"github.com/zkctl/zkctl/node/status"
	"github.com/zkctl/zkctl/node/zkconfig"
	"github.com/zkctl/zkctl/store"
)

// Database is what the server needs from storage; *store.DB implements it.
type Database interface {
	// Tree is the in-memory data tree.
	Tree() *store.DataTree
	// Sessions returns the persisted sessions and their timeouts (ms).
	Sessions() map[int64]int32
	// Append buffers a txn in the log (no fsync).
	Append(txn *jute.Txn) error
	// Commit makes everything appended durable (the group-commit point).
	Commit() error
	// Apply applies a committed txn to the tree and session table.
	Apply(txn *jute.Txn) store.Result
	// LastLoggedZxid is the zxid of the last appended txn.
	LastLoggedZxid() int64
	// Close flushes and closes the files.
	Close() error
}

// serverStats are server-wide counters.
type serverStats struct {
	received, sent       atomic.Int64
	authFailed           atomic.Int64
	mu                   sync.Mutex
	minLat, maxLat, cnt  int64
	totLat               int64
	lastResp, minResp    int64
	maxResp              int64
	fsyncThresholdExceed atomic.Int64
	rates                rateMeter // reads and writes per second for /commands/peer
}

func (st *serverStats) resetLatency() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.minLat, st.maxLat, st.cnt, st.totLat = 0, 0, 0, 0
	st.lastResp, st.minResp, st.maxResp = -1, -1, -1
}

// Server serves ZooKeeper clients over one database: the client port,
// sessions, watches and the request pipeline. node.Server wires it to the
// database, the admin port and, on an ensemble member, the role loop.
type Server struct {
	cfg *zkconfig.Config
	log *slog.Logger

	db       Database
	tree     *store.DataTree
	sessions *sessionTracker
	watches  *WatchManager
	prep     *prepper
	auth     authenticator
	role     Role // nil on a standalone server

	ro atomic.Pointer[readOnlyServer] // set while serving read-only (readonly.go)

	maxBuffer    int
	serverID     int64
	reapInterval time.Duration

	ln      net.Listener
	prepCh  chan *Request
	finalCh chan *Request

	mu        sync.Mutex
	conns     map[*conn]struct{}
	bySession map[int64]*conn
	perIP     map[string]int

	stats   serverStats
	started time.Time
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	stopMu  sync.Mutex
	stopped bool

	events    *status.EventRing
	traceMask atomic.Int64
	metrics   *metrics.Server

	failOnce sync.Once
	failErr  error
	failed   chan struct{}
}

// Options are the client path's settings that zoo.cfg does not hold as
// such: node parses them (ZooKeeper's JVM system properties) and the
// server id.
type Options struct {
	// MaxBuffer is jute.maxbuffer: the largest request frame, in bytes.
	MaxBuffer int
	// ServerID is the high byte of new session ids (myid; 1 standalone).
	ServerID int64
	// ReapInterval is znode.container.checkIntervalMs as a duration.
	ReapInterval time.Duration
	// Metrics receives the pipeline's 3.8 ServerMetrics; nil means
	// metrics.Default().
	Metrics *metrics.Server
}

// New builds the client path from a parsed zoo.cfg. It opens nothing:
// Open attaches the database, Listen binds the client port, Start serves.
func New(cfg *zkconfig.Config, logger *slog.Logger, opts Options) *Server {
	s := &Server{
		cfg:          cfg,
		log:          logger,
		watches:      NewWatchManager(),
		auth:         authenticator{superDigest: cfg.SuperDigest},
		maxBuffer:    opts.MaxBuffer,
		serverID:     opts.ServerID,
		reapInterval: opts.ReapInterval,
		conns:        make(map[*conn]struct{}),
		bySession:    make(map[int64]*conn),
		perIP:        make(map[string]int),
		failed:       make(chan struct{}),
		metrics:      metricsOrDefault(opts.Metrics),
	}
	s.stats.resetLatency()
	s.events = status.NewEventRing(1024)
	s.traceMask.Store(traceMaskDefault)
	return s
}

// nowMs is the wall clock in ms (txn times, session buckets).
func (s *Server) nowMs() int64 { return time.Now().UnixMilli() }

// Open attaches the database and restores its sessions; prep hands out
// zxids after the last one logged or applied.
func (s *Server) Open(db Database) {
	s.db = db
	s.tree = db.Tree()
	now := s.nowMs()
	s.sessions = newSessionTracker(int64(s.cfg.TickTime), s.serverID, now)
	s.sessions.resetTo(db.Sessions(), now)
	last := max(db.LastLoggedZxid(), s.tree.LastProcessedZxid())
	s.prep = newPrepper(prepOptions{
		extendedTypes:   s.cfg.ExtendedTypesEnabled,
		reconfigEnabled: s.cfg.ReconfigEnabled,
		quorum:          s.cfg.IsQuorum(),
		maxTxnLen:       s.cfg.MaxRecordLen(),
		quota:           newQuotaEnforcer(s.cfg, s.log),
	}, s.tree, s.sessions, last, s.nowMs)
}

// Start accepts clients until ctx ends or Stop. With a nil role it runs
// the standalone pipeline for the server's whole life; an ensemble role
// starts a pipeline (StartRole) only while it serves clients.
func (s *Server) Start(ctx context.Context, role Role) {
	s.role = role
	s.ctx, s.cancel = context.WithCancel(ctx)
	limit := s.cfg.GlobalOutstandingLimit
	if limit <= 0 {
		limit = 1000
	}
	s.prepCh = make(chan *Request, limit)
	s.finalCh = make(chan *Request, limit)
	s.started = time.Now()
	if role == nil {
		s.startStandalone(limit)
	}
	s.goFunc(s.acceptLoop)
	s.goFunc(func() {
		<-s.ctx.Done()
		_ = s.ln.Close()
	})
}

// Go runs f as a goroutine that Stop waits for (the role loop's own).
func (s *Server) Go(f func()) { s.goFunc(f) }

// Context ends when the server stops or fails.
func (s *Server) Context() context.Context { return s.ctx }

// EventRing is the server's event ring (admin /commands/events), shared
// with the role loop.
func (s *Server) EventRing() *status.EventRing { return s.events }

// Tree is the database's data tree, for the role loop and tests.
func (s *Server) Tree() *store.DataTree { return s.tree }

// MaxBuffer is jute.maxbuffer in bytes.
func (s *Server) MaxBuffer() int { return s.maxBuffer }

// Logger is the server's logger.
func (s *Server) Logger() *slog.Logger { return s.log }

// startStandalone starts a standalone server's pipeline for the server's
// whole life: prep → groupCommit → final, plus the session expirer and the
// container reaper feeding closeSession and deletes into prep.
func (s *Server) startStandalone(queue int) {
	gc := newGroupCommit(s, queue)
	pl := &pipeline{in: s.prepCh, prepare: s.timedPrep(s.standalonePrepare), next: gc}
	s.goFunc(gc.run)
	s.goFunc(func() { pl.run(s.ctx) })
	s.goFunc(s.finalLoop)
	s.goFunc(func() { s.expireEvery(s.ctx, s.submitInternal) })
	s.goFunc(func() { s.reapEvery(s.ctx, s.submitInternal) })
}

// goFunc starts a tracked goroutine; Stop waits for all of them.
func (s *Server) goFunc(f func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// ClientAddr is the bound client address (nil before Start).
func (s *Server) ClientAddr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Done is closed when the server fails (e.g. the log cannot be synced).
func (s *Server) Done() <-chan struct{} { return s.failed }

// Err returns the failure that closed Done, or nil.
func (s *Server) Err() error {
	select {
	case <-s.failed:
		return s.failErr
	default:
		return nil
	}
}

// fail stops serving after an unrecoverable error: nothing more is
// acknowledged, every connection is closed.
func (s *Server) fail(err error) {
	s.failOnce.Do(func() {
		s.failErr = err
		s.log.Error("server failed, no further requests are acknowledged", "err", err)
		close(s.failed)
		s.events.Add("error", adminapi.StateStandalone, "server failed: "+err.Error())
		s.cancel()
		s.closeAllConns("server failed")
	})
}

// Stop closes the client port and every connection, waits for the
// pipeline and closes the database. Safe to call more than once.
func (s *Server) Stop() {
	s.stopMu.Lock()
	defer s.stopMu.Unlock()
	if s.stopped || s.cancel == nil {
		return
	}
	s.stopped = true
	s.cancel()
	s.closeAllConns("server stopping")
	s.wg.Wait()
	if err := s.db.Close(); err != nil {
		s.log.Error("close database", "err", err)
	}
	s.log.Info("server stopped")
}

// submit queues a request for prep; false once the server stops.
func (s *Server) submit(r *Request) bool {
	select {
	case s.prepCh <- r:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// submitInternal queues a server-issued request (expirer, reaper) in order
// with the clients' ones; false once the server stops.
func (s *Server) submitInternal(r *Request) bool {
	r.internal = true
	return s.submit(r)
}
