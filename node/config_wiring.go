package node

import (
	"time"
)

// This file holds the node side of config settings wired by the
// config-fidelity work (issue 10), kept apart so it moves as one piece.
// The rest lives where each setting acts: jute.maxbuffer in NewServer
// (serve.Options.MaxBuffer) and serve.Server.Open (prep's record limit),
// maxCnxns in serve's acceptLoop, fsync.warningthresholdms in serve's
// groupCommit and openStore, connectToLearnerMasterLimit and
// snapshotSizeFactor in node/quorumpeer.

// purger is the store's purge hook (store.DB.Purge).
type purger interface {
	Purge() error
}

// autopurgeLoop is 3.8's DatadirCleanupManager: with
// autopurge.purgeInterval > 0 (hours) it purges old snapshots and logs of
// db at startup and then every interval, keeping autopurge.snapRetainCount
// snapshots and the logs needed to recover from them. With 0 (the
// default) nothing is ever deleted, as in 3.8. It runs on a goroutine of
// the client path (serve.Server.Go) and ends when the server stops.
func (s *Server) autopurgeLoop(db Database) {
	hours := s.cfg.AutopurgePurgeInterval
	pg, ok := db.(purger)
	if hours <= 0 || !ok {
		return
	}
	ctx := s.srv.Context()
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
		case <-ctx.Done():
			return
		}
	}
}
