package tests

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/launcher"
)

// zkctl logs prints one server's log, or all of them merged with a
// fixed-width "zkN |" prefix, without colour when stdout is not a terminal.
func TestLauncher_Logs(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	u := startUpCluster(t, 3)
	defer u.down()
	if _, ok := u.waitFor(30*time.Second, func(st launcher.ClusterStatus) bool { return stableLeader(st) > 0 }); !ok {
		t.Fatal("no leader")
	}
	one, code := u.zkctl("logs", "2")
	if code != 0 || !strings.Contains(one, "zkctl server started") {
		t.Fatalf("zkctl logs 2 (exit %d):\n%s", code, one)
	}
	if strings.Contains(one, "zk2 |") {
		t.Fatalf("a single server's log should not be prefixed:\n%s", firstLines(one, 5))
	}
	all, code := u.zkctl("logs")
	if code != 0 {
		t.Fatalf("zkctl logs exit %d:\n%s", code, all)
	}
	for _, id := range []string{"1", "2", "3"} {
		if !regexp.MustCompile(`(?m)^zk` + id + ` +\| .*zkctl server started`).MatchString(all) {
			t.Fatalf("merged log has no prefixed start line of zk%s:\n%s", id, firstLines(all, 20))
		}
	}
	if strings.Contains(all, "\x1b[") {
		t.Fatalf("colour escapes without a terminal:\n%s", firstLines(all, 5))
	}
	if out, code := u.zkctl("logs", "7"); code == 0 || !strings.Contains(out, "7") {
		t.Fatalf("zkctl logs 7 on a 3-server cluster should fail naming the id (exit %d): %s", code, out)
	}
}

func firstLines(s string, n int) string {
	ls := strings.Split(s, "\n")
	if len(ls) > n {
		ls = ls[:n]
	}
	return strings.Join(ls, "\n")
}
