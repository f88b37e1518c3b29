package chaos

import (
	"fmt"
	"sort"
	"strings"

	"github.com/zkctl/zkctl/launcher"
)

// leaderNow is the id of the single live node in LEADING state, or 0 when
// there is none or (split brain as seen by stale polls) more than one.
func leaderNow(st launcher.ClusterStatus) int {
	l := 0
	for _, n := range st.Nodes {
		if alive(n) && n.State == "LEADING" {
			if l != 0 {
				return 0
			}
			l = n.ID
		}
	}
	return l
}

// quorumNow reports whether a leader exists and a majority of voters
// (the leader included) are live and follow it.
func quorumNow(st launcher.ClusterStatus) bool {
	l := leaderNow(st)
	if l == 0 {
		return false
	}
	voters, with := 0, 0
	for _, n := range st.Nodes {
		if n.Observer {
			continue
		}
		voters++
		if n.ID == l || alive(n) && n.State == "FOLLOWING" && n.LeaderID == int64(l) {
			with++
		}
	}
	return with > voters/2
}

// syncedNow reports whether there is a quorum and every live node follows
// (or observes) the leader with a zxid at least floor. Callers pass the
// leader's zxid from the previous poll as floor, so a cluster under
// constant load still counts as synced once everyone has caught up to where
// the leader was a moment ago. It returns the laggards otherwise.
func syncedNow(st launcher.ClusterStatus, floor int64) (bool, string) {
	if !quorumNow(st) {
		return false, "no quorum"
	}
	l := leaderNow(st)
	var lag []string
	for _, n := range st.Nodes {
		if !alive(n) || n.ID == l {
			continue
		}
		switch {
		case (n.State == "FOLLOWING" || n.State == "OBSERVING") && n.LeaderID == int64(l) && hasCommitted(n, floor):
		default:
			lag = append(lag, fmt.Sprintf("%d %s zxid 0x%x", n.ID, stateOf(n), n.Zxid))
		}
	}
	if len(lag) > 0 {
		return false, fmt.Sprintf("behind leader %d at zxid 0x%x: %s", l, floor, strings.Join(lag, ", "))
	}
	return true, ""
}

// hasCommitted reports whether a learner of the leader holds every txn the
// leader had at zxid floor. A floor whose counter is 0 is the epoch mark a
// leader reports once a quorum acked NEWLEADER (3.8's Leader.startZkServer):
// no txn of epoch floor>>32 exists yet, and a learner synced by an empty
// DIFF keeps its older zxid (0x0 on a fresh cluster, in 3.8 as in zkctl).
// Such a learner holds everything once its current epoch is the leader's:
// it writes currentEpoch on NEWLEADER, which follows the whole sync stream
// (docs/quorum-reference.md §5.4, §5.6).
func hasCommitted(n launcher.NodeStatus, floor int64) bool {
	if n.Zxid >= floor {
		return true
	}
	return floor&0xffffffff == 0 && n.Epoch == floor>>32
}

func leaderZxid(st launcher.ClusterStatus) int64 {
	l := leaderNow(st)
	if n, ok := nodeByID(st, l); ok && l != 0 {
		return n.Zxid
	}
	return 0
}

// stateOf is the node state as expect state sees it: DOWN when not
// running, PAUSED when stopped by SIGSTOP, else the polled server state.
func stateOf(n launcher.NodeStatus) string {
	switch {
	case !n.Running:
		return "DOWN"
	case n.Paused:
		return "PAUSED"
	case n.State == "":
		return "UNKNOWN"
	}
	return n.State
}

// describe is a one-line picture of the cluster for failure messages:
// "leader 3; 1 FOLLOWING 0x100000004, 2 DOWN, 3 LEADING 0x100000004".
func describe(st launcher.ClusterStatus) string {
	nodes := append([]launcher.NodeStatus(nil), st.Nodes...)
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].ID < nodes[j].ID })
	parts := make([]string, 0, len(nodes))
	for _, n := range nodes {
		s := fmt.Sprintf("%d %s", n.ID, stateOf(n))
		if alive(n) && n.State != "" {
			s += fmt.Sprintf(" 0x%x", n.Zxid)
		}
		parts = append(parts, s)
	}
	l := "no leader"
	if id := leaderNow(st); id != 0 {
		l = fmt.Sprintf("leader %d", id)
	}
	return l + "; " + strings.Join(parts, ", ")
}

// evalExpect checks an expectation against one status; prev is the status
// one poll earlier (for synced), possibly equal to st.
func evalExpect(e *ExpectStmt, prev, st launcher.ClusterStatus) (bool, string) {
	switch e.Kind {
	case ExpectLeader:
		l := leaderNow(st)
		switch {
		case l == 0:
			return false, "no leader"
		case e.Op == "==" && l != e.ID, e.Op == "!=" && l == e.ID:
			return false, fmt.Sprintf("leader is %d", l)
		}
		return true, ""
	case ExpectState:
		n, ok := nodeByID(st, e.ID)
		if !ok {
			return false, fmt.Sprintf("no node %d", e.ID)
		}
		if got := stateOf(n); got != e.State {
			return false, fmt.Sprintf("node %d is %s", e.ID, got)
		}
		return true, ""
	case ExpectQuorum:
		if !quorumNow(st) {
			return false, "no quorum"
		}
		return true, ""
	case ExpectSynced:
		floor := leaderZxid(st)
		if leaderNow(prev) == leaderNow(st) {
			floor = min(floor, leaderZxid(prev))
		}
		return syncedNow(st, floor)
	}
	return false, "unknown expectation " + e.Kind
}

// condMet evaluates a wait condition on consecutive polls.
func condMet(cond string, prev, st launcher.ClusterStatus) (bool, string) {
	switch cond {
	case CondLeader:
		if leaderNow(st) == 0 {
			return false, "no leader"
		}
		return true, ""
	case CondQuorum:
		if !quorumNow(st) {
			return false, "no quorum"
		}
		return true, ""
	case CondSynced:
		return evalExpect(&ExpectStmt{Kind: ExpectSynced}, prev, st)
	}
	return false, "unknown condition " + cond
}
