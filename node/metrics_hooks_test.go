package node

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/node/zkconfig"
)

// Issue 10: the pipeline's hooks move 3.8's ServerMetrics, and each
// in-process server's mntr shows its own values.

// mntrValues reads a server's mntr as numbers (non-numeric lines dropped).
func mntrValues(t *testing.T, s *Server) map[string]float64 {
	t.Helper()
	out, err := zkproc.FourLetter(s.ClientAddr().String(), "mntr", 5*time.Second)
	if err != nil {
		t.Fatalf("mntr: %v", err)
	}
	m := map[string]float64{}
	for k, v := range zkproc.ParseMntr(out) {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			m[k] = f
		}
	}
	return m
}

// wantMetrics fails for each key whose value is below its minimum (or
// missing), naming the role.
func wantMetrics(t *testing.T, role string, got map[string]float64, min map[string]float64) {
	t.Helper()
	for k, lo := range min {
		v, ok := got[k]
		if !ok {
			t.Errorf("%s mntr has no %s", role, k)
		} else if v < lo {
			t.Errorf("%s mntr %s = %v, want >= %v", role, k, v, lo)
		}
	}
}

// metricsWorkload writes and reads through c.
func metricsWorkload(t *testing.T, c *zk.Conn, prefix string) {
	t.Helper()
	for i := range 10 {
		p := fmt.Sprintf("/%s%d", prefix, i)
		if _, err := c.Create(p, []byte("data"), 0, zk.WorldACL(zk.PermAll)); err != nil {
			t.Fatalf("create %s: %v", p, err)
		}
		if _, err := c.Set(p, []byte("more data"), -1); err != nil {
			t.Fatalf("set %s: %v", p, err)
		}
		if _, _, err := c.Get(p); err != nil {
			t.Fatalf("get %s: %v", p, err)
		}
	}
}

func withMetricsConfig(cfg *zkconfig.Config) {
	cfg.ForceSync = true // fsynctime is recorded only when the log is synced
	cfg.FourLetterWords = zkconfig.ParseWhitelist("*")
}

// TestMetrics_EnsembleHooksMove: after writes and reads through a
// follower and the leader, the leader's mntr shows proposals, commits,
// latencies, fsyncs, its election and learner syncs; a follower's shows
// the proposals and commits it received and its sync.
func TestMetrics_EnsembleHooksMove(t *testing.T) {
	srvs := startInProcessEnsemble(t, 3, 0, withMetricsConfig)
	lead := waitInProcessRoles(t, srvs)
	var fol *Server
	for _, s := range srvs {
		if s != lead {
			fol = s
			break
		}
	}
	for _, s := range []*Server{lead, fol} {
		c, _ := connect(t, s.ClientAddr().String(), 10*time.Second)
		metricsWorkload(t, c, fmt.Sprintf("m%d-", s.cfg.MyID))
		c.Close()
	}
	wantMetrics(t, "leader", mntrValues(t, lead), map[string]float64{
		"zk_proposal_count":              41, // 20 creates, 20 sets, closeSessions
		"zk_commit_count":                41,
		"zk_cnt_updatelatency":           21, // its client's writes and closeSession
		"zk_cnt_readlatency":             10,
		"zk_cnt_fsynctime":               1,
		"zk_cnt_election_time":           1,
		"zk_looking_count":               1,
		"zk_diff_count":                  0,
		"zk_snap_count":                  0,
		"zk_cnt_quorum_ack_latency":      41,
		"zk_cnt_prep_process_time":       41,
		"zk_cnt_leader_unavailable_time": 1,
		"zk_connection_request_count":    1,
		"zk_bytes_received_count":        1,
		"zk_response_bytes":              1,
	})
	lm := mntrValues(t, lead)
	// One DIFF (empty) per follower sync; at least one sync has happened
	// by the time the ensemble serves.
	if n := lm["zk_diff_count"] + lm["zk_snap_count"]; n < 1 {
		t.Errorf("leader mntr zk_diff_count + zk_snap_count = %v, want >= 1", n)
	}
	fm := mntrValues(t, fol)
	wantMetrics(t, "follower", fm, map[string]float64{
		"zk_learner_proposal_received_count": 41,
		"zk_learner_commit_received_count":   41,
		"zk_cnt_follower_sync_time":          1,
		"zk_cnt_election_time":               1,
		"zk_looking_count":                   1,
		"zk_cnt_unavailable_time":            1,
		"zk_cnt_updatelatency":               21,
		"zk_cnt_readlatency":                 10,
		"zk_cnt_fsynctime":                   1,
		"zk_proposal_count":                  0,
	})
	if v := fm["zk_proposal_count"]; v != 0 {
		t.Errorf("follower mntr zk_proposal_count = %v, want 0 (the leader proposes)", v)
	}
	if v := fm["zk_cnt_prep_process_time"]; v != 0 {
		t.Errorf("follower mntr zk_cnt_prep_process_time = %v, want 0 (a 3.8 follower runs no PrepRequestProcessor)", v)
	}
}

// TestMetrics_StandaloneHooksMove: a standalone server records request
// latencies, fsyncs, its database load and per-namespace bytes, and no
// quorum metric.
func TestMetrics_StandaloneHooksMove(t *testing.T) {
	cfg := zkconfig.Default(t.TempDir())
	cfg.ClientPortAddress, cfg.ClientPort = "127.0.0.1", 0
	cfg.AdminEnableServer = false
	withMetricsConfig(cfg)
	s, err := NewServer(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	c, _ := connect(t, s.ClientAddr().String(), 10*time.Second)
	metricsWorkload(t, c, "s")
	// A failed getData replies without data (and must not stop the server).
	if _, _, err := c.Get("/missing"); err != zk.ErrNoNode {
		t.Fatalf("get /missing: %v, want ErrNoNode", err)
	}
	c.Close()
	m := mntrValues(t, s)
	wantMetrics(t, "standalone", m, map[string]float64{
		"zk_cnt_updatelatency":          20,
		"zk_cnt_readlatency":            10,
		"zk_cnt_fsynctime":              1,
		"zk_cnt_dbinittime":             1,
		"zk_cnt_prep_process_time":      20,
		"zk_connection_request_count":   1,
		"zk_cnt_s0_write_per_namespace": 2,
		"zk_sum_s0_write_per_namespace": 13, // "data" then "more data"
		"zk_cnt_s0_read_per_namespace":  1,
	})
	for _, k := range []string{"zk_proposal_count", "zk_commit_count", "zk_looking_count", "zk_cnt_election_time"} {
		if m[k] != 0 {
			t.Errorf("standalone mntr %s = %v, want 0", k, m[k])
		}
	}
}
