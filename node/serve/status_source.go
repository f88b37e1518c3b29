package serve

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/node/status"
	"github.com/zkctl/zkctl/node/zkconfig"
)

// Server implements status.Source for the 4lw and admin renderers.
var _ status.Source = (*Server)(nil)

// isFourLetterWord reports whether the first four bytes name a 4lw.
func isFourLetterWord(word string) bool {
	var b [4]byte
	copy(b[:], word)
	return status.IsFourLetterWord(b)
}

// serveFourLetter answers a four-letter word and closes the connection.
func (s *Server) serveFourLetter(c *conn, word string, r *bufio.Reader) {
	var arg []byte
	if n := status.FourLetterArgLen(word); n > 0 {
		arg = make([]byte, n)
		if _, err := io.ReadFull(r, arg); err != nil {
			return
		}
	}
	c.fourLetter.Store(true)
	c.log.Debug("four-letter word", "word", word)
	text := status.FourLetterArg(word, arg, s, s.cfg.FourLetterWhitelist()) // + isro in read-only mode
	c.lingerAfter(outFrame{b: []byte(text), raw: true})
}

// Serving implements status.Source. An ensemble member serves only once
// synced (leader: a quorum acked NEWLEADER; learner: UPTODATE), as 3.8's
// isZKServerRunning: until then srvr/stat/mntr say "not currently serving"
// instead of a Mode, so a Mode line means the same for zkctl and Apache.
func (s *Server) Serving() bool {
	if s.ctx == nil || s.ctx.Err() != nil {
		return false
	}
	if s.role != nil {
		return s.role.ServingClients()
	}
	return true
}

// ServerStats implements status.Source.
func (s *Server) ServerStats() status.ServerStats {
	st := status.ServerStats{
		Mode:            status.ModeStandalone,
		Uptime:          time.Since(s.started),
		PacketsReceived: s.stats.received.Load(),
		PacketsSent:     s.stats.sent.Load(),
		AuthFailedCount: s.stats.authFailed.Load(),
		ClientResponse:  status.UnsetBufferStats,
		Proposal:        status.UnsetBufferStats,

		FsyncThresholdExceedCount: s.stats.fsyncThresholdExceed.Load(),
	}
	if s.tree != nil {
		st.LastZxid = s.tree.LastProcessedZxid()
		st.NodeCount = s.tree.NodeCount()
		st.ApproximateDataSize = s.tree.ApproximateDataSize()
		st.QuotaMetrics = s.tree.QuotaMetrics()
		if s.prep != nil {
			s.prep.opts.quota.addExceeded(st.QuotaMetrics) // quota_prep.go
		}
		for _, e := range s.tree.EphemeralSessions() {
			st.EphemeralsCount += len(e)
		}
	}
	if s.prepCh != nil {
		st.Outstanding = int64(len(s.prepCh) + len(s.finalCh))
	}
	if s.role != nil {
		st.Mode = s.role.Mode()
	}
	st.ReadOnly = s.ReadOnly() // read-only mode (readonly.go)
	st.WatchCount = s.watches.Summary().Total
	s.mu.Lock()
	st.AliveConnections = len(s.conns)
	s.mu.Unlock()
	if s.sessions != nil {
		st.GlobalSessions = len(s.sessions.snapshot())
	}
	s.stats.mu.Lock()
	st.MinLatencyMs, st.MaxLatencyMs = s.stats.minLat, s.stats.maxLat
	if s.stats.cnt > 0 {
		st.AvgLatencyMs = float64(s.stats.totLat) / float64(s.stats.cnt)
	}
	st.ClientResponse = status.BufferStats{Last: s.stats.lastResp, Min: s.stats.minResp, Max: s.stats.maxResp}
	s.stats.mu.Unlock()
	st.DataDirSize = dirSize(filepath.Join(s.cfg.DataDir, "version-2"))
	st.LogDirSize = dirSize(filepath.Join(s.cfg.DataLogDir, "version-2"))
	return st
}

// dirSize sums the sizes of the regular files directly in dir.
func dirSize(dir string) int64 {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var n int64
	for _, e := range ents {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			n += info.Size()
		}
	}
	return n
}

// QuorumInfo implements status.Source (standalone: no quorum).
func (s *Server) QuorumInfo() status.QuorumInfo {
	qi := status.QuorumInfo{State: adminapi.StateStandalone, LeaderID: -1, ObserverMasterID: -1}
	if s.tree != nil {
		qi.LastZxid = s.tree.LastProcessedZxid()
	}
	if s.role != nil {
		return s.role.QuorumInfo(qi.LastZxid)
	}
	return qi
}

