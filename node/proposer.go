package node

import (
	"fmt"
	"time"
)

// Proposer takes prepped requests in prep order, makes their txns durable
// (standalone: log + fsync; a leader: proposal + quorum of acks) and hands
// them, still in order, to the apply side. Reads pass through in order too.
// Propose returns false once the server stops.
type Proposer interface {
	Propose(r *Request) bool
}

// standaloneProposer is SyncRequestProcessor: a dedicated goroutine appends
// txns and fsyncs once the queue runs dry or maxBatch txns are waiting, so
// many requests share one fsync (group commit).
type standaloneProposer struct {
	s        *Server
	in       chan *Request
	maxBatch int
}

func newStandaloneProposer(s *Server, queue int) *standaloneProposer {
	return &standaloneProposer{s: s, in: make(chan *Request, queue), maxBatch: 1000}
}

// Propose implements Proposer.
func (p *standaloneProposer) Propose(r *Request) bool {
	select {
	case p.in <- r:
		return true
	case <-p.s.ctx.Done():
		return false
	}
}

func (p *standaloneProposer) run() {
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
func (p *standaloneProposer) flush(batch []*Request, writes int) bool {
	if writes > 0 {
		start := time.Now()
		if err := p.s.db.Commit(); err != nil {
			p.abort(batch, fmt.Errorf("commit %d txns: %w", writes, err))
			return false
		}
		if d := time.Since(start); d > fsyncWarnOf(p.s.cfg) {
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

func (p *standaloneProposer) forward(r *Request) bool {
	select {
	case p.s.finalCh <- r:
		return true
	case <-p.s.ctx.Done():
		return false
	}
}

// abort handles a failed append or fsync: none of the batch is applied or
// acknowledged, their connections are closed and the server stops serving.
func (p *standaloneProposer) abort(batch []*Request, err error) {
	for _, r := range batch {
		if r.conn != nil {
			r.conn.close("txn log write failed; request not acknowledged")
		}
	}
	p.s.fail(fmt.Errorf("node: txn log: %w", err))
}
