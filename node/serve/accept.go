package serve

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/zkctl/zkctl/jute"
)

// The client port, as 3.8's ServerCnxnFactory: bind, accept with the
// per-IP limit, and the registry of connections by session.

// Listen binds the client port (clientPortAddress:clientPort; port 0
// picks a free one).
func (s *Server) Listen() error {
	if s.cfg.ClientPort == 0 {
		s.log.Warn("no clientPort configured; listening on a free port")
	}
	addr := net.JoinHostPort(s.cfg.ClientPortAddress, strconv.Itoa(s.cfg.ClientPort))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("node: listen on client port %s: %w", addr, err)
	}
	s.ln = ln
	return nil
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

// acceptLoop accepts client connections, enforcing maxClientCnxns per IP
// and maxCnxns in all.
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
			s.observeRejected()
			_ = nc.Close()
			continue
		}
		if max := s.cfg.MaxCnxns; max > 0 && len(s.conns) >= max { // maxCnxns (config-fidelity)
			s.mu.Unlock()
			s.log.Warn("too many connections, closing", "max", max)
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
