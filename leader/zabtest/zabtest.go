// Package zabtest connects one leader state machine and N learner state
// machines through an in-memory network with fake storage, so Zab scenarios
// run deterministically: every step is a delivered packet or a tick, and
// everything the machines ask for is recorded in a transcript.
package zabtest

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/zkctl/zkctl/internal/scenario"
	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
)

// Node is one server: its durable state, its database and its role machine.
type Node struct {
	// ID is the sid.
	ID int64
	// Observer marks a non-voting member.
	Observer bool
	// AcceptedEpoch and CurrentEpoch are the epoch files.
	AcceptedEpoch, CurrentEpoch int64
	// Durable is what recovery would find: snapshot plus txn log.
	Durable []leader.Proposal
	// DB is the in-memory database: applied txns in order.
	DB []leader.Proposal
	// LastProcessed is the DataTree's lastProcessedZxid.
	LastProcessed int64
	// NoDiskLog makes LogSince return nil (the on-disk log cannot serve).
	NoDiskLog bool
	// SnapBytes and LogBytes are the sizes History reports: the newest
	// snapshot's and the log files' after the first one LogSince reads.
	SnapBytes, LogBytes int64
	// Window bounds the committed log (ZooKeeper's 500).
	Window int

	// Leader or Learner is set while the node leads or follows.
	Leader  *leader.Leader
	Learner *leader.Learner
	// Up is false after a crash.
	Up bool
	// Synced counts SYNC replies received.
	Synced int
}

// LastProcessedZxid implements leader.History.
func (n *Node) LastProcessedZxid() int64 { return n.LastProcessed }

// CommittedLog implements leader.History: the newest Window applied txns.
func (n *Node) CommittedLog() []leader.Proposal {
	from := max(0, len(n.DB)-n.Window)
	return slices.Clone(n.DB[from:])
}

// LogSince implements leader.History over the durable log, as one log file
// followed by files of LogBytes in all.
func (n *Node) LogSince(peer, _ int64) leader.DiskLog {
	if n.NoDiskLog || len(n.Durable) == 0 || n.Durable[0].Zxid > peer {
		return leader.DiskLog{StorageBytes: n.LogBytes}
	}
	return leader.DiskLog{Proposals: slices.Clone(n.Durable), StorageBytes: n.LogBytes}
}

// SnapshotBytes implements leader.History.
func (n *Node) SnapshotBytes() int64 { return n.SnapBytes }

func (n *Node) lastLogged() int64 {
	if len(n.Durable) == 0 {
		return 0
	}
	return n.Durable[len(n.Durable)-1].Zxid
}

// envelope is an in-flight packet; a SNAP carries the sender's database.
type envelope struct {
	from, to int64
	pkt      jute.QuorumPacket
	snap     []leader.Proposal
}

// Cluster is the harness. All output goes to Out.
type Cluster struct {
	Nodes     map[int64]*Node
	Voters    []int64
	InitLimit int
	SyncLimit int
	// LeaderID is the sid of the current leader, 0 when none.
	LeaderID int64
	inflight []envelope
	cut      map[int64]bool
	out      strings.Builder
	cxid     int32
}

type logger struct {
	c *Cluster
}

func (l logger) Logf(format string, args ...any) {}
func (l logger) Warnf(format string, args ...any) {
	fmt.Fprintf(&l.c.out, "  warn: %s\n", fmt.Sprintf(format, args...))
}

// New returns a cluster of voters and observers with empty histories.
func New(voters, observers []int64, initLimit, syncLimit int) *Cluster {
	c := &Cluster{Nodes: map[int64]*Node{}, Voters: voters, InitLimit: initLimit, SyncLimit: syncLimit, cut: map[int64]bool{}}
	for _, id := range voters {
		c.Nodes[id] = &Node{ID: id, Window: 500, Up: true}
	}
	for _, id := range observers {
		c.Nodes[id] = &Node{ID: id, Observer: true, Window: 500, Up: true}
	}
	return c
}

// Txn builds a real encoded txn (setData) for zxid.
func Txn(zxid int64) leader.Proposal {
	t := jute.Txn{
		Hdr:  jute.TxnHeader{ClientID: 0x100, Cxid: int32(jute.CounterOf(zxid)), Zxid: zxid, Type: jute.OpSetData},
		Body: &jute.SetDataTxn{Path: "/x", Data: fmt.Appendf(nil, "%x", zxid), Version: int32(jute.CounterOf(zxid))},
	}
	return leader.Proposal{Zxid: zxid, Data: jute.Encode(&t)}
}

