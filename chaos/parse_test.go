package chaos

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParse_CanonicalLines(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"kill 3", "kill 3"},
		{"KILL leader", "kill leader"},
		{"stop 1,2", "stop 1,2"},
		{"start all", "start all"},
		{"restart follower", "restart follower"},
		{"pause random", "pause random"},
		{"resume minority", "resume minority"},
		{"isolate majority", "isolate majority"},
		{"reject 2", "reject 2"},
		{"partition 1,2 | 3,4,5", "partition 1,2 | 3,4,5"},
		{"partition 1,2|3", "partition 1,2 | 3"},
		{"partition halves", "partition halves"},
		{"partition Ring", "partition ring"},
		{"partition bridge", "partition bridge"},
		{"partition leader", "partition leader"},
		{"cut 1 -> 2", "cut 1 -> 2"},
		{"cut 1->2", "cut 1 -> 2"},
		{"slow 3 200ms", "slow 3 200ms"},
		{"slow leader 200ms jitter 50ms", "slow leader 200ms jitter 50ms"},
		{"heal", "heal"},
		{"wait 2s", "wait 2s"},
		{"wait 1500ms", "wait 1.5s"},
		{"wait leader", "wait leader"},
		{"wait quorum within 10s", "wait quorum within 10s"},
		{"wait synced within 1m", "wait synced within 1m0s"},
		{"expect leader != 3", "expect leader != 3"},
		{"expect leader == 2", "expect leader == 2"},
		{"expect leader", "expect leader"},
		{"expect state 2 following", "expect state 2 FOLLOWING"},
		{"expect synced", "expect synced"},
		{"expect quorum", "expect quorum"},
		{"load 200/s", "load 200/s"},
		{"load off", "load off"},
		{"check", "check"},
		{"nemesis kill,pause every 5s for 1m", "nemesis kill,pause every 5s for 1m0s"},
		{"nemesis partition every 2s for 20s seed 42", "nemesis partition every 2s for 20s seed 42"},
		{"noheal", "noheal"},
		{"kill 3 # the old leader", "kill 3"},
		{"kill 3; wait 2s", "kill 3\nwait 2s"},
		{"repeat 2 { kill leader; wait leader }", "repeat 2 {\n  kill leader\n  wait leader\n}"},
		{"repeat 2 {\n repeat 3 {\n heal\n }\n}", "repeat 2 {\n  repeat 3 {\n    heal\n  }\n}"},
		{"\n\n# only a comment\n", ""},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			p, err := Parse(c.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.in, err)
			}
			got := strings.TrimSuffix(p.String(), "\n")
			if got != c.want {
				t.Fatalf("Parse(%q).String() = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestParse_AST(t *testing.T) {
	p, err := Parse("slow 1,2 200ms jitter 50ms\nnemesis cut,slow every 1s for 10s seed -7")
	if err != nil {
		t.Fatal(err)
	}
	slow := p.Stmts[0].(*SlowStmt)
	if !reflect.DeepEqual(slow.Target, Target{Kind: TargetIDs, IDs: []int{1, 2}}) || slow.Delay != 200*time.Millisecond || slow.Jitter != 50*time.Millisecond {
		t.Fatalf("slow = %+v", slow)
	}
	if slow.At != (Pos{1, 1}) {
		t.Fatalf("slow at %v", slow.At)
	}
	n := p.Stmts[1].(*NemesisStmt)
	if !reflect.DeepEqual(n.Kinds, []string{"cut", "slow"}) || n.Every != time.Second || n.For != 10*time.Second || !n.HasSeed || n.Seed != -7 {
		t.Fatalf("nemesis = %+v", n)
	}
	if n.At != (Pos{2, 1}) {
		t.Fatalf("nemesis at %v", n.At)
	}
	if p.NoHeal() {
		t.Fatal("NoHeal without directive")
	}
	p2, _ := Parse("repeat 2 { noheal }")
	if !p2.NoHeal() {
		t.Fatal("NoHeal inside repeat not seen")
	}
}

func TestParse_Errors(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"kil 3", `unknown command "kil" at 1:1; did you mean "kill"?`},
		{"\n  partiton halves", `unknown command "partiton" at 2:3; did you mean "partition"?`},
		{"kill", `unexpected end of input at 1:5; expected a target`},
		{"kill leeder", `unknown target "leeder" at 1:6`},
		{"kill leeder", `did you mean "leader"?`},
		{"kill 0", `bad node id "0" at 1:6`},
		{"kill 1,1", `node 1 listed twice`},
		{"partition 1,2", `partition needs at least two groups at 1:1`},
		{"partition 1,2 | 2,3", `node 2 is in two groups`},
		{"partition halfs", `did you mean "halves"?`},
		{"cut 1 2", `unexpected "2" at 1:7; expected "->"`},
		{"cut 2 -> 2", `links a node to itself`},
		{"slow 3", `expected a duration`},
		{"slow 3 fast", `bad duration "fast" at 1:8`},
		{"wait leeder", `did you mean "leader"?`},
		{"wait -2s", `bad wait "-2s"`},
		{"wait leader within 0s", `within 0 can never be met`},
		{"expect leader = 3", `unexpected character '='`},
		{"expect state 2 FOLOWING", `did you mean "FOLLOWING"?`},
		{"expect nothing", `unknown expectation "nothing"`},
		{"load 200", `expected "/s" after the rate`},
		{"load fast/s", `bad load rate "fast"`},
		{"nemesis kill,explode every 1s for 2s", `unknown nemesis kind "explode"`},
		{"nemesis kill evry 1s for 2s", `did you mean "every"?`},
		{"nemesis kill every 1s for 2s seed x", `bad seed "x"`},
		{"repeat 2 { kill 3", `unclosed repeat block`},
		{"repeat 0 { kill 3 }", `bad repeat count "0"`},
		{"}", `unexpected "}" at 1:1`},
		{"kill 3 4", `unexpected "4" after "kill 3" at 1:8`},
		{"heal now", `unexpected "now"`},
		{"kill 3 \xff", `invalid UTF-8`},
		{"kill $", `unexpected character '$' at 1:6`},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			_, err := Parse(c.in)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want error containing %q", c.in, c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Parse(%q) error = %q, want it to contain %q", c.in, err, c.want)
			}
		})
	}
}

