package leader

import (
	"math/rand"
	"reflect"
	"slices"
	"testing"
	"testing/quick"

	"github.com/zkctl/zkctl/jute"
)

// syncCase is a random leader history plus a learner log that is a prefix of
// it, optionally with a tail of txns the leader never had (only possible
// after the leader's last txn of that epoch), or an epoch-start zxid.
type syncCase struct {
	History    []int64 // the leader's txns, ascending
	L          int64
	CommitFrom int // committed log = History[CommitFrom:]
	DiskFrom   int // on-disk log = History[DiskFrom:DiskTo], or nil if DiskFrom < 0
	DiskTo     int
	Peer       int64
	PeerLog    []int64
}

// Generate implements quick.Generator.
func (syncCase) Generate(r *rand.Rand, _ int) reflect.Value {
	var c syncCase
	epochs := 1 + r.Intn(3)
	for e := int64(1); e <= int64(epochs); e++ {
		n := r.Intn(5)
		for i := int64(1); i <= int64(n); i++ {
			c.History = append(c.History, jute.MakeZxid(e, i))
		}
	}
	c.L = 0
	if len(c.History) > 0 {
		c.L = c.History[len(c.History)-1]
	}
	if r.Intn(4) == 0 { // a new leader that has proposed nothing yet
		c.L = jute.MakeZxid(int64(epochs)+1, 0)
	}
	c.CommitFrom = r.Intn(len(c.History) + 1)
	c.DiskFrom = -1
	if r.Intn(2) == 0 {
		c.DiskFrom = r.Intn(len(c.History) + 1)
		c.DiskTo = c.DiskFrom + r.Intn(len(c.History)-c.DiskFrom+1)
	}
	cut := r.Intn(len(c.History) + 1)
	c.PeerLog = slices.Clone(c.History[:cut])
	c.Peer = 0
	if cut > 0 {
		c.Peer = c.History[cut-1]
	}
	switch r.Intn(3) {
	case 0: // a tail of txns the leader never had, past its last txn of that epoch
		if cut > 0 && (cut == len(c.History) || jute.EpochOf(c.History[cut]) != jute.EpochOf(c.Peer)) {
			for k := 0; k < 1+r.Intn(3); k++ {
				c.Peer++
				c.PeerLog = append(c.PeerLog, c.Peer)
			}
		}
	case 1: // synced by SNAP to the start of an epoch the leader knows
		e := 1 + r.Int63n(jute.EpochOf(c.L)+1)
		start := jute.MakeZxid(e, 0)
		if start <= c.L {
			c.Peer = start
			c.PeerLog = nil
			for _, x := range c.History {
				if x < start {
					c.PeerLog = append(c.PeerLog, x)
				}
			}
		}
	}
	return reflect.ValueOf(c)
}

func (c syncCase) input() SyncInput {
	in := SyncInput{PeerLastZxid: c.Peer, LastProcessed: c.L, Committed: props(c.History[c.CommitFrom:]...)}
	if c.DiskFrom >= 0 {
		in.DiskLog = props(c.History[c.DiskFrom:c.DiskTo]...)
		if in.DiskLog == nil {
			in.DiskLog = []Proposal{}
		}
	}
	return in
}

// applyPlan is the dumb learner: it applies the plan's packets to its log.
func applyPlan(t *testing.T, log []int64, p SyncPlan, history []int64) []int64 {
	for i, q := range p.Packets {
		switch q.Type {
		case jute.PacketSnap:
			log = nil
			for _, x := range history {
				if x <= q.Zxid {
					log = append(log, x)
				}
			}
		case jute.PacketTrunc:
			if i != 0 {
				t.Fatalf("TRUNC at position %d", i)
			}
			log = slices.DeleteFunc(log, func(x int64) bool { return x > q.Zxid })
		case jute.PacketDiff:
			if i != 0 {
				t.Fatalf("DIFF at position %d", i)
			}
		case jute.PacketProposal:
			if len(log) > 0 && log[len(log)-1] >= q.Zxid {
				t.Fatalf("proposal 0x%x not after learner's last 0x%x", q.Zxid, log[len(log)-1])
			}
			log = append(log, q.Zxid)
			if i+1 >= len(p.Packets) || p.Packets[i+1].Type != jute.PacketCommit || p.Packets[i+1].Zxid != q.Zxid {
				t.Fatalf("proposal 0x%x not followed by its commit", q.Zxid)
			}
		case jute.PacketCommit:
		default:
			t.Fatalf("unexpected packet %v", q.Type)
		}
	}
	return log
}

// TestDecideSync_LearnerEndsWithLeaderHistory checks, against a dumb learner
// that executes the plan, that any learner ends up holding exactly the
// leader's history up to the sync point, and that the sync point covers all
// the leader has processed except what startForwarding will send.
func TestDecideSync_LearnerEndsWithLeaderHistory(t *testing.T) {
	f := func(c syncCase) bool {
		plan := DecideSync(c.input())
		got := applyPlan(t, slices.Clone(c.PeerLog), plan, c.History)
		var want []int64
		for _, x := range c.History {
			if x <= plan.SyncPoint {
				want = append(want, x)
			}
		}
		if !slices.Equal(got, want) {
			t.Logf("case %+v\nplan %s\nlearner %x\nwant %x", c, planString(plan), got, want)
			return false
		}
		if plan.SyncPoint > c.L {
			t.Logf("sync point 0x%x beyond L 0x%x: %+v", plan.SyncPoint, c.L, c)
			return false
		}
		// Whatever is left between the sync point and L must be in the
		// history the leader still has in memory (so startForwarding or the
		// snapshot covers it): only SNAP may skip the committed log.
		if plan.Mode != SyncSnap && len(c.History) > 0 && plan.SyncPoint < c.History[len(c.History)-1] {
			t.Logf("non-SNAP plan stops at 0x%x before the leader's last txn: %+v %s", plan.SyncPoint, c, planString(plan))
			return false
		}
		return true
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 5000}); err != nil {
		t.Fatal(err)
	}
}

// dumbMode is the mode a learner that is a clean prefix of the leader's
// committed log must get: DIFF when it is L or inside the committed log
// (the newest 500 proposals), SNAP when it is older and no log helps.
func dumbMode(c syncCase) (SyncMode, bool) {
	if c.Peer == c.L {
		return SyncDiff, true
	}
	tailed := len(c.PeerLog) > 0 && !slices.Contains(c.History, c.PeerLog[len(c.PeerLog)-1])
	if tailed || c.DiskFrom >= 0 || c.CommitFrom >= len(c.History) {
		return SyncNone, false
	}
	if jute.CounterOf(c.Peer) == 0 {
		return SyncNone, false
	}
	if slices.Contains(c.History[c.CommitFrom:], c.Peer) {
		return SyncDiff, true
	}
	if c.Peer < c.History[c.CommitFrom] {
		return SyncSnap, true
	}
	return SyncNone, false
}

// TestDecideSync_ModeMatchesDumbVersion compares the mode with dumbMode on
// the cases dumbMode understands.
func TestDecideSync_ModeMatchesDumbVersion(t *testing.T) {
	checked := 0
	f := func(c syncCase) bool {
		want, ok := dumbMode(c)
		if !ok {
			return true
		}
		checked++
		got := DecideSync(c.input()).Mode
		if got != want {
			t.Logf("case %+v: got %v want %v", c, got, want)
		}
		return got == want
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 5000}); err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("only %d cases checked", checked)
	}
}
