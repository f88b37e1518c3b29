package serve

import (
	"context"
	"time"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
)

// expireEvery expires sessions bucket by bucket (3.8's SessionTrackerImpl
// run loop) and submits a closeSession for each: a standalone server and
// a leader run it, each with its own lifetime and request sink; learners
// leave expiry to the leader. It returns when submit fails or ctx ends.
func (s *Server) expireEvery(ctx context.Context, submit func(*Request) bool) {
	t := time.NewTicker(max(time.Duration(s.cfg.TickTime)*time.Millisecond/4, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		for _, sid := range s.sessions.expire(s.nowMs()) {
			s.log.Info("session expired", "session", hexID(sid))
			if c := s.connOf(sid); c != nil {
				c.close("session expired")
			}
			if !submit(&Request{Request: leader.Request{SessionID: sid, Type: jute.OpCloseSession}, rec: emptyRecord{}, internal: true}) {
				return
			}
		}
	}
}
