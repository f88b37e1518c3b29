package serve

import (
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/node/zkconfig"
)

// Quota enforcement in prep (3.7+ ZooKeeperServer.checkQuota, called by
// PrepRequestProcessor for create and setData, multi ops included). The
// decision is store.DataTree.CheckQuota; this file only decides whether
// enforcement is on and logs soft-limit warnings.

// quotaEnforcer is non-nil in prepOptions when zookeeper.enforceQuota is on.
type quotaEnforcer struct {
	log *slog.Logger

	mu       sync.Mutex
	lastLog  time.Time
	exceeded map[string]int64 // hard-limit refusals per top namespace
}

// quotaLogEvery rate-limits the "Quota exceeded" warnings as 3.8's
// RateLogger does, so a client hammering a full quota cannot flood the log.
const quotaLogEvery = 100 * time.Millisecond

// newQuotaEnforcer returns nil (no enforcement, 3.8's default) unless the
// config turns zookeeper.enforceQuota on (zkconfig's EnforceQuota, from the
// enforceQuota zoo.cfg key or -Dzookeeper.enforceQuota).
func newQuotaEnforcer(cfg *zkconfig.Config, log *slog.Logger) *quotaEnforcer {
	if cfg == nil || !cfg.EnforceQuota {
		return nil
	}
	if log == nil {
		log = slog.Default()
	}
	log.Info("zookeeper.enforceQuota = true, Quota Enforce enables")
	return &quotaEnforcer{log: log}
}

// checkQuota refuses with QuotaExceeded a create or setData at path that
// would pass a hard limit of its nearest quota root; soft limits only log.
func (p *prepper) checkQuota(path string, countDiff, bytesDiff int64) jute.Err {
	q := p.opts.quota
	if q == nil {
		return jute.ErrOK
	}
	warn, code := p.tree.CheckQuota(path, countDiff, bytesDiff)
	if warn == "" && code != jute.ErrQuotaExceeded {
		return code
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if now := time.Now(); warn != "" && now.Sub(q.lastLog) >= quotaLogEvery {
		q.lastLog = now
		q.log.Warn(warn)
	}
	if code == jute.ErrQuotaExceeded {
		// 3.8 counts refusals under the request path's top namespace
		// (PathUtils.getTopNamespace).
		if parts := strings.Split(path, "/"); len(parts) > 1 {
			if q.exceeded == nil {
				q.exceeded = map[string]int64{}
			}
			q.exceeded[parts[1]]++
		}
	}
	return code
}

// addExceeded adds 3.8's <ns>_quota_exceeded_error_per_namespace counters
// to m (mntr's quota gauges); nothing when enforcement is off.
func (q *quotaEnforcer) addExceeded(m map[string]int64) {
	if q == nil || m == nil {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for ns, n := range q.exceeded {
		m[ns+"_quota_exceeded_error_per_namespace"] = n
	}
}

// checkSetDataQuota is the setData quota check at 3.8's place: after the
// node exists and the ACL allows WRITE, before the version check (so a
// missing node or a NoAuth still wins, and QuotaExceeded beats BadVersion).
// The old length is the pending record's data, 0 for a node created by a
// txn still in flight (3.8 keeps no data in that ChangeRecord).
func (p *prepper) checkSetDataQuota(path string, data []byte, ids []jute.Id) jute.Err {
	if p.opts.quota == nil {
		return jute.ErrOK
	}
	n := p.record(path)
	if n == nil || checkACL(n.acl, jute.PermWrite, ids) != jute.ErrOK {
		return jute.ErrOK
	}
	return p.checkQuota(path, 0, int64(len(data))-n.dataLen)
}
