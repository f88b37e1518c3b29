// Package launcher runs a local ensemble of zkctl servers as real OS
// processes: it writes each node's zoo.cfg and myid, supervises the
// processes, owns one TCP proxy per directed link between servers (so link
// faults need no root), polls every server's admin port and serves a small
// HTTP JSON control API on 127.0.0.1.
//
// Other packages drive a cluster through the Controller interface, which the
// in-process *Launcher and the remote *Client both implement.
package launcher

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Action kinds accepted by Controller.Do.
const (
	ActKill      = "kill"      // SIGKILL the process group of Nodes
	ActStop      = "stop"      // SIGTERM, grace period, then SIGKILL
	ActStart     = "start"     // start Nodes that are not running
	ActRestart   = "restart"   // stop (with grace) then start
	ActPause     = "pause"     // SIGSTOP
	ActResume    = "resume"    // SIGCONT
	ActUpgrade   = "upgrade"   // stop Nodes[0], start it under Impl on the same data
	ActIsolate   = "isolate"   // cut every link to and from Nodes
	ActPartition = "partition" // cut every link between different Groups
	ActCut       = "cut"       // freeze the one direction From -> To
	ActSlow      = "slow"      // delay every link to and from Nodes by Delay ± Jitter
	ActReject    = "reject"    // reset every connection to and from Nodes
	ActHeal      = "heal"      // remove link faults (all, or those touching Nodes)
	// Message actions (docs/trace.md): Messages names the kind.
	ActHold      = "hold"      // queue whole messages of kind Messages instead of forwarding them
	ActStep      = "step"      // release the Count oldest held messages (on From -> To when set)
	ActRelease   = "release"   // forward every held message and stop holding
	ActDrop      = "drop"      // drop election notifications From -> To (Count, For)
	ActDuplicate = "duplicate" // send election notifications From -> To twice (Count, For)
	ActDelay     = "delay"     // delay messages of kind Messages From -> To by Delay
)

// Action sources, recorded with each action.
const (
	SourceKey     = "key"
	SourcePrompt  = "prompt"
	SourceDo      = "do"
	SourceScript  = "script"
	SourceNemesis = "nemesis"
)

// sourceKey is the context key of WithSource.
type sourceKey struct{}

// WithSource labels the chaos lines run with ctx (RunLine) with a Source*
// constant, so the session recorder can tell a dashboard key from
// `zkctl do`. The control API labels POST /run with SourceDo.
func WithSource(ctx context.Context, source string) context.Context {
	return context.WithValue(ctx, sourceKey{}, source)
}

// SourceFrom returns the source set by WithSource, or "".
func SourceFrom(ctx context.Context) string {
	s, _ := ctx.Value(sourceKey{}).(string)
	return s
}

// Action is one fault or process operation on resolved node ids. Targets such
// as "leader" or "minority" are resolved by the caller (the chaos runner)
// before an Action is built.
type Action struct {
	// Kind is one of the Act* constants.
	Kind string `json:"kind"`
	// Nodes are the target node ids (kill … resume, isolate, slow, reject, heal).
	Nodes []int `json:"nodes,omitempty"`
	// Groups are the sides of a partition; ids not listed in any group form
	// one more group together.
	Groups [][]int `json:"groups,omitempty"`
	// From and To are the one direction of a cut.
	From int `json:"from,omitempty"`
	To   int `json:"to,omitempty"`
	// Delay and Jitter parametrise slow (nanoseconds in JSON).
	Delay  time.Duration `json:"delay,omitempty"`
	Jitter time.Duration `json:"jitter,omitempty"`
	// Messages is the message kind of hold and delay: "election", "zab"
	// or "all" (drop and duplicate: "election").
	Messages string `json:"messages,omitempty"`
	// Count is step's number of messages, or how many messages a drop or
	// duplicate affects (0: no limit).
	Count int `json:"count,omitempty"`
	// For limits a drop or duplicate in time (nanoseconds in JSON; 0: no limit).
	For time.Duration `json:"for,omitempty"`
	// Impl is upgrade's target implementation (ImplZkctl or ImplApache).
	Impl string `json:"impl,omitempty"`
	// Source says where the action came from (Source* constants).
	Source string `json:"source,omitempty"`
}