func TestNearest(t *testing.T) {
	if got := nearest("xyzzy", Commands); got != "" {
		t.Fatalf("nearest(xyzzy) = %q, want none", got)
	}
	if got := nearest("restrat", Commands); got != "restart" {
		t.Fatalf("nearest(restrat) = %q", got)
	}
}

// stripPos zeroes every position so that ASTs parsed from different
// spellings of the same program compare equal.
func stripPos(ss []Stmt) {
	for _, s := range ss {
		v := reflect.ValueOf(s).Elem()
		v.FieldByName("At").Set(reflect.ValueOf(Pos{}))
		if r, ok := s.(*RepeatStmt); ok {
			stripPos(r.Body)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"kill 3", "partition 1,2 | 3,4,5", "repeat 3 { kill leader; wait leader within 5s }",
		"slow 1,2 200ms jitter 5ms", "nemesis kill,pause every 1s for 10s seed 3",
		"expect state 2 FOLLOWING", "load 10/s\ncheck\nload off", "cut 1 -> 2 # c", "wait 1h2m3.5s",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse(src)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		out := p.String()
		p2, err := Parse(out)
		if err != nil {
			t.Fatalf("re-parse of %q (from %q): %v", out, src, err)
		}
		stripPos(p.Stmts)
		stripPos(p2.Stmts)
		if !reflect.DeepEqual(p.Stmts, p2.Stmts) {
			t.Fatalf("round trip differs:\n%q\n%q", src, out)
		}
		if p2.String() != out {
			t.Fatalf("String not stable: %q vs %q", out, p2.String())
		}
	})
}

// TestParse_Examples keeps the shipped examples/*.chaos parseable.
func TestParse_Examples(t *testing.T) {
	files, err := filepath.Glob("../examples/*.chaos")
	if err != nil || len(files) < 3 {
		t.Fatalf("examples: %v %v", files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(string(b)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestParseUpgrade: `upgrade N --impl apache|zkctl` parses to its canonical
// line; a missing flag or an unknown implementation is a parse error that
// says what was expected.
func TestParseUpgrade(t *testing.T) {
	prog, err := Parse("upgrade 3 --impl APACHE\nupgrade 1 --impl zkctl\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := prog.Stmts[0].String() + ";" + prog.Stmts[1].String(); got != "upgrade 3 --impl apache;upgrade 1 --impl zkctl" {
		t.Fatalf("got %q", got)
	}
	for src, want := range map[string]string{
		"upgrade 3 apache":        `unexpected "apache"`,
		"upgrade 3 --impl apach":  `did you mean "apache"`,
		"upgrade leader --impl x": "bad node id",
		"upgrade 3 --impl":        "apache or zkctl",
	} {
		if _, err := Parse(src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error with %q", src, err, want)
		}
	}
}
