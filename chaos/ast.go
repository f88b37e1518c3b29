package chaos

import (
	"strconv"
	"strings"
	"time"
)

// Pos is a position in a script: 1-based line and column.
type Pos struct {
	Line int
	Col  int
}

// String formats the position as "line:col".
func (p Pos) String() string { return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col) }

// Stmt is one statement of the chaos language.
type Stmt interface {
	// String prints the statement's canonical line (blocks span lines).
	String() string
	// Position is where the statement starts in its source.
	Position() Pos
}

// Program is a parsed script: statements in order.
type Program struct {
	Stmts []Stmt
}

// NoHeal reports whether the script carries a `noheal` directive anywhere,
// which disables the final heal/resume at the end of a run.
func (p *Program) NoHeal() bool {
	var walk func([]Stmt) bool
	walk = func(ss []Stmt) bool {
		for _, s := range ss {
			switch s := s.(type) {
			case *NoHealStmt:
				return true
			case *RepeatStmt:
				if walk(s.Body) {
					return true
				}
			}
		}
		return false
	}
	return walk(p.Stmts)
}

// String prints the program as canonical lines, one statement per line.
func (p *Program) String() string {
	var b strings.Builder
	for _, s := range p.Stmts {
		b.WriteString(s.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// TargetKind says how a Target picks its nodes.
type TargetKind int

// Target kinds. Everything but TargetIDs resolves against the cluster's
// status when the statement runs.
const (
	// TargetIDs is an explicit list of node ids: "3" or "1,2".
	TargetIDs TargetKind = iota
	// TargetLeader is the current leader.
	TargetLeader
	// TargetFollower is one follower, chosen with the runner's seeded rand.
	TargetFollower
	// TargetRandom is one node, chosen with the runner's seeded rand.
	TargetRandom
	// TargetMinority is a random minority of the voters (at most (n-1)/2).
	TargetMinority
	// TargetMajority is a random majority of the voters (n/2+1).
	TargetMajority
	// TargetAll is every node.
	TargetAll
)

var targetKeywords = map[string]TargetKind{
	"leader":   TargetLeader,
	"follower": TargetFollower,
	"random":   TargetRandom,
	"minority": TargetMinority,
	"majority": TargetMajority,
	"all":      TargetAll,
}

// Target names the nodes a statement acts on.
type Target struct {
	// Kind says how nodes are chosen.
	Kind TargetKind
	// IDs is set only for TargetIDs; ids are >= 1.
	IDs []int
}

// String prints the target as written in the language.
func (t Target) String() string {
	if t.Kind == TargetIDs {
		return joinInts(t.IDs, ",")
	}
	for k, v := range targetKeywords {
		if v == t.Kind {
			return k
		}
	}
	return "?"
}

func joinInts(ids []int, sep string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(id)
	}
	return strings.Join(parts, sep)
}

// fmtDur prints a duration that time.ParseDuration reads back exactly.
func fmtDur(d time.Duration) string { return d.String() }

// UpgradeStmt is `upgrade N --impl apache|zkctl`: restart server N under
// the other implementation on its data directory and wait until it has
// synced, to rehearse moving an ensemble between zkctl and Apache ZooKeeper.
type UpgradeStmt struct {
	At   Pos
	Node int
	Impl string
}

// Position implements Stmt.
func (s *UpgradeStmt) Position() Pos { return s.At }

// String returns the canonical line of an UpgradeStmt.
func (s *UpgradeStmt) String() string { return "upgrade " + strconv.Itoa(s.Node) + " --impl " + s.Impl }

// ProcessStmt is kill|stop|start|restart|pause|resume TARGET.
type ProcessStmt struct {
	At Pos
	// Verb is one of kill, stop, start, restart, pause, resume.
	Verb   string
	Target Target
}

// IsolateStmt is `isolate TARGET`: cut every link to and from each target node.
type IsolateStmt struct {
	At     Pos
	Target Target
}

// RejectStmt is `reject TARGET`: reset every link to and from each target node.
type RejectStmt struct {
	At     Pos
	Target Target
}

// Partition shapes computed from the membership when the statement runs.
const (
	// ShapeHalves splits the sorted node ids into a first group of
	// ceil(n/2) and a second of floor(n/2): 1,2,3 | 4,5.
	ShapeHalves = "halves"
	// ShapeRing lets each node talk only to its neighbours on the ring of
	// sorted ids (i-1 and i+1, wrapping); every other link is cut.
	ShapeRing = "ring"
	// ShapeBridge splits the nodes into two halves that cannot talk to each
	// other, except one bridge node (the middle id) that talks to both:
	// 1,2 | 4,5 with 3 connected to all.
	ShapeBridge = "bridge"
	// ShapeLeader cuts the current leader off from everyone: leader | rest.
	ShapeLeader = "leader"
)

var shapes = []string{ShapeHalves, ShapeRing, ShapeBridge, ShapeLeader}

// PartitionStmt is `partition 1,2 | 3,4,5` or `partition SHAPE`.
type PartitionStmt struct {
	At Pos
	// Groups is set for an explicit partition; Shape otherwise.
	Groups [][]int
	// Shape is one of halves, ring, bridge, leader.
	Shape string
}

// CutStmt is `cut A -> B`: drop traffic from A to B only. A and B are
// targets naming one server each (3, leader, follower, random), resolved
// when the line runs.
type CutStmt struct {
	At       Pos
	From, To Target
}

// SlowStmt is `slow TARGET 200ms [jitter 50ms]`.
type SlowStmt struct {
	At     Pos
	Target Target
	Delay  time.Duration
	Jitter time.Duration
}

// HealStmt is `heal`: remove every link fault.
type HealStmt struct{ At Pos }

// WaitStmt is `wait DURATION`.
type WaitStmt struct {
	At Pos
	D  time.Duration
}

// Wait conditions.
const (
	CondLeader = "leader" // exactly one running node is LEADING and a quorum follows it
	CondQuorum = "quorum" // a leader with a majority of voters (itself included) following it
	CondSynced = "synced" // every running voter follows the leader at the leader's zxid
)

// WaitForStmt is `wait leader|quorum|synced [within D]`.
type WaitForStmt struct {
	At   Pos
	Cond string
	// Within bounds the wait; zero means the runner's default.
	Within time.Duration
}

// Expect kinds.
const (
	ExpectLeader = "leader" // expect leader == N | != N | (bare: some leader)
	ExpectState  = "state"  // expect state N STATE
	ExpectSynced = "synced"
	ExpectQuorum = "quorum"
)

// ExpectStmt is an assertion on the cluster's state right now.
type ExpectStmt struct {
	At Pos
	// Kind is leader, state, synced or quorum.
	Kind string
	// Op is "==" or "!=" for leader with an id; empty for a bare `expect leader`.
	Op string
	// ID is the node id compared (leader) or inspected (state).
	ID int
	// State is the expected server state (LEADING, FOLLOWING, LOOKING,
	// OBSERVING, STANDALONE or DOWN).
	State string
}

// LoadStmt is `load 200/s` or `load off`.
type LoadStmt struct {
	At Pos
	// Rate is operations per second; 0 with Off.
	Rate int
	Off  bool
}

// CheckStmt is `check`: linearizability of the history so far.
type CheckStmt struct{ At Pos }

// Nemesis fault kinds.
var nemesisKinds = []string{"kill", "pause", "partition", "cut", "slow"}

// NemesisStmt is `nemesis KINDS every D for T [seed S]`.
type NemesisStmt struct {
	At    Pos
	Kinds []string
	Every time.Duration
	For   time.Duration
	// Seed is used when HasSeed; otherwise the runner picks one and prints it.
	Seed    int64
	HasSeed bool
}

// RepeatStmt is `repeat N { … }`.
type RepeatStmt struct {
	At    Pos
	Count int
	Body  []Stmt
}

// NoHealStmt is the `noheal` directive: the script does not heal at its end.
type NoHealStmt struct{ At Pos }

// Position implementations.

// Position returns where the statement starts.
func (s *ProcessStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *IsolateStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *RejectStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *PartitionStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *CutStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *SlowStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *HealStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *WaitStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *WaitForStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *ExpectStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *LoadStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *CheckStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *NemesisStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *RepeatStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *NoHealStmt) Position() Pos { return s.At }

// String returns the canonical line of a ProcessStmt.
func (s *ProcessStmt) String() string { return s.Verb + " " + s.Target.String() }

// String returns the canonical line of an IsolateStmt.
func (s *IsolateStmt) String() string { return "isolate " + s.Target.String() }

// String returns the canonical line of a RejectStmt.
func (s *RejectStmt) String() string { return "reject " + s.Target.String() }

// String returns the canonical line of a PartitionStmt.
func (s *PartitionStmt) String() string {
	if s.Shape != "" {
		return "partition " + s.Shape
	}
	parts := make([]string, len(s.Groups))
	for i, g := range s.Groups {
		parts[i] = joinInts(g, ",")
	}
	return "partition " + strings.Join(parts, " | ")
}

// String returns the canonical line of a CutStmt.
func (s *CutStmt) String() string {
	return "cut " + s.From.String() + " -> " + s.To.String()
}

// String returns the canonical line of a SlowStmt.
func (s *SlowStmt) String() string {
	out := "slow " + s.Target.String() + " " + fmtDur(s.Delay)
	if s.Jitter > 0 {
		out += " jitter " + fmtDur(s.Jitter)
	}
	return out
}

// String returns the canonical line of a HealStmt.
func (s *HealStmt) String() string { return "heal" }

// String returns the canonical line of a WaitStmt.
func (s *WaitStmt) String() string { return "wait " + fmtDur(s.D) }

// String returns the canonical line of a WaitForStmt.
func (s *WaitForStmt) String() string {
	out := "wait " + s.Cond
	if s.Within > 0 {
		out += " within " + fmtDur(s.Within)
	}
	return out
}

// String returns the canonical line of an ExpectStmt.
func (s *ExpectStmt) String() string {
	switch s.Kind {
	case ExpectLeader:
		if s.Op == "" {
			return "expect leader"
		}
		return "expect leader " + s.Op + " " + strconv.Itoa(s.ID)
	case ExpectState:
		return "expect state " + strconv.Itoa(s.ID) + " " + s.State
	default:
		return "expect " + s.Kind
	}
}

// String returns the canonical line of a LoadStmt.
func (s *LoadStmt) String() string {
	if s.Off {
		return "load off"
	}
	return "load " + strconv.Itoa(s.Rate) + "/s"
}

// String returns the canonical line of a CheckStmt.
func (s *CheckStmt) String() string { return "check" }

// String returns the canonical line of a NemesisStmt.
func (s *NemesisStmt) String() string {
	out := "nemesis " + strings.Join(s.Kinds, ",") + " every " + fmtDur(s.Every) + " for " + fmtDur(s.For)
	if s.HasSeed {
		out += " seed " + strconv.FormatInt(s.Seed, 10)
	}
	return out
}

// String returns the canonical line of a RepeatStmt.
func (s *RepeatStmt) String() string {
	var b strings.Builder
	b.WriteString("repeat " + strconv.Itoa(s.Count) + " {\n")
	for _, st := range s.Body {
		for _, line := range strings.Split(st.String(), "\n") {
			b.WriteString("  " + line + "\n")
		}
	}
	b.WriteString("}")
	return b.String()
}

// String returns the canonical line of a NoHealStmt.
func (s *NoHealStmt) String() string { return "noheal" }
