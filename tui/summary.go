package tui

import (
	"sort"
	"time"

	"github.com/zkctl/zkctl/adminapi"
)

// nodeState is what the dashboard knows about one server: the last good
// answer of its admin port, the last error, and when each arrived.
type nodeState struct {
	// id is the server id (myid) as configured.
	id int
	// admin is the admin port address host:port.
	admin string
	// last is the last good /commands/peer answer (nil until one arrives).
	last *adminapi.Peer
	// lastErr is the error of the most recent poll, nil if it succeeded.
	lastErr error
	// fetchedAt is when last arrived.
	fetchedAt time.Time
	// seq is the sequence number of the newest poll sent; applied the newest applied.
	seq, applied uint64
	// eventSeq is the newest server event already merged into the log.
	eventSeq uint64
	// proc is the launcher's view (pid, paused, exited, faults); zero without a launcher.
	proc procInfo
}

// procInfo is the launcher's knowledge of a server process.
type procInfo struct {
	known    bool
	pid      int
	running  bool
	paused   bool
	exitCode *int
	faults   []string
	observer bool
	// impl is the launcher's implementation and version, "apache 3.8.0".
	impl string
	// epoch is the launcher's current epoch of the server, the one `zkctl
	// status` shows: for Apache it is read from the currentEpoch file,
	// which the admin port cannot tell (see nodeState.currentEpoch).
	epoch int64
}

// currentEpoch is the server's current epoch as the EPOCH column and the
// summary use it, and whether it is known. A server that cannot tell its
// accepted epoch (Apache: 3.8's zab_epoch, or the four-letter words, derive
// the epoch from the last zxid, which an empty DIFF sync leaves in the old
// epoch) takes the launcher's when the dashboard runs under `zkctl up`, so
// that the dashboard and `zkctl status` agree. The larger of the two wins:
// the launcher polls on its own clock, and either may be a round behind.
func (n nodeState) currentEpoch() (int64, bool) {
	p := n.last
	if p == nil {
		return 0, false
	}
	if !n.proc.known || p.Known("accepted_epoch") {
		return p.CurrentEpoch, p.Known("current_epoch")
	}
	if !p.Known("current_epoch") {
		return n.proc.epoch, true
	}
	return max(p.CurrentEpoch, n.proc.epoch), true
}

// Display states beyond ZooKeeper's own.
const (
	stateDown   = "DOWN"
	statePaused = "PAUSED"
	stateStale  = "STALE"
	stateNoData = "?"
)

// staleAfter is how old the last good answer may be before a row is STALE.
const staleAfter = 2 * time.Second

// displayState is the state shown for a node at time now.
func (n nodeState) displayState(now time.Time) string {
	if n.proc.known && n.proc.paused {
		return statePaused
	}
	if n.proc.known && !n.proc.running {
		return stateDown
	}
	if n.last == nil {
		if n.lastErr != nil {
			return stateDown
		}
		return stateNoData
	}
	if n.lastErr != nil && now.Sub(n.fetchedAt) > staleAfter {
		return stateStale
	}
	return n.last.State
}

// fresh reports whether the node's last answer is current enough to count.
func (n nodeState) fresh(now time.Time) bool {
	switch n.displayState(now) {
	case stateDown, statePaused, stateStale, stateNoData:
		return false
	}
	return true
}

// clusterSummary is derived from the node states; nothing in it is stored.
type clusterSummary struct {
	// leader is the id of the single serving leader, or -1.
	leader int
	// leaders lists every node that claims LEADING (more than one: split brain).
	leaders []int
	// epoch is the highest current epoch reported.
	epoch int64
	// voters is how many voting members the configuration has.
	voters int
	// serving counts voters that are LEADING or FOLLOWING a leader with fresh answers.
	serving int
	// quorum is true when serving voters form a majority.
	quorum bool
	// leaderZxid is the leader's last logged zxid (or the highest seen).
	leaderZxid int64
	// readsPerSec and writesPerSec sum the servers' rates.
	readsPerSec, writesPerSec float64
	// sessions sums sessions across servers.
	sessions int
}

// summarize derives the cluster picture from node states. Pure.
func summarize(nodes []nodeState, now time.Time) clusterSummary {
	s := clusterSummary{leader: -1}
	reported := 0
	for _, n := range nodes {
		if !n.proc.observer && !(n.last != nil && n.last.State == adminapi.StateObserving) {
			s.voters++
		}
		if n.last != nil && n.last.Voters > reported {
			reported = n.last.Voters
		}
	}
	if reported > 0 {
		// The servers' own configuration is the truth (it knows members the
		// dashboard may not poll).
		s.voters = reported
	}
	for _, n := range nodes {
		if !n.fresh(now) {
			continue
		}
		p := n.last
		if e, _ := n.currentEpoch(); e > s.epoch {
			s.epoch = e
		}
		if p.LastLoggedZxid > s.leaderZxid && s.leader < 0 {
			s.leaderZxid = p.LastLoggedZxid
		}
		s.readsPerSec += p.ReadsPerSec
		s.writesPerSec += p.WritesPerSec
		s.sessions += p.Sessions
		if p.State == adminapi.StateLeading {
			s.leaders = append(s.leaders, n.id)
		}
	}
	sort.Ints(s.leaders)
	if len(s.leaders) >= 1 {
		// With several claimants the one with the highest epoch is the real one.
		best := -1
		var bestEpoch int64 = -1
		for _, n := range nodes {
			if e, _ := n.currentEpoch(); n.fresh(now) && n.last.State == adminapi.StateLeading && e > bestEpoch {
				best, bestEpoch = n.id, e
				s.leaderZxid = n.last.LastLoggedZxid
			}
		}
		s.leader = best
	}
	for _, n := range nodes {
		if !n.fresh(now) {
			continue
		}
		switch n.last.State {
		case adminapi.StateLeading:
			if n.id == s.leader {
				s.serving++
			}
		case adminapi.StateFollowing:
			// Four-letter words never name a follower's leader: in Zab's
			// broadcast phase it follows the only leader there is.
			if int(n.last.LeaderID) == s.leader || !n.last.Known("leader_id") && len(s.leaders) == 1 {
				s.serving++
			}
		case adminapi.StateStandalone:
			s.serving++
			s.leader = n.id
		}
	}
	if s.voters == 0 {
		s.voters = len(nodes)
	}
	s.quorum = s.serving > s.voters/2
	return s
}

// splitBrain reports whether more than one fresh node claims to lead.
func (s clusterSummary) splitBrain() bool { return len(s.leaders) > 1 }

// lag is how many transactions node n is behind the leader. Within one
// epoch it is the difference of the counters; a node still on an older
// epoch (synced, but it has not logged a txn of the new epoch yet) lacks
// the new epoch's txns, i.e. the leader's counter.
func lag(n nodeState, s clusterSummary) int64 {
	if n.last == nil || s.leader < 0 {
		return 0
	}
	lz, nz := s.leaderZxid, n.last.LastLoggedZxid
	switch {
	case nz >= lz:
		return 0
	case lz>>32 != nz>>32:
		return lz & 0xffffffff
	}
	return (lz & 0xffffffff) - (nz & 0xffffffff)
}
