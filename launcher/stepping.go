package launcher

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkctl/zkctl/launcher/linkproxy"
	"github.com/zkctl/zkctl/launcher/wiremsg"
)

// gate holds messages for stepping and applies message faults. Each
// direction of a connection has at most one message waiting here (the
// proxy writes in order), so the oldest ticket is the oldest held message
// of the whole cluster.
type gate struct {
	mu      sync.Mutex
	held    map[string]bool // kind -> holding
	tickets []*ticket
	rules   []*msgRule
	changed chan struct{} // closed when a ticket arrives
	// busy is set while anything is held or a message fault exists, so
	// that the proxies' fast path costs one atomic load.
	busy atomic.Bool
}

// refresh recomputes busy; call with mu held.
func (g *gate) refresh() {
	held := false
	for _, h := range g.held {
		held = held || h
	}
	g.busy.Store(held || len(g.tickets) > 0 || len(g.rules) > 0)
}

// ticket is one held message.
type ticket struct {
	kind     string
	from, to int
	read     time.Time
	release  chan struct{}
}

// msgRule is one message fault on the direction from -> to.
type msgRule struct {
	kind     string // MsgElection or MsgZab
	from, to int
	act      string        // ActDrop, ActDuplicate or ActDelay
	left     int           // messages left to fault; 0 means no count limit
	until    time.Time     // zero means no time limit
	delay    time.Duration // ActDelay
}

func newGate() *gate { return &gate{held: map[string]bool{}, changed: make(chan struct{})} }

// admit blocks while kind is held until the message's ticket is stepped or
// released; false when done closed first.
func (g *gate) admit(kind string, from, to int, read time.Time, done <-chan struct{}) bool {
	g.mu.Lock()
	if !g.held[kind] {
		g.mu.Unlock()
		return true
	}
	t := &ticket{kind: kind, from: from, to: to, read: read, release: make(chan struct{})}
	g.tickets = append(g.tickets, t)
	g.refresh()
	close(g.changed)
	g.changed = make(chan struct{})
	g.mu.Unlock()
	select {
	case <-t.release:
		return true
	case <-done:
		g.mu.Lock()
		g.tickets = slices.DeleteFunc(g.tickets, func(x *ticket) bool { return x == t })
		g.refresh()
		g.mu.Unlock()
		return false
	}
}

// hold starts holding the messages of kinds.
func (g *gate) hold(kinds ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, k := range kinds {
		g.held[k] = true
	}
	g.refresh()
}

// stepOne releases the oldest held message (on from -> to when both are
// nonzero) and describes it; "" when none is held.
func (g *gate) stepOne(from, to int) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	best := -1
	for i, t := range g.tickets {
		if from != 0 && (t.from != from || t.to != to) {
			continue
		}
		if best < 0 || t.read.Before(g.tickets[best].read) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	t := g.tickets[best]
	g.tickets = slices.Delete(g.tickets, best, best+1)
	g.refresh()
	close(t.release)
	return fmt.Sprintf("%s %d -> %d", t.kind, t.from, t.to)
}

// step releases n held messages one at a time, oldest first, and returns
// what it released. NB: after each release the proxy writes the message
// and only then offers the next one queued on that link, so step gives it
// a moment to do so before choosing the next oldest; otherwise step 5
// would skip over a link's second message in favour of a younger one.
func (g *gate) step(n, from, to int) []string {
	var out []string
	for range n {
		s := g.stepOne(from, to)
		if s == "" {
			g.mu.Lock()
			ch := g.changed
			g.mu.Unlock()
			// Nothing held yet: wait briefly for a message in flight.
			select {
			case <-ch:
				s = g.stepOne(from, to)
			case <-time.After(100 * time.Millisecond):
			}
			if s == "" {
				break
			}
		}
		out = append(out, s)
		time.Sleep(10 * time.Millisecond)
	}
	return out
}

// releaseAll stops holding and lets every held message go.
func (g *gate) releaseAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	clear(g.held)
	for _, t := range g.tickets {
		close(t.release)
	}
	g.tickets = nil
	g.refresh()
}

// holding reports the held kinds and how many messages wait.
func (g *gate) holding() (kinds []string, waiting int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, k := range []string{MsgElection, MsgZab} {
		if g.held[k] {
			kinds = append(kinds, k)
		}
	}
	return kinds, len(g.tickets)
}

