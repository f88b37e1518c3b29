// Package electiontest connects N Fast Leader Election state machines through
// a deterministic in-memory network, so election scenarios run without
// sockets or clocks: every step is a delivered notification or a tick, and
// what the machines log and send is recorded in a transcript. It is to
// election/ what leader/zabtest is to leader/; both run scenario files
// through internal/scenario.
//
// Commands (arguments in brackets are optional; ids are sids):
//
//	add-peers N [observers=M] [zxid=(z1,z2,..)] [epoch=(e1,e2,..)]  voters 1..N, observers after
//	start [ids] [zxid=Z] [epoch=E]   start looking (all peers without ids)
//	tick [n=K]                       K ticks on every live peer, stabilizing after each
//	deliver [n=K]                    deliver up to K in-flight notifications (all without n)
//	stabilize                        deliver until nothing is in flight
//	drop [from=A] [to=B]             discard in-flight notifications from A and/or to B
//	partition (1,2) (3)              only peers in the same group talk
//	heal                             remove the partition
//	crash ids                        stop peers; their notifications are lost
//	restart ids [zxid=Z] [epoch=E]   a fresh machine for each peer, started
//	update-vote ids epoch=E          UpdateElectionVote after a leader's epoch
//	status [ids]                     state, round, proposal, vote and votes received
package electiontest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/zkctl/zkctl/election"
	"github.com/zkctl/zkctl/internal/scenario"
)

// Network is the harness: peers, their persisted (zxid, epoch), crashes, a
// partition and one FIFO of in-flight messages. Use one per scenario file.
type Network struct {
	t         *testing.T
	voters    []int64
	observers []int64
	qv        string
	peers     map[int64]*election.Election
	zxid      map[int64]int64
	epoch     map[int64]int64
	crashed   map[int64]bool
	group     map[int64]int // partition group; peers in different groups cannot talk
	inflight  []election.Message
	out       *strings.Builder
}

// commands maps each command to the arguments it takes (see
// scenario.CheckArgs); the package comment says what they mean.
var commands = map[string]string{
	"add-peers": "ids observers zxid epoch", "start": "ids zxid epoch", "restart": "ids zxid epoch",
	"crash": "ids", "partition": "groups", "heal": "", "stabilize": "", "deliver": "n",
	"drop": "from to", "tick": "n", "update-vote": "ids epoch", "status": "ids",
}

type transcript struct{ b *strings.Builder }

func (l transcript) Logf(format string, args ...any) { fmt.Fprintf(l.b, format+"\n", args...) }

// NewNetwork returns an empty network; add-peers populates it.
func NewNetwork() *Network {
	return &Network{peers: map[int64]*election.Election{}, zxid: map[int64]int64{}, epoch: map[int64]int64{},
		crashed: map[int64]bool{}, group: map[int64]int{}, out: &strings.Builder{}}
}

