package node

// resetPipelineState prepares prep and sessions for a new serving role.
func (p *quorumPeer) resetPipelineState(lastZxid int64) {
	p.s.prep.reset(lastZxid)
	p.s.sessions.resetTo(p.db.Sessions(), p.s.nowMs())
}

// endServing stops serving clients when a role ends: connections closed,
// queued requests dropped, logged txns fast-forwarded into the tree.
func (p *quorumPeer) endServing(pipe *rolePipe, seq *sequencer, logged *loggedTxns) {
	wasServing := p.serving.Swap(false)
	p.s.closeAllConns("server left its role")
	if pipe != nil {
		pipe.stop()
	}
	seq.abort("server left its role")
	for {
		select {
		case <-p.s.prepCh:
			continue
		default:
		}
		break
	}
	p.fastForward(logged)
	p.s.prep.reset(p.db.Tree().LastProcessedZxid())
	if wasServing {
		p.event("state", "stopped serving clients")
	}
}

// Serving reports whether this ensemble member serves clients now.
func (p *quorumPeer) servingClients() bool { return p.serving.Load() }