// Connections implements status.Source.
func (s *Server) Connections() []status.ConnInfo {
	s.mu.Lock()
	all := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		all = append(all, c)
	}
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].est.Before(all[j].est) })
	out := make([]status.ConnInfo, 0, len(all))
	for _, c := range all {
		cs := &c.stats
		cs.mu.Lock()
		ci := status.ConnInfo{
			RemoteAddr:       c.remote,
			InterestOps:      1,
			Outstanding:      int64(len(c.slots)),
			PacketsReceived:  cs.received,
			PacketsSent:      cs.sent,
			SessionID:        c.sessionID.Load(),
			LastOp:           cs.lastOp,
			Established:      c.est,
			SessionTimeoutMs: int(c.timeout.Load()),
			LastCxid:         cs.lastCxid,
			LastZxid:         cs.lastZxid,
			LastResponseMs:   cs.lastResp,
			LastLatencyMs:    cs.lastLat,
			MinLatencyMs:     cs.minLat,
			MaxLatencyMs:     cs.maxLat,
		}
		if cs.cnt > 0 {
			ci.AvgLatencyMs = cs.totLat / cs.cnt
		}
		cs.mu.Unlock()
		if c.fourLetter.Load() {
			ci.InterestOps = 0 // the probe itself, as 3.8 prints it
		}
		out = append(out, ci)
	}
	return out
}

// Watches implements status.Source: one entry per (session, data watch).
func (s *Server) Watches() []status.Watch {
	var out []status.Watch
	for sid, paths := range s.watches.BySession() {
		for _, p := range paths {
			out = append(out, status.Watch{SessionID: sid, Path: p})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].SessionID != out[j].SessionID {
			return out[i].SessionID < out[j].SessionID
		}
		return out[i].Path < out[j].Path
	})
	return out
}

// Sessions implements status.Source.
func (s *Server) Sessions() []status.SessionInfo {
	if s.sessions == nil {
		return nil
	}
	var out []status.SessionInfo
	for _, si := range s.sessions.snapshot() {
		out = append(out, status.SessionInfo{
			ID: si.ID, TimeoutMs: int(si.Timeout), ExpiresAt: time.UnixMilli(si.ExpireAt),
			Ephemerals: s.tree.Ephemerals(si.ID),
		})
	}
	return out
}

// Config implements status.Source.
func (s *Server) Config() *zkconfig.Config { return s.cfg }

// Peer implements status.Source: the /commands/peer picture of a
// standalone server.
func (s *Server) Peer() adminapi.Peer {
	p := adminapi.Peer{
		PID: os.Getpid(), State: adminapi.StateStandalone, LeaderID: -1,
		UptimeMs: time.Since(s.started).Milliseconds(), Implementation: "zkctl",
	}
	if s.tree != nil {
		z := s.tree.LastProcessedZxid()
		p.AppliedZxid, p.CommittedZxid = z, z
		p.Znodes = s.tree.NodeCount()
	}
	if s.db != nil {
		p.LastLoggedZxid = s.db.LastLoggedZxid()
	}
	if s.sessions != nil {
		p.Sessions = len(s.sessions.snapshot())
	}
	s.mu.Lock()
	p.Connections = len(s.conns)
	s.mu.Unlock()
	if s.prepCh != nil {
		p.Outstanding = len(s.prepCh) + len(s.finalCh)
	}
	p.Watches = s.watches.Summary().Total
	p.ReadsPerSec, p.WritesPerSec = s.stats.rates.perSec(time.Now())
	p.LastEventSeq = s.events.Last()
	if s.role != nil {
		s.role.FillPeer(&p)
	}
	return p
}

// Events implements status.Source.
func (s *Server) Events(since uint64) adminapi.Events { return s.events.Since(since) }

// ResetStats implements status.Source.
func (s *Server) ResetStats() {
	s.stats.received.Store(0)
	s.stats.sent.Store(0)
	s.stats.resetLatency()
}

// ResetConnStats implements status.Source.
func (s *Server) ResetConnStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.stats.reset()
	}
}

// traceMask is the gtmk/stmk value (ZooKeeper's default is 0b1_0011_0010).
var traceMaskDefault int64 = 306

// TraceMask implements status.Source.
func (s *Server) TraceMask() int64 { return s.traceMask.Load() }

// SetTraceMask implements status.Source.
func (s *Server) SetTraceMask(mask int64) { s.traceMask.Store(mask) }

// DigestLog implements status.DigestSource: the tree's digest history for
// the `hash` four-letter word and admin command.
func (s *Server) DigestLog() []status.ZxidDigest {
	l := s.tree.DigestLog()
	out := make([]status.ZxidDigest, len(l))
	for i, d := range l {
		out[i] = status.ZxidDigest{Zxid: d.Zxid, DigestVersion: d.DigestVersion, Digest: d.Digest}
	}
	return out
}
