package tests

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// TestDataView_TopApache38InTmux attaches `zkctl top HOST:PORT --auth …`
// to an Apache ZooKeeper 3.8 ensemble, opens the data view with d, browses
// to a node, sees another client's change appear marked as a data event,
// reads a digest-protected node with the credentials, sees "no auth" on
// one it may not read, and creates a node through the prompt (zkctl top
// runs data lines through the view's own session).
func TestDataView_TopApache38InTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed")
	}
	oracle.RequireOrSkip(t)
	bin := zkproc.Build(t)
	o := zkproc.Options{TickTime: 200, NoFsync: true, StartTimeout: 40 * time.Second,
		Extra: map[string]string{"4lw.commands.whitelist": "srvr,stat,conf,isro,cons,wchs,wchp,mntr"}}
	srvs, err := zkproc.Start(t, oracle.LauncherWithoutJetty(), 3, o)
	if err != nil {
		t.Fatal(err)
	}
	waitModes(t, srvs, 30*time.Second)
	addr := srvs[0].ClientAddr()
	c, _, err := zk.Connect([]string{addr}, 5*time.Second, zk.WithLogInfo(false))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, n := range []struct {
		path, data string
		acl        []zk.ACL
	}{
		{"/app", `{"v":1}`, zk.WorldACL(zk.PermAll)},
		{"/secret", "only-for-u", zk.DigestACL(zk.PermAll, "u", "p")},
		{"/locked", "only-for-v", zk.DigestACL(zk.PermAll, "v", "q")},
	} {
		if _, err := c.Create(n.path, []byte(n.data), 0, n.acl); err != nil {
			t.Fatalf("create %s: %v", n.path, err)
		}
	}

	x := tmux{t: t, session: fmt.Sprintf("zkctl-dvtop-%d", os.Getpid())}
	x.run("new-session", "-d", "-s", x.session, "-x", "140", "-y", "45",
		fmt.Sprintf("TERM=xterm-256color %s top %s --auth digest:u:p; echo top-exited $?; sleep 30", bin, addr))
	t.Cleanup(func() { _ = exec.Command("tmux", "kill-session", "-t", x.session).Run() })
	if s, ok := x.waitScreen(20*time.Second, func(s string) bool { return strings.Contains(s, "quorum 3/3") }); !ok {
		t.Fatalf("top shows no quorum:\n%s", s)
	}
	x.run("send-keys", "-t", x.session, "d")
	if s, ok := x.waitScreen(10*time.Second, func(s string) bool { return strings.Contains(s, "session 0x") && strings.Contains(s, "app") }); !ok {
		t.Fatalf("the data view shows no tree:\n%s", s)
	}
	gotoPath := func(p string) {
		x.run("send-keys", "-t", x.session, "/")
		x.run("send-keys", "-t", x.session, "C-u")
		x.run("send-keys", "-t", x.session, "-l", p)
		x.run("send-keys", "-t", x.session, "Enter")
	}
	gotoPath("/app")
	if s, ok := x.waitScreen(10*time.Second, func(s string) bool {
		return strings.Contains(s, `"v": 1`) && strings.Contains(s, "data (json, 7 bytes)")
	}); !ok {
		t.Fatalf("/app's JSON not shown:\n%s", s)
	}
	if _, err := c.Set("/app", []byte(`{"v":2}`), -1); err != nil {
		t.Fatal(err)
	}
	if s, ok := x.waitScreen(10*time.Second, func(s string) bool { return strings.Contains(s, `"v": 2`) && strings.Contains(s, "● data") }); !ok {
		t.Fatalf("another client's change did not appear marked:\n%s", s)
	}
	gotoPath("/secret")
	if s, ok := x.waitScreen(10*time.Second, func(s string) bool { return strings.Contains(s, "only-for-u") && strings.Contains(s, "digest:u:") }); !ok {
		t.Fatalf("the digest-protected node is not read with --auth:\n%s", s)
	}
	gotoPath("/locked")
	if s, ok := x.waitScreen(10*time.Second, func(s string) bool { return strings.Contains(s, "no auth") && !strings.Contains(s, "only-for-v") }); !ok {
		t.Fatalf("a node the ACL forbids is not shown as such:\n%s", s)
	}
	x.run("send-keys", "-t", x.session, ":")
	x.run("send-keys", "-t", x.session, "-l", `create /fromtop "hi"`)
	x.run("send-keys", "-t", x.session, "Enter")
	if s, ok := x.waitScreen(10*time.Second, func(s string) bool {
		return strings.Contains(s, "✓ create /fromtop") && strings.Contains(s, "fromtop")
	}); !ok {
		t.Fatalf("create through top's prompt not shown:\n%s", s)
	}
	if data, _, err := c.Get("/fromtop"); err != nil || string(data) != "hi" {
		t.Fatalf("/fromtop read by another client: %q %v", data, err)
	}
	x.run("send-keys", "-t", x.session, "q")
	if s, ok := x.waitScreen(5*time.Second, func(s string) bool { return strings.Contains(s, "top-exited 0") }); !ok {
		t.Errorf("q did not end top with status 0:\n%s", s)
	}
}
