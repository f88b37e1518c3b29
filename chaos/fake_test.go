package chaos

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/zkctl/zkctl/launcher"
)

// fakeCluster simulates a launcher: process state, link cuts and a crude
// election. A leader that dies, pauses or loses a majority is replaced
// after electAfter Status calls by the highest live id that reaches a
// majority. It records every action as its chaos line.
type fakeCluster struct {
	mu         sync.Mutex
	nodes      map[int]*launcher.NodeStatus
	cut        map[[2]int]bool
	leader     int
	electAfter int
	sinceLoss  int
	actions    []string
	failDo     error
	dir        string
}

func newFake(n, leader int) *fakeCluster {
	f := &fakeCluster{nodes: map[int]*launcher.NodeStatus{}, cut: map[[2]int]bool{}, leader: leader, electAfter: 2}
	for i := 1; i <= n; i++ {
		f.nodes[i] = &launcher.NodeStatus{ID: i, Running: true, PID: 1000 + i, ClientPort: 20000 + i, Zxid: 0x100000001, Epoch: 1}
	}
	return f
}

func (f *fakeCluster) linked(a, b int) bool { return !f.cut[[2]int{a, b}] && !f.cut[[2]int{b, a}] }

func (f *fakeCluster) reaches(id int) int {
	c := 0
	for j, n := range f.nodes {
		if j == id || n.Running && !n.Paused && f.linked(id, j) {
			c++
		}
	}
	return c
}

func (f *fakeCluster) healthy(id int) bool {
	n, ok := f.nodes[id]
	return ok && n.Running && !n.Paused && f.reaches(id) > len(f.nodes)/2
}

func (f *fakeCluster) Status(ctx context.Context) (launcher.ClusterStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.leader != 0 && !f.healthy(f.leader) {
		f.leader = 0
		f.sinceLoss = 0
	}
	if f.leader == 0 {
		f.sinceLoss++
		if f.sinceLoss > f.electAfter {
			for id := len(f.nodes); id >= 1; id-- {
				if f.healthy(id) {
					f.leader = id
					break
				}
			}
		}
	}
	st := launcher.ClusterStatus{Name: "fake", Dir: f.dir, Leader: f.leader}
	ids := make([]int, 0, len(f.nodes))
	for id := range f.nodes {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		n := *f.nodes[id]
		switch {
		case !n.Running:
			n.State = ""
		case id == f.leader:
			n.State, n.LeaderID = "LEADING", int64(id)
		case f.leader != 0 && f.linked(id, f.leader):
			n.State, n.LeaderID = "FOLLOWING", int64(f.leader)
		default:
			n.State, n.LeaderID = "LOOKING", -1
		}
		st.Nodes = append(st.Nodes, n)
	}
	return st, nil
}

func (f *fakeCluster) Do(ctx context.Context, a launcher.Action) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failDo != nil {
		return f.failDo
	}
	for _, id := range append(append([]int{}, a.Nodes...), a.From, a.To) {
		if _, ok := f.nodes[id]; id != 0 && !ok {
			return fmt.Errorf("no node %d", id)
		}
	}
	f.actions = append(f.actions, a.String())
	for _, id := range a.Nodes {
		n := f.nodes[id]
		switch a.Kind {
		case launcher.ActKill, launcher.ActStop:
			n.Running, n.Paused = false, false
		case launcher.ActStart, launcher.ActRestart:
			n.Running = true
		case launcher.ActPause:
			n.Paused = true
		case launcher.ActResume:
			n.Paused = false
		case launcher.ActIsolate:
			for j := range f.nodes {
				if j != id {
					f.cut[[2]int{id, j}], f.cut[[2]int{j, id}] = true, true
				}
			}
		}
	}
	switch a.Kind {
	case launcher.ActCut:
		f.cut[[2]int{a.From, a.To}] = true
	case launcher.ActPartition:
		group := map[int]int{}
		for gi, g := range a.Groups {
			for _, id := range g {
				group[id] = gi + 1
			}
		}
		for i := range f.nodes {
			for j := range f.nodes {
				if i != j && group[i] != group[j] {
					f.cut[[2]int{i, j}] = true
				}
			}
		}
	case launcher.ActHeal:
		f.cut = map[[2]int]bool{}
	}
	return nil
}

func (f *fakeCluster) RunLine(ctx context.Context, line string) (string, error) {
	return "", fmt.Errorf("fake: RunLine not used")
}

func (f *fakeCluster) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.actions...)
}
