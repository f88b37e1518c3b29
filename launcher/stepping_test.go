package launcher

import (
	"testing"
	"time"

	"github.com/zkctl/zkctl/launcher/wiremsg"
)

// Held messages are stepped oldest first across links, or on one link.
func TestGate_StepOldestFirstAndByLink(t *testing.T) {
	g := newGate()
	g.hold(MsgElection)
	done := make(chan struct{})
	defer close(done)
	base := time.Now()
	got := make(chan int, 3)
	for i, link := range [][2]int{{1, 2}, {2, 3}, {3, 1}} {
		go func() {
			if g.admit(MsgElection, link[0], link[1], base.Add(time.Duration(3-i)*time.Millisecond), done) {
				got <- link[0]
			}
		}()
	}
	for {
		if _, n := g.holding(); n == 3 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if !g.admit(MsgZab, 1, 2, base, done) {
		t.Fatal("zab is not held, yet admit waited")
	}
	if s := g.step(1, 1, 2); len(s) != 1 || s[0] != "election 1 -> 2" {
		t.Fatalf("step 1 -> 2 released %v", s)
	}
	if from := <-got; from != 1 {
		t.Fatalf("released the message from %d", from)
	}
	// Of 2->3 (read at +2ms) and 3->1 (+1ms), 3->1 arrived first.
	if s := g.step(1, 0, 0); len(s) != 1 || s[0] != "election 3 -> 1" {
		t.Fatalf("step released %v", s)
	}
	g.releaseAll()
	<-got
	<-got
	if k, n := g.holding(); len(k) != 0 || n != 0 {
		t.Fatalf("after release: holding %v, %d waiting", k, n)
	}
	if s := g.step(2, 0, 0); len(s) != 0 {
		t.Fatalf("step with nothing held released %v", s)
	}
}

// Drop and duplicate touch election notifications only; count limits them.
func TestGate_MessageFaults(t *testing.T) {
	g := newGate()
	g.addRule(&msgRule{kind: MsgElection, from: 1, to: 2, act: ActDrop, left: 2})
	g.addRule(&msgRule{kind: MsgElection, from: 2, to: 1, act: ActDuplicate})
	g.addRule(&msgRule{kind: MsgZab, from: 1, to: 2, act: ActDelay, delay: 300 * time.Millisecond})
	copies := func(kind string, from, to int, ft wiremsg.FrameType) int { return g.verdict(kind, from, to, ft).Copies }
	if copies(MsgElection, 1, 2, wiremsg.Notification) != 0 || copies(MsgElection, 1, 2, wiremsg.Notification) != 0 {
		t.Fatal("the first two notifications 1 -> 2 were not dropped")
	}
	if copies(MsgElection, 1, 2, wiremsg.Notification) != 1 {
		t.Fatal("count 2 dropped a third notification")
	}
	if copies(MsgElection, 2, 1, wiremsg.Notification) != 2 || copies(MsgElection, 1, 3, wiremsg.Notification) != 1 {
		t.Fatal("duplicate 2 -> 1 wrong")
	}
	if v := g.verdict(MsgZab, 1, 2, wiremsg.Packet); v.Copies != 1 || v.Delay != 300*time.Millisecond {
		t.Fatalf("zab verdict %+v", v)
	}
	g.clearRules()
	if v := g.verdict(MsgZab, 1, 2, wiremsg.Packet); v.Delay != 0 {
		t.Fatalf("after heal %+v", v)
	}
}
