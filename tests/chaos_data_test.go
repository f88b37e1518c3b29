package tests

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zkctl/zkctl/internal/zkproc"
)

// TestChaosScript_DataCommands runs a headless script that creates, sets
// and deletes znodes and checks each step with expect data / expect
// absent; a failed data expectation exits 1 like any other expect.
func TestChaosScript_DataCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("real-process chaos test: skipped with -short")
	}
	bin := zkproc.Build(t)
	for _, tc := range []struct {
		name, src string
		code      int
		want      []string
	}{
		{"create set delete", `wait quorum within 30s
create /dv "one"
expect data /dv "one"
set /dv "two" -v 0
expect data /dv "two"
setacl /dv "world:anyone:cdrwa" -v 0
create /dv/q- "" -s
create /dv/e "held" -e
delete -r /dv
expect absent /dv
`, 0, []string{"created /dv", "set /dv (version 1, 3 bytes)", `expect data /dv "two": ok`, "set the ACL of /dv (version 1)", "created /dv/q-0000000000",
			"deleted /dv (3 znodes)", "expect absent /dv: ok", "result: pass"}},
		{"failed data expect", "wait quorum within 30s\ncreate /dv \"one\"\nexpect data /dv \"two\"\n", 1,
			[]string{`expect data /dv "two" failed: /dv holds "one"`}},
		{"version mismatch is a script error", "wait quorum within 30s\ncreate /dv \"one\"\nset /dv \"x\" -v 7\n", 2,
			[]string{"version mismatch"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, code, _ := runUpScript(t, bin, 3, writeScript(t, tc.src), "--tick", "200ms")
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q\n%s", w, out)
				}
			}
		})
	}
}

// TestDo_DataCommandsAndFollowUpRead: `zkctl do` runs data lines on a
// running cluster; another client reads what they wrote, and bad lines
// fail before reaching the cluster.
func TestDo_DataCommandsAndFollowUpRead(t *testing.T) {
	u := startUpCluster(t, 3)
	defer u.down()
	u.waitStable(30 * time.Second)
	if out := u.do(`create /a "x"`); !strings.Contains(out, "created /a") {
		t.Fatalf("create: %s", out)
	}
	u.do(`set /a "{\"k\": 1}"`)
	st := u.status()
	conn, _, err := zk.Connect([]string{"127.0.0.1:" + strconv.Itoa(st.Nodes[0].ClientPort)}, 5*time.Second, zk.WithLogInfo(false))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Sync("/a"); err != nil {
		t.Fatal(err)
	}
	data, stat, err := conn.Get("/a")
	if err != nil || string(data) != `{"k": 1}` || stat.Version != 1 {
		t.Fatalf("follow-up read: %q %+v %v", data, stat, err)
	}
	for _, c := range []struct{ line, want string }{
		{`delete /zookeeper`, "ZooKeeper's own subtree"},
		{`create /b x`, "data in double quotes"},
		{`delete /nope`, "no such znode"},
	} {
		out, code := u.zkctl("do", c.line)
		if code != 2 || !strings.Contains(out, c.want) {
			t.Errorf("zkctl do %q: exit %d, want 2 and %q\n%s", c.line, code, c.want, out)
		}
	}
	u.do(`delete /a`)
	if ok, _, _ := conn.Exists("/a"); ok {
		t.Fatal("/a still exists after zkctl do delete /a")
	}
}
