package chaos

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// CheckOptions tune Check.
type CheckOptions struct {
	// Timeout bounds porcupine's search; zero means 60 s. When it expires
	// the result is inconclusive (neither proven nor refuted).
	Timeout time.Duration
	// HTMLPath, when set, receives porcupine's visualisation of the check.
	HTMLPath string
}

// CheckResult is the verdict on a history.
type CheckResult struct {
	// Linearizable is true when porcupine found a linearization of every register.
	Linearizable bool
	// Inconclusive is true when the search timed out.
	Inconclusive bool
	// Checked is the number of operations given to porcupine; Skipped those
	// left out (failed or unknown reads, failed writes: they changed nothing).
	Checked, Skipped int
	// OK, Failed and Unknown count the outcomes of all operations.
	OK, Failed, Unknown int
	// Registers is the number of registers (porcupine partitions).
	Registers int
	// Took is how long the search ran.
	Took time.Duration
	// HTMLPath is where the visualisation was written ("" if not).
	HTMLPath string
}

// Verdict is "linearizable", "NOT linearizable" or "inconclusive".
func (r CheckResult) Verdict() string {
	switch {
	case r.Inconclusive:
		return "inconclusive (timed out)"
	case r.Linearizable:
		return "linearizable"
	default:
		return "NOT linearizable"
	}
}

// String is one human line.
func (r CheckResult) String() string {
	s := fmt.Sprintf("%s: %d ops checked on %d registers in %s (ok %d, failed %d, unknown %d)",
		r.Verdict(), r.Checked, r.Registers, r.Took.Round(time.Millisecond), r.OK, r.Failed, r.Unknown)
	if r.HTMLPath != "" {
		s += "; visualisation: " + r.HTMLPath
	}
	return s
}

// regInput is what a client asked of one register.
type regInput struct {
	Op       string
	Value    string // write / cas: new value
	Expected string // cas: value read before
	Register int
}

// regOutput is what came back.
type regOutput struct {
	Result   string
	Observed string
}

// registerModel is a single register holding a string, with read, blind
// write and compare-and-set. It is partitioned per register: registers are
// independent, so each is checked alone (porcupine's P-compositionality).
//
// Unknown outcomes follow porcupine's convention: the operation's return
// time is after every other event (it never returned), and Step accepts it
// whatever the state: a write or a cas whose expected value matches takes
// effect, a non-matching cas changes nothing. Placing it last is the same as
// it never happening, so both possibilities are explored.
var registerModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		by := map[int][]porcupine.Operation{}
		for _, op := range history {
			r := op.Input.(regInput).Register
			by[r] = append(by[r], op)
		}
		keys := make([]int, 0, len(by))
		for k := range by {
			keys = append(keys, k)
		}
		sort.Ints(keys)
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, by[k])
		}
		return out
	},
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		st := state.(string)
		in := input.(regInput)
		out := output.(regOutput)
		switch in.Op {
		case OpRead:
			return out.Observed == st, st
		case OpWrite:
			return true, in.Value
		case OpCAS:
			switch out.Result {
			case ResultOK:
				if st == in.Expected {
					return true, in.Value
				}
				return false, st
			case ResultFail:
				return st != in.Expected, st
			default: // unknown
				if st == in.Expected {
					return true, in.Value
				}
				return true, st
			}
		}
		return false, st
	},
	Equal: func(a, b any) bool { return a.(string) == b.(string) },
	DescribeOperation: func(input, output any) string {
		in := input.(regInput)
		out := output.(regOutput)
		switch in.Op {
		case OpRead:
			return fmt.Sprintf("r%d read() → %q", in.Register, out.Observed)
		case OpWrite:
			return fmt.Sprintf("r%d write(%q) %s", in.Register, in.Value, out.Result)
		default:
			return fmt.Sprintf("r%d cas(%q → %q) %s", in.Register, in.Expected, in.Value, out.Result)
		}
	},
	DescribeState: func(state any) string { return fmt.Sprintf("%q", state.(string)) },
}

// toPorcupine converts a history to porcupine operations, leaving out
// operations that cannot have changed anything and observed nothing.
func toPorcupine(ops []Op) (pops []porcupine.Operation, res CheckResult) {
	var maxT int64
	for _, o := range ops {
		maxT = max(maxT, o.InvokeNs, o.CompleteNs)
	}
	regs := map[int]bool{}
	for _, o := range ops {
		switch o.Result {
		case ResultOK:
			res.OK++
		case ResultFail:
			res.Failed++
		default:
			res.Unknown++
		}
		keep := o.Result == ResultOK || (o.Op == OpCAS && o.Result == ResultFail) ||
			(o.Op != OpRead && o.Result == ResultUnknown)
		if !keep {
			res.Skipped++
			continue
		}
		ret := o.CompleteNs
		if o.Result == ResultUnknown {
			ret = maxT + 1 // never returned: after every other event
		}
		regs[o.Register] = true
		pops = append(pops, porcupine.Operation{
			ClientId: o.Client,
			Input:    regInput{Op: o.Op, Value: o.Value, Expected: o.Expected, Register: o.Register},
			Call:     o.InvokeNs,
			Output:   regOutput{Result: o.Result, Observed: o.Observed},
			Return:   ret,
		})
	}
	res.Checked = len(pops)
	res.Registers = len(regs)
	return pops, res
}

// Check decides whether a history of register operations is linearizable.
func Check(ops []Op, opts CheckOptions) (CheckResult, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	pops, res := toPorcupine(ops)
	start := time.Now()
	verdict, info := porcupine.CheckOperationsVerbose(registerModel, pops, opts.Timeout)
	res.Took = time.Since(start)
	res.Linearizable = verdict == porcupine.Ok
	res.Inconclusive = verdict == porcupine.Unknown
	if opts.HTMLPath != "" {
		if err := porcupine.VisualizePath(registerModel, info, opts.HTMLPath); err != nil {
			return res, fmt.Errorf("chaos: write visualisation %s: %w", opts.HTMLPath, err)
		}
		res.HTMLPath = opts.HTMLPath
	}
	return res, nil
}

// CheckFile reads a history file and checks it, writing the visualisation
// next to it (history.jsonl → history.html).
func CheckFile(path string, timeout time.Duration) (CheckResult, error) {
	ops, err := ReadHistory(path)
	if err != nil {
		return CheckResult{}, err
	}
	html := strings.TrimSuffix(path, ".jsonl") + ".html"
	if html == path {
		html = path + ".html"
	}
	return Check(ops, CheckOptions{Timeout: timeout, HTMLPath: html})
}