// addRule adds a message fault.
func (g *gate) addRule(r *msgRule) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rules = append(g.rules, r)
	g.refresh()
}

// clearRules removes every message fault.
func (g *gate) clearRules() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rules = nil
	g.refresh()
}

// verdict applies the message faults of from -> to to one message. Drop
// and duplicate apply to election notifications only: Zab relies on TCP
// being reliable and in order, so its messages are only delayed or held.
func (g *gate) verdict(kind string, from, to int, ft wiremsg.FrameType) linkproxy.Verdict {
	v := linkproxy.Verdict{Copies: 1}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.rules) == 0 {
		return v
	}
	now := time.Now()
	g.rules = slices.DeleteFunc(g.rules, func(r *msgRule) bool { return !r.until.IsZero() && now.After(r.until) })
	defer g.refresh()
	for _, r := range g.rules {
		if r.kind != kind || r.from != from || r.to != to {
			continue
		}
		switch r.act {
		case ActDrop, ActDuplicate:
			if ft != wiremsg.Notification {
				continue
			}
			if r.act == ActDrop {
				v.Copies = 0
			} else {
				v.Copies = 2
			}
		case ActDelay:
			v.Delay += r.delay
		}
		if r.left > 0 {
			r.left--
			if r.left == 0 {
				r.until = now // expires on the next message
			}
		}
	}
	return v
}

// applyMessages performs hold, step, release and the message faults.
func (l *Launcher) applyMessages(a Action) string {
	g := l.trace.gate
	if a.Messages == "" && (a.Kind == ActDrop || a.Kind == ActDuplicate) {
		a.Messages = MsgElection
	}
	kinds := []string{a.Messages}
	if a.Messages == "all" {
		kinds = []string{MsgElection, MsgZab}
	}
	switch a.Kind {
	case ActHold:
		g.hold(kinds...)
		return fmt.Sprintf("holding %s messages; timeouts keep running", a.Messages)
	case ActStep:
		n := max(a.Count, 1)
		got := g.step(n, a.From, a.To)
		if len(got) == 0 {
			return "no message is held"
		}
		return fmt.Sprintf("released %d: %s", len(got), strings.Join(got, ", "))
	case ActRelease:
		g.releaseAll()
		return "released every held message; holding nothing"
	case ActDrop, ActDuplicate, ActDelay:
		for _, k := range kinds {
			r := &msgRule{kind: k, from: a.From, to: a.To, act: a.Kind, left: a.Count, delay: a.Delay}
			if a.For > 0 {
				r.until = time.Now().Add(a.For)
			}
			g.addRule(r)
		}
	}
	return ""
}

// validateMessageAction checks hold, step, release and the message faults.
func (l *Launcher) validateMessageAction(a Action, bad func(string, ...any) error, known func(int) error) error {
	link := func() error {
		if a.From == a.To {
			return bad("from and to are both %d", a.From)
		}
		if err := known(a.From); err != nil {
			return err
		}
		return known(a.To)
	}
	kind := func(allowed ...string) error {
		if !slices.Contains(allowed, a.Messages) {
			return bad("messages %q: want %s", a.Messages, strings.Join(allowed, ", "))
		}
		return nil
	}
	switch a.Kind {
	case ActHold:
		return kind(MsgElection, MsgZab, "all")
	case ActRelease:
		return nil
	case ActStep:
		if a.Count < 0 || a.Count > 10000 {
			return bad("count %d: want 1..10000", a.Count)
		}
		if a.From == 0 && a.To == 0 {
			return nil
		}
		return link()
	case ActDrop, ActDuplicate:
		if a.Messages == "" {
			a.Messages = MsgElection
		}
		if err := kind(MsgElection); err != nil {
			return fmt.Errorf("%w (Zab connections stay reliable and in order: delay or hold them instead)", err)
		}
		if a.Count < 0 || a.For < 0 {
			return bad("count %d for %v: want >= 0", a.Count, a.For)
		}
		return link()
	case ActDelay:
		if err := kind(MsgElection, MsgZab, "all"); err != nil {
			return err
		}
		if a.Delay <= 0 || a.Delay > time.Minute {
			return bad("delay %v: want 0 < delay <= 1m", a.Delay)
		}
		return link()
	}
	return nil
}
