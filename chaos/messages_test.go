package chaos

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestParse_MessageLines(t *testing.T) {
	cases := []struct{ in, want string }{
		{"hold election", "hold election"},
		{"HOLD Zab", "hold zab"},
		{"hold all", "hold all"},
		{"step", "step"},
		{"step 1", "step"},
		{"step 5", "step 5"},
		{"step 2 -> 3", "step 2 -> 3"},
		{"step leader->1", "step leader -> 1"},
		{"release", "release"},
		{"drop notifications 1 -> 2", "drop notifications 1 -> 2"},
		{"drop notifications 1 -> 2 count 3", "drop notifications 1 -> 2 count 3"},
		{"drop notifications leader -> follower for 2s", "drop notifications leader -> follower for 2s"},
		{"duplicate notifications 3 -> 1", "duplicate notifications 3 -> 1"},
		{"delay election 1 -> 2 300ms", "delay election 1 -> 2 300ms"},
		{"delay zab leader -> 2 50ms", "delay zab leader -> 2 50ms"},
		{"delay all 2 -> 1 1s", "delay all 2 -> 1 1s"},
		// cut takes a target naming one server too (the dashboard's
		// partition menu offers "cut leader -> N").
		{"cut leader -> 2", "cut leader -> 2"},
		{"cut 3->FOLLOWER", "cut 3 -> follower"},
	}
	for _, c := range cases {
		p, err := Parse(c.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.in, err)
		}
		if got := strings.TrimSpace(p.String()); got != c.want {
			t.Fatalf("Parse(%q) = %q, want %q", c.in, got, c.want)
		}
		// The canonical line parses back to itself.
		if p2, err := Parse(c.want); err != nil || strings.TrimSpace(p2.String()) != c.want {
			t.Fatalf("round trip of %q: %v %q", c.want, err, p2)
		}
	}
}

func TestParse_MessageErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"hold", "unexpected end of input at 1:5; expected election, zab, all"},
		{"hold votes", `unknown message kind "votes" at 1:6`},
		{"hold electon", `did you mean "election"?`},
		{"stepp", `unknown command "stepp" at 1:1; did you mean "step"?`},
		{"step 0", `bad step count "0"`},
		{"step 2 3", `unexpected "3" after "step 2" at 1:8`},
		{"step leader 3", `unexpected "3" at 1:13; expected "->" as in step 2 -> 3`},
		{"step 2 -> 2", "links a node to itself"},
		{"step all -> 2", `"all" names more than one server at 1:6`},
		{"drop zab 1 -> 2", `"zab" messages cannot be dropped or duplicated: Zab relies on TCP`},
		{"drop notifications 1 -> leeder", `unknown target "leeder"`},
		{"drop notifications 1,2 -> 3", `"1,2" names more than one server`},
		{"drop notifications 1 -> 2 count 0", `bad count "0"`},
		{"drop notifications 1 -> 2 forever", `expected count N or for DURATION`},
		{"duplicate notifications 1 -> 2 for soon", `bad duration "soon"`},
		{"delay election 1 -> 2", "expected a duration"},
		{"delay election 1 -> 2 0s", "delay 0s out of range"},
		{"delay votes 1 -> 2 1s", `unknown message kind "votes"`},
		{"release now", `unexpected "now"`},
		{"cut majority -> 1", `"majority" names more than one server`},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("Parse(%q) error = %v, want it to contain %q", c.in, err, c.want)
		}
	}
}

func TestRunner_MessageLinesResolveTargets(t *testing.T) {
	f := newFake(3, 3)
	r := NewRunner(nil, fastConfig(&bytes.Buffer{}))
	out, err := r.RunLine(context.Background(), f, "hold election; step 3; step leader -> 1; release; drop notifications leader -> 2 count 2; duplicate notifications 1 -> 3 for 2s; delay zab 3 -> 1 300ms; cut leader -> 2")
	if err != nil {
		t.Fatal(err)
	}
	want := "hold election\nstep 3\nstep 3 -> 1\nrelease\ndrop notifications 3 -> 2 count 2\nduplicate notifications 1 -> 3 for 2s\ndelay zab 3 -> 1 300ms\ncut 3 -> 2\n"
	if out != want {
		t.Fatalf("output\n%s\nwant\n%s", out, want)
	}
	if _, err := r.RunLine(context.Background(), f, "step 1 -> 9"); err == nil || !strings.Contains(err.Error(), "no node 9") {
		t.Fatalf("step to an unknown node: %v", err)
	}
}