// String renders the action as a chaos-language line, e.g.
// "partition 1,2 | 3,4,5", "cut 1 -> 2", "slow 3 200ms jitter 50ms".
func (a Action) String() string {
	switch a.Kind {
	case ActPartition:
		parts := make([]string, len(a.Groups))
		for i, g := range a.Groups {
			parts[i] = joinIDs(g)
		}
		return "partition " + strings.Join(parts, " | ")
	case ActCut:
		return fmt.Sprintf("cut %d -> %d", a.From, a.To)
	case ActUpgrade:
		return fmt.Sprintf("upgrade %s --impl %s", joinIDs(a.Nodes), a.Impl)
	case ActSlow:
		s := fmt.Sprintf("slow %s %s", joinIDs(a.Nodes), fmtDur(a.Delay))
		if a.Jitter > 0 {
			s += " jitter " + fmtDur(a.Jitter)
		}
		return s
	case ActHold:
		return "hold " + a.Messages
	case ActRelease:
		return "release"
	case ActStep:
		s := "step"
		if a.Count > 1 {
			s += " " + strconv.Itoa(a.Count)
		}
		if a.From != 0 {
			s += fmt.Sprintf(" %d -> %d", a.From, a.To)
		}
		return s
	case ActDrop, ActDuplicate:
		s := fmt.Sprintf("%s notifications %d -> %d", a.Kind, a.From, a.To)
		if a.Count > 0 {
			s += " count " + strconv.Itoa(a.Count)
		}
		if a.For > 0 {
			s += " for " + fmtDur(a.For)
		}
		return s
	case ActDelay:
		return fmt.Sprintf("delay %s %d -> %d %s", a.Messages, a.From, a.To, fmtDur(a.Delay))
	case ActHeal:
		if len(a.Nodes) == 0 {
			return "heal"
		}
		return "heal " + joinIDs(a.Nodes)
	default:
		return a.Kind + " " + joinIDs(a.Nodes)
	}
}

func joinIDs(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	return strings.Join(s, ",")
}

// fmtDur prints a duration the chaos language reads back ("200ms", "1.5s").
func fmtDur(d time.Duration) string {
	switch {
	case d == 0:
		return "0ms"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	case d%time.Millisecond == 0:
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	default:
		return d.String()
	}
}

// Link modes of one direction between two servers.
const (
	ModeOK     = "ok"
	ModeCut    = "cut"
	ModeSlow   = "slow"
	ModeReject = "reject"
)

// LinkState is the fault state of one direction From -> To.
type LinkState struct {
	From int    `json:"from"`
	To   int    `json:"to"`
	Mode string `json:"mode"`
	// Delay and Jitter apply to mode slow (nanoseconds in JSON).
	Delay  time.Duration `json:"delay,omitempty"`
	Jitter time.Duration `json:"jitter,omitempty"`
}

// NodeStatus is what the launcher knows about one server: its process and,
// from the last successful admin poll, its ZooKeeper state.
type NodeStatus struct {
	ID       int  `json:"id"`
	Observer bool `json:"observer"`
	// PID is the process id (0 when never started).
	PID     int  `json:"pid"`
	Running bool `json:"running"`
	Paused  bool `json:"paused"`
	// ExitCode is set when the process has exited (-1 when killed by a signal).
	ExitCode *int `json:"exit_code,omitempty"`
	// LogTail holds the last lines of server.log once the process exited.
	LogTail []string `json:"log_tail,omitempty"`
	// State is LOOKING, FOLLOWING, LEADING, OBSERVING, STANDALONE, or "" when
	// the admin port has not answered.
	State    string `json:"state"`
	Zxid     int64  `json:"zxid"`
	Epoch    int64  `json:"epoch"`
	LeaderID int64  `json:"leader_id"`
	// ClientPort is the port clients are given: the node's client proxy
	// with --proxy-clients, else the server's own client port.
	ClientPort int `json:"client_port"`
	// ServerClientPort is the server's own client port (equal to
	// ClientPort without --proxy-clients).
	ServerClientPort int `json:"server_client_port"`
	// Ports of the server itself (not of the proxies).
	AdminPort    int `json:"admin_port"`
	QuorumPort   int `json:"quorum_port"`
	ElectionPort int `json:"election_port"`
	// Faults are short human marks: "paused", "isolated", "cut 1->2", "slow 200ms".
	Faults []string `json:"faults,omitempty"`
	// LastSeenMs is how long ago the admin port last answered (-1 never).
	LastSeenMs int64 `json:"last_seen_ms"`
	// Impl is ImplZkctl or ImplApache, and Version the server's version (as
	// its admin port reports it once answered), so mixed ensembles show
	// which server is which.
	Impl    string `json:"impl"`
	Version string `json:"version,omitempty"`
	// Unknown lists what this server's admin port cannot tell (adminapi.Peer
	// Unknown): Apache ZooKeeper has no pid or accepted epoch there, say.
	Unknown []string `json:"unknown,omitempty"`
}

