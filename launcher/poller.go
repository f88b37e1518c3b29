package launcher

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zkctl/zkctl/adminapi"
)

// pollState is the last thing learned from one server's admin port.
type pollState struct {
	state string
	zxid  int64
	epoch int64
	// accepted is the accepted epoch: a new leader's epoch before its
	// current epoch catches up at NEWLEADER.
	accepted int64
	leader   int64
	// version and unknown are the server's version and what its admin
	// port cannot tell (Apache ZooKeeper's, see adminapi.PeerOrZooKeeper).
	version string
	unknown []string
	seen    time.Time // last successful poll
	// starts counts the node's process starts; a poll begun before a start
	// may have asked the previous process and is discarded.
	starts int
	err    error
}

// poller polls every server's /commands/peer and turns changes into
// launcher events: state changes, leader elected or lost.
type poller struct {
	l       *Launcher
	clients map[int]*adminapi.Client
	quit    chan struct{}
	once    sync.Once
	done    chan struct{}

	mu          sync.Mutex
	st          map[int]*pollState
	cur         int       // current leader id, 0 when none
	prev        int       // the last leader before cur (0 when none)
	noLeaderAt  time.Time // when the cluster last lost its leader
	leaderOKAt  time.Time // last poll that saw cur leading with no fault on it
	faultAt     time.Time // first fault on cur not yet followed by an election
	reachedOnce map[int]bool
}

// apachePollTimeout bounds one poll of a cluster with Apache servers, whose
// picture takes four admin requests to a JVM instead of one.
const apachePollTimeout = time.Second

// faultMemory is how long a fault on the leader is blamed for the next
// election; an older one is considered survived.
const faultMemory = time.Minute

// actionApplied notes that a fault hit the current leader, so the next
// election is timed from the fault rather than from the poll that first
// noticed the leader gone.
func (p *poller) actionApplied(a Action) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch a.Kind {
	case ActHeal, ActResume, ActStart:
		// The fault is undone and the leader, if still in place, survived it.
		p.faultAt = time.Time{}
		return
	}
	if p.cur == 0 || !p.hitsNode(a, p.cur) {
		return
	}
	if now := time.Now(); p.faultAt.IsZero() || now.Sub(p.faultAt) > faultMemory {
		p.faultAt = now
	}
}

// hitsNode reports whether action a can take node id out of its role.
func (p *poller) hitsNode(a Action, id int) bool {
	switch a.Kind {
	case ActKill, ActStop, ActRestart, ActPause, ActIsolate, ActReject, ActUpgrade:
		return slices.Contains(a.Nodes, id)
	case ActCut:
		return a.From == id || a.To == id
	case ActPartition:
		// Only when id's side holds no quorum of voters.
		group := func(n int) int {
			for gi, g := range a.Groups {
				if slices.Contains(g, n) {
					return gi + 1
				}
			}
			return 0 // unlisted nodes form one more group
		}
		mine, voters, with := group(id), 0, 0
		for _, n := range p.l.nodes {
			if n.observer {
				continue
			}
			voters++
			if group(n.id) == mine {
				with++
			}
		}
		return with <= voters/2
	}
	return false
}

// lostSince is when the current leader is taken to have been lost: the
// fault that hit it if a recent one did, else the last poll that saw it.
func (p *poller) lostSince(now time.Time) time.Time {
	if !p.faultAt.IsZero() && now.Sub(p.faultAt) <= faultMemory {
		return p.faultAt
	}
	if !p.leaderOKAt.IsZero() {
		return p.leaderOKAt
	}
	return now
}

