package election

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// network is a deterministic N-peer harness: every Ready's messages go into
// one FIFO of in-flight messages; delivery honours crashes and partitions.
type network struct {
	t         *testing.T
	voters    []int64
	observers []int64
	qv        string
	peers     map[int64]*Election
	zxid      map[int64]int64
	epoch     map[int64]int64
	crashed   map[int64]bool
	group     map[int64]int // partition group; peers in different groups cannot talk
	inflight  []Message
	out       *strings.Builder
}

type transcript struct{ b *strings.Builder }

func (l transcript) Logf(format string, args ...any) { fmt.Fprintf(l.b, format+"\n", args...) }

func newNetwork(t *testing.T) *network {
	return &network{t: t, peers: map[int64]*Election{}, zxid: map[int64]int64{}, epoch: map[int64]int64{},
		crashed: map[int64]bool{}, group: map[int64]int{}, out: &strings.Builder{}}
}

func (nw *network) handle(line string) string {
	nw.out.Reset()
	fields := strings.Fields(line)
	cmd, args := fields[0], fields[1:]
	ids, kv := nw.parseArgs(args)
	switch cmd {
	case "add-peers":
		nw.addPeers(ids, kv)
	case "start":
		for _, id := range nw.orAll(ids) {
			nw.start(id, kv)
		}
	case "restart":
		for _, id := range ids {
			delete(nw.crashed, id)
			nw.newPeer(id)
			nw.start(id, kv)
		}
	case "crash":
		for _, id := range ids {
			nw.crashed[id] = true
			fmt.Fprintf(nw.out, "%d crashed\n", id)
		}
	case "partition":
		nw.partition(args)
	case "heal":
		clear(nw.group)
	case "stabilize":
		nw.stabilize()
	case "tick":
		n := 1
		if len(ids) > 0 {
			n = int(ids[0])
		}
		for range n {
			for _, id := range nw.all() {
				if !nw.crashed[id] {
					nw.peers[id].Tick()
					nw.collect(id)
				}
			}
			nw.stabilize()
		}
	case "update-vote":
		for _, id := range ids {
			nw.peers[id].UpdateElectionVote(mustInt(nw.t, kv["epoch"]))
			nw.collect(id)
		}
	case "status":
		for _, id := range nw.orAll(ids) {
			nw.status(id)
		}
	default:
		nw.t.Fatalf("unknown command %q", cmd)
	}
	return nw.out.String()
}

func (nw *network) parseArgs(args []string) ([]int64, map[string]string) {
	var ids []int64
	kv := map[string]string{}
	for _, a := range args {
		if k, v, ok := strings.Cut(a, "="); ok {
			kv[k] = v
			continue
		}
		if n, err := strconv.ParseInt(a, 10, 64); err == nil {
			ids = append(ids, n)
		}
	}
	return ids, kv
}

func mustInt(t *testing.T, s string) int64 {
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		t.Fatalf("bad number %q: %v", s, err)
	}
	return n
}

// list parses "(a,b,c)" into numbers.
func (nw *network) list(s string) []int64 {
	s = strings.Trim(s, "()")
	var out []int64
	for p := range strings.SplitSeq(s, ",") {
		out = append(out, mustInt(nw.t, strings.TrimSpace(p)))
	}
	return out
}

func (nw *network) all() []int64 { return append(slices.Clone(nw.voters), nw.observers...) }

func (nw *network) orAll(ids []int64) []int64 {
	if len(ids) == 0 {
		return nw.all()
	}
	return ids
}

// add-peers N [observers=M] [zxid=(..)] [epoch=(..)]: voters 1..N, observers after.
func (nw *network) addPeers(ids []int64, kv map[string]string) {
	n := int(ids[0])
	for i := 1; i <= n; i++ {
		nw.voters = append(nw.voters, int64(i))
	}
	if o, ok := kv["observers"]; ok {
		for i := 1; i <= int(mustInt(nw.t, o)); i++ {
			nw.observers = append(nw.observers, int64(n+i))
		}
	}
	var qv []string
	for _, id := range nw.all() {
		role := "participant"
		if slices.Contains(nw.observers, id) {
			role = "observer"
		}
		qv = append(qv, fmt.Sprintf("server.%d=127.0.0.1:%d:%d:%s", id, 2880+id, 3880+id, role))
	}
	nw.qv = strings.Join(append(qv, "version=0"), "\n")
	if s, ok := kv["zxid"]; ok {
		for i, z := range nw.list(s) {
			nw.zxid[nw.voters[i]] = z
		}
	}
	if s, ok := kv["epoch"]; ok {
		for i, e := range nw.list(s) {
			nw.epoch[nw.voters[i]] = e
		}
	}
	for _, id := range nw.all() {
		nw.newPeer(id)
	}
	fmt.Fprintf(nw.out, "voters %v observers %v\n", nw.voters, nw.observers)
}

