package chaos

import (
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/zkctl/zkctl/launcher"
)

// NemesisStep is one fault of a nemesis schedule: at At after the start,
// the previous step's Undo runs and then Apply.
type NemesisStep struct {
	At    time.Duration
	Kind  string
	Apply []launcher.Action
	Undo  []launcher.Action
}

// String is the step as chaos lines: "+2s kill 3 (undo: start 3)".
func (s NemesisStep) String() string {
	lines := func(as []launcher.Action) string {
		out := make([]string, len(as))
		for i, a := range as {
			out[i] = a.String()
		}
		return strings.Join(out, "; ")
	}
	return fmt.Sprintf("+%s %s (undo: %s)", s.At, lines(s.Apply), lines(s.Undo))
}

// NemesisSchedule computes the faults of `nemesis KINDS every D for T` for
// the given node ids. It depends only on its arguments: the same seed and
// membership give the same schedule. One fault is active at a time, so at
// most one node is down or a minority is cut off, and a majority remains:
//
//   - kill: SIGKILL one node, undone by start;
//   - pause: SIGSTOP one node, undone by resume;
//   - partition: a random minority (1 to (n-1)/2 nodes) | the rest, undone by heal;
//   - cut: one random direction a -> b, undone by heal;
//   - slow: one node's links delayed by 50–300 ms with 25% jitter, undone by heal.
func NemesisSchedule(kinds []string, every, total time.Duration, seed int64, ids []int) []NemesisStep {
	if every <= 0 || len(kinds) == 0 || len(ids) == 0 {
		return nil
	}
	ids = slices.Clone(ids)
	sort.Ints(ids)
	rng := rand.New(rand.NewSource(seed))
	one := func() int { return ids[rng.Intn(len(ids))] }
	heal := []launcher.Action{{Kind: launcher.ActHeal}}
	var steps []NemesisStep
	for at := time.Duration(0); at < total; at += every {
		kind := kinds[rng.Intn(len(kinds))]
		s := NemesisStep{At: at, Kind: kind}
		switch kind {
		case "kill":
			n := one()
			s.Apply = []launcher.Action{{Kind: launcher.ActKill, Nodes: []int{n}}}
			s.Undo = []launcher.Action{{Kind: launcher.ActStart, Nodes: []int{n}}}
		case "pause":
			n := one()
			s.Apply = []launcher.Action{{Kind: launcher.ActPause, Nodes: []int{n}}}
			s.Undo = []launcher.Action{{Kind: launcher.ActResume, Nodes: []int{n}}}
		case "partition":
			if len(ids) < 3 {
				n := one()
				s.Apply = []launcher.Action{{Kind: launcher.ActIsolate, Nodes: []int{n}}}
			} else {
				perm := rng.Perm(len(ids))
				k := 1 + rng.Intn((len(ids)-1)/2)
				var minority, rest []int
				for i, p := range perm {
					if i < k {
						minority = append(minority, ids[p])
					} else {
						rest = append(rest, ids[p])
					}
				}
				sort.Ints(minority)
				sort.Ints(rest)
				s.Apply = []launcher.Action{{Kind: launcher.ActPartition, Groups: [][]int{minority, rest}}}
			}
			s.Undo = heal
		case "cut":
			if len(ids) < 2 {
				continue
			}
			a := one()
			b := a
			for b == a {
				b = one()
			}
			s.Apply = []launcher.Action{{Kind: launcher.ActCut, From: a, To: b}}
			s.Undo = heal
		case "slow":
			n := one()
			d := time.Duration(50+rng.Intn(251)) * time.Millisecond
			s.Apply = []launcher.Action{{Kind: launcher.ActSlow, Nodes: []int{n}, Delay: d, Jitter: d / 4}}
			s.Undo = heal
		default:
			continue
		}
		steps = append(steps, s)
	}
	return steps
}
