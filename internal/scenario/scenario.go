// Package scenario is the one datadriven harness behind election/electiontest
// and leader/zabtest: it runs testdata files (command line, "----", expected
// transcript; `go test -rewrite` regenerates them) and parses the arguments
// both protocol harnesses share, so the two scenario formats cannot drift
// apart. See docs style §5.
package scenario

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// Handler runs one command of a scenario file and returns its transcript;
// it is what datadriven.RunTest calls, exported as a type so a harness can
// name the handler it hands to Run.
type Handler = func(t *testing.T, d *datadriven.TestData) string

// Run runs every scenario file in dir as its own subtest, each with a fresh
// handler from newHandler so no state leaks from one file to the next. An
// empty dir fails: a glob that matches nothing must not pass silently.
func Run(t *testing.T, dir string, newHandler func() Handler) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenario files in %s (%v)", dir, err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			datadriven.RunTest(t, path, newHandler())
		})
	}
}

// Output is what a handler returns for a transcript: "ok" when the command
// printed nothing, so an empty expectation is still written down and a
// command that starts printing is caught (etcd raft's rafttest does the same).
func Output(s string) string {
	if strings.TrimSpace(s) == "" {
		return "ok\n"
	}
	return s
}

// Hex renders n as ZooKeeper logs zxids and epochs (0x1f), with a sign for
// negatives (-0x1, -0x8000000000000000), so transcripts read against its logs.
func Hex(n int64) string { return fmt.Sprintf("%#x", n) }

// CheckArgs fails the test unless every argument of d is one spec allows,
// so a misspelt argument cannot be ignored and let a scenario pass on a
// default. spec is a space-separated list of argument names; "ids" allows
// bare sids and "groups" bare lists such as (1,2).
func CheckArgs(t *testing.T, d *datadriven.TestData, spec string) {
	t.Helper()
	allowed := strings.Fields(spec)
	for _, a := range d.CmdArgs {
		_, numErr := strconv.ParseInt(a.Key, 10, 64)
		switch {
		case len(a.Vals) == 0 && numErr == nil && slices.Contains(allowed, "ids"):
		case len(a.Vals) == 0 && strings.HasPrefix(a.Key, "(") && slices.Contains(allowed, "groups"):
		case slices.Contains(allowed, a.Key) && a.Key != "ids" && a.Key != "groups":
		default:
			d.Fatalf(t, "%s: unexpected argument %q (allowed: %s)", d.Cmd, a.String(), spec)
		}
	}
}

// IDs returns the bare numeric arguments of d in order (the sids of
// "crash 2 3"); keyed arguments and other bare words are skipped.
func IDs(t *testing.T, d *datadriven.TestData) []int64 {
	t.Helper()
	var ids []int64
	for _, a := range d.CmdArgs {
		if len(a.Vals) > 0 {
			continue
		}
		if n, err := strconv.ParseInt(a.Key, 10, 64); err == nil {
			ids = append(ids, n)
		}
	}
	return ids
}

// Int returns argument key as a number (decimal or 0x hex), or def when the
// argument is absent.
func Int(t *testing.T, d *datadriven.TestData, key string, def int64) int64 {
	t.Helper()
	a, ok := d.Arg(key)
	if !ok {
		return def
	}
	if len(a.Vals) != 1 {
		d.Fatalf(t, "%s: want one value, have %v", key, a.Vals)
	}
	return parseInt(t, d, a.Vals[0])
}

// Ints returns argument key as a list of numbers, written key=(1,2,3); nil
// when the argument is absent.
func Ints(t *testing.T, d *datadriven.TestData, key string) []int64 {
	t.Helper()
	a, ok := d.Arg(key)
	if !ok {
		return nil
	}
	var out []int64
	for _, v := range a.Vals {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, parseInt(t, d, v))
		}
	}
	return out
}

// Groups returns the bare parenthesised lists of d, one per group, as in
// "partition (1,2) (3)": the sides of a network partition.
func Groups(t *testing.T, d *datadriven.TestData) [][]int64 {
	t.Helper()
	var out [][]int64
	for _, a := range d.CmdArgs {
		if len(a.Vals) > 0 || !strings.HasPrefix(a.Key, "(") || !strings.HasSuffix(a.Key, ")") {
			continue
		}
		var g []int64
		for p := range strings.SplitSeq(strings.Trim(a.Key, "()"), ",") {
			if p = strings.TrimSpace(p); p != "" {
				g = append(g, parseInt(t, d, p))
			}
		}
		out = append(out, g)
	}
	return out
}

func parseInt(t *testing.T, d *datadriven.TestData, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		d.Fatalf(t, "bad number %q: %v", s, err)
	}
	return n
}
