package node

import (
	"time"

	"github.com/zkctl/zkctl/node/zkconfig"
)

// This file holds the node side of config settings wired by the
// config-fidelity work (issue 10), kept apart so it moves as one piece.

// purger is the store's purge hook (store.DB.Purge).
type purger interface {
	Purge() error
}

// autopurgeLoop is 3.8's DatadirCleanupManager: with
// autopurge.purgeInterval > 0 (hours) it purges old snapshots and logs at
// startup and then every interval, keeping autopurge.snapRetainCount
// snapshots and the logs needed to recover from them. With 0 (the
// default) nothing is ever deleted, as in 3.8.
func (s *Server) autopurgeLoop() {
	hours := s.cfg.AutopurgePurgeInterval
	pg, ok := s.db.(purger)
	if hours <= 0 || !ok {
		return
	}
	t := time.NewTicker(time.Duration(hours) * time.Hour)
	defer t.Stop()
	for {
		if err := pg.Purge(); err != nil {
			s.log.Warn("autopurge failed", "err", err)
		} else {
			s.log.Info("autopurge done", "retain", s.cfg.AutopurgeSnapRetainCount)
		}
		select {
		case <-t.C:
		case <-s.ctx.Done():
			return
		}
	}
}

// fsyncWarnOf is fsync.warningthresholdms as a duration (one second for a
// Config built in code without it).
func fsyncWarnOf(cfg *zkconfig.Config) time.Duration {
	if cfg.FsyncWarningThresholdMs <= 0 {
		return time.Second
	}
	return time.Duration(cfg.FsyncWarningThresholdMs) * time.Millisecond
}
