// Package node is the zkctl server: client connections, sessions, the
// request pipeline (prep → propose/log → apply/reply), watches and the
// status sources for four-letter words and the admin port.
//
// The pipeline follows ZooKeeper's standalone chain: PrepRequestProcessor
// (validation, ACLs, txn with a fresh zxid), SyncRequestProcessor (append +
// group-committed fsync) and FinalRequestProcessor (apply, fire watches,
// reply). Every request, reads included, passes the stages in arrival order,
// so replies come back in request order and a client's reads see its writes.
package node

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
	"github.com/zkctl/zkctl/jute"
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

// Server is a standalone ZooKeeper-compatible server.
type Server struct {
	cfg    *zkconfig.Config
	log    *slog.Logger
	openDB func() (Database, error)

	db       Database
	tree     *store.DataTree
	sessions *sessionTracker
	watches  *WatchManager
	prep     *prepper
	auth     authenticator
	proposer Proposer
	// customProposer replaces the standalone proposer (SetProposer).
	customProposer Proposer

	maxBuffer    int
	serverID     int64
	reapInterval time.Duration

	ln        net.Listener
	adminAddr net.Addr
	prepCh    chan *Request
	finalCh   chan *Request

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

	failOnce sync.Once
	failErr  error
	failed   chan struct{}

	// quorum is the ensemble role loop (quorum_*.go); nil when standalone.
	quorum *quorumPeer
}

// NewServer builds a server from a parsed zoo.cfg. It opens nothing yet;
// Start opens the database and the client port.
func NewServer(cfg *zkconfig.Config, logger *slog.Logger) (*Server, error) {
	if cfg == nil {
		return nil, errors.New("node: nil config")
	}
	if cfg.DataDir == "" {
		return nil, errors.New("node: dataDir is not set")
	}
	if cfg.TickTime <= 0 {
		return nil, fmt.Errorf("node: tickTime %d must be positive", cfg.TickTime)
	}
	if logger == nil {
		logger = slog.Default()
	}
	s := &Server{
		cfg:          cfg,
		log:          logger,
		watches:      NewWatchManager(),
		auth:         authenticator{superDigest: cfg.SuperDigest},
		maxBuffer:    jute.DefaultMaxBuffer,
		serverID:     1,
		reapInterval: 60 * time.Second,
		conns:        make(map[*conn]struct{}),
		bySession:    make(map[int64]*conn),
		perIP:        make(map[string]int),
		failed:       make(chan struct{}),
	}
	if cfg.IsQuorum() {
		s.serverID = cfg.MyID
	}
	// zkctl extensions: ZooKeeper reads these as JVM system properties only.
	if v, ok := cfg.Extra["jute.maxbuffer"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("node: jute.maxbuffer %q is not a positive number", v)
		}
		s.maxBuffer = n
	}
	if v, ok := cfg.Extra["znode.container.checkIntervalMs"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("node: znode.container.checkIntervalMs %q is not a positive number", v)
		}
		s.reapInterval = time.Duration(n) * time.Millisecond
	}
	s.stats.resetLatency()
	s.events = status.NewEventRing(1024)
	s.traceMask.Store(traceMaskDefault)
	s.openDB = func() (Database, error) {
		return openStore(cfg, logger)
	}
	return s, nil
}

// nowMs is the wall clock in ms (txn times, session buckets).
func (s *Server) nowMs() int64 { return time.Now().UnixMilli() }

// Start opens the database, restores sessions and starts listening and the
// pipeline. It returns once the client port is bound.
func (s *Server) Start(ctx context.Context) error {
	if s.cfg.IsQuorum() {
		return s.startQuorum(ctx) // ensemble member: quorum_serve.go
	}
	db, err := s.openDB()
	if err != nil {
		return fmt.Errorf("node: open database in %s: %w", s.cfg.DataDir, err)
	}
	s.db = db
	s.tree = db.Tree()
	now := s.nowMs()
	s.sessions = newSessionTracker(int64(s.cfg.TickTime), s.serverID, now)
	for id, to := range db.Sessions() {
		s.sessions.add(id, to, now)
	}
	last := db.LastLoggedZxid()
	if t := s.tree.LastProcessedZxid(); t > last {
		last = t
	}
	s.prep = newPrepper(prepOptions{
		extendedTypes:   s.cfg.ExtendedTypesEnabled,
		reconfigEnabled: s.cfg.ReconfigEnabled,
		quorum:          s.cfg.IsQuorum(),
		quota:           newQuotaEnforcer(s.cfg, s.log),
	}, s.tree, s.sessions, last, s.nowMs)

	host, port := s.cfg.ClientPortAddress, s.cfg.ClientPort
	if me, ok := s.cfg.Me(); ok && port == 0 && me.HasClientAddr {
		host, port = me.ClientHost, me.ClientPort
	}
	if port == 0 {
		s.log.Warn("no clientPort configured; listening on a free port")
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = db.Close()
		return fmt.Errorf("node: listen on client port %s: %w", addr, err)
	}
	s.ln = ln
	s.ctx, s.cancel = context.WithCancel(ctx)
	limit := s.cfg.GlobalOutstandingLimit
	if limit <= 0 {
		limit = 1000
	}
	s.prepCh = make(chan *Request, limit)
	s.finalCh = make(chan *Request, limit)
	s.started = time.Now()
	if s.customProposer != nil {
		s.proposer = s.customProposer
	} else {
		sp := newStandaloneProposer(s, limit)
		s.proposer = sp
		s.goFunc(sp.run)
	}
	s.goFunc(s.prepLoop)
	s.goFunc(s.finalLoop)
	s.goFunc(s.acceptLoop)
	s.goFunc(s.expireLoop)
	s.goFunc(s.reapLoop)
	s.goFunc(func() {
		<-s.ctx.Done()
		_ = s.ln.Close()
	})
	if err := s.startAdmin(db); err != nil {
		return err
	}
	s.events.Add("state", adminapi.StateStandalone, "serving clients on "+ln.Addr().String())
	s.log.Info("serving clients", "addr", ln.Addr().String(), "zxid", hexID(last),
		"sessions", len(db.Sessions()), "nodes", s.tree.NodeCount())
	return nil
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

// AdminAddr is the bound admin HTTP address (nil when disabled).
func (s *Server) AdminAddr() net.Addr { return s.adminAddr }

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

func (s *Server) closeAllConns(reason string) {
	s.mu.Lock()
	all := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		all = append(all, c)
	}
	s.mu.Unlock()
	for _, c := range all {
		c.close(reason)
	}
}

