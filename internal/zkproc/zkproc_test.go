package zkproc

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfig_StandaloneHasNoServerLines(t *testing.T) {
	cfg := Config(Options{ExtendedTypes: true, NoFsync: true}, "/d", Member{ID: 1, ClientPort: 5, AdminPort: 6}, []Member{{ID: 1}})
	text := RenderConfig(cfg)
	for _, want := range []string{"clientPort=5\n", "dataDir=/d\n", "extendedTypesEnabled=true\n", "forceSync=no\n",
		"admin.serverPort=6\n", "4lw.commands.whitelist=*\n", "clientPortAddress=127.0.0.1\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("config lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "server.") {
		t.Errorf("standalone config has server lines:\n%s", text)
	}
}

func TestConfig_EnsembleWritesMembersAndMyid(t *testing.T) {
	ms := []Member{{ID: 1, QuorumPort: 11, ElectionPort: 12, ClientPort: 13}, {ID: 2, QuorumPort: 21, ElectionPort: 22, ClientPort: 23}}
	dir := t.TempDir()
	cfg := Config(Options{NoAdmin: true, Extra: map[string]string{"tickTime": "100"}}, filepath.Join(dir, "data"), ms[1], ms)
	if cfg["server.2"] != "127.0.0.1:21:22:participant;127.0.0.1:23" || cfg["tickTime"] != "100" || cfg["admin.enableServer"] != "false" {
		t.Fatalf("bad config: %v", cfg)
	}
	if err := WriteConfig(filepath.Join(dir, "zoo.cfg"), cfg, 2); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "data", "myid"))
	if err != nil || string(b) != "2\n" {
		t.Fatalf("myid = %q, %v", b, err)
	}
}

func TestFourLetter_ReadsUntilClose(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 4)
		if _, err := io.ReadFull(c, buf); err == nil && string(buf) == "srvr" {
			io.WriteString(c, "Zookeeper version: x\nMode: standalone\nNode count: 5\n")
		}
	}()
	out, err := FourLetter(l.Addr().String(), "srvr", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if ParseMode(out) != "standalone" {
		t.Fatalf("mode of %q = %q", out, ParseMode(out))
	}
	if _, err := FourLetter(l.Addr().String(), "toolong", time.Second); err == nil {
		t.Fatal("accepted a 7-letter word")
	}
}

func TestParseMntr(t *testing.T) {
	m := ParseMntr("zk_version\t3.8.0\nzk_znode_count\t5\ngarbage\n")
	if m["zk_version"] != "3.8.0" || m["zk_znode_count"] != "5" || len(m) != 2 {
		t.Fatalf("ParseMntr = %v", m)
	}
}

func TestFreePorts_Distinct(t *testing.T) {
	ps, err := FreePorts(8)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ps {
		if seen[p] || p <= 0 {
			t.Fatalf("bad ports %v", ps)
		}
		seen[p] = true
	}
}
