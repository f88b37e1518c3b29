package serve

import (
	"context"
	"sync"
)

// The request pipeline is the same for every role (3.8's processor chain,
// docs/architecture.md "The path of a write"):
//
//	client conn ──► Server.prepCh ─┐
//	                               ├─► prep loop: prepare(r) ─► Proposer.Propose(r) ─► final stage
//	expirer, reaper, learners' ────┘
//	forwarded requests (fwd)
//
// Only two steps differ by role. prepare is PrepRequestProcessor for the
// role (standalonePrepare, leaderPrepare, learnerPrepare); the Proposer
// makes a txn durable and releases requests in order: groupCommit on a
// standalone server (SyncRequestProcessor, sync.go), driverQueue on an
// ensemble member, whose role driver proposes through Zab (a leader) or
// forwards to the leader (a learner) and releases through the sequencer
// (CommitProcessor). Both end in Server.finish (FinalRequestProcessor).

// Proposer takes prepped requests in prep order, makes their txns durable
// (standalone: log + fsync; a leader: proposal + quorum of acks; a
// learner: the leader's COMMIT) and hands them, still in order, to the
// final stage. Reads pass through in order too. Propose returns false once
// the pipeline stops.
type Proposer interface {
	Propose(r *Request) bool
}

// pipeline is the prep loop of one serving role: it reads the clients'
// requests (in) and the server's own or forwarded ones (fwd), prepares each
// for the role and proposes it. One goroutine runs it, so prep sees
// requests in one order and zxids are handed out in that order.
type pipeline struct {
	in      <-chan *Request
	fwd     chan *Request // server-issued (leader) and learners' forwarded requests
	prepare func(*Request)
	next    Proposer
}

// run is the PrepRequestProcessor thread; it returns when ctx ends or the
// Proposer stops.
func (pl *pipeline) run(ctx context.Context) {
	for {
		var r *Request
		select {
		case r = <-pl.in:
		case r = <-pl.fwd:
		case <-ctx.Done():
			return
		}
		pl.prepare(r)
		if !pl.next.Propose(r) {
			return
		}
	}
}

// forward queues a server-issued request (the leader's expirer and reaper)
// or a learner's forwarded one; false once ctx ends.
func (pl *pipeline) forward(ctx context.Context, r *Request) bool {
	select {
	case pl.fwd <- r:
		return true
	case <-ctx.Done():
		return false
	}
}

// driverQueue is the Proposer of an ensemble role: it hands prepped
// requests to the role driver goroutine (lead or follow), which proposes
// writes through Zab or forwards them to the leader and releases every
// request through its sequencer.
type driverQueue struct {
	ctx context.Context
	out chan *Request // read by the role driver, in order
}

// Propose implements Proposer.
func (q driverQueue) Propose(r *Request) bool {
	select {
	case q.out <- r:
		return true
	case <-q.ctx.Done():
		return false
	}
}

// RolePipe is the pipeline of one serving ensemble role with its own
// lifetime: Server.StartRole starts it when the role begins serving
// clients, Server.EndRole stops it (and waits for it) when the role ends.
type RolePipe struct {
	pipeline
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	out    chan *Request // driverQueue's channel, read by the role driver
}

func newRolePipe(parent context.Context) *RolePipe {
	ctx, cancel := context.WithCancel(parent)
	return &RolePipe{ctx: ctx, cancel: cancel, out: make(chan *Request, 1024),
		pipeline: pipeline{fwd: make(chan *Request, 1024)}}
}

// start runs the prep loop over the server's client requests with prepare
// as the role's step.
func (rp *RolePipe) start(s *Server, prepare func(*Request)) {
	rp.in, rp.prepare = s.prepCh, prepare
	rp.next = driverQueue{ctx: rp.ctx, out: rp.out}
	rp.goFunc(func() { rp.run(rp.ctx) })
}

// Out delivers the prepped requests to the role driver, in prep order.
func (rp *RolePipe) Out() <-chan *Request { return rp.out }

// Forward takes learners' forwarded requests on a leader (the driver
// queues them in order and sends when the channel has room).
func (rp *RolePipe) Forward() chan<- *Request { return rp.fwd }

// submit queues a server-issued request in the role's pipeline.
func (rp *RolePipe) submit(r *Request) bool { return rp.forward(rp.ctx, r) }

// goFunc runs f as a goroutine that stop waits for.
func (rp *RolePipe) goFunc(f func()) {
	rp.wg.Add(1)
	go func() {
		defer rp.wg.Done()
		f()
	}()
}

// stop ends the prep loop and the role's helpers and waits for them.
func (rp *RolePipe) stop() {
	rp.cancel()
	rp.wg.Wait()
}
