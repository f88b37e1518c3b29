package zabtest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/zkctl/zkctl/internal/scenario"
	"github.com/zkctl/zkctl/jute"
)

// Scenario runs Zab scenario files: the "cluster" command makes a Cluster and
// the other commands drive it. Use one per file. Commands (ids are sids):
//
//	cluster voters=(1,2,3) [observers=(4)] [init=5] [sync=2]
//	history ID [epoch=E] txns=F-T      logged and applied txns E:F..E:T
//	set ID [accepted=E] [current=E] [window=N] [snapbytes=N] [logbytes=N] [nodisklog]
//	elect ID                           ID leads, every live node joins it
//	tick [n=K]                         K ticks on every running machine
//	deliver [n=K]                      deliver up to K in-flight packets (all without n)
//	stabilize                          deliver until nothing is in flight
//	propose [n=K]                      the leader proposes K writes
//	forward ID [op=sync]               learner ID forwards a setData (or sync) request
//	touch ID session=S                 session S is active on learner ID
//	crash ID / restart ID              stop a node / bring it back as a learner
//	cut ID / heal                      silence every link of ID / undo every cut
//	status                             every node, and the leader's learner rows
//	check                              databases are prefixes of one another, logs ascend
type Scenario struct {
	c *Cluster
}

// commands maps each command to the arguments it takes (see
// scenario.CheckArgs); the Scenario comment says what they mean.
var commands = map[string]string{
	"cluster": "voters observers init sync", "history": "ids epoch txns",
	"set": "ids accepted current window snapbytes logbytes nodisklog", "elect": "ids",
	"tick": "n", "deliver": "n", "stabilize": "", "propose": "n", "forward": "ids op",
	"touch": "ids session", "crash": "ids", "restart": "ids", "cut": "ids", "heal": "",
	"status": "", "check": "",
}

// NewScenario returns a scenario with no cluster yet.
func NewScenario() *Scenario { return &Scenario{} }

// Handle runs one command and returns the transcript it produced (an error
// becomes an "error:" line); it is the datadriven handler of Zab scenarios.
func (s *Scenario) Handle(t *testing.T, d *datadriven.TestData) string {
	t.Helper()
	got, err := s.run(t, d)
	if err != nil {
		got += "error: " + err.Error() + "\n"
	}
	return scenario.Output(strings.ReplaceAll(got, "\n\n", "\n"))
}

func (s *Scenario) run(t *testing.T, d *datadriven.TestData) (string, error) {
	spec, ok := commands[d.Cmd]
	if !ok {
		d.Fatalf(t, "unknown command %q", d.Cmd)
	}
	scenario.CheckArgs(t, d, spec)
	num := func(k string, def int64) int64 { return scenario.Int(t, d, k, def) }
	var id int64
	if strings.Contains(spec, "ids") {
		ids := scenario.IDs(t, d)
		if len(ids) != 1 {
			d.Fatalf(t, "%s takes one sid, have %v", d.Cmd, ids)
		}
		id = ids[0]
	}
	if d.Cmd == "cluster" {
		s.c = New(scenario.Ints(t, d, "voters"), scenario.Ints(t, d, "observers"), int(num("init", 5)), int(num("sync", 2)))
		return "", nil
	}
	c := s.c
	if c == nil {
		return "", fmt.Errorf("no cluster yet")
	}
	if _, ok := c.Nodes[id]; id != 0 && !ok {
		d.Fatalf(t, "no node %d", id)
	}
	var err error
	switch d.Cmd {
	case "history":
		var txns string
		d.ScanArgs(t, "txns", &txns)
		from, to, _ := strings.Cut(txns, "-")
		f, err1 := strconv.ParseInt(from, 10, 64)
		tt, err2 := strconv.ParseInt(to, 10, 64)
		if err1 != nil || err2 != nil {
			d.Fatalf(t, "txns=F-T: bad range %q", txns)
		}
		c.AddHistory(id, num("epoch", 1), f, tt)
	case "set":
		n := c.Nodes[id]
		n.AcceptedEpoch = num("accepted", n.AcceptedEpoch)
		n.CurrentEpoch = num("current", n.CurrentEpoch)
		n.Window = int(num("window", int64(n.Window)))
		n.SnapBytes = num("snapbytes", n.SnapBytes)
		n.LogBytes = num("logbytes", n.LogBytes)
		if d.HasArg("nodisklog") {
			n.NoDiskLog = true
		}
	case "elect":
		err = c.Elect(id)
	case "stabilize":
		c.Stabilize()
	case "deliver":
		c.Deliver(int(num("n", 0)))
	case "tick":
		c.Tick(int(num("n", 1)))
	case "propose":
		err = c.Propose(int(num("n", 1)))
	case "forward":
		op := jute.OpSetData
		if a, ok := d.Arg("op"); ok && a.SingleVal(t) == "sync" {
			op = jute.OpSync
		}
		err = c.Forward(id, op)
	case "touch":
		c.Touch(id, num("session", 1))
	case "crash":
		c.Crash(id)
	case "restart":
		err = c.Restart(id)
	case "cut":
		c.Cut(id)
	case "heal":
		c.Heal()
	case "status":
		return c.Output() + c.Status(), nil
	case "check":
		return c.Output() + c.Check(), nil
	}
	return c.Output(), err
}
