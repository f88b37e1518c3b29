package quorumpeer

import "github.com/zkctl/zkctl/node/serve"

// endServing stops serving clients when a role ends: connections closed,
// queued requests dropped, logged txns fast-forwarded into the tree
// (serve.Server.EndRole).
func (p *Peer) endServing(pipe *serve.RolePipe, seq *serve.Sequencer, logged *loggedTxns) {
	wasServing := p.serving.Swap(false)
	p.srv.EndRole(pipe, seq, func() { p.fastForward(logged) })
	if wasServing {
		p.event("state", "stopped serving clients")
	}
}

// ServingClients implements serve.Role: whether this ensemble member
// serves clients now (in its role, or read-only while LOOKING).
func (p *Peer) ServingClients() bool { return p.serving.Load() || p.readOnly.Load() }
