package tests

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/jute"
)

// Issue 10 judges: a 3-server Apache ZooKeeper 3.8 ensemble and a 3-server
// zkctl ensemble, the same checks on both (helpers in
// fidelity_helpers_test.go).

// silentTolerance is added to session timeout + one tick for the time a
// test needs to see the expiry (polling every 50 ms, watch delivery, a
// busy two-core machine running six servers).
const silentTolerance = 1500 * time.Millisecond

// waitEphemeralGone polls path through c until it is gone or d passes since
// t0, and returns how long after t0 it went (or -1).
func waitEphemeralGone(t *testing.T, c *zk.Conn, path string, t0 time.Time, d time.Duration) time.Duration {
	t.Helper()
	for time.Since(t0) < d {
		ok, _, err := c.Exists(path)
		if err != nil {
			t.Fatalf("exists %s: %v", path, err)
		}
		if !ok {
			return time.Since(t0)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return -1
}

// silentSession opens a raw session (fidelitySessionTimeout) on s, creates
// the ephemeral path and then sends nothing more: no ping, no request.
// It returns when the create was answered.
func silentSession(t *testing.T, s *zkproc.Instance, path string) time.Time {
	t.Helper()
	r, err := dialRawSession(s.ClientAddr(), 0, nil, int32(fidelitySessionTimeout/time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.c.Close() })
	if _, code, err := r.call(jute.OpCreate, &jute.CreateRequest{Path: path, Data: []byte(s.Name()), ACL: jute.OpenACLUnsafe(), Flags: jute.FlagEphemeral}, nil); err != nil || code != jute.ErrOK {
		t.Fatalf("%s: create ephemeral %s: %v %v", s.Name(), path, code, err)
	}
	return time.Now()
}

// TestFidelity_SilentClientExpires (issue 10, first item): a client that
// stops sending expires within session timeout + a tick whether it is
// connected to the leader or to a follower, and a kazoo Lock held by a
// client on a follower that is frozen with SIGSTOP passes to the next
// client within the same bound. Apache 3.8: ~4.1 s for a 4 s session.
func TestFidelity_SilentClientExpires(t *testing.T) {
	py := kazooPython(t)
	tick := time.Duration(fidelityOptions.TickTime) * time.Millisecond
	bound := fidelitySessionTimeout + tick + silentTolerance
	floor := fidelitySessionTimeout - 2*tick // expiry is rounded up to a tick; a client never expires much early
	run := func(t *testing.T, kind string) {
		srvs, lead := startFidelityEnsemble(t, kind)
		fs := others(srvs, lead)
		watcher := mustConnect(t, lead)
		tl := silentSession(t, lead, "/silent-leader")
		tf := silentSession(t, fs[0], "/silent-follower")
		check := func(t *testing.T, path string, t0 time.Time) {
			took := waitEphemeralGone(t, watcher, path, t0, 3*fidelitySessionTimeout)
			switch {
			case took < 0:
				t.Fatalf("%s: %s still there %v after its client went silent (session timeout %v)", kind, path, 3*fidelitySessionTimeout, fidelitySessionTimeout)
			case took > bound:
				t.Fatalf("%s: %s removed after %v, want within %v", kind, path, took, bound)
			case took < floor:
				t.Fatalf("%s: %s removed after %v, before the session timeout %v", kind, path, took, fidelitySessionTimeout)
			}
			t.Logf("%s: silent client's %s removed after %v (session %v, bound %v)", kind, path, took.Round(time.Millisecond), fidelitySessionTimeout, bound)
		}
		t.Run("leader", func(t *testing.T) { check(t, "/silent-leader", tl) })
		t.Run("follower", func(t *testing.T) {
			check(t, "/silent-follower", tf)
		})
		t.Run("kazoo-lock-sigstop-follower", func(t *testing.T) {
			holder := startKazooLock(t, py, "hold", fs[1].ClientAddr(), "/lock")
			if _, _, ok := holder.expect("held", 30*time.Second); !ok {
				t.Fatalf("kazoo holder on %s did not take the lock:\n%s", fs[1].Name(), holder.out.String())
			}
			waiter := startKazooLock(t, py, "wait", lead.ClientAddr(), "/lock")
			if _, _, ok := waiter.expect("waiting", 30*time.Second); !ok {
				t.Fatalf("kazoo waiter did not start:\n%s", waiter.out.String())
			}
			for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				kids, _, err := watcher.Children("/lock")
				if err == nil && len(kids) == 2 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the waiter never queued on /lock: %v %v", kids, err)
				}
			}
			// Freeze only the holder process this test started, by its pid.
			if err := holder.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
				t.Fatal(err)
			}
			stopped := time.Now()
			_, at, ok := waiter.expect("acquired", 3*fidelitySessionTimeout)
			if !ok {
				t.Fatalf("%s: the lock of the client frozen on follower %s did not pass within %v", kind, fs[1].Name(), 3*fidelitySessionTimeout)
			}
			took := at.Sub(stopped)
			t.Logf("%s: lock passed %v after SIGSTOP of its holder on a follower (bound %v)", kind, took.Round(time.Millisecond), bound)
			if took > bound {
				t.Fatalf("%s: lock passed after %v, want within %v", kind, took, bound)
			}
		})
	}
	t.Run("apache", func(t *testing.T) { run(t, "apache") })
	t.Run("zkctl", func(t *testing.T) { run(t, "zkctl") })
}

