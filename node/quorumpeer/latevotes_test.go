package quorumpeer

import (
	"testing"

	"github.com/zkctl/zkctl/election"
)

func TestLateVotes_KeepsNewestLookingPerSender(t *testing.T) {
	var v lateVotes
	v.keep(election.Notification{Sid: 3, State: election.Looking, Leader: 3, ElectionEpoch: 5})
	v.keep(election.Notification{Sid: 3, State: election.Looking, Leader: 3, ElectionEpoch: 4}) // older round: dropped
	v.keep(election.Notification{Sid: 2, State: election.Following, Leader: 1, ElectionEpoch: 6})
	v.keep(election.Notification{Sid: 1, State: election.Looking, Leader: 1, ElectionEpoch: 3})
	got := v.take(5)
	if len(got) != 1 || got[0].Sid != 3 || got[0].ElectionEpoch != 5 {
		t.Fatalf("take(5) = %v, want only sid 3's round-5 LOOKING notification", got)
	}
	if again := v.take(0); len(again) != 0 {
		t.Fatalf("take forgets what it returned, got %v", again)
	}
}

// sentTo returns the notifications e asks to send to sid and advances it.
func sentTo(e *election.Election, sid int64) []election.Notification {
	if !e.HasReady() {
		return nil
	}
	rd := e.Ready()
	e.Advance()
	var out []election.Notification
	for _, m := range rd.Messages {
		if m.To == sid {
			out = append(out, m.N)
		}
	}
	return out
}

// Leader 2 of {1,2,3} dies; server 3 (the newer zxid) goes LOOKING first and
// its notification reaches server 1 while 1 still follows. FLE answers it
// but does not keep it; the replay at server 1's Start makes it adopt 3's
// vote and tell 3 at once, instead of proposing itself and waiting for a
// notification timeout. Reference: FastLeaderElection.WorkerReceiver.
func TestLateVotes_ReplayAfterStartAdoptsTheBetterVote(t *testing.T) {
	voters := []int64{1, 2, 3}
	mk := func(id int64) *election.Election {
		e, err := election.New(election.DefaultConfig(id, voters, "version=0"))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e1, e3 := mk(1), mk(3)
	for _, e := range []*election.Election{e1, e3} {
		e.Start(0x100000000, 1)
		sentTo(e, 0)
		if err := e.SetState(election.Following); err != nil {
			t.Fatal(err)
		}
	}
	e3.Start(0x400000000, 4)
	var n31 *election.Notification
	for _, n := range sentTo(e3, 1) {
		n.Sid = 3
		n31 = &n
	}
	if n31 == nil || n31.State != election.Looking {
		t.Fatalf("server 3 sent %v to server 1, want a LOOKING notification", n31)
	}
	for _, replay := range []bool{false, true} {
		e1 := e1
		if replay {
			e1 = mk(1)
			e1.Start(0x100000000, 1)
			sentTo(e1, 0)
			_ = e1.SetState(election.Following)
		}
		var late lateVotes
		late.keep(*n31)
		_ = e1.Step(*n31) // answered with the old FOLLOWING vote, not kept
		sentTo(e1, 3)
		e1.Start(0x300000000, 4)
		if replay {
			for _, n := range late.take(e1.LogicalClock()) {
				if err := e1.Step(n); err != nil {
					t.Fatal(err)
				}
			}
		}
		leaders := map[int64]bool{}
		for _, n := range sentTo(e1, 3) {
			leaders[n.Leader] = true
		}
		if replay && !leaders[3] {
			t.Errorf("with the replay, server 1 told server 3 %v, want a vote for 3", leaders)
		}
		if !replay && leaders[3] {
			t.Errorf("without the replay server 1 already votes for 3 (%v): the test no longer shows the race", leaders)
		}
	}
}
