package chaos

import (
	"fmt"
	"math/rand"
	"slices"
	"sort"

	"github.com/zkctl/zkctl/launcher"
)

// alive reports whether a node runs and is not paused.
func alive(n launcher.NodeStatus) bool { return n.Running && !n.Paused }

func allIDs(st launcher.ClusterStatus) []int {
	ids := make([]int, 0, len(st.Nodes))
	for _, n := range st.Nodes {
		ids = append(ids, n.ID)
	}
	sort.Ints(ids)
	return ids
}

func voterIDs(st launcher.ClusterStatus) []int {
	var ids []int
	for _, n := range st.Nodes {
		if !n.Observer {
			ids = append(ids, n.ID)
		}
	}
	sort.Ints(ids)
	return ids
}

func nodeByID(st launcher.ClusterStatus, id int) (launcher.NodeStatus, bool) {
	for _, n := range st.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return launcher.NodeStatus{}, false
}

// applicable reports whether verb makes sense on n now: start needs a
// stopped node, resume a paused one, everything else a running one.
func applicable(verb string, n launcher.NodeStatus) bool {
	switch verb {
	case "start":
		return !n.Running
	case "resume":
		return n.Paused
	case "pause":
		return alive(n)
	default:
		return n.Running
	}
}

// checkIDs makes sure every id names a node of the cluster.
func checkIDs(st launcher.ClusterStatus, ids ...int) error {
	for _, id := range ids {
		if _, ok := nodeByID(st, id); !ok {
			return fmt.Errorf("no node %d in this cluster (nodes %s)", id, joinInts(allIDs(st), ","))
		}
	}
	return nil
}

// resolveTarget turns a target into node ids against the status now.
// Random choices use rng, so a seeded runner picks the same nodes when the
// cluster is in the same state.
func resolveTarget(t Target, verb string, st launcher.ClusterStatus, rng *rand.Rand) ([]int, error) {
	pick := func(cands []int, k int) []int {
		sort.Ints(cands)
		perm := rng.Perm(len(cands))
		out := make([]int, 0, k)
		for _, i := range perm[:k] {
			out = append(out, cands[i])
		}
		sort.Ints(out)
		return out
	}
	filter := func(ids []int) []int {
		var out []int
		for _, id := range ids {
			if n, ok := nodeByID(st, id); ok && applicable(verb, n) {
				out = append(out, id)
			}
		}
		return out
	}
	switch t.Kind {
	case TargetIDs:
		if err := checkIDs(st, t.IDs...); err != nil {
			return nil, err
		}
		return slices.Clone(t.IDs), nil
	case TargetAll:
		// `start all` starts the nodes that are down, `resume all` the
		// paused ones, `pause all` the live ones; none left is no error.
		switch verb {
		case "start", "resume", "pause":
			return filter(allIDs(st)), nil
		}
		return allIDs(st), nil
	case TargetLeader:
		if l := leaderNow(st); l != 0 {
			return []int{l}, nil
		}
		return nil, fmt.Errorf("no leader now (%s)", describe(st))
	case TargetFollower:
		var c []int
		for _, n := range st.Nodes {
			if alive(n) && n.State == "FOLLOWING" && applicable(verb, n) {
				c = append(c, n.ID)
			}
		}
		if len(c) == 0 {
			return nil, fmt.Errorf("no follower to %s now (%s)", verb, describe(st))
		}
		return pick(c, 1), nil
	case TargetRandom:
		c := filter(allIDs(st))
		if len(c) == 0 {
			return nil, fmt.Errorf("no node to %s now (%s)", verb, describe(st))
		}
		return pick(c, 1), nil
	case TargetMinority, TargetMajority:
		v := voterIDs(st)
		k := (len(v) - 1) / 2
		name := "minority"
		if t.Kind == TargetMajority {
			k, name = len(v)/2+1, "majority"
		}
		if k == 0 {
			return nil, fmt.Errorf("a cluster of %d voters has no %s", len(v), name)
		}
		// Prefer nodes the verb applies to, then fill with the others.
		c := filter(v)
		if len(c) >= k {
			return pick(c, k), nil
		}
		rest := slices.DeleteFunc(slices.Clone(v), func(id int) bool { return slices.Contains(c, id) })
		out := append(c, pick(rest, k-len(c))...)
		sort.Ints(out)
		return out, nil
	}
	return nil, fmt.Errorf("unknown target kind %d", t.Kind)
}

// partitionActions computes the link faults of a partition shape from the
// current membership (every node, observers included, in id order):
//
//   - halves: first ceil(n/2) ids | the rest (1,2,3 | 4,5);
//   - leader: the current leader | everyone else;
//   - ring:   node i keeps links only to its two neighbours on the ring of
//     sorted ids; every other pair is cut both ways (n >= 4);
//   - bridge: the middle id talks to everyone, the ids below it and the ids
//     above it cannot talk to each other (1,2 | 4,5 with 3 bridging; n >= 3).
//
// halves and leader are one partition action; ring and bridge are a set of
// two-way cuts, because no grouping expresses them.
func partitionActions(shape string, st launcher.ClusterStatus) ([]launcher.Action, error) {
	ids := allIDs(st)
	n := len(ids)
	twoWay := func(a, b int) []launcher.Action {
		return []launcher.Action{{Kind: launcher.ActCut, From: a, To: b}, {Kind: launcher.ActCut, From: b, To: a}}
	}
	switch shape {
	case ShapeHalves:
		if n < 2 {
			return nil, fmt.Errorf("partition halves needs at least 2 nodes, cluster has %d", n)
		}
		h := (n + 1) / 2
		return []launcher.Action{{Kind: launcher.ActPartition, Groups: [][]int{slices.Clone(ids[:h]), slices.Clone(ids[h:])}}}, nil
	case ShapeLeader:
		l := leaderNow(st)
		if l == 0 {
			return nil, fmt.Errorf("partition leader: no leader now (%s)", describe(st))
		}
		rest := slices.DeleteFunc(slices.Clone(ids), func(id int) bool { return id == l })
		if len(rest) == 0 {
			return nil, fmt.Errorf("partition leader: the leader is the only node")
		}
		return []launcher.Action{{Kind: launcher.ActPartition, Groups: [][]int{{l}, rest}}}, nil
	case ShapeRing:
		if n < 4 {
			return nil, fmt.Errorf("partition ring needs at least 4 nodes (with %d every node is a neighbour of every other)", n)
		}
		var out []launcher.Action
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				if j == i+1 || (i == 0 && j == n-1) {
					continue
				}
				out = append(out, twoWay(ids[i], ids[j])...)
			}
		}
		return out, nil
	case ShapeBridge:
		if n < 3 {
			return nil, fmt.Errorf("partition bridge needs at least 3 nodes, cluster has %d", n)
		}
		mid := n / 2
		var out []launcher.Action
		for _, a := range ids[:mid] {
			for _, b := range ids[mid+1:] {
				out = append(out, twoWay(a, b)...)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown partition shape %q", shape)
}