// AddHistory gives a node logged and applied txns epoch:from..to and raises
// its epochs to at least that epoch.
func (c *Cluster) AddHistory(id, epoch, from, to int64) {
	n := c.Nodes[id]
	for k := from; k <= to; k++ {
		p := Txn(jute.MakeZxid(epoch, k))
		n.Durable = append(n.Durable, p)
		n.DB = append(n.DB, p)
		n.LastProcessed = p.Zxid
	}
	n.AcceptedEpoch = max(n.AcceptedEpoch, epoch)
	n.CurrentEpoch = max(n.CurrentEpoch, epoch)
}

func (c *Cluster) ids() []int64 {
	ids := make([]int64, 0, len(c.Nodes))
	for id := range c.Nodes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Elect makes id the leader and every other up node its learner.
func (c *Cluster) Elect(id int64) error {
	n := c.Nodes[id]
	l, err := leader.New(leader.Config{
		ID: id, Voters: c.Voters, AcceptedEpoch: n.AcceptedEpoch, CurrentEpoch: n.CurrentEpoch,
		History: n, InitLimit: c.InitLimit, SyncLimit: c.SyncLimit, NewLeaderData: []byte("version=0"),
		SnapshotSizeFactor: leader.DefaultSnapshotSizeFactor, Logger: logger{c},
	})
	if err != nil {
		return err
	}
	n.Leader, n.Learner = l, nil
	c.LeaderID = id
	fmt.Fprintf(&c.out, "%d: LEADING\n", id)
	for _, o := range c.ids() {
		if o != id && c.Nodes[o].Up {
			if err := c.Join(o); err != nil {
				return err
			}
		}
	}
	c.process()
	return nil
}

// Join connects node id to the current leader as a learner.
func (c *Cluster) Join(id int64) error {
	n := c.Nodes[id]
	ld := c.Nodes[c.LeaderID]
	if ld == nil || ld.Leader == nil {
		return fmt.Errorf("no leader")
	}
	lr, err := leader.NewLearner(leader.LearnerConfig{
		ID: id, Observer: n.Observer, AcceptedEpoch: n.AcceptedEpoch, CurrentEpoch: n.CurrentEpoch,
		LastLoggedZxid: n.lastLogged(), InitLimit: c.InitLimit, SyncLimit: c.SyncLimit, Logger: logger{c},
	})
	if err != nil {
		return err
	}
	n.Learner, n.Leader = lr, nil
	role := "FOLLOWING"
	if n.Observer {
		role = "OBSERVING"
	}
	fmt.Fprintf(&c.out, "%d: %s %d\n", id, role, c.LeaderID)
	ld.Leader.Connect(id)
	c.process()
	return nil
}

// Crash stops a node: in-flight packets to and from it are lost, its
// connection closes, its memory is rebuilt from its durable state.
func (c *Cluster) Crash(id int64) {
	n := c.Nodes[id]
	n.Up = false
	n.Learner, n.Leader = nil, nil
	n.DB = slices.Clone(n.Durable)
	n.LastProcessed = n.lastLogged()
	c.inflight = slices.DeleteFunc(c.inflight, func(e envelope) bool { return e.from == id || e.to == id })
	if ld := c.Nodes[c.LeaderID]; id != c.LeaderID && ld != nil && ld.Leader != nil {
		ld.Leader.Disconnect(id)
	}
	if id == c.LeaderID {
		c.LeaderID = 0
	}
	fmt.Fprintf(&c.out, "%d: crashed\n", id)
	c.process()
}

// Restart brings a crashed node back and joins it to the leader.
func (c *Cluster) Restart(id int64) error {
	c.Nodes[id].Up = true
	return c.Join(id)
}

// Cut drops every packet to and from id until Heal (connections stay open).
func (c *Cluster) Cut(id int64) {
	c.cut[id] = true
	c.inflight = slices.DeleteFunc(c.inflight, func(e envelope) bool { return e.from == id || e.to == id })
}

// Heal removes every cut.
func (c *Cluster) Heal() { c.cut = map[int64]bool{} }

// Propose has the leader prep and propose k local writes.
func (c *Cluster) Propose(k int) error {
	ld := c.Nodes[c.LeaderID]
	if ld == nil || ld.Leader == nil {
		return fmt.Errorf("no leader")
	}
	for range k {
		if err := ld.Leader.Propose(Txn(ld.Leader.Status().LastProposed + 1)); err != nil {
			return err
		}
	}
	c.process()
	return nil
}

// Forward has learner id forward a client request of type op.
func (c *Cluster) Forward(id int64, op jute.Op) error {
	c.cxid++
	n := c.Nodes[id]
	if n.Learner == nil {
		return fmt.Errorf("%d is not a learner", id)
	}
	if err := n.Learner.Forward(leader.Request{SessionID: 0x5000 + id, Cxid: c.cxid, Type: op, Data: []byte("/x")}); err != nil {
		return err
	}
	c.process()
	return nil
}

// Tick ticks every running state machine k times.
func (c *Cluster) Tick(k int) {
	for range k {
		for _, id := range c.ids() {
			n := c.Nodes[id]
			if n.Leader != nil {
				n.Leader.Tick()
			}
			if n.Learner != nil {
				n.Learner.Tick()
			}
		}
		c.process()
	}
}

// Deliver delivers up to max in-flight packets (all if max <= 0), in order,
// processing the outputs after each; it returns how many were delivered.
func (c *Cluster) Deliver(max int) int {
	done := 0
	for len(c.inflight) > 0 && (max <= 0 || done < max) {
		e := c.inflight[0]
		c.inflight = c.inflight[1:]
		done++
		n := c.Nodes[e.to]
		switch {
		case n.Leader != nil && e.to == c.LeaderID:
			_ = n.Leader.Step(e.from, e.pkt)
		case n.Learner != nil && e.from == c.LeaderID:
			if e.pkt.Type == jute.PacketSnap {
				n.DB = slices.Clone(e.snap)
				n.LastProcessed = e.pkt.Zxid
			}
			_ = n.Learner.Step(e.pkt)
		}
		c.process()
	}
	return done
}

// Stabilize delivers until nothing is in flight (bounded).
func (c *Cluster) Stabilize() {
	for i := 0; i < 100 && c.Deliver(0) > 0; i++ {
	}
}

func (c *Cluster) enqueue(from, to int64, p jute.QuorumPacket, snap []leader.Proposal) {
	if c.cut[from] || c.cut[to] {
		return
	}
	c.inflight = append(c.inflight, envelope{from: from, to: to, pkt: p, snap: snap})
}

// process carries out every Ready, in sid order, until none is left.
func (c *Cluster) process() {
	for i := 0; i < 100; i++ {
		busy := false
		for _, id := range c.ids() {
			n := c.Nodes[id]
			if n.Leader != nil && n.Leader.HasReady() {
				busy = true
				c.leaderReady(n)
			}
			if n.Learner != nil && n.Learner.HasReady() {
				busy = true
				c.learnerReady(n)
			}
		}
		if !busy {
			return
		}
	}
}

// zx renders a zxid in hex; a negative one is a sentinel (-1: none yet) and
// stays decimal, as the Zab transcripts have always shown it.
func zx(z int64) string {
	if z < 0 {
		return strconv.FormatInt(z, 10)
	}
	return scenario.Hex(z)
}

func (c *Cluster) epochs(n *leader.Epochs, nd *Node) {
	if n == nil {
		return
	}
	if n.AcceptedEpoch >= 0 {
		nd.AcceptedEpoch = n.AcceptedEpoch
		fmt.Fprintf(&c.out, "%d: persist acceptedEpoch=%d\n", nd.ID, n.AcceptedEpoch)
	}
	if n.CurrentEpoch >= 0 {
		nd.CurrentEpoch = n.CurrentEpoch
		fmt.Fprintf(&c.out, "%d: persist currentEpoch=%d\n", nd.ID, n.CurrentEpoch)
	}
}

func zxids(ps []leader.Proposal) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = zx(p.Zxid)
	}
	return strings.Join(s, ",")
}