func newPoller(l *Launcher) *poller {
	p := &poller{l: l, clients: map[int]*adminapi.Client{}, quit: make(chan struct{}), done: make(chan struct{}),
		st: map[int]*pollState{}, noLeaderAt: time.Now(), reachedOnce: map[int]bool{}}
	// Apache's picture takes four requests to a JVM's Jetty, and any node
	// may be upgraded to Apache; pollOnce's deadline still bounds zkctl-only
	// clusters to one poll period.
	timeout := max(l.cfg.PollEvery*4/5, apachePollTimeout)
	for _, n := range l.nodes {
		p.clients[n.id] = adminapi.NewClient(fmt.Sprintf("127.0.0.1:%d", n.ports.Admin), timeout)
		p.st[n.id] = &pollState{leader: -1}
	}
	return p
}

func (p *poller) stop() {
	p.once.Do(func() { close(p.quit) })
	<-p.done
}

func (p *poller) run() {
	defer close(p.done)
	t := time.NewTicker(p.l.cfg.PollEvery)
	defer t.Stop()
	for {
		p.pollOnce()
		select {
		case <-t.C:
		case <-p.quit:
			return
		}
	}
}

// pollOnce asks every running server in parallel and records the answers.
func (p *poller) pollOnce() {
	wait := p.l.cfg.PollEvery
	if p.l.hasApache() {
		wait = max(wait, apachePollTimeout)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	p.mu.Lock()
	starts := map[int]int{}
	for id, s := range p.st {
		starts[id] = s.starts
	}
	p.mu.Unlock()
	rows, err := p.l.sup.snapshot(ctx)
	if err != nil {
		return
	}
	type answer struct {
		id   int
		peer *adminapi.Peer
		err  error
	}
	answers := make(chan answer, len(rows))
	var wg sync.WaitGroup
	for _, r := range rows {
		if !r.Running {
			answers <- answer{id: r.ID}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			peer, err := p.clients[r.ID].PeerOrZooKeeper(ctx)
			if err != nil && p.l.impl(r.ID).Name() == ImplApache {
				// Apache without the Jetty jars serves nothing on its admin
				// port: read the four-letter words on its client port.
				if n := p.l.node(r.ID); n != nil {
					peer, err = adminapi.NewFourLW(fmt.Sprintf("127.0.0.1:%d", n.ports.Client), apachePollTimeout).Peer(ctx)
				}
			}
			answers <- answer{id: r.ID, peer: peer, err: err}
		}()
	}
	wg.Wait()
	close(answers)
	running := map[int]bool{}
	for _, r := range rows {
		running[r.ID] = r.Running && !r.Paused
	}
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	for a := range answers {
		s := p.st[a.id]
		if s.starts != starts[a.id] {
			continue // restarted meanwhile: the answer may be the old process's
		}
		switch {
		case a.peer != nil:
			if !p.reachedOnce[a.id] {
				p.reachedOnce[a.id] = true
				p.l.emit("ready", a.id, "admin port answers: %s", a.peer.State)
			}
			if a.peer.State != s.state {
				p.l.emit("state", a.id, "%s -> %s (epoch %d, zxid 0x%x, leader %d)",
					orDash(s.state), a.peer.State, a.peer.CurrentEpoch, a.peer.LastLoggedZxid, a.peer.LeaderID)
			}
			s.state, s.zxid, s.epoch, s.leader = a.peer.State, a.peer.LastLoggedZxid, a.peer.CurrentEpoch, a.peer.LeaderID
			s.accepted = a.peer.AcceptedEpoch
			s.version, s.unknown = a.peer.Version, a.peer.Unknown
			if !a.peer.Known("accepted_epoch") {
				p.epochsFromDisk(a.id, s)
			}
			s.seen, s.err = now, nil
		case !running[a.id] && a.err == nil:
			if s.state != "" {
				p.l.emit("state", a.id, "%s -> down", s.state)
			}
			s.state, s.leader = "", -1
		default:
			s.err = a.err
			// A server silent for 2 s (paused, hung) is no longer trusted.
			if s.state != "" && now.Sub(s.seen) > 2*time.Second {
				p.l.emit("state", a.id, "%s -> unreachable (%v)", s.state, a.err)
				s.state = ""
			}
		}
	}
	p.updateLeader(now)
	p.inferLeaders()
}

// inferLeaders fills in the leader of learners whose source cannot tell it
// (four-letter words on a follower name no leader): the one LEADING server,
// when the learner's persisted epoch is the leader's. Callers hold p.mu.
func (p *poller) inferLeaders() {
	l := p.st[p.cur]
	if p.cur == 0 || l == nil {
		return
	}
	for _, s := range p.st {
		if s.leader < 0 && (s.state == adminapi.StateFollowing || s.state == adminapi.StateObserving) && s.epoch == l.epoch {
			s.leader = int64(p.cur)
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// updateLeader derives the cluster leader and emits elected/lost events.
// Callers hold p.mu.
func (p *poller) updateLeader(now time.Time) {
	best, bestEpoch := 0, int64(-1)
	for id, s := range p.st {
		if e := max(s.epoch, s.accepted); s.state == adminapi.StateLeading && e > bestEpoch {
			best, bestEpoch = id, e
		}
	}
	if best == p.cur {
		if best != 0 {
			p.leaderOKAt = now
		}
		return
	}
	if best == 0 {
		p.l.emit("noleader", 0, "no leader (was %d)", p.cur)
		p.noLeaderAt = p.lostSince(now)
		p.prev, p.cur, p.faultAt = p.cur, 0, time.Time{}
		return
	}
	start := p.noLeaderAt
	if p.cur != 0 {
		start = p.lostSince(now)
		p.prev = p.cur
	}
	took := now.Sub(start).Round(time.Millisecond)
	p.l.events.addEvent(Event{Kind: EventKindLeader, Node: best, From: p.prev, Epoch: bestEpoch, TookMs: took.Milliseconds(),
		Message: fmt.Sprintf("elected leader, epoch %d, after %s without a leader", bestEpoch, took)})
	p.cur, p.leaderOKAt, p.faultAt = best, now, time.Time{}
}

// started forgets what the previous process of node id answered, so that
// a server restarted between two polls (an upgrade, a restart) is not
// reported in its old state until its new process answers. It is called on
// the supervisor's goroutine; pollOnce never holds p.mu while asking the
// supervisor, so this cannot deadlock.
func (p *poller) started(id int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.st[id]
	if s == nil {
		return
	}
	if s.state != "" {
		p.l.emit("state", id, "%s -> down (restarted)", s.state)
	}
	s.state, s.leader, s.seen = "", -1, time.Time{}
	s.starts++
	p.updateLeader(time.Now())
}

// get returns the last poll state of node id.
func (p *poller) get(id int) (pollState, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.st[id]
	if !ok {
		return pollState{}, false
	}
	return *s, true
}

// leader is the current leader id (0 when none).
func (p *poller) leader() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
}

// answered reports whether every running server's admin port has answered.
func (p *poller) answered(ids []int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range ids {
		if !p.reachedOnce[id] {
			return false
		}
	}
	return true
}

// epochsFromDisk replaces the epochs of a server whose admin port cannot
// tell them (Apache's zab_epoch is its last zxid's epoch) with the ones it
// persisted in dataDir/version-2: a learner synced by an empty DIFF keeps
// its old zxid but writes the new currentEpoch, which is what tells that it
// has joined the new leader's epoch (chaos's synced condition).
func (p *poller) epochsFromDisk(id int, s *pollState) {
	n := p.l.node(id)
	if n == nil {
		return
	}
	read := func(name string) (int64, bool) {
		b, err := os.ReadFile(filepath.Join(n.dataDir, "version-2", name))
		if err != nil {
			return 0, false
		}
		v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		return v, err == nil
	}
	if ce, ok := read("currentEpoch"); ok {
		s.epoch = max(s.epoch, ce)
	}
	if ae, ok := read("acceptedEpoch"); ok {
		s.accepted = max(s.accepted, ae)
	}
}