// Handle runs one scenario command (see the package comment) and returns its
// transcript; it is the datadriven handler of election scenario files.
func (nw *Network) Handle(t *testing.T, d *datadriven.TestData) string {
	t.Helper()
	nw.t = t
	nw.out.Reset()
	spec, ok := commands[d.Cmd]
	if !ok {
		d.Fatalf(t, "unknown command %q", d.Cmd)
	}
	scenario.CheckArgs(t, d, spec)
	ids := scenario.IDs(t, d)
	switch d.Cmd {
	case "add-peers":
		nw.addPeers(t, d, ids)
	case "start":
		for _, id := range nw.orAll(ids) {
			nw.start(t, d, id)
		}
	case "restart":
		for _, id := range ids {
			delete(nw.crashed, id)
			nw.newPeer(id)
			nw.start(t, d, id)
		}
	case "crash":
		for _, id := range ids {
			nw.crashed[id] = true
			fmt.Fprintf(nw.out, "%d crashed\n", id)
		}
	case "partition":
		clear(nw.group)
		for g, members := range scenario.Groups(t, d) {
			for _, id := range members {
				nw.group[id] = g + 1
			}
		}
	case "heal":
		clear(nw.group)
	case "stabilize":
		nw.deliver(0)
	case "deliver":
		nw.deliver(int(scenario.Int(t, d, "n", 0)))
	case "drop":
		from, to := scenario.Int(t, d, "from", 0), scenario.Int(t, d, "to", 0)
		nw.inflight = slices.DeleteFunc(nw.inflight, func(m election.Message) bool {
			if (from == 0 || m.N.Sid == from) && (to == 0 || m.To == to) {
				fmt.Fprintf(nw.out, "%d->%d %v (dropped)\n", m.N.Sid, m.To, m.N)
				return true
			}
			return false
		})
	case "tick":
		for range scenario.Int(t, d, "n", 1) {
			for _, id := range nw.all() {
				if !nw.crashed[id] {
					nw.peers[id].Tick()
					nw.collect(id)
				}
			}
			nw.deliver(0)
		}
	case "update-vote":
		for _, id := range ids {
			nw.peers[id].UpdateElectionVote(scenario.Int(t, d, "epoch", 0))
			nw.collect(id)
		}
	case "status":
		for _, id := range nw.orAll(ids) {
			nw.status(id)
		}
	}
	return scenario.Output(nw.out.String())
}

func (nw *Network) all() []int64 { return append(slices.Clone(nw.voters), nw.observers...) }

func (nw *Network) orAll(ids []int64) []int64 {
	if len(ids) == 0 {
		return nw.all()
	}
	return ids
}

func (nw *Network) addPeers(t *testing.T, d *datadriven.TestData, ids []int64) {
	if len(ids) != 1 {
		d.Fatalf(t, "add-peers N: want one count, have %v", ids)
	}
	n := ids[0]
	for i := int64(1); i <= n; i++ {
		nw.voters = append(nw.voters, i)
	}
	for i := int64(1); i <= scenario.Int(t, d, "observers", 0); i++ {
		nw.observers = append(nw.observers, n+i)
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
	for i, z := range scenario.Ints(t, d, "zxid") {
		nw.zxid[nw.voters[i]] = z
	}
	for i, e := range scenario.Ints(t, d, "epoch") {
		nw.epoch[nw.voters[i]] = e
	}
	for _, id := range nw.all() {
		nw.newPeer(id)
	}
	fmt.Fprintf(nw.out, "voters %v observers %v\n", nw.voters, nw.observers)
}

func (nw *Network) newPeer(id int64) {
	cfg := election.DefaultConfig(id, nw.voters, nw.qv)
	cfg.Logger = transcript{nw.out}
	e, err := election.New(cfg)
	if err != nil {
		nw.t.Fatal(err)
	}
	nw.peers[id] = e
}

func (nw *Network) start(t *testing.T, d *datadriven.TestData, id int64) {
	nw.zxid[id] = scenario.Int(t, d, "zxid", nw.zxid[id])
	nw.epoch[id] = scenario.Int(t, d, "epoch", nw.epoch[id])
	nw.peers[id].Start(nw.zxid[id], nw.epoch[id])
	nw.collect(id)
}

func (nw *Network) collect(id int64) {
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

func (nw *Network) canTalk(a, b int64) bool {
	if a == b {
		return true
	}
	return nw.group[a] == nw.group[b]
}

// deliver delivers in-flight messages, FIFO, up to max of them (until none
// are left when max <= 0); crashes and the partition decide what is lost.
func (nw *Network) deliver(max int) {
	for steps := 0; len(nw.inflight) > 0 && (max <= 0 || steps < max); steps++ {
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
		n, err := election.DecodeNotification(m.N.Encode())
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

func (nw *Network) status(id int64) {
	s := nw.peers[id].Status()
	fmt.Fprintf(nw.out, "%d: %v round=%s proposal=(leader=%d zxid=%s peerEpoch=%s) vote=%v", id, s.State, scenario.Hex(s.LogicalClock),
		s.Proposal.Leader, scenario.Hex(s.Proposal.Zxid), scenario.Hex(s.Proposal.PeerEpoch), s.CurrentVote)
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
