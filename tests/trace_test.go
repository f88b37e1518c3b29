package tests

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/launcher"
)

// Issue 14: the link proxies decode, log, hold and fault whole messages.

// messages reads the whole message log of the cluster through the control API.
func (u *upRun) messages(kind string) []launcher.Message {
	u.t.Helper()
	c, err := launcher.Find(u.dir, u.name)
	if err != nil {
		u.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := c.Messages(ctx, 0, kind, 0)
	if err != nil {
		u.t.Fatal(err)
	}
	return resp.Messages
}

// TestTrace_HeldElectionSteppedToLeader starts three servers with the
// election held and releases one notification at a time until they have
// elected a leader that both others follow (FastLeaderElection.lookForLeader
// run message by message); the number of steps is logged.
func TestTrace_HeldElectionSteppedToLeader(t *testing.T) {
	// A 1 s tick gives initLimit 10 s: time for a person (or this loop)
	// to step the followers to the new leader before it gives up.
	u := startUpCluster(t, 3, "--tick", "1s")
	u.waitStable(60 * time.Second)
	u.do("kill all")
	u.do("hold election")
	u.do("start all")
	c, err := launcher.Find(u.dir, u.name)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, since, _ := c.Events(ctx, 0, 0)
	// The launcher polls states every 250 ms: wait until it has seen the
	// restarted servers looking, not the ensemble of before the kill.
	if st, ok := u.waitFor(10*time.Second, func(st launcher.ClusterStatus) bool { return stableLeader(st) == 0 }); !ok {
		t.Fatalf("the restarted servers never showed as leaderless: %s", describeStatus(st))
	}
	var st launcher.ClusterStatus
	for range 200 {
		if st = u.status(); stableLeader(st) != 0 {
			break
		}
		if _, err := c.RunLine(ctx, "step"); err != nil {
			t.Fatalf("step: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if stableLeader(st) == 0 {
		t.Fatalf("no leader after 200 steps: %s", describeStatus(st))
	}
	// Count what the steps released, from the launcher's events.
	evs, _, _ := c.Events(ctx, since, 0)
	released := 0
	for _, e := range evs {
		var n int
		if _, err := fmt.Sscanf(e.Message, "released %d:", &n); err == nil {
			released += n
		}
	}
	t.Logf("held election: leader %d followed by both others after %d stepped notifications", stableLeader(st), released)
	notes := 0
	for _, m := range u.messages(launcher.MsgElection) {
		if m.Type == "notification" {
			notes++
		}
	}
	if notes < 3 || released < 3 {
		t.Fatalf("%d notifications logged, %d released", notes, released)
	}
	u.do("release")
	u.write(stableLeader(st), "after-step", 3)
}

// TestTrace_DropNotificationsStillElects drops and duplicates notifications
// on several links, kills the leader and expects a new one: FLE resends
// notifications on its timeout (QuorumPeer.lookForLeader's notTimeout), so
// lost ones only slow it down. The log marks what the faults did, and
// `zkctl trace --json` prints the schema of docs/trace.md.
func TestTrace_DropNotificationsStillElects(t *testing.T) {
	u := startUpCluster(t, 3)
	u.waitStable(60 * time.Second)
	u.do("drop notifications 1 -> 2 count 3; drop notifications 2 -> 3 for 2s; drop notifications 3 -> 1; duplicate notifications 2 -> 1 count 2")
	u.do("kill leader; wait leader within 30s")
	faults := map[string]int{}
	for _, m := range u.messages(launcher.MsgElection) {
		faults[m.Fault]++
	}
	if faults["dropped"] == 0 || faults["duplicated"] == 0 {
		t.Fatalf("faults in the log: %v", faults)
	}
	u.do("heal")

	out, code := u.zkctl("trace", "--json")
	if code != 0 {
		t.Fatalf("zkctl trace --json: exit %d\n%s", code, out)
	}
	types := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	var last uint64
	for sc.Scan() {
		var m launcher.Message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if m.Seq <= last || m.TimeNs == 0 || m.From < 1 || m.From > 3 || m.To < 1 || m.To > 3 || m.From == m.To || m.Summary == "" {
			t.Fatalf("bad message %+v after seq %d", m, last)
		}
		last = m.Seq
		types[m.Kind+" "+m.Type]++
		if m.Type == "notification" {
			for _, f := range []string{"state", "leader", "zxid", "round", "peer_epoch"} {
				if _, ok := m.Fields[f]; !ok {
					t.Fatalf("notification without %s: %s", f, sc.Text())
				}
			}
		}
	}
	for _, want := range []string{"election handshake", "election notification", "zab FOLLOWERINFO", "zab LEADERINFO", "zab ACKEPOCH", "zab NEWLEADER", "zab UPTODATE", "zab PING"} {
		if types[want] == 0 {
			t.Fatalf("no %s in zkctl trace --json: %v", want, types)
		}
	}
	plain, _ := u.zkctl("trace", "--kind", "zab")
	if !strings.Contains(plain, "zab      ") || strings.Contains(plain, "election ") {
		t.Fatalf("zkctl trace --kind zab:\n%s", plain)
	}

	file := filepath.Join(t.TempDir(), "trace.json")
	if out, code := u.zkctl("trace", "export", "--format", "perfetto", file); code != 0 {
		t.Fatalf("zkctl trace export: exit %d\n%s", code, out)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []struct {
			Ph   string `json:"ph"`
			Name string `json:"name"`
		} `json:"traceEvents"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	phases := map[string]int{}
	for _, e := range doc.TraceEvents {
		phases[e.Ph+" "+e.Name]++
	}
	if phases["M process_name"] != 3 || phases["s msg"] == 0 || phases["f msg"] == 0 || phases["X election"] == 0 || phases["X sync"] == 0 {
		t.Fatalf("perfetto export: %v", phases)
	}
}
