package chaos

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/zkctl/zkctl/launcher"
)

// Message statements (docs/trace.md): stepping through held messages and
// message faults, applied by the launcher's link proxies to whole messages.

// HoldStmt is `hold election|zab|all`: the proxies queue messages of that
// kind instead of forwarding them.
type HoldStmt struct {
	At   Pos
	Kind string // election, zab or all
}

// StepStmt is `step [N]` or `step A -> B`: release held messages, oldest first.
type StepStmt struct {
	At Pos
	N  int
	// From and To, when set, restrict the step to one link.
	From, To *Target
}

// ReleaseStmt is `release`: forward every held message and stop holding.
type ReleaseStmt struct{ At Pos }

// MsgFaultStmt is `drop notifications A -> B [count N | for D]`,
// `duplicate notifications A -> B [count N | for D]` or
// `delay election|zab|all A -> B D`.
type MsgFaultStmt struct {
	At       Pos
	Verb     string // drop, duplicate or delay
	Kind     string // notifications (drop, duplicate), or election, zab, all (delay)
	From, To Target
	Count    int
	For      time.Duration
	Delay    time.Duration
}

// Position implements Stmt.
func (s *HoldStmt) Position() Pos { return s.At }

// Position implements Stmt.
func (s *StepStmt) Position() Pos { return s.At }

// Position implements Stmt.
func (s *ReleaseStmt) Position() Pos { return s.At }

// Position implements Stmt.
func (s *MsgFaultStmt) Position() Pos { return s.At }

// String implements Stmt.
func (s *HoldStmt) String() string { return "hold " + s.Kind }

// String implements Stmt.
func (s *StepStmt) String() string {
	out := "step"
	if s.N > 1 {
		out += " " + strconv.Itoa(s.N)
	}
	if s.From != nil {
		out += " " + s.From.String() + " -> " + s.To.String()
	}
	return out
}

// String implements Stmt.
func (s *ReleaseStmt) String() string { return "release" }

// String implements Stmt.
func (s *MsgFaultStmt) String() string {
	out := fmt.Sprintf("%s %s %s -> %s", s.Verb, s.Kind, s.From, s.To)
	switch {
	case s.Verb == "delay":
		out += " " + fmtDur(s.Delay)
	case s.Count > 0:
		out += " count " + strconv.Itoa(s.Count)
	case s.For > 0:
		out += " for " + fmtDur(s.For)
	}
	return out
}

const endpointExpect = "one server: a node id, leader, follower or random"

// endpoint parses one end of a message link: a target naming one server.
func (p *parser) endpoint() (Target, error) {
	at := p.peek()
	t, err := p.target()
	if err != nil {
		return t, err
	}
	switch {
	case t.Kind == TargetIDs && len(t.IDs) == 1, t.Kind == TargetLeader, t.Kind == TargetFollower, t.Kind == TargetRandom:
		return t, nil
	}
	return t, &ParseError{Pos: at.pos, Msg: fmt.Sprintf("%q names more than one server", t.String()), Expected: endpointExpect}
}

// link parses `A -> B`.
func (p *parser) link(example string) (Target, Target, error) {
	from, err := p.endpoint()
	if err != nil {
		return from, from, err
	}
	if a := p.next(); a.kind != tokArrow {
		return from, from, p.errAt(a, `"->" as in `+example, "unexpected %s", a.describe())
	}
	to, err := p.endpoint()
	if err != nil {
		return from, to, err
	}
	if from.Kind == TargetIDs && to.Kind == TargetIDs && from.IDs[0] == to.IDs[0] {
		return from, to, &ParseError{Pos: p.peek().pos, Msg: fmt.Sprintf("%d -> %d links a node to itself", from.IDs[0], to.IDs[0]), Expected: "two different servers"}
	}
	return from, to, nil
}

// messageKind parses election, zab or all (or only the allowed ones).
func (p *parser) messageKind(allowed ...string) (string, error) {
	t, err := p.word(strings.Join(allowed, ", "))
	if err != nil {
		return "", err
	}
	w := strings.ToLower(t.text)
	for _, a := range allowed {
		if w == a {
			return w, nil
		}
	}
	msg := fmt.Sprintf("unknown message kind %q", t.text)
	if w == "zab" || w == "election" || w == "all" {
		msg = fmt.Sprintf("%q messages cannot be dropped or duplicated: Zab relies on TCP being reliable and in order (use delay or hold)", t.text)
	}
	return "", &ParseError{Pos: t.pos, Msg: msg, Expected: strings.Join(allowed, ", "), Suggestion: nearest(w, allowed)}
}