func (nw *network) newPeer(id int64) {
	cfg := DefaultConfig(id, nw.voters, nw.qv)
	cfg.Logger = transcript{nw.out}
	e, err := New(cfg)
	if err != nil {
		nw.t.Fatal(err)
	}
	nw.peers[id] = e
}

func (nw *network) start(id int64, kv map[string]string) {
	if z, ok := kv["zxid"]; ok {
		nw.zxid[id] = mustInt(nw.t, z)
	}
	if e, ok := kv["epoch"]; ok {
		nw.epoch[id] = mustInt(nw.t, e)
	}
	nw.peers[id].Start(nw.zxid[id], nw.epoch[id])
	nw.collect(id)
}

// partition 1,2 | 3,4,5
func (nw *network) partition(args []string) {
	clear(nw.group)
	g := 1
	for _, a := range args {
		if a == "|" {
			g++
			continue
		}
		for p := range strings.SplitSeq(a, ",") {
			if p != "" {
				nw.group[mustInt(nw.t, p)] = g
			}
		}
	}
}

func (nw *network) collect(id int64) {
	e := nw.peers[id]
	if !e.HasReady() {
		return
	}
	rd := e.Ready()
	nw.inflight = append(nw.inflight, rd.Messages...)
	for _, s := range rd.LookingPeers {
		fmt.Fprintf(nw.out, "%d: leader saw LOOKING sid %d\n", id, s)
	}
	e.Advance()
}

func (nw *network) canTalk(a, b int64) bool {
	if a == b {
		return true
	}
	return nw.group[a] == nw.group[b]
}

// stabilize delivers in-flight messages, FIFO, until none are left.
func (nw *network) stabilize() {
	for steps := 0; len(nw.inflight) > 0; steps++ {
		if steps > 10000 {
			nw.t.Fatal("stabilize: no quiescence after 10000 deliveries")
		}
		m := nw.inflight[0]
		nw.inflight = nw.inflight[1:]
		from, to := m.N.Sid, m.To
		switch {
		case nw.crashed[from]:
			continue // lost with its sender
		case nw.crashed[to]:
			fmt.Fprintf(nw.out, "%d->%d %v (dropped: %d down)\n", from, to, m.N, to)
			continue
		case !nw.canTalk(from, to):
			fmt.Fprintf(nw.out, "%d->%d %v (dropped: partition)\n", from, to, m.N)
			continue
		}
		if nw.peers[to] == nil {
			nw.t.Fatalf("message to unknown peer %d", to)
		}
		// Messages travel as bytes, as they do between real servers.
		n, err := DecodeNotification(m.N.Encode())
		if err != nil {
			nw.t.Fatal(err)
		}
		n.Sid = from
		fmt.Fprintf(nw.out, "%d->%d %v\n", from, to, n)
		if err := nw.peers[to].Step(n); err != nil {
			fmt.Fprintf(nw.out, "%d: step error: %v\n", to, err)
		}
		nw.collect(to)
	}
}

func (nw *network) status(id int64) {
	s := nw.peers[id].Status()
	fmt.Fprintf(nw.out, "%d: %v round=%s proposal=(leader=%d zxid=%s peerEpoch=%s) vote=%v", id, s.State, hexInt(s.LogicalClock),
		s.Proposal.Leader, hexInt(s.Proposal.Zxid), hexInt(s.Proposal.PeerEpoch), s.CurrentVote)
	if nw.crashed[id] {
		fmt.Fprintf(nw.out, " (down)")
	}
	fmt.Fprintln(nw.out)
	for _, v := range s.Votes {
		fmt.Fprintf(nw.out, "   vote from %d: %v %v\n", v.Sid, v.Vote.State, v.Vote)
	}
	for _, v := range s.OutOfElection {
		fmt.Fprintf(nw.out, "   outofelection from %d: %v %v\n", v.Sid, v.Vote.State, v.Vote)
	}
}

func TestElection_Scenarios(t *testing.T) {
	runDataDriven(t, "testdata/*.txt", func(t *testing.T) func(string) string {
		return newNetwork(t).handle
	})
}
