package quorumpeer

import (
	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/leader"
	"github.com/zkctl/zkctl/node/serve"
)

// A client that reconnects to a follower or observer with an existing
// session is validated by the leader (3.8's Learner.validateSession →
// REVALIDATE, docs/quorum-reference.md §6.3): only the leader knows whether
// the session expired or is closing. The connection's reader hands the
// check to the learner driver and waits for the handshake to complete.

// RevalidateRemote implements serve.Role: it queues a reconnect for the
// leader's verdict, and returns false when this server is not a serving
// learner (the caller checks the local session table, which is
// authoritative on a leader).
func (p *Peer) RevalidateRemote(rv *serve.Revalidation) bool {
	if p.state() == adminapi.StateLeading || !p.serving.Load() {
		return false
	}
	select {
	case p.revalCh <- rv:
		return true
	default:
		return false // the driver is busy or gone: decide locally
	}
}

// pendingRevalidations are the reconnects a learner driver asked the
// leader about, by session, in request order.
type pendingRevalidations map[int64][]*serve.Revalidation

// ask sends REVALIDATE for rv unless one for the session is outstanding.
func (pr pendingRevalidations) ask(ln *leader.Learner, rv *serve.Revalidation) error {
	l := pr[rv.SessionID]
	pr[rv.SessionID] = append(l, rv)
	if len(l) > 0 {
		return nil
	}
	return ln.Revalidate(rv.SessionID, rv.Timeout)
}

// answer completes the handshakes waiting for the answered session.
func (pr pendingRevalidations) answer(a leader.RevalidateAnswer) {
	l := pr[a.SessionID]
	delete(pr, a.SessionID)
	for _, rv := range l {
		rv.Finish(a.Valid)
	}
}

// abort closes every waiting connection (the role ended).
func (pr pendingRevalidations) abort() {
	for sid, l := range pr {
		for _, rv := range l {
			rv.Abort("left the role while revalidating the session with the leader")
		}
		delete(pr, sid)
	}
}
