package tests

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/launcher"
)

var dataFrom = regexp.MustCompile(`data from zk(\d+) `)

// TestDataView_CutOffFollowerServesStaleData: in `zkctl up 3` (tmux), the
// data view reads /x from a follower; with the leader's link to it cut, a
// write through the leader commits without it, and a fresh read on the
// follower (sync off) answers without a node the leader created; after
// heal the follower catches up and the view shows the new value, marked
// as a data event, and the new node, without a key press.
func TestDataView_CutOffFollowerServesStaleData(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the tmux end-to-end test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed")
	}
	bin := zkproc.Build(t)
	dir := t.TempDir()
	x := tmux{t: t, session: fmt.Sprintf("zkctl-stale-%d", os.Getpid())}
	// A 1 s tick: the follower notices the silent leader only after
	// syncLimit (5) ticks, the window in which it serves stale reads.
	x.run("new-session", "-d", "-s", x.session, "-x", "140", "-y", "45",
		fmt.Sprintf("TERM=xterm-256color %s up 3 --tick 1s --dir %s --name e2e --base-port %d 2>%s/up.stderr; echo zkctl-exited $?; sleep 30",
			bin, dir, freeBasePort(t), dir))
	t.Cleanup(func() {
		_ = exec.Command("tmux", "send-keys", "-t", x.session, "q").Run()
		time.Sleep(200 * time.Millisecond)
		_ = exec.Command("tmux", "send-keys", "-t", x.session, "y").Run()
		x.waitScreen(15*time.Second, func(s string) bool { return strings.Contains(s, "zkctl-exited") })
		_ = exec.Command("tmux", "kill-session", "-t", x.session).Run()
	})
	s, ok := x.waitScreen(40*time.Second, func(s string) bool { return leaderOnScreen(s) != "" && strings.Contains(s, "quorum 3/3") })
	if !ok {
		t.Skipf("no leader with a full quorum within 40s:\n%s", s)
	}
	leader := leaderOnScreen(s)
	zkctl := func(args ...string) string {
		out, err := exec.Command(bin, append(args, "--dir", dir, "--name", "e2e")...).CombinedOutput()
		if err != nil {
			t.Fatalf("zkctl %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	zkctl("do", `create /x "old"`)
	x.run("send-keys", "-t", x.session, "d")
	if s, ok := x.waitScreen(10*time.Second, func(s string) bool { return strings.Contains(s, "session 0x") }); !ok {
		t.Fatalf("no data view session:\n%s", s)
	}
	// Read from a follower: s until the header names one.
	follower := ""
	for i := 0; i < 3; i++ {
		if m := dataFrom.FindStringSubmatch(x.screen()); m != nil && m[1] != leader {
			follower = m[1]
			break
		}
		x.run("send-keys", "-t", x.session, "s")
		x.waitScreen(5*time.Second, func(s string) bool { return strings.Contains(s, "session 0x") })
	}
	if follower == "" {
		t.Fatalf("s never reached a follower (leader zk%s):\n%s", leader, x.screen())
	}
	x.run("send-keys", "-t", x.session, "/")
	x.run("send-keys", "-t", x.session, "C-u")
	x.run("send-keys", "-t", x.session, "-l", "/x")
	x.run("send-keys", "-t", x.session, "Enter")
	if s, ok := x.waitScreen(10*time.Second, func(s string) bool { return strings.Contains(s, "data (text, 3 bytes)") && strings.Contains(s, "old") }); !ok {
		t.Fatalf("/x not shown from zk%s:\n%s", follower, s)
	}

	c, err := launcher.Find(dir, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var leaderAddr string
	for _, n := range st.Nodes {
		if fmt.Sprint(n.ID) == leader {
			leaderAddr = fmt.Sprintf("127.0.0.1:%d", n.ClientPort)
		}
	}
	conn, _, err := zk.Connect([]string{leaderAddr}, 10*time.Second, zk.WithLogInfo(false))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	zkctl("do", fmt.Sprintf("cut %s -> %s", leader, follower))
	if _, err := conn.Set("/x", []byte("new"), -1); err != nil {
		t.Fatalf("set through the leader: %v", err)
	}
	if _, err := conn.Create("/y", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatalf("create through the leader: %v", err)
	}
	if data, _, err := conn.Get("/x"); err != nil || string(data) != "new" {
		t.Fatalf("leader read: %q %v", data, err)
	}
	// Going to /y reads / again from the follower, which answers without
	// /y: a stale answer, not a timeout.
	x.run("send-keys", "-t", x.session, "/")
	x.run("send-keys", "-t", x.session, "C-u")
	x.run("send-keys", "-t", x.session, "-l", "/y")
	x.run("send-keys", "-t", x.session, "Enter")
	s, ok = x.waitScreen(4*time.Second, func(s string) bool { return strings.Contains(s, `/y: no such znode (/ has no child "y")`) })
	if !ok || !strings.Contains(s, "old") || strings.Contains(s, "● data") {
		t.Fatalf("zk%s, cut off from the leader, does not serve stale data:\n%s", follower, s)
	}

	zkctl("do", "heal")
	if s, ok := x.waitScreen(40*time.Second, func(s string) bool {
		return strings.Contains(s, "● data") && regexp.MustCompile(`(?m)│ new\s*$`).MatchString(s) && strings.Contains(s, "· y")
	}); !ok {
		t.Fatalf("zk%s did not catch up on screen after heal:\n%s", follower, s)
	}
}