func pkt(p jute.QuorumPacket) string {
	s := fmt.Sprintf("%v %s", p.Type, zx(p.Zxid))
	switch p.Type {
	case jute.PacketPing:
		if t, err := leader.DecodePing(p.Data); err == nil && len(t) > 0 {
			s += fmt.Sprintf(" sessions=%d", len(t))
		}
	case jute.PacketRequest:
		if r, err := leader.DecodeRequest(p.Data); err == nil {
			s += fmt.Sprintf(" %v session=0x%x", r.Type, r.SessionID)
		}
	}
	return s
}

func (c *Cluster) leaderReady(n *Node) {
	rd := n.Leader.Ready()
	n.Leader.Advance()
	c.epochs(rd.Epochs, n)
	if len(rd.ToLog) > 0 {
		n.Durable = append(n.Durable, rd.ToLog...)
		fmt.Fprintf(&c.out, "%d: log %s\n", n.ID, zxids(rd.ToLog))
		// The leader's fsync completes at once in the harness.
		defer n.Leader.Logged(rd.ToLog[len(rd.ToLog)-1].Zxid)
	}
	for _, m := range rd.Messages {
		if m.Packet.Type == jute.PacketPing {
			c.enqueue(n.ID, m.To, m.Packet, nil)
			continue
		}
		fmt.Fprintf(&c.out, "%d->%d %s\n", n.ID, m.To, pkt(m.Packet))
		var snap []leader.Proposal
		if m.Packet.Type == jute.PacketSnap {
			snap = slices.Clone(n.DB)
		}
		c.enqueue(n.ID, m.To, m.Packet, snap)
	}
	if len(rd.Committed) > 0 {
		n.DB = append(n.DB, rd.Committed...)
		n.LastProcessed = rd.Committed[len(rd.Committed)-1].Zxid
		fmt.Fprintf(&c.out, "%d: apply %s\n", n.ID, zxids(rd.Committed))
	}
	for _, r := range rd.Requests {
		fmt.Fprintf(&c.out, "%d: prep request from %d: %v\n", n.ID, r.Sid, r.Request)
		if err := n.Leader.Propose(Txn(n.Leader.Status().LastProposed + 1)); err != nil {
			fmt.Fprintf(&c.out, "%d: propose: %v\n", n.ID, err)
		}
	}
	for _, t := range rd.Touches {
		fmt.Fprintf(&c.out, "%d: touch session 0x%x from %d\n", n.ID, t.SessionID, t.Sid)
	}
	for _, conn := range rd.Close {
		fmt.Fprintf(&c.out, "%d: close conn %d\n", n.ID, conn)
		c.inflight = slices.DeleteFunc(c.inflight, func(e envelope) bool { return e.from == conn || e.to == conn })
		if ln := c.Nodes[conn]; ln != nil && ln.Learner != nil {
			ln.Learner.ConnectionLost(fmt.Errorf("closed by the leader"))
		}
	}
	if rd.Serving {
		n.LastProcessed = max(n.LastProcessed, jute.MakeZxid(rd.Epoch, 0))
		fmt.Fprintf(&c.out, "%d: serving epoch=%d\n", n.ID, rd.Epoch)
	}
	if rd.StepDown != nil {
		fmt.Fprintf(&c.out, "%d: LOOKING (%v)\n", n.ID, rd.StepDown)
		n.Leader = nil
		c.LeaderID = 0
	}
}

