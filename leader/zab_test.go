package leader_test

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader/zabtest"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/*.txt with the actual output")

// testCase is one datadriven block: a command line, ----, the expected output.
type testCase struct {
	cmd  string
	want string
	line int
}

func parseFile(t *testing.T, path string) (cases []testCase, comments map[int]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	comments = map[int]string{}
	sc := bufio.NewScanner(f)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			comments[len(cases)] += l + "\n"
			continue
		}
		tc := testCase{cmd: l, line: i + 1}
		if i+1 >= len(lines) || lines[i+1] != "----" {
			t.Fatalf("%s:%d: command not followed by ----", path, i+1)
		}
		i += 2
		var want []string
		for ; i < len(lines) && lines[i] != ""; i++ {
			want = append(want, lines[i])
		}
		if len(want) > 0 {
			tc.want = strings.Join(want, "\n") + "\n"
		}
		cases = append(cases, tc)
	}
	return cases, comments
}

func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no scenarios")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cases, comments := parseFile(t, path)
			var c *zabtest.Cluster
			var out strings.Builder
			for i, tc := range cases {
				got, err := run(&c, tc.cmd)
				if err != nil {
					got += "error: " + err.Error() + "\n"
				}
				got = strings.ReplaceAll(got, "\n\n", "\n")
				out.WriteString(comments[i])
				fmt.Fprintf(&out, "%s\n----\n%s", tc.cmd, got)
				if i < len(cases)-1 {
					out.WriteString("\n")
				}
				if !*rewrite && got != tc.want {
					t.Errorf("%s:%d: %s\n--- got\n%s--- want\n%s", path, tc.line, tc.cmd, got, tc.want)
				}
			}
			out.WriteString(comments[len(cases)])
			if *rewrite {
				if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func ids(s string) []int64 {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		if f == "" {
			continue
		}
		v, _ := strconv.ParseInt(f, 10, 64)
		out = append(out, v)
	}
	return out
}

// run executes one command. Syntax: name [positional] [key=value...].
func run(cp **zabtest.Cluster, line string) (string, error) {
	fields := strings.Fields(line)
	name := fields[0]
	kv := map[string]string{}
	var pos []string
	for _, f := range fields[1:] {
		if k, v, ok := strings.Cut(f, "="); ok {
			kv[k] = v
		} else {
			pos = append(pos, f)
		}
	}
	num := func(k string, def int64) int64 {
		v, ok := kv[k]
		if !ok {
			return def
		}
		n, err := strconv.ParseInt(v, 0, 64)
		if err != nil {
			panic(fmt.Sprintf("bad %s=%q", k, v))
		}
		return n
	}
	id := int64(0)
	if len(pos) > 0 {
		id, _ = strconv.ParseInt(pos[0], 10, 64)
	}
	if name == "cluster" {
		*cp = zabtest.New(ids(kv["voters"]), ids(kv["observers"]), int(num("init", 5)), int(num("sync", 2)))
		return "", nil
	}
	c := *cp
	if c == nil {
		return "", fmt.Errorf("no cluster yet")
	}
	var err error
	switch name {
	case "history":
		from, to, _ := strings.Cut(kv["txns"], "-")
		f, _ := strconv.ParseInt(from, 10, 64)
		tt, _ := strconv.ParseInt(to, 10, 64)
		c.AddHistory(id, num("epoch", 1), f, tt)
	case "set":
		n := c.Nodes[id]
		n.AcceptedEpoch = num("accepted", n.AcceptedEpoch)
		n.CurrentEpoch = num("current", n.CurrentEpoch)
		n.Window = int(num("window", int64(n.Window)))
		n.SnapBytes = num("snapbytes", n.SnapBytes)
		n.LogBytes = num("logbytes", n.LogBytes)
		if slices.Contains(pos, "nodisklog") {
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
		if kv["op"] == "sync" {
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
	default:
		return "", fmt.Errorf("unknown command %q", name)
	}
	return c.Output(), err
}
