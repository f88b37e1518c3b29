package quorumpeer

import (
	"context"
	"sync"
	"time"

	"github.com/zkctl/zkctl/adminapi"
)

// readOnlyWhileLooking is the LOOKING case of 3.8's QuorumPeer with
// readonlymode.enabled: a member that has not found a quorum within
// max(2 s, tickTime) starts serving read-only clients from its own tree
// (serve.Server.StartReadOnly), so that reads survive a partition; the
// returned stop ends it once the election decides (or the server stops),
// before the member leads or follows. Without readonlymode.enabled it does
// nothing.
func (p *Peer) readOnlyWhileLooking(ctx context.Context) (stop func()) {
	if !p.cfg.ReadOnlyModeEnabled {
		return func() {}
	}
	var (
		mu               sync.Mutex
		stopped, started bool
	)
	t := time.AfterFunc(max(2*time.Second, p.tick), func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped || ctx.Err() != nil || p.state() != adminapi.StateLooking {
			return
		}
		p.srv.StartReadOnly(ctx, p.cfg.LocalSessionsEnabled)
		p.readOnly.Store(true)
		started = true
		p.event("state", "no quorum: serving read-only clients")
	})
	return func() {
		t.Stop()
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		if started {
			p.readOnly.Store(false)
			p.srv.EndReadOnly()
			p.event("state", "election decided: read-only server stopped")
		}
	}
}
