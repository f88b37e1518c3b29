package zabconn

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Inmem is a Network inside one process: Listen registers an address,
// Dial hands the listener one end of a net.Pipe. Tests run the role loop
// over it without sockets; Disconnect cuts a peer off.
type Inmem struct {
	mu  sync.Mutex
	lns map[string]*inmemListener
	cut map[string]bool
}

// NewInmem returns an empty in-memory network.
func NewInmem() *Inmem {
	return &Inmem{lns: map[string]*inmemListener{}, cut: map[string]bool{}}
}

// errRefused is what dialing an address without a listener returns.
var errRefused = errors.New("zabconn: connection refused (in-memory)")

// Listen implements Network.
func (m *Inmem) Listen(addr string) (net.Listener, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.lns[addr]; ok {
		return nil, fmt.Errorf("zabconn: listen %s: address in use (in-memory)", addr)
	}
	l := &inmemListener{m: m, addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
	m.lns[addr] = l
	return l, nil
}

// Dial implements Network.
func (m *Inmem) Dial(ctx context.Context, addr string, timeout time.Duration) (net.Conn, error) {
	m.mu.Lock()
	l, ok := m.lns[addr]
	cut := m.cut[addr]
	m.mu.Unlock()
	if !ok || cut {
		return nil, errRefused
	}
	client, server := net.Pipe()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
	case <-ctx.Done():
	case <-t.C:
	}
	_ = client.Close()
	_ = server.Close()
	return nil, errRefused
}

// Disconnect refuses new connections to addr from now on (a partitioned
// leader); connections already open stay.
func (m *Inmem) Disconnect(addr string) {
	m.mu.Lock()
	m.cut[addr] = true
	m.mu.Unlock()
}

// inmemListener is the net.Listener of one Inmem address.
type inmemListener struct {
	m     *Inmem
	addr  string
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

// Accept implements net.Listener.
func (l *inmemListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener; the address is free again.
func (l *inmemListener) Close() error {
	l.once.Do(func() {
		close(l.done)
		l.m.mu.Lock()
		if l.m.lns[l.addr] == l {
			delete(l.m.lns, l.addr)
		}
		l.m.mu.Unlock()
	})
	return nil
}

// Addr implements net.Listener.
func (l *inmemListener) Addr() net.Addr { return inmemAddr(l.addr) }

// inmemAddr is an Inmem address.
type inmemAddr string

// Network implements net.Addr.
func (inmemAddr) Network() string { return "inmem" }

// String implements net.Addr.
func (a inmemAddr) String() string { return string(a) }