func (c *Cluster) learnerReady(n *Node) {
	rd := n.Learner.Ready()
	n.Learner.Advance()
	if rd.Truncate != nil {
		z := *rd.Truncate
		n.Durable = slices.DeleteFunc(n.Durable, func(p leader.Proposal) bool { return p.Zxid > z })
		n.DB = slices.Clone(n.Durable)
		n.LastProcessed = z
		fmt.Fprintf(&c.out, "%d: truncate log after %s\n", n.ID, zx(z))
	}
	if len(rd.SyncApply) > 0 {
		n.DB = append(n.DB, rd.SyncApply...)
		n.LastProcessed = rd.SyncApply[len(rd.SyncApply)-1].Zxid
		fmt.Fprintf(&c.out, "%d: apply in memory %s\n", n.ID, zxids(rd.SyncApply))
	}
	if rd.TakeSnapshot != nil {
		n.Durable = slices.Clone(n.DB)
		fmt.Fprintf(&c.out, "%d: snapshot at %s sync=%v\n", n.ID, zx(n.LastProcessed), rd.TakeSnapshot.Sync)
	}
	if len(rd.ToLog) > 0 {
		n.Durable = append(n.Durable, rd.ToLog...)
		fmt.Fprintf(&c.out, "%d: log %s\n", n.ID, zxids(rd.ToLog))
	}
	c.epochs(rd.Epochs, n)
	for _, m := range rd.Messages {
		if m.Type != jute.PacketPing {
			fmt.Fprintf(&c.out, "%d->%d %s\n", n.ID, c.LeaderID, pkt(m))
		}
		c.enqueue(n.ID, c.LeaderID, m, nil)
	}
	if len(rd.Apply) > 0 {
		n.DB = append(n.DB, rd.Apply...)
		n.LastProcessed = rd.Apply[len(rd.Apply)-1].Zxid
		fmt.Fprintf(&c.out, "%d: apply %s\n", n.ID, zxids(rd.Apply))
	}
	if rd.Synced > 0 {
		n.Synced += rd.Synced
		fmt.Fprintf(&c.out, "%d: sync done x%d\n", n.ID, rd.Synced)
	}
	if rd.Serving {
		fmt.Fprintf(&c.out, "%d: serving epoch=%d\n", n.ID, rd.Epoch)
	}
	if rd.LeaderLost != nil {
		fmt.Fprintf(&c.out, "%d: LOOKING (%v)\n", n.ID, rd.LeaderLost)
		n.Learner = nil
		if ld := c.Nodes[c.LeaderID]; ld != nil && ld.Leader != nil {
			ld.Leader.Disconnect(n.ID)
		}
	}
}