// ensembleFacts are the answers TestFidelity_EnsembleFacts compares.
type ensembleFacts struct {
	idleZxid     []string // "leader 0x…" then "follower equal: true" per follower
	config       []string // /zookeeper/config through the leader and a follower, ports normalised
	addauth      []string // addauth digest with and without a colon, then a request
	mntrLeader   map[string]bool
	mntrFollower map[string]bool
}

// collectEnsembleFacts gathers ensembleFacts of one fresh ensemble; the
// idle zxid comes first, before any session (createSession is a txn).
func collectEnsembleFacts(t *testing.T, srvs []*zkproc.Instance, lead *zkproc.Instance) ensembleFacts {
	t.Helper()
	var f ensembleFacts
	fs := others(srvs, lead)
	// 1. Idle zxids as srvr reports them: wait until every follower's has
	// settled (two equal polls 500 ms apart, at most 5 s), then record the
	// leader's and the followers' (sorted).
	var last []string
	for deadline := time.Now().Add(5 * time.Second); ; {
		poll := func() []string {
			z := []string{srvrZxid(lead)}
			var fz []string
			for _, s := range fs {
				fz = append(fz, srvrZxid(s))
			}
			slices.Sort(fz)
			return append(z, fz...)
		}
		a := poll()
		time.Sleep(500 * time.Millisecond)
		last = poll()
		if slices.Equal(a, last) && !slices.Contains(last, "") || time.Now().After(deadline) {
			break
		}
	}
	// 3.8 (Leader.startZkServer) moves the leader's lastProcessedZxid to
	// epoch<<32 once a quorum acked NEWLEADER; a follower synced before that
	// by an empty DIFF keeps 0x0, one synced after it by SNAP reports the
	// leader's. Which one depends on start-up timing, in both
	// implementations, so the judge is that each follower is one of the two.
	f.idleZxid = []string{"leader srvr zxid " + last[0]}
	for _, z := range last[1:] {
		f.idleZxid = append(f.idleZxid, fmt.Sprintf("follower srvr zxid is 0x0 or the leader's: %v", z == "0x0" || z == last[0]))
	}
	t.Logf("idle srvr zxids: leader %s, followers %v", last[0], last[1:])
	if isZkctl(lead) {
		for _, s := range srvs {
			if p := peerOf(s); p != nil {
				t.Logf("%s /commands/peer: state %s last_logged_zxid 0x%x", s.Name(), p.State, p.LastLoggedZxid)
			}
		}
	}
	// 2. /zookeeper/config (what ZooKeeper.getConfig reads: getData on the
	// config node) through the leader and through a follower.
	for _, s := range []*zkproc.Instance{lead, fs[0]} {
		role := "leader"
		if s != lead {
			role = "follower"
		}
		c := mustConnect(t, s)
		data, st, err := c.Get("/zookeeper/config")
		f.config = append(f.config, fmt.Sprintf("get /zookeeper/config via %s: %s", role, errText(err)))
		if err == nil {
			f.config = append(f.config, fmt.Sprintf("stat czxid=0x%x mzxid=0x%x version=%d aversion=%d numChildren=%d dataLength>0=%v",
				st.Czxid, st.Mzxid, st.Version, st.Aversion, st.NumChildren, st.DataLength > 0))
			t.Logf("%s /zookeeper/config via %s (stat %+v):\n%s", s.Name(), role, *st, data)
			f.config = append(f.config, normalizeConfig(string(data), srvs)...)
		}
		c.Close()
	}
	// 3. addauth digest without a colon, through a follower; then a read.
	for _, auth := range []string{"blah", "user:pw"} {
		c := mustConnect(t, fs[0])
		err := c.AddAuth("digest", []byte(auth))
		f.addauth = append(f.addauth, fmt.Sprintf("addauth digest %s: %s", auth, errText(err)))
		_, _, err = c.Exists("/")
		f.addauth = append(f.addauth, fmt.Sprintf("exists / after addauth digest %s: %s", auth, errText(err)))
		c.Close()
	}
	// 4. mntr key sets of the leader and a follower.
	f.mntrLeader, f.mntrFollower = mntrKeySet(t, lead), mntrKeySet(t, fs[0])
	return f
}

