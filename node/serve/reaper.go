package serve

import (
	"context"
	"strconv"
	"time"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
)

// reapEvery is ZooKeeper's ContainerManager: every check interval it
// deletes empty containers that once had children and expired empty TTL
// nodes, through the pipeline as deleteContainer requests, at most
// maxPerMinute per minute. A standalone server runs it for its whole life,
// a leader while it leads, each with its own request sink; followers
// never reap.
func (s *Server) reapEvery(ctx context.Context, submit func(*Request) bool) {
	maxPerMinute := 10000
	if v, ok := s.cfg.Extra["znode.container.maxPerMinute"]; ok {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			maxPerMinute = n
		}
	}
	var maxNeverUsed int64
	if v, ok := s.cfg.Extra["znode.container.maxNeverUsedIntervalMs"]; ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			maxNeverUsed = n
		}
	}
	t := time.NewTicker(s.reapInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		paths := s.tree.ContainerAndTTLCandidates(s.nowMs(), maxNeverUsed)
		if len(paths) == 0 {
			continue
		}
		gap := time.Minute / time.Duration(maxPerMinute)
		for _, p := range paths {
			s.log.Info("reaping empty container or expired TTL node", "path", p)
			if !submit(&Request{Request: leader.Request{Type: jute.OpDeleteContainer, Data: []byte(p)}, rec: &rawPath{Path: p}, internal: true}) {
				return
			}
			select {
			case <-time.After(gap):
			case <-ctx.Done():
				return
			}
		}
	}
}