// messageStmt parses hold, step, release, drop, duplicate and delay.
func (p *parser) messageStmt(word string, at Pos) (Stmt, error) {
	switch word {
	case "hold":
		k, err := p.messageKind("election", "zab", "all")
		if err != nil {
			return nil, err
		}
		return &HoldStmt{At: at, Kind: k}, nil
	case "release":
		return &ReleaseStmt{At: at}, nil
	case "step":
		s := &StepStmt{At: at, N: 1}
		n := p.peek()
		if n.kind != tokWord {
			return s, nil
		}
		// "step 3" counts; "step 2 -> 3" names a link.
		if isDigits(n.text) && p.toks[p.i+1].kind != tokArrow {
			p.next()
			v, err := strconv.Atoi(n.text)
			if err != nil || v < 1 || v > 10000 {
				return nil, &ParseError{Pos: n.pos, Msg: fmt.Sprintf("bad step count %q", n.text), Expected: "a count from 1 to 10000"}
			}
			s.N = v
			return s, nil
		}
		from, to, err := p.link("step 2 -> 3")
		if err != nil {
			return nil, err
		}
		s.From, s.To = &from, &to
		return s, nil
	case "drop", "duplicate":
		s := &MsgFaultStmt{At: at, Verb: word}
		var err error
		if s.Kind, err = p.messageKind("notifications"); err != nil {
			return nil, err
		}
		if s.From, s.To, err = p.link(word + " notifications 1 -> 2"); err != nil {
			return nil, err
		}
		n := p.peek()
		if n.kind != tokWord {
			return s, nil
		}
		switch strings.ToLower(n.text) {
		case "count":
			p.next()
			t, err := p.word("a count")
			if err != nil {
				return nil, err
			}
			v, cerr := strconv.Atoi(t.text)
			if cerr != nil || v < 1 {
				return nil, &ParseError{Pos: t.pos, Msg: fmt.Sprintf("bad count %q", t.text), Expected: "a positive count"}
			}
			s.Count = v
		case "for":
			p.next()
			if s.For, err = p.duration(); err != nil {
				return nil, err
			}
		default:
			return nil, p.errAt(n, "count N or for DURATION", "unexpected %s", n.describe())
		}
		return s, nil
	case "delay":
		s := &MsgFaultStmt{At: at, Verb: word}
		var err error
		if s.Kind, err = p.messageKind("election", "zab", "all"); err != nil {
			return nil, err
		}
		if s.From, s.To, err = p.link("delay election 1 -> 2 300ms"); err != nil {
			return nil, err
		}
		if s.Delay, err = p.duration(); err != nil {
			return nil, err
		}
		if s.Delay <= 0 || s.Delay > time.Minute {
			return nil, &ParseError{Pos: at, Msg: fmt.Sprintf("delay %s out of range", s.Delay), Expected: "a delay above 0 and at most 1m"}
		}
		return s, nil
	}
	return nil, &ParseError{Pos: at, Msg: fmt.Sprintf("unknown command %q", word)}
}

// messageCommands are the first words messageStmt parses.
var messageCommands = map[string]bool{"hold": true, "step": true, "release": true, "drop": true, "duplicate": true, "delay": true}

// resolveLink resolves the two ends of `A -> B` against the status now.
func (r *Runner) resolveLink(ctx context.Context, x exec, from, to Target) (int, int, error) {
	st, err := r.status(ctx, x)
	if err != nil {
		return 0, 0, err
	}
	f, err := r.resolve(st, from, "cut")
	if err != nil {
		return 0, 0, err
	}
	t, err := r.resolve(st, to, "cut")
	if err != nil {
		return 0, 0, err
	}
	if len(f) != 1 || len(t) != 1 {
		return 0, 0, fmt.Errorf("%s -> %s: no such server now", from, to)
	}
	if f[0] == t[0] {
		return 0, 0, fmt.Errorf("%s -> %s are both node %d", from, to, f[0])
	}
	return f[0], t[0], nil
}

// execMessage runs a message statement.
func (r *Runner) execMessage(ctx context.Context, x exec, s Stmt) error {
	var a launcher.Action
	ends := func(from, to Target) error {
		var err error
		a.From, a.To, err = r.resolveLink(ctx, x, from, to)
		return err
	}
	switch s := s.(type) {
	case *HoldStmt:
		a = launcher.Action{Kind: launcher.ActHold, Messages: s.Kind}
	case *ReleaseStmt:
		a = launcher.Action{Kind: launcher.ActRelease}
	case *StepStmt:
		a = launcher.Action{Kind: launcher.ActStep, Count: s.N}
		if s.From != nil {
			if err := ends(*s.From, *s.To); err != nil {
				return stmtErr(s, err)
			}
		}
	case *MsgFaultStmt:
		a = launcher.Action{Kind: s.Verb, Count: s.Count, For: s.For, Delay: s.Delay, Messages: s.Kind}
		if s.Kind == "notifications" {
			a.Messages = launcher.MsgElection
		}
		if err := ends(s.From, s.To); err != nil {
			return stmtErr(s, err)
		}
	}
	if err := r.do(ctx, x, a, x.source); err != nil {
		return stmtErr(s, err)
	}
	return nil
}