// Touch records session activity on learner id.
func (c *Cluster) Touch(id, session int64) {
	if n := c.Nodes[id]; n.Learner != nil {
		n.Learner.Touch(session, 4000)
	}
}

// Output returns and clears the transcript so far.
func (c *Cluster) Output() string {
	s := c.out.String()
	c.out.Reset()
	return s
}

// Status renders every node and, on the leader, every learner row.
func (c *Cluster) Status() string {
	var b strings.Builder
	for _, id := range c.ids() {
		n := c.Nodes[id]
		role := "LOOKING"
		switch {
		case !n.Up:
			role = "DOWN"
		case n.Leader != nil:
			role = "LEADING/" + n.Leader.Phase().String()
		case n.Learner != nil:
			role = "LEARNING/" + n.Learner.Phase()
		}
		fmt.Fprintf(&b, "%d %s accepted=%d current=%d logged=%s applied=%s\n", id, role, n.AcceptedEpoch, n.CurrentEpoch, zx(n.lastLogged()), zx(n.LastProcessed))
		if n.Leader != nil {
			for _, r := range n.Leader.Status().Learners {
				role, mode := "follower", ""
				if r.Observer {
					role = "observer"
				}
				if r.SyncMode != leader.SyncNone {
					mode = r.SyncMode.String()
				}
				fmt.Fprintf(&b, "  learner %d %s %s mode=%s packets=%d acked=%s synced=%v\n", r.ID, role, strings.ToLower(r.Phase.String()), mode, r.PacketsTotal, zx(r.AckedZxid), r.Synced)
			}
		}
	}
	return b.String()
}

// Check verifies that the database of every node that leads or follows is
// a prefix of the longest one, that durable logs are strictly ascending, and
// returns the problems. LOOKING and crashed nodes may hold uncommitted txns
// and are skipped.
func (c *Cluster) Check() string {
	active := func(n *Node) bool { return n.Up && (n.Leader != nil || n.Learner != nil) }
	var longest []leader.Proposal
	for _, id := range c.ids() {
		if n := c.Nodes[id]; active(n) && len(n.DB) > len(longest) {
			longest = n.DB
		}
	}
	var bad []string
	for _, id := range c.ids() {
		n := c.Nodes[id]
		if !active(n) {
			continue
		}
		for i, p := range n.DB {
			if p.Zxid != longest[i].Zxid || string(p.Data) != string(longest[i].Data) {
				bad = append(bad, fmt.Sprintf("%d: db[%d]=%s diverges from %s", id, i, zx(p.Zxid), zx(longest[i].Zxid)))
				break
			}
		}
		if !sort.SliceIsSorted(n.Durable, func(i, j int) bool { return n.Durable[i].Zxid < n.Durable[j].Zxid }) {
			bad = append(bad, fmt.Sprintf("%d: durable log out of order", id))
		}
		for i := 1; i < len(n.Durable); i++ {
			if n.Durable[i].Zxid == n.Durable[i-1].Zxid {
				bad = append(bad, fmt.Sprintf("%d: durable log repeats %s", id, zx(n.Durable[i].Zxid)))
			}
		}
	}
	if len(bad) == 0 {
		return fmt.Sprintf("ok: %d txns on the longest database\n", len(longest))
	}
	return strings.Join(bad, "\n") + "\n"
}
