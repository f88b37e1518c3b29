package qcm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"slices"
	"sync"
	"time"
)

// Config configures a Manager.
type Config struct {
	// Sid is this server's id.
	Sid int64
	// Listen is the election address to bind, e.g. "127.0.0.1:3888"
	// (port 0 picks a free port).
	Listen string
	// Advertise is the "host:port" sent in the handshake; it defaults to
	// the bound listener address.
	Advertise string
	// Peers maps every configured member's sid (voters and observers) to
	// its election address. Sids not in it are "unknown" (see Manager).
	Peers map[int64]string
	// ConnectTimeout bounds a TCP connect (cnxTO, zookeeper.cnxTimeout;
	// default 5 s).
	ConnectTimeout time.Duration
	// HandshakeTimeout bounds reading an accepted connection's handshake
	// (3.8: tickTime*syncLimit or zookeeper.quorumCnxnTimeoutMs; default
	// the ConnectTimeout). A peer that connects and stalls is dropped after it.
	HandshakeTimeout time.Duration
	// WriteTimeout bounds one frame write so a stuck peer cannot hold a
	// sender forever (default 10 s; 3.8 has no bound here).
	WriteTimeout time.Duration
	// Logger receives connection events; nil uses slog.Default().
	Logger *slog.Logger
}

// Message is one received election payload and the sid it came from.
type Message struct {
	Sid     int64
	Payload []byte
}

// ErrClosed is returned by Send after Close.
var ErrClosed = errors.New("qcm: manager closed")

// Manager is QuorumCnxManager. It is safe for concurrent use.
//
// Unknown sids behave as in 3.8: an accepted connection from an unknown sid
// larger than ours is kept and its messages are delivered; one from a
// smaller unknown sid is closed and not called back; sends to an unknown sid
// are queued but never dialled (they go out only if that sid connected to
// us). One deviation: a second connection claiming a sid that is already
// connected, with a different handshake address, is dropped instead of
// replacing the first (3.8 replaces it); a restarted peer that advertises
// the same address still replaces its stale connection. Another: a
// connection from a smaller sid arriving while our own connection to it is
// under a second old is treated as a crossing dial and closed without
// killing ours (3.8 kills ours and calls back, which can leave the pair
// unconnected until the next send). And when closing a connection from a
// smaller sid we call back the address configured in Peers, not the one in
// its handshake as 3.8 does, so that launcher link proxies stay in the path.
type Manager struct {
	cfg Config
	log *slog.Logger
	ln  net.Listener

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	recv   chan Message

	mu          sync.Mutex
	closed      bool
	peers       map[int64]string
	queues      map[int64]chan []byte // per-peer send queue, capacity SendCapacity
	lastSent    map[int64][]byte      // last message written to each peer
	senders     map[int64]*peerConn   // the one live connection per peer
	inprogress  map[int64]bool        // outgoing connection attempts
	nextObsID   int64                 // for anonymous observers: -1, -2, ...
	startedOnce sync.Once
}

// peerConn is one live connection with its send and receive workers.
type peerConn struct {
	sid   int64
	addr  string // address the peer advertised (accepted) or we dialled
	conn  net.Conn
	since time.Time // when the connection was registered
	done  chan struct{}
	once  sync.Once
}

func (p *peerConn) finish() {
	p.once.Do(func() {
		close(p.done)
		_ = p.conn.Close()
	})
}

// New binds the election listener. Call Start to accept connections.
func New(cfg Config) (*Manager, error) {
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = cfg.ConnectTimeout
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("qcm: sid %d: binding election address %s: %w", cfg.Sid, cfg.Listen, err)
	}
	if cfg.Advertise == "" {
		cfg.Advertise = ln.Addr().String()
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &Manager{
		cfg: cfg, log: log.With("myid", cfg.Sid), ln: ln, ctx: ctx, cancel: cancel,
		recv:  make(chan Message, RecvCapacity),
		peers: maps.Clone(cfg.Peers), queues: map[int64]chan []byte{}, lastSent: map[int64][]byte{},
		senders: map[int64]*peerConn{}, inprogress: map[int64]bool{}, nextObsID: -1,
	}
	if m.peers == nil {
		m.peers = map[int64]string{}
	}
	return m, nil
}

// Addr returns the bound election address.
func (m *Manager) Addr() string { return m.ln.Addr().String() }

// SetPeers replaces the sid → election address map (e.g. once every
// Manager of a test has bound its port).
func (m *Manager) SetPeers(peers map[int64]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.peers = maps.Clone(peers)
}

// Start begins accepting connections. It is idempotent.
func (m *Manager) Start() {
	m.startedOnce.Do(func() { m.goFunc(m.acceptLoop) })
}

// Recv returns the receive queue. It is closed by Close.
func (m *Manager) Recv() <-chan Message { return m.recv }

// goFunc starts a tracked goroutine; Close waits for all of them. After
// Close it starts nothing and returns false.
func (m *Manager) goFunc(f func()) bool {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return false
	}
	m.wg.Add(1)
	m.mu.Unlock()
	go func() {
		defer m.wg.Done()
		f()
	}()
	return true
}

// Close stops the listener and every connection, waits for the workers and
// closes the Recv channel.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.cancel()
	for _, p := range m.senders {
		p.finish()
	}
	m.mu.Unlock()
	err := m.ln.Close()
	m.wg.Wait()
	close(m.recv)
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("qcm: sid %d: closing listener: %w", m.cfg.Sid, err)
	}
	return nil
}

// Send queues payload for sid, keeping only the newest message per peer,
// and connects to sid if needed. A message to ourselves goes straight to
// the receive queue.
func (m *Manager) Send(sid int64, payload []byte) error {
	if len(payload) == 0 || len(payload) > PacketMaxSize {
		return fmt.Errorf("qcm: send to sid %d: %w: %d", sid, ErrFrame, len(payload))
	}
	if sid == m.cfg.Sid {
		m.deliver(Message{Sid: sid, Payload: payload})
		return nil
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return ErrClosed
	}
	q := m.queueLocked(sid)
	m.mu.Unlock()
	offerDropOldest(q, payload)
	m.connectOne(sid)
	return nil
}

// ConnectAll tries to connect to every peer that has a send queue.
func (m *Manager) ConnectAll() {
	m.mu.Lock()
	sids := slices.Collect(maps.Keys(m.queues))
	m.mu.Unlock()
	for _, sid := range sids {
		m.connectOne(sid)
	}
}

// HaveDelivered reports whether any send queue is empty (3.8's haveDelivered,
// which FLE uses to choose between resending and ConnectAll).
func (m *Manager) HaveDelivered() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.queues) == 0 {
		return true
	}
	for _, q := range m.queues {
		if len(q) == 0 {
			return true
		}
	}
	return false
}

// Connected returns the sids with a live connection, ascending.
func (m *Manager) Connected() []int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := slices.Collect(maps.Keys(m.senders))
	slices.Sort(out)
	return out
}

func (m *Manager) queueLocked(sid int64) chan []byte {
	q, ok := m.queues[sid]
	if !ok {
		q = make(chan []byte, SendCapacity)
		m.queues[sid] = q
	}
	return q
}

// offerDropOldest puts b on q, discarding the oldest entries while it is full.
func offerDropOldest[T any](q chan T, b T) {
	for {
		select {
		case q <- b:
			return
		default:
		}
		select {
		case <-q:
		default:
		}
	}
}

// deliver puts a received message on the receive queue, dropping the
// oldest one when it is full.
func (m *Manager) deliver(msg Message) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	offerDropOldest(m.recv, msg)
}
