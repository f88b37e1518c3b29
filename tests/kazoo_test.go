package tests

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// kazooPython returns a python3 that can import kazoo, or skips (fails with
// ZKCTL_REQUIRE_ORACLE=1) when there is none.
func kazooPython(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(py)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import kazoo").Run() == nil {
			return path
		}
	}
	if os.Getenv(oracle.RequireEnv) == "1" {
		t.Fatalf("python3-kazoo required (%s=1) but no python3 imports kazoo", oracle.RequireEnv)
	}
	t.Skip("python3-kazoo not installed (apt-get install python3-kazoo)")
	return ""
}

// runKazoo runs testdata/<script> against addr and returns its transcript.
func runKazoo(t *testing.T, py, script, addr string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "testdata/"+script, addr)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s against %s: %v\nstdout:\n%s\nstderr:\n%s", script, addr, err, stdout.String(), stderr.String())
	}
	return strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
}

// TestKazoo_Basic runs the kazoo workload (ensure_path, ephemeral and
// sequential nodes, versions, ChildrenWatch/DataWatch, transactions, the lock
// recipe) against Apache ZooKeeper and zkctl and compares the transcripts.
func TestKazoo_Basic(t *testing.T) {
	py := kazooPython(t)
	var want []string
	t.Run("apache", func(t *testing.T) {
		srv := oracle.StartStandalone(t, zkproc.Options{NoFsync: true})
		want = runKazoo(t, py, "kazoo_basic.py", srv.ClientAddr())
		if len(want) < 20 {
			t.Fatalf("short transcript:\n%s", strings.Join(want, "\n"))
		}
	})
	t.Run("zkctl", func(t *testing.T) {
		if want == nil {
			t.Skip("no Apache transcript to compare with")
		}
		p := startZkctl(t, zkproc.Options{NoFsync: true})
		got := runKazoo(t, py, "kazoo_basic.py", p.ClientAddr())
		if d := diffLines("apache", want, "zkctl", got); d != "" {
			t.Errorf("kazoo transcripts differ:\n%s", d)
		}
	})
}
