package oracle_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

func TestClasspath_HasZooKeeperJar(t *testing.T) {
	oracle.RequireOrSkip(t)
	cp := oracle.Classpath()
	if !strings.Contains(cp, "/usr/share/java/zookeeper.jar") {
		t.Fatalf("classpath lacks zookeeper.jar: %s", cp)
	}
}

func TestStandalone_ServesKillsRestarts(t *testing.T) {
	srv := oracle.StartStandalone(t, zkproc.Options{NoFsync: true})
	out, err := zkproc.FourLetter(srv.ClientAddr(), "ruok", 5*time.Second)
	if err != nil || out != "imok" {
		t.Fatalf("ruok = %q, %v; want imok", out, err)
	}
	if got := srv.Mode(); got != "standalone" {
		t.Fatalf("Mode = %q, want standalone", got)
	}
	if srv.AdminAddr() != "" {
		resp, err := http.Get("http://" + srv.AdminAddr() + "/commands/ruok")
		if err != nil {
			t.Fatalf("admin ruok: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), `"command" : "ruok"`) {
			t.Fatalf("admin ruok body = %s", body)
		}
	}
	if !strings.Contains(srv.Log(), "ZooKeeperServerMain") && !strings.Contains(srv.Log(), "binding to port") {
		t.Errorf("log does not look like ZooKeeper's:\n%s", srv.Log())
	}
	pid := srv.Pid()
	srv.Kill9()
	if srv.Pid() != 0 {
		t.Fatalf("pid after Kill9 = %d, want 0", srv.Pid())
	}
	if _, err := zkproc.FourLetter(srv.ClientAddr(), "ruok", time.Second); err == nil {
		t.Fatalf("server still answers after kill -9 of pid %d", pid)
	}
	srv.Restart()
	if srv.Pid() == 0 || srv.Pid() == pid {
		t.Fatalf("pid after restart = %d (old %d)", srv.Pid(), pid)
	}
	if got := srv.Mode(); got != "standalone" {
		t.Fatalf("Mode after restart = %q", got)
	}
}

func TestEnsemble_ElectsOneLeader(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three JVMs")
	}
	srvs := oracle.StartEnsemble(t, 3, zkproc.Options{NoFsync: true, TickTime: 500})
	leaders := 0
	for _, s := range srvs {
		switch m := s.Mode(); m {
		case "leader":
			leaders++
		case "follower":
		default:
			t.Errorf("%s mode = %q", s.Name(), m)
		}
	}
	if leaders != 1 {
		t.Fatalf("%d leaders, want 1", leaders)
	}
	if oracle.Leader(srvs) == nil {
		t.Fatal("Leader() = nil")
	}
}
