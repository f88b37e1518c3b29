package serve

import (
	"sort"
	"sync"
)

// javaRandom is java.util.Random: ZooKeeper derives session passwords from
// it, and using the same generator lets a session move between zkctl and
// Apache ZooKeeper servers of one ensemble.
type javaRandom struct{ seed int64 }

const (
	javaMultiplier = 0x5DEECE66D
	javaMask       = (int64(1) << 48) - 1
)

func newJavaRandom(seed int64) *javaRandom {
	return &javaRandom{seed: (seed ^ javaMultiplier) & javaMask}
}

func (r *javaRandom) next(bits uint) int32 {
	r.seed = (r.seed*javaMultiplier + 0xB) & javaMask
	return int32(r.seed >> (48 - bits))
}

func (r *javaRandom) nextBytes(b []byte) {
	for i := 0; i < len(b); {
		rnd := r.next(32)
		for n := min(len(b)-i, 4); n > 0; n-- {
			b[i] = byte(rnd)
			rnd >>= 8
			i++
		}
	}
}

// passwordSecret is ZooKeeper's fixed "superSecret" mixed into the seed.
const passwordSecret int64 = 0xB3415C00

// SessionPassword returns the 16-byte password of a session, exactly as
// ZooKeeper 3.8's generatePasswd computes it.
func SessionPassword(sessionID int64) []byte {
	b := make([]byte, 16)
	newJavaRandom(sessionID ^ passwordSecret).nextBytes(b)
	return b
}

// initialSessionID is ZooKeeper's first session id for a server: the high
// byte is the server id, the next 40 bits the clock in ms.
func initialSessionID(serverID int64, nowMs int64) int64 {
	id := int64(uint64(nowMs<<24) >> 8)
	return id | serverID<<56
}

// session is one tracked session.
type session struct {
	id       int64
	timeout  int32 // negotiated, ms
	expireAt int64 // bucket time, ms
	closing  bool
}

// sessionTracker keeps sessions in expiry buckets of tickTime width, as
// ZooKeeper's ExpiryQueue. Times are milliseconds from a caller's clock.
type sessionTracker struct {
	mu       sync.Mutex
	tick     int64
	sessions map[int64]*session
	buckets  map[int64]map[int64]*session
	nextID   int64
	// touched holds the sessions (id → timeout ms) that sent anything since
	// the learner last reported to its leader; nil unless a learner role
	// records them. Invariant: a learner reports a session on a PING only
	// if it is in this table, so a client that falls silent on a follower
	// expires on the leader like one connected to the leader
	// (LearnerSessionTracker.touchSession and snapshot in 3.8).
	touched map[int64]int32
}

func newSessionTracker(tickMs int64, serverID int64, nowMs int64) *sessionTracker {
	if tickMs <= 0 {
		tickMs = 1
	}
	t := &sessionTracker{
		tick:     tickMs,
		sessions: make(map[int64]*session),
		buckets:  make(map[int64]map[int64]*session),
		nextID:   initialSessionID(serverID, nowMs),
	}
	return t
}

// roundUp returns the bucket a deadline falls in.
func (t *sessionTracker) roundUp(ms int64) int64 {
	return (ms/t.tick + 1) * t.tick
}

// newID returns a fresh session id, skipping the container marker.
func (t *sessionTracker) newID() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		id := t.nextID
		t.nextID++
		if id != -0x8000000000000000 && id != 0 {
			if _, used := t.sessions[id]; !used {
				return id
			}
		}
	}
}

// add starts tracking a session (or refreshes its timeout).
func (t *sessionTracker) add(id int64, timeout int32, nowMs int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.sessions[id]
	if s == nil {
		s = &session{id: id}
		t.sessions[id] = s
	}
	s.timeout = timeout
	s.closing = false
	t.move(s, nowMs)
}

func (t *sessionTracker) move(s *session, nowMs int64) {
	at := t.roundUp(nowMs + int64(s.timeout))
	if at == s.expireAt {
		return
	}
	if b := t.buckets[s.expireAt]; b != nil {
		delete(b, s.id)
		if len(b) == 0 {
			delete(t.buckets, s.expireAt)
		}
	}
	s.expireAt = at
	b := t.buckets[at]
	if b == nil {
		b = make(map[int64]*session)
		t.buckets[at] = b
	}
	b[s.id] = s
}