// mntrQuorumKeys are the leader-only gauges 3.8 prints in an ensemble
// (docs/client-reference.md §8.2) that both implementations must have.
var mntrQuorumKeys = []string{"zk_learners", "zk_synced_followers", "zk_pending_syncs"}

// serverMetricsKeys are the 3.8 ServerMetrics keys issue 10 names, in the
// forms mntr prints them (summaries as avg/min/max/cnt/sum).
var serverMetricsKeys = func() []string {
	out := []string{"zk_proposal_count", "zk_commit_count", "zk_looking_count", "zk_diff_count", "zk_snap_count", "zk_connection_rejected"}
	for _, s := range []string{"election_time", "fsynctime", "readlatency", "updatelatency"} {
		for _, p := range []string{"avg", "min", "max", "cnt", "sum"} {
			out = append(out, "zk_"+p+"_"+s)
		}
	}
	return out
}()

// TestFidelity_EnsembleFacts (issue 10): on a fresh idle ensemble the
// leader's srvr Zxid is 0x100000000 and each follower's 0x0 (empty DIFF)
// or the leader's (SNAP), as in 3.8; /zookeeper/config holds the
// membership (server.N=host:q:e:participant;host:c lines and version=);
// `addauth digest blah` (no colon) is accepted; the leader's and a
// follower's mntr have 3.8's keys.
func TestFidelity_EnsembleFacts(t *testing.T) {
	var want *ensembleFacts
	t.Run("apache", func(t *testing.T) {
		srvs, lead := startFidelityEnsemble(t, "apache")
		f := collectEnsembleFacts(t, srvs, lead)
		t.Logf("apache facts:\n%s\n%s\n%s", strings.Join(f.idleZxid, "\n"), strings.Join(f.config, "\n"), strings.Join(f.addauth, "\n"))
		// Apache is the reference; check that the expectations hold for it.
		// NB: 3.8's followers synced by an empty DIFF report srvr Zxid 0x0
		// on an idle ensemble while the leader reports 0x100000000.
		for _, l := range f.idleZxid[1:] {
			if !strings.HasSuffix(l, "true") {
				t.Errorf("Apache: %s", l)
			}
		}
		if f.idleZxid[0] != "leader srvr zxid 0x100000000" {
			t.Errorf("Apache idle leader: %s", f.idleZxid[0])
		}
		servers, version := 0, false
		for _, l := range f.config {
			if m := configLine.FindStringSubmatch(l); m != nil && m[1] == m[2] && m[2] == m[3] && m[3] == m[4] {
				servers++
			}
			version = version || strings.HasPrefix(l, "version=")
		}
		if servers != 6 || !version {
			t.Errorf("Apache /zookeeper/config: %d server lines (want 3 per read), version line %v:\n%s", servers, version, strings.Join(f.config, "\n"))
		}
		if strings.Contains(strings.Join(f.addauth, "\n"), "zk: ") {
			t.Errorf("Apache refused an addauth:\n%s", strings.Join(f.addauth, "\n"))
		}
		for _, k := range append(slices.Clone(mntrKeys), mntrQuorumKeys...) {
			if !f.mntrLeader[k] {
				t.Errorf("Apache leader's mntr lacks %s; the expectation is wrong", k)
			}
		}
		want = &f
	})
	t.Run("zkctl", func(t *testing.T) {
		if want == nil {
			t.Skip("no Apache answers to compare with")
		}
		srvs, lead := startFidelityEnsemble(t, "zkctl")
		got := collectEnsembleFacts(t, srvs, lead)
		t.Run("idle-zxid", func(t *testing.T) {
			if d := diffLines("apache", want.idleZxid, "zkctl", got.idleZxid); d != "" {
				t.Errorf("idle ensemble zxids differ:\n%s", d)
			}
		})
		t.Run("config", func(t *testing.T) {
			if d := diffLines("apache", want.config, "zkctl", got.config); d != "" {
				t.Errorf("/zookeeper/config differs:\n%s", d)
			}
		})
		t.Run("addauth", func(t *testing.T) {
			if d := diffLines("apache", want.addauth, "zkctl", got.addauth); d != "" {
				t.Errorf("addauth answers differ:\n%s", d)
			}
		})
		t.Run("mntr-servermetrics", func(t *testing.T) {
			for _, role := range []struct {
				name       string
				apache, zk map[string]bool
			}{{"leader", want.mntrLeader, got.mntrLeader}, {"follower", want.mntrFollower, got.mntrFollower}} {
				for _, k := range serverMetricsKeys {
					if role.apache[k] && !role.zk[k] {
						t.Errorf("zkctl %s's mntr lacks %s", role.name, k)
					}
				}
				// Every other key too, summary-set instances apart
				// (metrics_test.go, docs/metrics.md).
				for _, k := range compareMntrKeys(t, role.name, role.apache, role.zk) {
					t.Errorf("zkctl %s's mntr lacks %s", role.name, k)
				}
			}
		})
		t.Run("mntr", func(t *testing.T) {
			for _, role := range []struct {
				name       string
				apache, zk map[string]bool
				must       []string
			}{
				{"leader", want.mntrLeader, got.mntrLeader, append(slices.Clone(mntrKeys), mntrQuorumKeys...)},
				{"follower", want.mntrFollower, got.mntrFollower, mntrKeys},
			} {
				var lacks, extra []string
				for _, k := range slices.Sorted(maps.Keys(role.apache)) {
					if !role.zk[k] {
						lacks = append(lacks, k)
					}
				}
				for _, k := range slices.Sorted(maps.Keys(role.zk)) {
					if !role.apache[k] {
						extra = append(extra, k)
					}
				}
				t.Logf("%s mntr: Apache %d keys, zkctl %d; zkctl lacks %d of Apache's: %s", role.name, len(role.apache), len(role.zk), len(lacks), strings.Join(lacks, " "))
				if len(extra) > 0 {
					t.Logf("%s mntr: zkctl only: %s", role.name, strings.Join(extra, " "))
				}
				for _, k := range role.must {
					if !role.zk[k] {
						t.Errorf("zkctl %s's mntr lacks %s", role.name, k)
					}
				}
			}
		})
	})
}

