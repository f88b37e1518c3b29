package tests

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// zkCliPath is Debian's ZooKeeper command-line client.
const zkCliPath = "/usr/share/zookeeper/bin/zkCli.sh"

// zkCliScript is fed to zkCli.sh on stdin, one command per line.
var zkCliScript = []string{
	"create /cli hello",
	"create /cli again",
	"create /cli/kid",
	"create -e /cli/eph e",
	"create -s /cli/seq- s",
	"ls /",
	"ls /cli",
	"ls -s /cli",
	"get /cli",
	"get -s /cli",
	"stat /cli",
	"set /cli bye",
	"set -v 0 /cli stale",
	"get /cli",
	"getAcl /cli",
	"setAcl /cli world:anyone:r",
	"getAcl /cli",
	"set /cli denied",
	"get /missing",
	"stat /missing",
	"delete /cli",
	"delete /cli/kid",
	// NB: deleteall runs on a tree it may delete. On /cli (read-only for
	// everyone now, so not even setAcl can open it again) zkCli's
	// ZKUtil.deleteInBatch releases its semaphore before recording the
	// failure, so whether it prints "Failed to delete some node(s)" is a
	// client-side race, against Apache ZooKeeper as much as against zkctl.
	"create /tree t",
	"create /tree/a",
	"create /tree/a/b",
	"create /tree/c",
	"deleteall /tree",
	"ls /",
	"quit",
}

// zkCliNoise matches lines that legitimately differ between runs or servers.
var zkCliNoise = regexp.MustCompile(`^(ctime|mtime) = |^SLF4J: |^Connecting to |^ephemeralOwner = 0x[0-9a-f]*[1-9a-f]`)

// runZkCli pipes zkCliScript into zkCli.sh -server addr and returns stdout
// and stderr lines without times, session ids and logging noise.
func runZkCli(t *testing.T, addr string) []string {
	t.Helper()
	return runZkCliScript(t, addr, zkCliScript)
}

// runZkCliScript is runZkCli with the given commands.
func runZkCliScript(t *testing.T, addr string, script []string, flags ...string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, zkCliPath, append(flags, "-server", addr)...)
	cmd.Stdin = strings.NewReader(strings.Join(script, "\n") + "\n")
	cmd.Env = append(os.Environ(), "ZOO_LOG_DIR="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("zkCli.sh %v against %s: %v\nstdout:\n%s\nstderr:\n%s", flags, addr, err, stdout.String(), stderr.String())
	}
	var lines []string
	for _, stream := range []struct{ name, text string }{{"out", stdout.String()}, {"err", stderr.String()}} {
		for _, l := range strings.Split(stream.text, "\n") {
			l = strings.TrimRight(l, "\r ")
			if l == "" || zkCliNoise.MatchString(l) {
				continue
			}
			lines = append(lines, stream.name+": "+l)
		}
	}
	return lines
}

// requireZkCli skips (fails with ZKCTL_REQUIRE_ORACLE=1) without zkCli.sh.
func requireZkCli(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(zkCliPath); err != nil {
		if os.Getenv(oracle.RequireEnv) == "1" {
			t.Fatalf("zkCli.sh required: %v", err)
		}
		t.Skipf("zkCli.sh not installed: %v", err)
	}
}

// TestZkCli_Commands runs zkCli.sh commands (create, ls, get, stat, set,
// getAcl, setAcl, delete, deleteall, error cases) against Apache ZooKeeper
// and zkctl and compares the outputs without times and session ids.
func TestZkCli_Commands(t *testing.T) {
	oracle.RequireOrSkip(t)
	requireZkCli(t)
	var want []string
	t.Run("apache", func(t *testing.T) {
		srv := oracle.StartStandalone(t, zkproc.Options{NoFsync: true})
		want = runZkCli(t, srv.ClientAddr())
		if testing.Verbose() {
			t.Logf("Apache transcript:\n%s", strings.Join(want, "\n"))
		}
		joined := strings.Join(want, "\n")
		for _, s := range []string{"out: [cli, zookeeper]", "out: hello", "out: bye", "'world,'anyone", "Node does not exist: /missing"} {
			if !strings.Contains(joined, s) {
				t.Errorf("Apache transcript lacks %q:\n%s", s, joined)
			}
		}
	})
	t.Run("zkctl", func(t *testing.T) {
		if want == nil {
			t.Skip("no Apache transcript to compare with")
		}
		p := startZkctl(t, zkproc.Options{NoFsync: true})
		got := runZkCli(t, p.ClientAddr())
		if d := diffLines("apache", want, "zkctl", got); d != "" {
			t.Errorf("zkCli.sh outputs differ:\n%s", d)
		}
	})
}