// touch refreshes a live session; false if it is unknown or closing.
func (t *sessionTracker) touch(id int64, nowMs int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.sessions[id]
	if s == nil || s.closing {
		return false
	}
	t.move(s, nowMs)
	if t.touched != nil {
		t.touched[id] = s.timeout
	}
	return true
}

// recordTouches starts (on) or stops recording touches for a learner's
// PING replies; starting forgets what an earlier role recorded.
func (t *sessionTracker) recordTouches(on bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.touched = nil
	if on {
		t.touched = make(map[int64]int32)
	}
}

// takeTouched returns the sessions touched since the last call and starts
// a new, empty table (nil when not recording).
func (t *sessionTracker) takeTouched() map[int64]int32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := t.touched
	if out != nil {
		t.touched = make(map[int64]int32, len(out))
	}
	return out
}

// valid reports whether a session exists and is not closing.
func (t *sessionTracker) valid(id int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.sessions[id]
	return s != nil && !s.closing
}

// setClosing marks a session as closing; false if it was unknown or
// already closing.
func (t *sessionTracker) setClosing(id int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.sessions[id]
	if s == nil || s.closing {
		return false
	}
	s.closing = true
	return true
}

// remove forgets a session (its closeSession was applied).
func (t *sessionTracker) remove(id int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.sessions[id]
	if s == nil {
		return
	}
	if b := t.buckets[s.expireAt]; b != nil {
		delete(b, id)
		if len(b) == 0 {
			delete(t.buckets, s.expireAt)
		}
	}
	delete(t.sessions, id)
}

// expire returns the sessions whose bucket time has passed, marks them
// closing and drops their buckets.
func (t *sessionTracker) expire(nowMs int64) []int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []int64
	for at, b := range t.buckets {
		if at > nowMs {
			continue
		}
		for id, s := range b {
			if !s.closing {
				s.closing = true
				out = append(out, id)
			}
		}
		delete(t.buckets, at)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// sessionInfo is a session's state for status output.
type sessionInfo struct {
	ID       int64
	Timeout  int32
	ExpireAt int64
}

// snapshot lists live sessions sorted by id.
func (t *sessionTracker) snapshot() []sessionInfo {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]sessionInfo, 0, len(t.sessions))
	for _, s := range t.sessions {
		out = append(out, sessionInfo{ID: s.id, Timeout: s.timeout, ExpireAt: s.expireAt})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// revalidate refreshes a live session with a newly negotiated timeout (a
// reconnect); false if it is unknown or closing.
func (t *sessionTracker) revalidate(id int64, timeout int32, nowMs int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.sessions[id]
	if s == nil || s.closing {
		return false
	}
	s.timeout = timeout
	t.move(s, nowMs)
	return true
}

// resetTo replaces the tracked sessions with a database's session table,
// each with a fresh deadline (a new leader or a resynced learner).
func (t *sessionTracker) resetTo(sessions map[int64]int32, nowMs int64) {
	t.mu.Lock()
	t.sessions = make(map[int64]*session, len(sessions))
	t.buckets = make(map[int64]map[int64]*session)
	t.mu.Unlock()
	for id, to := range sessions {
		t.add(id, to, nowMs)
	}
}

// SessionTable is a view of the session tracker for tests of an ensemble
// (node's), which stage a leader that forgot a session or is closing one.
// Production code changes sessions only through the pipeline.
type SessionTable struct{ t *sessionTracker }

// SessionTable returns the server's session table view.
func (s *Server) SessionTable() SessionTable { return SessionTable{s.sessions} }

// Valid reports whether the session is tracked and not closing.
func (st SessionTable) Valid(sid int64) bool { return st.t.valid(sid) }

// SetClosing marks the session closing, as prep does for closeSession.
func (st SessionTable) SetClosing(sid int64) bool { return st.t.setClosing(sid) }

// Remove forgets the session without a closeSession txn.
func (st SessionTable) Remove(sid int64) { st.t.remove(sid) }