// ClusterStatus is the launcher's whole picture.
type ClusterStatus struct {
	Name string `json:"name"`
	Dir  string `json:"dir"`
	// Leader is the id of the node in LEADING state (0 when none).
	Leader int          `json:"leader"`
	Nodes  []NodeStatus `json:"nodes"`
	// Links lists every directed link between two servers.
	Links []LinkState `json:"links"`
	// ClientLinks lists, with --proxy-clients, both directions between the
	// clients (ClientsID) and every server: which faults touch them is
	// documented in clientlinks.go. Empty without --proxy-clients.
	ClientLinks []LinkState `json:"client_links,omitempty"`
}

// Controller drives a cluster. *Launcher implements it in-process and
// *Client over the control API.
type Controller interface {
	// Status returns the current picture of the cluster.
	Status(ctx context.Context) (ClusterStatus, error)
	// Do performs one action and returns when it has taken effect (for
	// stop/restart: when the process has exited / been started again).
	Do(ctx context.Context, a Action) error
	// RunLine executes one chaos-language line through the injected
	// LineRunner and returns its output.
	RunLine(ctx context.Context, line string) (string, error)
}

// LineRunner executes chaos-language lines. The launcher does not parse the
// language itself: cmd/zkctl injects the chaos runner, which runs in the
// launcher process and calls back into the Controller it is given.
type LineRunner interface {
	RunLine(ctx context.Context, c Controller, line string) (output string, err error)
}

// LineRunnerFunc adapts a function to LineRunner.
type LineRunnerFunc func(ctx context.Context, c Controller, line string) (string, error)

// RunLine calls f.
func (f LineRunnerFunc) RunLine(ctx context.Context, c Controller, line string) (string, error) {
	return f(ctx, c, line)
}

// Event is one thing the launcher saw or did: process started or exited,
// a server's state changed, a leader was elected, a fault was applied.
type Event struct {
	// Seq increases by one per event.
	Seq uint64 `json:"seq"`
	// Time is when the launcher recorded it.
	Time time.Time `json:"time"`
	// Kind is one of: started, exited, state, leader, noleader, action, info.
	Kind string `json:"kind"`
	// Node is the server concerned (0 for the cluster).
	Node int `json:"node,omitempty"`
	// Message is one human line.
	Message string `json:"message"`
	// From is the previous leader of a "leader" event (0 when none was known).
	From int `json:"from,omitempty"`
	// Epoch is the new leader's epoch in a "leader" event.
	Epoch int64 `json:"epoch,omitempty"`
	// TookMs is, in a "leader" event, how long the cluster was without a
	// working leader: from the first fault that hit the old leader (or the
	// last poll that saw it lead, or the cluster's start) to the first poll
	// that saw the new one. Resolution: the launcher's poll interval.
	TookMs int64 `json:"took_ms,omitempty"`
}

// EventKindLeader is the Kind of an event announcing a new leader.
const EventKindLeader = "leader"

// EventSource lists launcher events; *Launcher and *Client implement it.
type EventSource interface {
	// EventsSince returns the events with Seq > since (waiting up to wait
	// for one when there are none yet) and the newest seq.
	EventsSince(ctx context.Context, since uint64, wait time.Duration) ([]Event, uint64, error)
}

// String formats the event as one plain log line.
func (e Event) String() string {
	ts := e.Time.Format("15:04:05.000")
	if e.Node != 0 {
		return fmt.Sprintf("%s %-8s zk%d %s", ts, e.Kind, e.Node, e.Message)
	}
	return fmt.Sprintf("%s %-8s %s", ts, e.Kind, e.Message)
}
