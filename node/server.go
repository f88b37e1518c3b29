// Package node is the zkctl server's wiring and lifecycle: it builds the
// client path (node/serve) over the database (store/), adds the ensemble
// role loop (node/quorumpeer) on an ensemble member, and starts
// and stops them with the admin port (node/status). docs/architecture.md
// follows a write through every package.
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/node/quorumpeer"
	"github.com/zkctl/zkctl/node/serve"
	"github.com/zkctl/zkctl/node/status"
	"github.com/zkctl/zkctl/node/zabconn"
	"github.com/zkctl/zkctl/node/zkconfig"
	"github.com/zkctl/zkctl/store"
)

// Database is what the server needs from storage; *store.DB implements it.
type Database = serve.Database

// Server is one ZooKeeper-compatible server, standalone or an ensemble
// member, as configured by zoo.cfg.
type Server struct {
	cfg    *zkconfig.Config
	log    *slog.Logger
	openDB func() (Database, error)

	// srv is the client path: connections, sessions, the pipeline.
	srv *serve.Server
	// quorum is the ensemble role loop; nil when standalone.
	quorum *quorumpeer.Peer
	// zabNet replaces the Zab transport (TCP) in tests; set before Start.
	zabNet zabconn.Network
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
	// jute.maxbuffer: a typed zkconfig field (zoo.cfg key or -D flag).
	opts := serve.Options{MaxBuffer: cfg.MaxFrameLen(), ServerID: 1, ReapInterval: 60 * time.Second, Metrics: newServerMetrics()}
	if cfg.IsQuorum() {
		opts.ServerID = cfg.MyID
	}
	for _, w := range cfg.Warnings {
		logger.Warn("config: " + w)
	}
	if v, ok := cfg.Extra["znode.container.checkIntervalMs"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("node: znode.container.checkIntervalMs %q is not a positive number", v)
		}
		opts.ReapInterval = time.Duration(n) * time.Millisecond
	}
	s := &Server{cfg: cfg, log: logger, srv: serve.New(cfg, logger, opts)}
	s.openDB = func() (Database, error) {
		return openStore(cfg, logger, opts.Metrics)
	}
	return s, nil
}

// Start opens the database, restores sessions, binds the client port and
// starts serving. It returns once the client port is bound. An ensemble
// member (server.N lines) also opens the election transport and runs the
// role loop (node/quorumpeer); it serves clients only while it leads or
// follows a synced leader.
func (s *Server) Start(ctx context.Context) error {
	db, err := s.openDB()
	if err != nil {
		return fmt.Errorf("node: open database in %s: %w", s.cfg.DataDir, err)
	}
	var sdb *store.DB
	if s.cfg.IsQuorum() {
		var ok bool
		if sdb, ok = db.(*store.DB); !ok {
			_ = db.Close()
			return errors.New("node: quorum mode needs the file database")
		}
	}
	s.srv.Open(db)
	var p *quorumpeer.Peer
	if sdb != nil {
		if p, err = quorumpeer.New(quorumpeer.Config{Cfg: s.cfg, Log: s.log, DB: sdb, Srv: s.srv, Zab: s.zabNet, Metrics: s.srv.ServerMetrics()}); err != nil {
			_ = db.Close()
			return err
		}
	}
	if err := s.srv.Listen(); err != nil {
		if p != nil {
			_ = p.Close()
		}
		_ = db.Close()
		return err
	}
	s.quorum = p
	if p == nil {
		s.srv.Start(ctx, nil)
	} else {
		s.srv.Start(ctx, p)
		p.Start()
	}
	s.srv.Go(func() { s.autopurgeLoop(db) }) // autopurge.purgeInterval (config-fidelity)
	if err := s.startAdmin(); err != nil {
		return err
	}
	if err := s.startMetricsProvider(); err != nil {
		return err
	}
	if p != nil {
		return nil
	}
	addr := s.srv.ClientAddr().String()
	last := max(db.LastLoggedZxid(), db.Tree().LastProcessedZxid())
	s.srv.EventRing().Add("state", adminapi.StateStandalone, "serving clients on "+addr)
	s.log.Info("serving clients", "addr", addr, "zxid", hexID(last),
		"sessions", len(db.Sessions()), "nodes", db.Tree().NodeCount())
	return nil
}

// startAdmin starts the AdminServer when the configuration enables it. On
// failure it stops what Start began.
func (s *Server) startAdmin() error {
	if !s.cfg.AdminEnableServer {
		return nil
	}
	addr := net.JoinHostPort(s.cfg.AdminServerAddress, strconv.Itoa(s.cfg.AdminServerPort))
	bound, err := status.ServeAdmin(s.srv.Context(), addr, status.NewAdminHandler(s.srv, s.log))
	if err != nil {
		s.srv.Stop()
		return fmt.Errorf("node: %w", err)
	}
	s.log.Info("admin server listening", "addr", bound.String())
	return nil
}

// startMetricsProvider serves /metrics on metricsProvider.httpHost:httpPort
// when the configuration names 3.8's PrometheusMetricsProvider; a busy port
// stops the server, as it stops 3.8.
func (s *Server) startMetricsProvider() error {
	bound, err := status.ServeMetricsProvider(s.srv.Context(), s.srv)
	if err != nil {
		s.srv.Stop()
		return fmt.Errorf("node: %w", err)
	}
	if bound != nil {
		s.log.Info("metrics provider listening", "addr", bound.String())
	}
	return nil
}

// Stop closes the client port and every connection, waits for the
// pipeline and the role loop and closes the database. Safe to call more
// than once.
func (s *Server) Stop() { s.srv.Stop() }

// ClientAddr is the bound client address (nil before Start).
func (s *Server) ClientAddr() net.Addr { return s.srv.ClientAddr() }

// Done is closed when the server fails (e.g. the log cannot be synced).
func (s *Server) Done() <-chan struct{} { return s.srv.Done() }

// Err returns the failure that closed Done, or nil.
func (s *Server) Err() error { return s.srv.Err() }

// Peer is the whole picture of this server, as /commands/peer serves it.
func (s *Server) Peer() adminapi.Peer { return s.srv.Peer() }

// SessionPassword returns the 16-byte password of a session, exactly as
// ZooKeeper 3.8's generatePasswd computes it; tests and tools that forge
// reconnects need it.
func SessionPassword(sessionID int64) []byte { return serve.SessionPassword(sessionID) }

// hexID formats a session id or zxid as ZooKeeper logs it.
func hexID(v int64) string { return fmt.Sprintf("0x%x", uint64(v)) }
