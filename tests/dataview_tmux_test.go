package tests

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/zkproc"
)

// TestDataView_CreateThroughPromptInTmux runs `zkctl up 3` in tmux, opens
// the data view with d, creates a node with `:create /x "hi"`, and sees it
// in the tree and its data once selected; then deletes it with x, y and
// sees it go. The lines are recorded in the session script.
func TestDataView_CreateThroughPromptInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the tmux end-to-end test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed")
	}
	bin := zkproc.Build(t)
	dir := t.TempDir()
	x := tmux{t: t, session: fmt.Sprintf("zkctl-data-%d", os.Getpid())}
	errLog := dir + "/up.stderr"
	cmdline := fmt.Sprintf("TERM=xterm-256color %s up 3 --dir %s --name e2e --base-port %d 2>%s; echo zkctl-exited $?; sleep 30",
		bin, dir, freeBasePort(t), errLog)
	x.run("new-session", "-d", "-s", x.session, "-x", "140", "-y", "45", cmdline)
	t.Cleanup(func() {
		_ = exec.Command("tmux", "send-keys", "-t", x.session, "q").Run()
		time.Sleep(200 * time.Millisecond)
		_ = exec.Command("tmux", "send-keys", "-t", x.session, "y").Run()
		x.waitScreen(15*time.Second, func(s string) bool { return strings.Contains(s, "zkctl-exited") })
		_ = exec.Command("tmux", "kill-session", "-t", x.session).Run()
	})
	s, ok := x.waitScreen(30*time.Second, func(s string) bool { return leaderOnScreen(s) != "" && strings.Contains(s, "quorum 3/3") })
	if !ok {
		stderr, _ := os.ReadFile(errLog)
		t.Skipf("no leader with a full quorum within 30s:\n%s\n%s", s, stderr)
	}
	x.run("send-keys", "-t", x.session, "d")
	s, ok = x.waitScreen(10*time.Second, func(s string) bool { return strings.Contains(s, "zookeeper") && strings.Contains(s, "session 0x") })
	if !ok {
		t.Fatalf("d did not show the tree with a session:\n%s", s)
	}
	x.run("send-keys", "-t", x.session, ":")
	x.run("send-keys", "-t", x.session, "-l", `create /x "hi"`)
	x.run("send-keys", "-t", x.session, "Enter")
	s, ok = x.waitScreen(10*time.Second, func(s string) bool { return strings.Contains(s, "▸ x") || strings.Contains(s, "· x") })
	if !ok {
		t.Fatalf("/x did not appear in the tree:\n%s", s)
	}
	// Go to /x and see its data and Stat.
	x.run("send-keys", "-t", x.session, "/")
	x.run("send-keys", "-t", x.session, "C-u")
	x.run("send-keys", "-t", x.session, "-l", "/x")
	x.run("send-keys", "-t", x.session, "Enter")
	s, ok = x.waitScreen(10*time.Second, func(s string) bool {
		return strings.Contains(s, "data (text, 2 bytes)") && strings.Contains(s, "hi") && strings.Contains(s, "dataVersion    0")
	})
	if !ok {
		t.Fatalf("/x's data and Stat not shown:\n%s", s)
	}
	x.run("send-keys", "-t", x.session, "x")
	s, ok = x.waitScreen(5*time.Second, func(s string) bool { return strings.Contains(s, "delete /x? [y/N]") })
	if !ok {
		t.Fatalf("x did not ask to confirm the delete:\n%s", s)
	}
	x.run("send-keys", "-t", x.session, "y")
	s, ok = x.waitScreen(10*time.Second, func(s string) bool { return strings.Contains(s, "✓ delete /x") && !strings.Contains(s, "· x") })
	if !ok {
		t.Fatalf("/x not deleted on screen:\n%s", s)
	}
	// Both edits are in the recorded session, as replayable lines.
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, _ := exec.Command("sh", "-c", "cat "+dir+"/e2e/sessions/*.chaos").CombinedOutput()
		if strings.Contains(string(out), `create /x "hi"`) && strings.Contains(string(out), "delete /x") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("session script lacks the data lines:\n%s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
