package serve

import (
	"fmt"
	"time"
)

// groupCommit is the standalone server's Proposer, 3.8's
// SyncRequestProcessor: a dedicated goroutine appends txns and fsyncs once
// the queue runs dry or maxBatch txns are waiting, so many requests share
// one fsync (group commit). It hands requests to the final stage in order.
type groupCommit struct {
	s        *Server
	in       chan *Request
	maxBatch int
}

func newGroupCommit(s *Server, queue int) *groupCommit {
	return &groupCommit{s: s, in: make(chan *Request, queue), maxBatch: 1000}
}

// Propose implements Proposer.
func (p *groupCommit) Propose(r *Request) bool {
	select {
	case p.in <- r:
		return true
	case <-p.s.ctx.Done():
		return false
	}
}

// run is the SyncRequestProcessor thread.
func (p *groupCommit) run() {
	var batch []*Request
	writes := 0
	for {
		var r *Request
		if len(batch) == 0 {
			select {
			case r = <-p.in:
			case <-p.s.ctx.Done():
				return
			}
		} else {
			select {
			case r = <-p.in:
			default:
				if !p.flush(batch, writes) {
					return
				}
				batch, writes = batch[:0], 0
				continue
			}
		}
		if r.Txn != nil {
			if err := p.s.db.Append(r.Txn); err != nil {
				p.abort(append(batch, r), fmt.Errorf("append txn zxid %s: %w", hexID(r.Txn.Hdr.Zxid), err))
				return
			}
			writes++
		} else if writes == 0 {
			// Nothing waits for an fsync: a read goes on at once.
			if !p.forward(r) {
				return
			}
			continue
		}
		batch = append(batch, r)
		if writes >= p.maxBatch {
			if !p.flush(batch, writes) {
				return
			}
			batch, writes = batch[:0], 0
		}
	}
}

// flush fsyncs the log and passes the batch on. False stops the loop.
func (p *groupCommit) flush(batch []*Request, writes int) bool {
	if writes > 0 {
		start := time.Now()
		if err := p.s.db.Commit(); err != nil {
			p.abort(batch, fmt.Errorf("commit %d txns: %w", writes, err))
			return false
		}
		if d := time.Since(start); d > p.s.cfg.FsyncWarning() {
			p.s.stats.fsyncThresholdExceed.Add(1)
			p.s.log.Warn("fsync of the txn log was slow", "took", d, "txns", writes)
		}
	}
	for _, r := range batch {
		if !p.forward(r) {
			return false
		}
	}
	return true
}

// forward hands one request to the final stage; false once the server stops.
func (p *groupCommit) forward(r *Request) bool {
	select {
	case p.s.finalCh <- r:
		return true
	case <-p.s.ctx.Done():
		return false
	}
}

// abort handles a failed append or fsync: none of the batch is applied or
// acknowledged, their connections are closed and the server stops serving.
func (p *groupCommit) abort(batch []*Request, err error) {
	for _, r := range batch {
		if r.conn != nil {
			r.conn.close("txn log write failed; request not acknowledged")
		}
	}
	p.s.fail(fmt.Errorf("node: txn log: %w", err))
}
