package tests

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/zkproc"
)

// TestLauncherBadInput: bad input to `zkctl up`, `zkctl do` and the fault
// shortcuts gives a clear error and a non-zero exit, starts nothing and
// wipes nothing (issue 4). One real 3-server cluster serves the cases that
// need a running cluster.
func TestLauncherBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("real-process launcher test: skipped with -short")
	}
	bin := zkproc.Build(t)
	running := startUpCluster(t, 3)
	running.waitStable(30 * time.Second)

	// A cluster directory with data that --clean would wipe.
	dataDir := t.TempDir()
	marker := filepath.Join(dataDir, "keep", "node-1", "data", "marker")
	if err := os.MkdirAll(filepath.Dir(marker), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(marker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A busy port: the client port of node 3 of a free layout, held here.
	busyBase := freeBasePort(t)
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(busyBase+3))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	badScript := writeScript(t, "wait quorum\nexplode leader\n")
	emptyDir := t.TempDir()

	cases := []struct {
		name string
		args []string
		code int      // expected exit status
		want []string // substrings of the output
		// absent lists paths (relative to emptyDir) that must not exist after.
		absent []string
	}{
		{"up 0", []string{"up", "0", "--headless", "--dir", emptyDir}, 2,
			[]string{`"0" servers: want a number from 1 to 9`}, []string{"local"}},
		{"up 100", []string{"up", "100", "--headless", "--dir", emptyDir}, 2,
			[]string{`"100" servers: want a number from 1 to 9`}, []string{"local"}},
		{"up not a number", []string{"up", "five", "--headless", "--dir", emptyDir}, 2,
			[]string{`"five" servers`}, []string{"local"}},
		{"busy port names it and its holder", []string{"up", "3", "--headless", "--clean", "--dir", dataDir, "--name", "keep",
			"--base-port", strconv.Itoa(busyBase)}, 2,
			[]string{fmt.Sprintf("port %d (client port of node 3) is busy", busyBase+3), fmt.Sprintf("held by pid %d", os.Getpid()), "choose another --base-port"}, nil},
		{"dir holds a running cluster", []string{"up", "3", "--headless", "--clean", "--dir", running.dir, "--name", running.name,
			"--base-port", strconv.Itoa(freeBasePort(t))}, 2,
			[]string{"a cluster named e2e is already running", "zkctl down --name e2e"}, nil},
		{"dir is not a directory", []string{"up", "3", "--headless", "--dir", filepath.Join(notDir, "sub")}, 2,
			[]string{"is not usable", "not a directory"}, nil},
		{"script that does not parse starts nothing", []string{"up", "3", "--headless", "--script", badScript, "--dir", emptyDir}, 2,
			[]string{`unknown command "explode" at 2:1`}, []string{"local"}},
		{"do with no running cluster", []string{"do", "heal", "--dir", emptyDir}, 2,
			[]string{"no cluster named local is running", "zkctl up --name local"}, []string{"local"}},
		{"shortcut with no running cluster", []string{"kill", "leader", "--dir", emptyDir, "--name", "nope"}, 2,
			[]string{"no cluster named nope is running"}, []string{"nope"}},
		{"unknown chaos command", []string{"do", "explode 3", "--dir", running.dir, "--name", running.name}, 2,
			[]string{`unknown command "explode" at 1:1`}, nil},
		{"misspelt chaos command", []string{"do", "kil leader", "--dir", running.dir, "--name", running.name}, 2,
			[]string{`did you mean "kill"`}, nil},
		{"unknown target id", []string{"do", "kill 7", "--dir", running.dir, "--name", running.name}, 2,
			[]string{"no node 7 in this cluster"}, nil},
		{"unknown target word", []string{"do", "pause leaders", "--dir", running.dir, "--name", running.name}, 2,
			[]string{`unknown target "leaders" at 1:7`, `did you mean "leader"?`}, nil},
		{"failed expect exits 1 with its output", []string{"do", "expect leader; expect state 1 OBSERVING", "--dir", running.dir, "--name", running.name}, 1,
			[]string{"expect leader: ok", "expect state 1 OBSERVING failed"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := exec.Command(bin, tc.args...).CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(string(out), "panic:") || strings.Contains(string(out), "goroutine 1 [") {
				t.Errorf("output looks like a panic:\n%s", out)
			}
			for _, a := range tc.absent {
				if _, err := os.Stat(filepath.Join(emptyDir, a)); err == nil {
					t.Errorf("%s was created", a)
				}
			}
		})
	}

	// Nothing wiped, nothing stopped.
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("--clean with a busy port wiped data: %v", err)
	}
	if _, err := os.Stat(filepath.Join(running.dir, running.name, "node-1", "data", "myid")); err != nil {
		t.Errorf("the running cluster's data is gone: %v", err)
	}
	st := running.status()
	for _, n := range st.Nodes {
		if !n.Running {
			t.Errorf("node %d of the running cluster stopped: %+v", n.ID, n)
		}
	}
	running.down()
}
