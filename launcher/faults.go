package launcher

import (
	"bufio"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/launcher/linkproxy"
)

// validateAction checks an action against the cluster's node ids.
func (l *Launcher) validateAction(a Action) error {
	known := func(id int) error {
		if l.node(id) == nil {
			return fmt.Errorf("node %d (the cluster has nodes 1..%d): %w", id, len(l.nodes), ErrUnknownNode)
		}
		return nil
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s: %w", a.Kind, fmt.Sprintf(format, args...), ErrBadAction)
	}
	switch a.Kind {
	case ActKill, ActStop, ActStart, ActRestart, ActPause, ActResume, ActIsolate, ActSlow, ActReject:
		if len(a.Nodes) == 0 {
			return bad("no target nodes")
		}
	case ActHeal:
	case ActUpgrade:
		if len(a.Nodes) != 1 {
			return bad("one node at a time, got %d", len(a.Nodes))
		}
		if a.Impl != ImplZkctl && a.Impl != ImplApache {
			return bad("unknown implementation %q: want %s or %s", a.Impl, ImplZkctl, ImplApache)
		}
	case ActPartition:
		if len(a.Groups) < 1 {
			return bad("no groups")
		}
		seen := map[int]bool{}
		for _, g := range a.Groups {
			if len(g) == 0 {
				return bad("empty group")
			}
			for _, id := range g {
				if seen[id] {
					return bad("node %d is in two groups", id)
				}
				seen[id] = true
				if err := known(id); err != nil {
					return err
				}
			}
		}
	case ActCut:
		if a.From == a.To {
			return bad("from and to are both %d", a.From)
		}
		if err := known(a.From); err != nil {
			return err
		}
		return known(a.To)
	case ActHold, ActRelease, ActStep, ActDrop, ActDuplicate, ActDelay:
		return l.validateMessageAction(a, bad, known)
	default:
		return fmt.Errorf("unknown action kind %q (want kill, stop, start, restart, pause, resume, upgrade, isolate, partition, cut, slow, reject, heal, hold, step, release, drop, duplicate or delay): %w", a.Kind, ErrBadAction)
	}
	if a.Kind == ActSlow && (a.Delay <= 0 || a.Jitter < 0 || a.Delay > time.Minute) {
		return bad("delay %v jitter %v: want 0 < delay <= 1m and jitter >= 0", a.Delay, a.Jitter)
	}
	for _, id := range a.Nodes {
		if err := known(id); err != nil {
			return err
		}
	}
	return nil
}

// applyLinks changes the link directions for a link action.
func (l *Launcher) applyLinks(a Action) {
	l.linkMu.Lock()
	defer l.linkMu.Unlock()
	set := func(from, to int, st linkproxy.State) {
		if d := l.links[[2]int{from, to}]; d != nil {
			d.Set(st)
		}
	}
	touches := func(k [2]int, ids []int) bool { return slices.Contains(ids, k[0]) || slices.Contains(ids, k[1]) }
	switch a.Kind {
	case ActIsolate, ActSlow, ActReject:
		st := linkproxy.State{Mode: linkproxy.Cut}
		if a.Kind == ActSlow {
			st = linkproxy.State{Mode: linkproxy.Slow, Delay: a.Delay, Jitter: a.Jitter}
		} else if a.Kind == ActReject {
			st = linkproxy.State{Mode: linkproxy.Reject}
		}
		for k := range l.links {
			if touches(k, a.Nodes) {
				set(k[0], k[1], st)
			}
		}
	case ActPartition:
		group := map[int]int{}
		for gi, g := range a.Groups {
			for _, id := range g {
				group[id] = gi + 1
			}
		}
		// Unlisted nodes form one more group (0) together.
		for k := range l.links {
			if group[k[0]] != group[k[1]] {
				set(k[0], k[1], linkproxy.State{Mode: linkproxy.Cut})
			}
		}
	case ActCut:
		set(a.From, a.To, linkproxy.State{Mode: linkproxy.Cut})
	case ActHeal:
		for k := range l.links {
			if len(a.Nodes) == 0 || touches(k, a.Nodes) {
				set(k[0], k[1], linkproxy.State{Mode: linkproxy.OK})
			}
		}
	}
	l.applyClientLinks(a)
}

// linkStates lists every directed link, ordered by from then to.
func (l *Launcher) linkStates() []LinkState {
	l.linkMu.Lock()
	defer l.linkMu.Unlock()
	out := make([]LinkState, 0, len(l.links))
	for k, d := range l.links {
		out = append(out, linkState(k[0], k[1], d.State()))
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].From != out[j].From {
			return out[i].From < out[j].From
		}
		return out[i].To < out[j].To
	})
	return out
}

// nodeFaults summarises the faults touching node id as short marks; a node
// whose server and client links are all cut is "isolated".
func nodeFaults(id int, paused bool, links, clientLinks []LinkState) []string {
	var out []string
	if paused {
		out = append(out, "paused")
	}
	total, cut := 0, 0
	var marks []string
	end := func(n int) string {
		if n == ClientsID {
			return "clients"
		}
		return strconv.Itoa(n)
	}
	for _, ls := range append(slices.Clip(links), clientLinks...) {
		if ls.From != id && ls.To != id {
			continue
		}
		total++
		switch ls.Mode {
		case ModeCut:
			cut++
			marks = append(marks, fmt.Sprintf("cut %s->%s", end(ls.From), end(ls.To)))
		case ModeSlow:
			marks = append(marks, fmt.Sprintf("slow %s->%s %s", end(ls.From), end(ls.To), fmtDur(ls.Delay)))
		case ModeReject:
			marks = append(marks, fmt.Sprintf("reject %s->%s", end(ls.From), end(ls.To)))
		}
	}
	if total > 0 && cut == total {
		return append(out, "isolated")
	}
	return append(out, marks...)
}

// electionHandshakePrefix returns a linkproxy.Prefix that replaces the
// address in an election-port handshake (docs/quorum-reference.md §2.2) with
// addr, so that a peer that answers by connecting back dials the launcher's
// proxy rather than the server: an acceptor with the larger sid closes the
// connection and dials the address from the handshake
// (QuorumCnxManager.handleConnection, docs/quorum-reference.md §2.3).
// Bytes it cannot parse, a pre-3.5 handshake (sid only) and a blank address
// pass through unchanged.
func electionHandshakePrefix(addr string) linkproxy.Prefix {
	return func(r *bufio.Reader) ([]byte, error) {
		h, raw, err := jute.ReadElectionHandshakeBytes(r)
		if errors.Is(err, jute.ErrElectionHandshake) {
			return raw, nil
		}
		if err != nil || h.Version == 0 || strings.TrimSpace(strings.Join(h.Addrs, "|")) == "" {
			return raw, err
		}
		return jute.ElectionHandshake{Version: jute.ElectionProtocolV1, Sid: h.Sid, Addrs: []string{addr}}.Encode(), nil
	}
}
