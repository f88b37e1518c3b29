// Package zabconn is the Zab transport between a leader and its learners
// (docs/quorum-reference.md §4.1): the quorum-port listener and its
// per-learner reader and writer goroutines (LeaderNet), the learner's
// reader (LearnerReader), the raw QuorumPacket framing and the SNAP
// trailer. node/qcm, beside it, is the election transport.
//
// Connections come from a Network: TCP in production, Inmem in tests of
// the role loop (as hashicorp/raft's InmemTransport serves its tests), so
// the driver can be run without sockets.
package zabconn

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"
)

// Network opens Zab connections: a leader listens on its quorum address,
// a learner dials its leader's.
type Network interface {
	// Listen binds addr.
	Listen(addr string) (net.Listener, error)
	// Dial connects to addr, giving up after timeout.
	Dial(ctx context.Context, addr string, timeout time.Duration) (net.Conn, error)
}

// TCP is the production Network.
type TCP struct{}

// Listen implements Network.
func (TCP) Listen(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }

// Dial implements Network. Nagle is off: a PROPOSAL or ACK must not wait
// for the next one.
func (TCP) Dial(ctx context.Context, addr string, timeout time.Duration) (net.Conn, error) {
	d := net.Dialer{Timeout: timeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	return nc, nil
}

// Listen binds the quorum port, retrying briefly while a previous role's
// listener is still closing.
func Listen(ctx context.Context, nw Network, addr string) (net.Listener, error) {
	var err error
	for range 20 {
		var ln net.Listener
		if ln, err = nw.Listen(addr); err == nil {
			return ln, nil
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return nil, err
}

// A learner retries a failed dial to its leader every LeaderDialDelay for
// LeaderDialWindow (3.8's Learner.connectToLeader retries too), and never
// past its initLimit deadline, which also bounds one slow dial
// (docs/quorum-reference.md §4.1). The window bounds a refused dial: a
// leader that died between the election and its learners' connect sends
// them back to LOOKING within half a second, not after initLimit ticks.
// The retries are close together because a learner usually decides a few
// ms before its new leader listens.
const (
	LeaderDialWindow = 500 * time.Millisecond
	LeaderDialDelay  = 20 * time.Millisecond
)

// DialLeader connects to the leader's quorum port, retrying as described
// at LeaderDialWindow within initLimit (the whole connect deadline).
func DialLeader(ctx context.Context, nw Network, addr string, initLimit time.Duration, log *slog.Logger) (net.Conn, error) {
	start := time.Now()
	deadline := start.Add(initLimit) // bounds each dial too
	retryUntil := start.Add(LeaderDialWindow)
	if retryUntil.After(deadline) {
		retryUntil = deadline
	}
	var lastErr error
	for attempt := 0; attempt == 0 || time.Now().Add(LeaderDialDelay).Before(retryUntil); attempt++ {
		if attempt > 0 {
			select {
			case <-time.After(LeaderDialDelay):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		nc, err := nw.Dial(ctx, addr, time.Until(deadline))
		if err == nil {
			return nc, nil
		}
		lastErr = err
		log.Debug("connecting to the leader", "addr", addr, "attempt", attempt+1, "err", err)
	}
	if lastErr == nil {
		lastErr = context.DeadlineExceeded
	}
	return nil, fmt.Errorf("node: connect to leader %s within %v: %w", addr, time.Since(start).Round(time.Millisecond), lastErr)
}