// acceptLoop accepts client connections, enforcing maxClientCnxns per IP.
func (s *Server) acceptLoop() {
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if s.ctx.Err() != nil {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			s.log.Error("accept failed", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		ip, _, _ := net.SplitHostPort(nc.RemoteAddr().String())
		s.mu.Lock()
		if max := s.cfg.MaxClientCnxns; max > 0 && s.perIP[ip] >= max {
			s.mu.Unlock()
			s.log.Warn("too many connections from client, closing", "ip", ip, "max", max)
			_ = nc.Close()
			continue
		}
		limit := cap(s.prepCh)
		c := &conn{
			s: s, nc: nc, ip: ip, remote: nc.RemoteAddr().String(),
			log:       s.log.With("remote", nc.RemoteAddr().String()),
			out:       make(chan outFrame, limit+4096),
			done:      make(chan struct{}),
			slots:     make(chan struct{}, limit),
			handshake: make(chan struct{}),
			auth:      []jute.Id{{Scheme: "ip", ID: ip}},
			est:       time.Now(),
		}
		c.stats.reset()
		s.conns[c] = struct{}{}
		s.perIP[ip]++
		s.mu.Unlock()
		if s.ctx.Err() != nil {
			c.close("server stopping")
			return
		}
		s.goFunc(c.writeLoop)
		s.goFunc(c.readLoop)
	}
}

// connClosed forgets a closed connection and its watches.
func (s *Server) connClosed(c *conn) {
	s.watches.RemoveWatcher(c)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.conns[c]; !ok {
		return
	}
	delete(s.conns, c)
	if s.perIP[c.ip]--; s.perIP[c.ip] <= 0 {
		delete(s.perIP, c.ip)
	}
	if sid := c.sessionID.Load(); sid != 0 && s.bySession[sid] == c {
		delete(s.bySession, sid)
	}
}

// bind makes c the connection of session sid, closing any other one.
func (s *Server) bind(sid int64, c *conn) {
	s.mu.Lock()
	old := s.bySession[sid]
	s.bySession[sid] = c
	s.mu.Unlock()
	if old != nil && old != c {
		old.close("client reconnected with the same session")
	}
}

func (s *Server) connOf(sid int64) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bySession[sid]
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

// submitInternal queues a server-issued request without blocking the caller
// beyond the stop of the server.
func (s *Server) submitInternal(r *Request) {
	r.internal = true
	s.submit(r)
}

// prepLoop is the PrepRequestProcessor thread.
func (s *Server) prepLoop() {
	for {
		select {
		case r := <-s.prepCh:
			if r.Err == jute.ErrOK {
				s.prep.prepare(r)
			}
			if !s.proposer.Propose(r) {
				return
			}
		case <-s.ctx.Done():
			return
		}
	}
}

// expireLoop expires sessions bucket by bucket and issues closeSession.
func (s *Server) expireLoop() {
	period := time.Duration(s.cfg.TickTime) * time.Millisecond / 4
	if period < 10*time.Millisecond {
		period = 10 * time.Millisecond
	}
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-s.ctx.Done():
			return
		}
		for _, sid := range s.sessions.expire(s.nowMs()) {
			s.log.Info("session expired", "session", hexID(sid))
			if c := s.connOf(sid); c != nil {
				c.close("session expired")
			}
			s.submitInternal(&Request{SessionID: sid, Type: jute.OpCloseSession, rec: emptyRecord{}})
		}
	}
}

// startAdmin starts the AdminServer when the configuration enables it. On
// failure it stops what Start began and closes db.
func (s *Server) startAdmin(db Database) error {
	if !s.cfg.AdminEnableServer {
		return nil
	}
	addr := net.JoinHostPort(s.cfg.AdminServerAddress, strconv.Itoa(s.cfg.AdminServerPort))
	bound, err := status.ServeAdmin(s.ctx, addr, status.NewAdminHandler(s, s.log))
	if err != nil {
		s.cancel()
		s.wg.Wait()
		_ = db.Close()
		return fmt.Errorf("node: %w", err)
	}
	s.adminAddr = bound
	s.log.Info("admin server listening", "addr", bound.String())
	return nil
}
