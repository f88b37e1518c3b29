package node

import (
	"log/slog"

	"github.com/zkctl/zkctl/node/metrics"
	"github.com/zkctl/zkctl/node/zkconfig"
	"github.com/zkctl/zkctl/store"
)

// openStore opens the data directories named by the config.
func openStore(cfg *zkconfig.Config, logger *slog.Logger, m *metrics.Server) (Database, error) {
	db, err := store.Open(store.Options{
		DataDir:          cfg.DataDir,
		DataLogDir:       cfg.DataLogDir,
		PreAllocSize:     cfg.PreAllocSizeKB * 1024,
		ForceSync:        cfg.ForceSync,
		SnapCount:        cfg.SnapCount,
		SnapRetainCount:  cfg.AutopurgeSnapRetainCount,
		Logger:           logger,
		SnapSizeLimit:    cfg.SnapSizeLimitInKb * 1024,
		MaxRecordLen:     cfg.MaxRecordLen(),
		FsyncWarning:     cfg.FsyncWarning(),
		CommittedLogSize: cfg.CommitLogCount,
		Observe:          storeObserver(m),
		DigestDisabled:   !cfg.DigestEnabled,
	})
	if err != nil {
		return nil, err
	}
	return db, nil
}