// TestFidelity_ChaosWaitSyncedIdle (issue 10): `wait synced` succeeds on a
// freshly started idle zkctl cluster. Its followers, like 3.8's, may keep
// zxid 0x0 while the leader reports 0x100000000 (an epoch mark, no txn;
// TestFidelity_EnsembleFacts pins that), so synced must mean "has every
// txn the leader committed", not "zxid equals the leader's".
func TestFidelity_ChaosWaitSyncedIdle(t *testing.T) {
	if testing.Short() {
		t.Skip("real-process chaos test: skipped with -short")
	}
	bin := zkproc.Build(t)
	out, code, took := runUpScript(t, bin, 3, writeScript(t, "wait quorum within 30s\nwait synced within 5s\nexpect synced\n"), "--tick", "200ms")
	t.Logf("exit %d after %v", code, took.Round(time.Millisecond))
	if code != 0 || !strings.Contains(out, "result: pass") {
		t.Fatalf("wait synced on an idle cluster: exit %d\n%s", code, out)
	}
}

// zkCliQuotaScript is issue 10's bad input for quotas, fed to zkCli.sh.
var zkCliQuotaScript = []string{
	"create /q",
	"setquota -n 10 /missing",
	"setquota -n -5 /q",
	"setquota -b -1 /q",
	"setquota -N -5 /q",
	"setquota -n 99999999999999999999 /q",
	"setquota -n 10 /zookeeper",
	"setquota -n 10 /zookeeper/quota",
	"setquota -n 10 /q",
	"setquota -n 10 /q",
	"listquota /missing",
	"delquota /missing",
	"ls /zookeeper/quota",
	"quit",
}

