package tests

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// adminJSON fetches /commands/<name> as a generic JSON object.
func adminJSON(t *testing.T, s *zkproc.Instance, name string) map[string]any {
	t.Helper()
	c := adminapi.NewClient(s.AdminAddr(), 3*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var out map[string]any
	if err := c.Command(ctx, name, &out); err != nil {
		t.Fatalf("%s: /commands/%s: %v", s.Name(), name, err)
	}
	return out
}

// keyPaths lists the keys of a JSON object, nested objects as a.b, with
// the per-server maps of voting_view reduced to their inner keys.
func keyPaths(prefix string, m map[string]any) []string {
	var out []string
	for k, v := range m {
		p := prefix + k
		if sub, ok := v.(map[string]any); ok {
			if prefix == "current_config." || k == "current_config" && len(sub) > 0 {
				// server ids: compare the keys of one member.
				for _, id := range slices.Sorted(maps.Keys(sub)) {
					if inner, ok := sub[id].(map[string]any); ok {
						out = append(out, keyPaths(p+".<sid>.", inner)...)
						break
					}
				}
				continue
			}
			out = append(out, keyPaths(p+".", sub)...)
			continue
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// In a mixed ensemble (Apache ZooKeeper 3.8 + zkctl) the quorum admin
// commands leader, voting_view and zabstate have the same keys on both
// kinds of server, and their values agree on the shared facts (leader id,
// voting view, epoch, phase).
func TestEnsembleAdmin_QuorumCommandsMatchApache(t *testing.T) {
	oracle.RequireOrSkip(t)
	if !oracle.AdminAvailable() {
		if os.Getenv(oracle.RequireEnv) == "1" {
			t.Fatal("Apache AdminServer jars (jetty9, jackson) are required but missing")
		}
		t.Skip("Apache AdminServer jars (jetty9, jackson) are not installed")
	}
	zkproc.Build(t)
	a, z := oracle.Launcher(), zkproc.ZkctlLauncher()
	srvs, err := zkproc.StartMixed(t, []zkproc.Launcher{a, z, z}, zkproc.Options{TickTime: 500, NoFsync: true, StartTimeout: 40 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	lead := waitModes(t, srvs, 30*time.Second)
	// A write so that last_zxid has a counter > 0 everywhere.
	c := mustConnect(t, srvs[1])
	writeN(t, c, "/admin", 3)
	checkAll(t, srvs, []string{"/admin-0002"})
	apache, zk := srvs[0], srvs[1]
	for _, cmd := range []string{"leader", "voting_view", "zabstate"} {
		ja, jz := adminJSON(t, apache, cmd), adminJSON(t, zk, cmd)
		ka, kz := keyPaths("", ja), keyPaths("", jz)
		if !slices.Equal(ka, kz) {
			t.Errorf("/commands/%s keys differ:\n apache %v\n zkctl  %v", cmd, ka, kz)
		}
		t.Logf("%s apache: %v", cmd, ja)
		t.Logf("%s zkctl:  %v", cmd, jz)
	}
	for _, s := range srvs {
		l := adminJSON(t, s, "leader")
		if got, want := l["is_leader"], s == lead; got != want {
			t.Errorf("%s: leader.is_leader = %v, want %v", s.Name(), got, want)
		}
		if got := fmt.Sprint(l["leader_id"]); got != fmt.Sprint(lead.ID()) {
			t.Errorf("%s: leader.leader_id = %s, want %d", s.Name(), got, lead.ID())
		}
		if got := fmt.Sprint(l["leader_ip"]); got != "127.0.0.1" {
			t.Errorf("%s: leader.leader_ip = %s, want 127.0.0.1", s.Name(), got)
		}
		zs := adminJSON(t, s, "zabstate")
		if got := fmt.Sprint(zs["zabstate"]); !strings.EqualFold(got, "broadcast") {
			t.Errorf("%s: zabstate = %q, want broadcast", s.Name(), got)
		}
		if got, want := zs["is_leader"], s == lead; got != want {
			t.Errorf("%s: zabstate.is_leader = %v, want %v", s.Name(), got, want)
		}
		if got := fmt.Sprint(zs["myid"]); got != fmt.Sprint(s.ID()) {
			t.Errorf("%s: zabstate.myid = %s", s.Name(), got)
		}
		if zs["voting"] != true {
			t.Errorf("%s: zabstate.voting = %v, want true", s.Name(), zs["voting"])
		}
	}
	za, zz := adminJSON(t, apache, "zabstate"), adminJSON(t, zk, "zabstate")
	if fmt.Sprint(za["zab_epoch"]) != fmt.Sprint(zz["zab_epoch"]) {
		t.Errorf("zab_epoch: apache %v, zkctl %v", za["zab_epoch"], zz["zab_epoch"])
	}
	va, vz := adminJSON(t, apache, "voting_view"), adminJSON(t, zk, "voting_view")
	ca, _ := va["current_config"].(map[string]any)
	cz, _ := vz["current_config"].(map[string]any)
	if len(ca) != 3 || len(cz) != 3 {
		t.Errorf("voting_view members: apache %d, zkctl %d, want 3", len(ca), len(cz))
	}
	for id, m := range ca {
		ma, _ := m.(map[string]any)
		mz, _ := cz[id].(map[string]any)
		for _, k := range []string{"server_addresses", "election_addresses", "learner_type"} {
			if fmt.Sprint(ma[k]) != fmt.Sprint(mz[k]) {
				t.Errorf("voting_view %s.%s: apache %v, zkctl %v", id, k, ma[k], mz[k])
			}
		}
	}
}
