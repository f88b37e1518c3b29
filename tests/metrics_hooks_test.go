package tests

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// Issue 10: with the pipeline hooks wired, the ServerMetrics that move in
// Apache ZooKeeper 3.8 under a workload move in zkctl, under the same
// names and in the same roles.

// hookMetrics are the mntr keys each role must move in both servers after
// the workload (docs/metrics.md, "API and hooks").
var hookMetrics = map[string][]string{
	"leader": {"zk_proposal_count", "zk_commit_count", "zk_cnt_updatelatency", "zk_cnt_readlatency",
		"zk_cnt_fsynctime", "zk_cnt_election_time", "zk_looking_count", "zk_diff_count",
		"zk_cnt_quorum_ack_latency", "zk_cnt_prep_process_time", "zk_connection_request_count",
		"zk_bytes_received_count", "zk_response_bytes"},
	"follower": {"zk_learner_proposal_received_count", "zk_learner_commit_received_count",
		"zk_cnt_follower_sync_time", "zk_cnt_election_time", "zk_looking_count",
		"zk_cnt_updatelatency", "zk_cnt_readlatency", "zk_cnt_fsynctime",
		"zk_connection_request_count", "zk_bytes_received_count"},
}

// movedMetrics runs the workload on a fresh ensemble of kind and returns
// the numeric mntr values of its leader and of one follower.
func movedMetrics(t *testing.T, kind string) map[string]map[string]float64 {
	t.Helper()
	opts := fidelityOptions
	opts.NoFsync = false // fsynctime is recorded only when the log is synced
	var srvs []*zkproc.Instance
	if kind == "apache" {
		srvs = oracle.StartEnsemble(t, 3, opts)
	} else {
		srvs = zkproc.StartEnsemble(t, 3, opts)
	}
	lead := waitOneLeader(t, srvs)
	var fol *zkproc.Instance
	for _, s := range srvs {
		if s != lead {
			fol = s
			break
		}
	}
	for i, s := range []*zkproc.Instance{lead, fol} {
		c := mustConnect(t, s)
		for j := range 10 {
			p := fmt.Sprintf("/hooks%d-%d", i, j)
			if _, err := c.Create(p, []byte("data"), 0, zk.WorldACL(zk.PermAll)); err != nil {
				t.Fatalf("%s: create %s: %v", kind, p, err)
			}
			if _, _, err := c.Get(p); err != nil {
				t.Fatalf("%s: get %s: %v", kind, p, err)
			}
		}
		c.Close()
	}
	out := map[string]map[string]float64{}
	for role, s := range map[string]*zkproc.Instance{"leader": lead, "follower": fol} {
		text, err := zkproc.FourLetter(s.ClientAddr(), "mntr", 5*time.Second)
		if err != nil {
			t.Fatalf("%s %s: mntr: %v", kind, role, err)
		}
		m := map[string]float64{}
		for k, v := range zkproc.ParseMntr(text) {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				m[k] = f
			}
		}
		out[role] = m
	}
	return out
}

// TestMetrics_HooksMoveLikeApache: the hook metrics are above 0 in both
// Apache 3.8 and zkctl, per role; every other counter or summary count
// that moved in Apache and not in zkctl is logged (the hooks not wired
// yet, docs/metrics.md).
func TestMetrics_HooksMoveLikeApache(t *testing.T) {
	oracle.RequireOrSkip(t)
	if testing.Short() {
		t.Skip("starts two three-server ensembles")
	}
	apache := movedMetrics(t, "apache")
	zkctl := movedMetrics(t, "zkctl")
	for _, role := range []string{"leader", "follower"} {
		a, z := apache[role], zkctl[role]
		for _, k := range hookMetrics[role] {
			switch {
			case a[k] <= 0:
				t.Errorf("Apache %s mntr %s = %v: the workload should move it", role, k, a[k])
			case z[k] <= 0:
				t.Errorf("zkctl %s mntr %s = %v, Apache %v", role, k, z[k], a[k])
			}
		}
		// The per-namespace sets of the workload's paths: every server
		// counts the writes it applies, the reads it serves.
		for k, v := range a {
			if strings.HasPrefix(k, "zk_cnt_hooks") && v > 0 && z[k] <= 0 {
				t.Errorf("zkctl %s mntr %s = %v, Apache %v", role, k, z[k], v)
			}
		}
		var notYet, zkctlOnly []string
		for _, k := range slices.Sorted(maps.Keys(a)) {
			if !strings.HasSuffix(k, "_count") && !strings.HasPrefix(k, "zk_cnt_") {
				continue
			}
			if a[k] > 0 && z[k] <= 0 {
				notYet = append(notYet, k)
			}
			if a[k] <= 0 && z[k] > 0 {
				zkctlOnly = append(zkctlOnly, k)
			}
		}
		t.Logf("%s: moved in Apache, not in zkctl: %v; moved in zkctl only: %v", role, notYet, zkctlOnly)
	}
}