// zkCliQuotaCountScript reads back what the server keeps for a quota
// (zookeeper_limits and zookeeper_stats) after a few creates.
var zkCliQuotaCountScript = []string{
	"create /c",
	"setquota -n 5 /c",
	"create /c/a x",
	"create /c/b yy",
	"ls /zookeeper/quota/c",
	"get /zookeeper/quota/c/zookeeper_limits",
	"get /zookeeper/quota/c/zookeeper_stats",
	"listquota /c",
	"quit",
}

// TestFidelity_ZkCliQuotaBadInput (issue 10, bad input): setquota on a
// missing path, negative and absurd quotas, setquota on /zookeeper and a
// second setquota on the same path, through zkCli.sh against Apache and
// zkctl; the transcripts must be the same. Then the quota nodes and
// listquota after a few creates.
func TestFidelity_ZkCliQuotaBadInput(t *testing.T) {
	oracle.RequireOrSkip(t)
	requireZkCli(t)
	var want, wantCount []string
	t.Run("apache", func(t *testing.T) {
		srv := oracle.StartStandalone(t, zkproc.Options{NoFsync: true})
		want = runZkCliScript(t, srv.ClientAddr(), zkCliQuotaScript)
		t.Logf("Apache transcript:\n%s", strings.Join(want, "\n"))
		wantCount = runZkCliScript(t, srv.ClientAddr(), zkCliQuotaCountScript)
		t.Logf("Apache quota count transcript:\n%s", strings.Join(wantCount, "\n"))
	})
	t.Run("zkctl", func(t *testing.T) {
		if want == nil {
			t.Skip("no Apache transcript to compare with")
		}
		p := startZkctl(t, zkproc.Options{NoFsync: true})
		got := runZkCliScript(t, p.ClientAddr(), zkCliQuotaScript)
		t.Logf("zkctl transcript:\n%s", strings.Join(got, "\n"))
		if d := diffLines("apache", want, "zkctl", got); d != "" {
			t.Errorf("zkCli.sh quota transcripts differ:\n%s", d)
		}
		t.Run("counts", func(t *testing.T) {
			got := runZkCliScript(t, p.ClientAddr(), zkCliQuotaCountScript)
			t.Logf("zkctl quota count transcript:\n%s", strings.Join(got, "\n"))
			if d := diffLines("apache", wantCount, "zkctl", got); d != "" {
				t.Errorf("zkCli.sh quota count transcripts differ:\n%s", d)
			}
		})
	})
}
