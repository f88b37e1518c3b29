package qcm

import (
	"errors"
	"io"
	"net"
	"time"
)

// crossingGrace is how young a connection must be for a new connection
// from the smaller sid to count as a crossing dial rather than a restart.
const crossingGrace = time.Second

// connectOne dials sid unless it is connected, being dialled, or unknown.
func (m *Manager) connectOne(sid int64) {
	m.mu.Lock()
	if m.closed || m.senders[sid] != nil || m.inprogress[sid] {
		m.mu.Unlock()
		return
	}
	addr, ok := m.peers[sid]
	if !ok {
		m.mu.Unlock()
		m.log.Warn("Invalid server id", "sid", sid)
		return
	}
	m.inprogress[sid] = true
	m.mu.Unlock()
	done := func() {
		m.mu.Lock()
		delete(m.inprogress, sid)
		m.mu.Unlock()
	}
	if !m.goFunc(func() {
		defer done()
		m.initiate(sid, addr)
	}) {
		done()
	}
}

// initiate opens a connection to sid, sends the handshake and keeps the
// socket only if we have the larger sid.
func (m *Manager) initiate(sid int64, addr string) {
	d := net.Dialer{Timeout: m.cfg.ConnectTimeout}
	conn, err := d.DialContext(m.ctx, "tcp", addr)
	if err != nil {
		m.log.Info("cannot open channel to peer", "sid", sid, "addr", addr, "err", err)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	hs := Handshake{Version: ProtocolVersionV1, Sid: m.cfg.Sid, Addrs: []string{m.cfg.Advertise}}
	_ = conn.SetWriteDeadline(time.Now().Add(m.cfg.WriteTimeout))
	if _, err := conn.Write(hs.Encode()); err != nil {
		m.log.Warn("sending handshake failed", "sid", sid, "addr", addr, "err", err)
		_ = conn.Close()
		return
	}
	_ = conn.SetWriteDeadline(time.Time{})
	if sid > m.cfg.Sid {
		// We lost the challenge: the larger sid will connect back.
		m.log.Debug("have smaller server identifier, so dropping the connection", "sid", sid)
		_ = conn.Close()
		return
	}
	m.startWorkers(sid, addr, conn)
}

func (m *Manager) acceptLoop() {
	for {
		conn, err := m.ln.Accept()
		if err != nil {
			if m.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			m.log.Warn("accept failed", "err", err)
			select {
			case <-m.ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		if !m.goFunc(func() { m.handleConnection(conn) }) {
			_ = conn.Close()
			return
		}
	}
}

// handleConnection reads the handshake of an accepted connection and
// applies 3.8's rule: keep it only if the remote sid is larger.
func (m *Manager) handleConnection(conn net.Conn) {
	remote := conn.RemoteAddr().String()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	_ = conn.SetReadDeadline(time.Now().Add(m.cfg.HandshakeTimeout))
	hs, err := ReadHandshake(conn)
	if err != nil {
		m.log.Warn("dropping election connection: bad handshake", "remote", remote, "err", err)
		_ = conn.Close()
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	sid := hs.Sid
	addrs := hs.ElectionAddrs()
	advertised := ""
	if len(addrs) > 0 {
		advertised = addrs[0]
	}
	if sid == ObserverID {
		m.mu.Lock()
		sid = m.nextObsID
		m.nextObsID--
		m.mu.Unlock()
	}
	switch {
	case sid == m.cfg.Sid:
		m.log.Warn("dropping election connection: it claims my own sid (configuration error or bug)", "sid", sid, "remote", remote)
		_ = conn.Close()
	case sid < m.cfg.Sid:
		// The smaller sid must not initiate: close and connect back.
		m.mu.Lock()
		old := m.senders[sid]
		if old != nil && time.Since(old.since) < crossingGrace {
			// NB: 3.8 kills the existing connection here and calls back.
			// When our connection is brand new the two dials merely
			// crossed, and killing it races with the peer's acceptor
			// (both sides can end up with nothing). Keep ours instead.
			m.mu.Unlock()
			_ = conn.Close()
			m.log.Debug("crossing connection from smaller sid closed; keeping the fresh one", "sid", sid)
			return
		}
		if old != nil {
			old.finish()
			delete(m.senders, sid)
		}
		_, known := m.peers[sid]
		m.mu.Unlock()
		_ = conn.Close()
		if !known {
			m.log.Warn("Invalid server id: connection from an unknown smaller sid closed, not calling back", "sid", sid, "remote", remote)
			return
		}
		m.log.Debug("closing connection from smaller sid, connecting back", "sid", sid)
		m.connectOne(sid)
	default:
		m.mu.Lock()
		old := m.senders[sid]
		conflict := old != nil && old.addr != "" && advertised != "" && old.addr != advertised
		_, known := m.peers[sid]
		m.mu.Unlock()
		if conflict {
			m.log.Warn("dropping election connection: sid already connected from another address",
				"sid", sid, "remote", remote, "advertised", advertised, "existing", old.addr)
			_ = conn.Close()
			return
		}
		if !known {
			m.log.Warn("accepting election connection from a sid not in the config (3.8 behaviour)", "sid", sid, "remote", remote)
		}
		m.startWorkers(sid, advertised, conn)
	}
}

// startWorkers makes conn the connection for sid, replacing any older one,
// and starts its send and receive workers.
func (m *Manager) startWorkers(sid int64, addr string, conn net.Conn) {
	p := &peerConn{sid: sid, addr: addr, conn: conn, done: make(chan struct{}), since: time.Now()}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		_ = conn.Close()
		return
	}
	if old := m.senders[sid]; old != nil {
		old.finish()
	}
	m.senders[sid] = p
	q := m.queueLocked(sid)
	m.mu.Unlock()
	m.log.Info("election connection up", "sid", sid, "remote", conn.RemoteAddr().String())
	m.goFunc(func() { m.sendWorker(p, q) })
	m.goFunc(func() { m.recvWorker(p) })
}

func (m *Manager) removeSender(p *peerConn) {
	p.finish()
	m.mu.Lock()
	if m.senders[p.sid] == p {
		delete(m.senders, p.sid)
	}
	m.mu.Unlock()
}

// sendWorker writes queued messages. On start, with nothing queued, it
// resends the last message sent on an earlier connection (3.8 SendWorker).
func (m *Manager) sendWorker(p *peerConn, q chan []byte) {
	defer m.removeSender(p)
	m.mu.Lock()
	last := m.lastSent[p.sid]
	m.mu.Unlock()
	if len(q) == 0 && last != nil {
		if err := m.write(p, last); err != nil {
			return
		}
	}
	for {
		select {
		case <-p.done:
			return
		case b := <-q:
			select {
			case <-p.done:
				// Replaced or closed while we picked b: hand it to the
				// next connection unless something newer is queued.
				requeue(q, b)
				return
			default:
			}
			m.mu.Lock()
			m.lastSent[p.sid] = b
			m.mu.Unlock()
			if err := m.write(p, b); err != nil {
				requeue(q, b)
				return
			}
		}
	}
}

func (m *Manager) write(p *peerConn, b []byte) error {
	_ = p.conn.SetWriteDeadline(time.Now().Add(m.cfg.WriteTimeout))
	if _, err := p.conn.Write(appendFrame(nil, b)); err != nil {
		select {
		case <-p.done:
		default:
			m.log.Info("election send failed", "sid", p.sid, "err", err)
		}
		return err
	}
	return nil
}

// recvWorker reads frames until an error, then finishes the connection.
func (m *Manager) recvWorker(p *peerConn) {
	defer m.removeSender(p)
	for {
		b, err := readFrame(p.conn)
		if err != nil {
			select {
			case <-p.done:
			default:
				if errors.Is(err, io.EOF) {
					m.log.Info("election connection closed by peer", "sid", p.sid)
				} else {
					m.log.Warn("dropping election connection", "sid", p.sid, "err", err)
				}
			}
			return
		}
		m.deliver(Message{Sid: p.sid, Payload: b})
	}
}

// requeue puts b back on q only if q is empty, so a newer message wins.
func requeue(q chan []byte, b []byte) {
	select {
	case q <- b:
	default:
	}
}
