package tests

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

type tmux struct {
	t       *testing.T
	session string
}

func (x tmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", args...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (x tmux) screen() string {
	out, _ := exec.Command("tmux", "capture-pane", "-p", "-t", x.session).CombinedOutput()
	return string(out)
}

// waitScreen polls the pane until match returns true or the timeout passes.
func (x tmux) waitScreen(timeout time.Duration, match func(string) bool) (string, bool) {
	deadline := time.Now().Add(timeout)
	var s string
	for time.Now().Before(deadline) {
		s = x.screen()
		if match(s) {
			return s, true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return s, false
}

// leadingRow matches a LEADING row: ID, IMPL ("zkctl 0.1.0", "apache
// 3.8.0", or "zk"/"ap" when narrow), PID, STATE.
var leadingRow = regexp.MustCompile(`(?m)^[▸ ]\s*(\d+)\s+(?:(?:zkctl|apache)(?: [\d.]+)?|zk|ap|-)\s+\d+\s+LEADING`)

func leaderOnScreen(s string) string {
	m := leadingRow.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestDashboard_KillLeaderKeyInTmux runs `zkctl up 3` in a real terminal
// (tmux), reads the screen, kills the leader with the X key (confirmed with
// y) and waits for another server to show LEADING.
func TestDashboard_KillLeaderKeyInTmux(t *testing.T) { killLeaderKeyInTmux(t, "zkctl 0.1.0") }

// TestDashboard_KillApacheLeaderKeyInTmux is the same with `zkctl up 3
// --impl apache`: the rows show LEADING and FOLLOWING with Apache's
// version, and X then y kills the Apache leader (issue 13).
func TestDashboard_KillApacheLeaderKeyInTmux(t *testing.T) {
	oracle.RequireOrSkip(t)
	killLeaderKeyInTmux(t, "apache 3.", "--impl", "apache")
}

func killLeaderKeyInTmux(t *testing.T, impl string, extra ...string) {
	if testing.Short() {
		t.Skip("-short: skipping the tmux end-to-end test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("ZKCTL_REQUIRE_ORACLE") == "1" {
			t.Fatal("tmux is required (apt-get install tmux)")
		}
		t.Skip("tmux not installed")
	}
	bin := zkproc.Build(t)
	dir := t.TempDir()
	x := tmux{t: t, session: fmt.Sprintf("zkctl-e2e-%d", os.Getpid())}
	errLog := dir + "/up.stderr"
	// Keep the pane open after zkctl exits so that a failure can be read.
	cmdline := fmt.Sprintf("TERM=xterm-256color %s up 3 --dir %s --name e2e --base-port %d %s 2>%s; echo zkctl-exited $?; sleep 30",
		bin, dir, freeBasePort(t), strings.Join(extra, " "), errLog)
	x.run("new-session", "-d", "-s", x.session, "-x", "140", "-y", "45", cmdline)
	t.Cleanup(func() {
		// Quit through the dashboard so the launcher stops its servers;
		// then make sure the session is gone.
		_ = exec.Command("tmux", "send-keys", "-t", x.session, "q").Run()
		time.Sleep(200 * time.Millisecond)
		_ = exec.Command("tmux", "send-keys", "-t", x.session, "y").Run()
		// zkctl prints zkctl-exited once it has stopped its servers.
		if s, ok := x.waitScreen(15*time.Second, func(s string) bool { return strings.Contains(s, "zkctl-exited") }); ok && !strings.Contains(s, "zkctl-exited 0") {
			t.Errorf("zkctl up did not exit cleanly after q, y:\n%s", s)
		}
		_ = exec.Command("tmux", "kill-session", "-t", x.session).Run()
	})

	s, ok := x.waitScreen(20*time.Second, func(s string) bool { return strings.Contains(s, "zkctl e2e") })
	if !ok {
		stderr, _ := os.ReadFile(errLog)
		t.Fatalf("dashboard did not open:\n%s\nstderr of zkctl up:\n%s", s, stderr)
	}
	s, ok = x.waitScreen(30*time.Second, func(s string) bool { return leaderOnScreen(s) != "" && strings.Contains(s, "quorum 3/3") })
	if !ok {
		t.Skipf("no leader with a full quorum on screen within 30s (ensemble not electing?):\n%s", s)
	}
	old := leaderOnScreen(s)
	t.Logf("leader on screen: zk%s", old)
	if !regexp.MustCompile(`(?m)^[▸ ]\s*\d+\s+` + regexp.QuoteMeta(impl) + `.*FOLLOWING`).MatchString(s) {
		t.Errorf("no FOLLOWING row showing %q in the IMPL column:\n%s", impl, s)
	}

	start := time.Now()
	x.run("send-keys", "-t", x.session, "X")
	s, ok = x.waitScreen(2*time.Second, func(s string) bool { return strings.Contains(s, `run "kill leader"? [y/N]`) })
	if !ok {
		t.Fatalf("X did not ask for confirmation:\n%s", s)
	}
	x.run("send-keys", "-t", x.session, "y")
	s, ok = x.waitScreen(30*time.Second, func(s string) bool {
		l := leaderOnScreen(s)
		return l != "" && l != old
	})
	if !ok {
		t.Fatalf("no new leader on screen after killing zk%s:\n%s", old, s)
	}
	if !strings.Contains(s, "kill leader") {
		t.Errorf("event log does not show the chaos line:\n%s", s)
	}
	t.Logf("new leader zk%s on screen %s after the key", leaderOnScreen(s), time.Since(start).Round(time.Millisecond))
}
