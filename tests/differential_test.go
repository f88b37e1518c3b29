package tests

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/differential.golden from Apache ZooKeeper's answers")

// diffOptions are the server options both implementations get: TTL nodes
// on, fsync off (the script checks answers, not durability).
var diffOptions = zkproc.Options{ExtendedTypes: true, NoFsync: true}

const goldenPath = "testdata/differential.golden"

// startZkctl starts a standalone zkctl or skips the calling test with the
// reason, so zkctl's half switches on by itself once the server works.
// ZKCTL_REQUIRE_SERVER=1 turns the skip into a failure.
func startZkctl(t *testing.T, o zkproc.Options) *zkproc.Proc {
	t.Helper()
	p, err := zkproc.TryStartStandalone(t, o)
	if err != nil {
		if os.Getenv("ZKCTL_REQUIRE_SERVER") == "1" {
			t.Fatalf("zkctl server required (ZKCTL_REQUIRE_SERVER=1): %v", err)
		}
		t.Skipf("zkctl server not usable yet, skipping its half: %v", err)
	}
	return p
}

// TestDifferential_Script plays the same ~100 operations against Apache
// ZooKeeper and zkctl, both from a fresh data dir, and compares the answers
// line by line (zxids must match exactly; times and session ids are
// normalised). Apache's answers are also checked against the committed
// golden file, which lets zkctl be compared when Java is not installed.
func TestDifferential_Script(t *testing.T) {
	var want []string
	t.Run("apache", func(t *testing.T) {
		srv := oracle.StartStandalone(t, diffOptions)
		want = runScript(t, srv.ClientAddr())
		if *updateGolden {
			if err := os.WriteFile(goldenPath, []byte(strings.Join(want, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		if golden, err := readGolden(); err == nil {
			if d := diffLines("golden", golden, "apache", want); d != "" {
				t.Errorf("Apache ZooKeeper no longer matches %s (rerun with -update-golden if the script changed):\n%s", goldenPath, d)
			}
		}
	})
	t.Run("zkctl", func(t *testing.T) {
		ref, refName := want, "apache"
		if ref == nil {
			golden, err := readGolden()
			if err != nil {
				t.Skipf("no Apache answers and no golden file: %v", err)
			}
			ref, refName = golden, "golden(apache)"
		}
		p := startZkctl(t, diffOptions)
		got := runScript(t, p.ClientAddr())
		if d := diffLines(refName, ref, "zkctl", got); d != "" {
			t.Errorf("zkctl differs from Apache ZooKeeper:\n%s", d)
		}
	})
}

func readGolden() ([]string, error) {
	b, err := os.ReadFile(goldenPath)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", goldenPath, err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n"), nil
}

// diffLines compares two transcripts answer by answer and describes up to
// 25 differences; "" means equal.
func diffLines(aName string, a []string, bName string, b []string) string {
	var out strings.Builder
	n := max(len(a), len(b))
	shown := 0
	for i := range n {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x == y {
			continue
		}
		shown++
		if shown > 25 {
			fmt.Fprintf(&out, "... more differences\n")
			break
		}
		fmt.Fprintf(&out, "#%d\n  %-8s %s\n  %-8s %s\n", i+1, aName+":", x, bName+":", y)
	}
	if len(a) != len(b) {
		fmt.Fprintf(&out, "%s has %d answers, %s has %d\n", aName, len(a), bName, len(b))
	}
	return out.String()
}

// mntrKeys are gauges every 3.8 server prints (docs/client-reference.md §8.2).
var mntrKeys = []string{
	"zk_version", "zk_server_state", "zk_avg_latency", "zk_min_latency", "zk_max_latency",
	"zk_packets_received", "zk_packets_sent", "zk_num_alive_connections", "zk_outstanding_requests",
	"zk_uptime", "zk_znode_count", "zk_watch_count", "zk_ephemerals_count", "zk_approximate_data_size",
	"zk_global_sessions", "zk_local_sessions",
}

// fourLetterFacts reduces 4lw answers to what must agree between servers.
func fourLetterFacts(t *testing.T, addr string) []string {
	t.Helper()
	ask := func(w string) string {
		out, err := zkproc.FourLetter(addr, w, 5*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", w, err)
		}
		return out
	}
	var facts []string
	facts = append(facts, "ruok="+ask("ruok"))
	srvr := ask("srvr")
	facts = append(facts, "srvr Mode="+zkproc.ParseMode(srvr))
	for _, prefix := range []string{"Zookeeper version: ", "Latency min/avg/max: ", "Received: ", "Sent: ",
		"Connections: ", "Outstanding: ", "Zxid: 0x", "Node count: "} {
		facts = append(facts, fmt.Sprintf("srvr has %q: %v", prefix, strings.Contains(srvr, "\n"+prefix) || strings.HasPrefix(srvr, prefix)))
	}
	for _, line := range strings.Split(srvr, "\n") {
		if strings.HasPrefix(line, "Node count: ") || strings.HasPrefix(line, "Zxid: ") {
			facts = append(facts, "srvr "+line)
		}
	}
	m := zkproc.ParseMntr(ask("mntr"))
	for _, k := range mntrKeys {
		facts = append(facts, fmt.Sprintf("mntr has %s: %v", k, m[k] != ""))
	}
	facts = append(facts, "mntr zk_server_state="+m["zk_server_state"], "mntr zk_znode_count="+m["zk_znode_count"])
	stat := ask("stat")
	facts = append(facts, fmt.Sprintf("stat has Clients: %v", strings.Contains(stat, "Clients:\n")), "stat Mode="+zkproc.ParseMode(stat))
	return facts
}

// TestDifferential_FourLetterWords compares ruok, srvr, stat and mntr of a
// fresh Apache ZooKeeper and a fresh zkctl.
func TestDifferential_FourLetterWords(t *testing.T) {
	var want []string
	t.Run("apache", func(t *testing.T) {
		srv := oracle.StartStandalone(t, diffOptions)
		want = fourLetterFacts(t, srv.ClientAddr())
		for _, f := range want {
			if strings.HasSuffix(f, ": false") {
				t.Errorf("Apache ZooKeeper lacks %s; the expectation is wrong", f)
			}
		}
	})
	t.Run("zkctl", func(t *testing.T) {
		if want == nil {
			t.Skip("no Apache answers to compare with")
		}
		p := startZkctl(t, diffOptions)
		got := fourLetterFacts(t, p.ClientAddr())
		if d := diffLines("apache", want, "zkctl", got); d != "" {
			t.Errorf("4lw answers differ:\n%s", d)
		}
	})
}

func TestDiffLines_ReportsMismatches(t *testing.T) {
	if d := diffLines("a", []string{"x", "y"}, "b", []string{"x", "y"}); d != "" {
		t.Fatalf("equal transcripts differ: %s", d)
	}
	d := diffLines("a", []string{"x", "y"}, "b", []string{"x", "z", "w"})
	for _, want := range []string{"#2", "a:       y", "b:       z", "#3", "a has 2 answers, b has 3"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
}
