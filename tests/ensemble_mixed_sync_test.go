package tests

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// mixSyncRoot is the subtree the mixed sync tests write and compare.
const mixSyncRoot = "/mixsync"

// A restarted member of a mixed ensemble is brought back by the other
// implementation's leader: by DIFF after missing a few writes, by SNAP after
// missing more than the leader's committed log (500 txns) and retained logs
// hold. snapCount=100 rolls the logs: a zkctl leader purges all but the
// newest 3 snapshots' logs, and a 3.8 leader's later log files (64 MB
// preallocated each) exceed snapshotSizeFactor × snapshot size, so both
// fall back to SNAP (docs/quorum-reference.md §5.2 rules 4 and 5). After each sync
// the restarted member serves every acknowledged write with the same data
// and Stat as the leader, and the sync mode is read from the zkctl side
// (the leader's learner row and events, or the follower's events) and
// from the Apache side's log.
func TestEnsembleMixed_RestartedMemberSyncsDiffThenSnap(t *testing.T) {
	oracle.RequireOrSkip(t)
	zkproc.Build(t)
	a, z := oracle.Launcher(), zkproc.ZkctlLauncher()
	for _, tc := range []struct {
		name       string
		ls         []zkproc.Launcher
		leaderKind string // expected leader implementation
		follower   int    // index of the member to restart
	}{
		// The two zkctl servers are up long before the JVM: zkctl-3 leads.
		{"zkctl-leader-apache-follower", []zkproc.Launcher{a, z, z}, "zkctl", 0},
		// zkctl-1 alone cannot win; an Apache server (2 or 3) leads.
		{"apache-leader-zkctl-follower", []zkproc.Launcher{z, a, a}, "apache", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := zkproc.Options{TickTime: 500, NoFsync: true, StartTimeout: 40 * time.Second,
				Extra: map[string]string{"snapCount": "100", "autopurge.snapRetainCount": "3"}}
			srvs, err := zkproc.StartMixed(t, tc.ls, o)
			if err != nil {
				t.Fatal(err)
			}
			lead := waitModes(t, srvs, 30*time.Second)
			f := srvs[tc.follower]
			if !strings.HasPrefix(lead.Name(), tc.leaderKind+"-") || lead == f {
				t.Fatalf("leader is %s, want a %s server other than %s", lead.Name(), tc.leaderKind, f.Name())
			}
			t.Logf("leader %s, restarting %s", lead.Name(), f.Name())
			lc := mustConnect(t, lead)
			if _, err := lc.Create(mixSyncRoot, []byte("root"), 0, zk.WorldACL(zk.PermAll)); err != nil {
				t.Fatalf("create %s: %v", mixSyncRoot, err)
			}
			// An ephemeral of a live session must travel in the SNAP stream.
			ec := mustConnect(t, lead)
			if _, err := ec.Create(mixSyncRoot+"/eph", []byte("e"), zk.FlagEphemeral, zk.WorldACL(zk.PermAll)); err != nil {
				t.Fatalf("create ephemeral: %v", err)
			}
			mixWrites(t, lc, "pre", 5, 1)
			compareSubtree(t, lead, srvs)

			// DIFF: a few txns (10 creates, 2 sets, 1 delete).
			f.Stop()
			mixWrites(t, lc, "few", 10, 1)
			before := syncWitness(t, lead, f)
			f.Restart()
			waitModes(t, srvs, 30*time.Second)
			assertSyncMode(t, before, lead, f, "DIFF")
			compareSubtree(t, lead, srvs)

			// SNAP: more than the committed log and the kept logs hold.
			f.Stop()
			mixWrites(t, lc, "many", 700, 8)
			before = syncWitness(t, lead, f)
			f.Restart()
			waitModes(t, srvs, 30*time.Second)
			assertSyncMode(t, before, lead, f, "SNAP")
			compareSubtree(t, lead, srvs)

			// kill -9 after SNAP: the member reloads the snapshot it wrote
			// from the other implementation's stream plus its own log,
			// and a few missed txns bring it back by DIFF again.
			mixWrites(t, lc, "post", 5, 1)
			f.Kill9()
			ec.Close() // closeSession while f is down
			mixWrites(t, lc, "again", 10, 1)
			before = syncWitness(t, lead, f)
			f.Restart()
			waitModes(t, srvs, 30*time.Second)
			assertSyncMode(t, before, lead, f, "DIFF")
			compareSubtree(t, lead, srvs)
			compareEpochs(t, srvs)
		})
	}
}

// mixWrites creates n children of mixSyncRoot named tag-NNNN through c with
// par concurrent writers, then sets the data of every fifth one twice and
// deletes every seventh one; every write must be acknowledged.
func mixWrites(t *testing.T, c *zk.Conn, tag string, n, par int) {
	t.Helper()
	path := func(i int) string { return fmt.Sprintf("%s/%s-%04d", mixSyncRoot, tag, i) }
	work := make(chan int)
	errs := make(chan error, par)
	var wg sync.WaitGroup
	for range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if _, err := c.Create(path(i), []byte(path(i)), 0, zk.WorldACL(zk.PermAll)); err != nil {
					errs <- fmt.Errorf("create %s: %w", path(i), err)
					return
				}
			}
		}()
	}
	for i := range n {
		select {
		case work <- i:
		case err := <-errs:
			close(work)
			wg.Wait()
			t.Fatal(err)
		}
	}
	close(work)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i += 5 {
		for v := range 2 {
			if _, err := c.Set(path(i), []byte(fmt.Sprintf("%s v%d", path(i), v+1)), int32(v)); err != nil {
				t.Fatalf("set %s: %v", path(i), err)
			}
		}
	}
	for i := 3; i < n; i += 7 {
		if err := c.Delete(path(i), -1); err != nil {
			t.Fatalf("delete %s: %v", path(i), err)
		}
	}
}

// znodeView is what a client sees of one znode.
type znodeView struct {
	data string
	stat zk.Stat
}

// subtreeOf reads the root, mixSyncRoot and its children with their data and Stat
// from s after a sync.
func subtreeOf(t *testing.T, s *zkproc.Instance) (map[string]znodeView, error) {
	t.Helper()
	c := mustConnect(t, s)
	defer c.Close()
	if _, err := c.Sync(mixSyncRoot); err != nil {
		return nil, fmt.Errorf("%s: sync: %w", s.Name(), err)
	}
	out := map[string]znodeView{}
	get := func(p string) error {
		d, st, err := c.Get(p)
		if err != nil {
			return fmt.Errorf("%s: get %s: %w", s.Name(), p, err)
		}
		out[p] = znodeView{string(d), *st}
		return nil
	}
	for _, p := range []string{"/", mixSyncRoot} {
		if err := get(p); err != nil {
			return nil, err
		}
	}
	kids, _, err := c.Children(mixSyncRoot)
	if err != nil {
		return nil, fmt.Errorf("%s: children: %w", s.Name(), err)
	}
	for _, k := range kids {
		if err := get(mixSyncRoot + "/" + k); err != nil && !errors.Is(err, zk.ErrNoNode) {
			return nil, err
		}
	}
	return out, nil
}

// compareSubtree checks that every server holds exactly the leader's
// znodes under mixSyncRoot, with identical data and Stat.
func compareSubtree(t *testing.T, lead *zkproc.Instance, srvs []*zkproc.Instance) {
	t.Helper()
	want, err := subtreeOf(t, lead)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srvs {
		if s == lead {
			continue
		}
		got, err := subtreeOf(t, s)
		if err != nil {
			t.Fatal(err)
		}
		if d := diffViews(want, got); d != "" {
			t.Fatalf("%s differs from leader %s (%d znodes there, %d here):\n%s", s.Name(), lead.Name(), len(want), len(got), d)
		}
	}
	t.Logf("%d znodes identical (data and Stat) on %d servers", len(want), len(srvs))
}

// diffViews lists up to 10 differences between two subtree views.
func diffViews(want, got map[string]znodeView) string {
	var paths []string
	for p := range want {
		paths = append(paths, p)
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	var b strings.Builder
	n := 0
	for _, p := range paths {
		w, wok := want[p]
		g, gok := got[p]
		switch {
		case !gok:
			fmt.Fprintf(&b, "  %s missing\n", p)
		case !wok:
			fmt.Fprintf(&b, "  %s extra\n", p)
		case w != g:
			fmt.Fprintf(&b, "  %s: leader %q %+v\n  %*s  here   %q %+v\n", p, w.data, w.stat, len(p), "", g.data, g.stat)
		default:
			continue
		}
		if n++; n == 10 {
			b.WriteString("  ...\n")
			break
		}
	}
	return b.String()
}

// compareEpochs checks that every running server persisted the same
// acceptedEpoch and currentEpoch files (dataDir/version-2, docs/quorum-reference.md §1.4).
func compareEpochs(t *testing.T, srvs []*zkproc.Instance) {
	t.Helper()
	want := map[string]string{}
	for _, s := range srvs {
		for _, name := range []string{"acceptedEpoch", "currentEpoch"} {
			b, err := os.ReadFile(filepath.Join(s.DataDir(), "version-2", name))
			if err != nil {
				t.Fatalf("%s: %v", s.Name(), err)
			}
			got := strings.TrimSpace(string(b))
			if w, ok := want[name]; ok && w != got {
				t.Fatalf("%s: %s = %q, another server has %q", s.Name(), name, got, w)
			}
			want[name] = got
		}
	}
	t.Logf("epoch files agree: %v", want)
}

// syncWitnessState marks where the evidence of the next sync starts.
type syncWitnessState struct {
	leaderSeq uint64 // zkctl leader: its last event seq
	logLen    int    // length of the Apache side's log (leader or follower)
}

// syncWitness records the zkctl leader's event seq and the Apache side's
// log length before f restarts.
func syncWitness(t *testing.T, lead, f *zkproc.Instance) syncWitnessState {
	t.Helper()
	var w syncWitnessState
	if isZkctl(lead) {
		p := peerOf(lead)
		if p == nil {
			t.Fatalf("leader %s does not answer /commands/peer", lead.Name())
		}
		w.leaderSeq = p.LastEventSeq
	}
	w.logLen = len(apacheSide(lead, f).Log())
	return w
}

func isZkctl(s *zkproc.Instance) bool { return strings.HasPrefix(s.Name(), "zkctl-") }

// apacheSide is the Apache member of the leader/follower pair.
func apacheSide(lead, f *zkproc.Instance) *zkproc.Instance {
	if isZkctl(lead) {
		return f
	}
	return lead
}

// assertSyncMode checks that f's last sync was by mode, as seen from both
// implementations.
func assertSyncMode(t *testing.T, w syncWitnessState, lead, f *zkproc.Instance, mode string) {
	t.Helper()
	var zkctlSide []string
	if isZkctl(lead) {
		if m := syncModeOf(t, lead, f); m != mode {
			t.Errorf("leader %s learner row for %s: sync_mode %q, want %s", lead.Name(), f.Name(), m, mode)
		}
		zkctlSide = syncEvents(t, lead, w.leaderSeq)
	} else {
		zkctlSide = syncEvents(t, f, 0) // a fresh process: all its events
	}
	if !hasModeEvent(zkctlSide, mode) {
		t.Errorf("no %s sync event on the zkctl side; sync events: %q", mode, zkctlSide)
	}
	// The Apache side's own words (3.8 Learner / LearnerHandler log lines).
	a := apacheSide(lead, f)
	log := a.Log()
	if w.logLen <= len(log) {
		log = log[w.logLen:]
	}
	var want []string
	if a == f {
		want = map[string][]string{"DIFF": {"Getting a diff from the leader"}, "SNAP": {"Getting a snapshot from leader"}}[mode]
	} else {
		want = map[string][]string{"DIFF": {"Sending DIFF zxid="}, "SNAP": {"Sending snapshot"}}[mode]
	}
	found := false
	for _, s := range want {
		found = found || strings.Contains(log, s)
	}
	if !found {
		t.Errorf("%s log since the restart lacks %q:\n%s", a.Name(), want, grepLines(log, "sync", "Sending", "Getting", "Synchroniz"))
	}
	t.Logf("%s synced by %s (zkctl side: %q)", f.Name(), mode, zkctlSide)
}

// syncEvents returns the messages of s's "sync" events after seq.
func syncEvents(t *testing.T, s *zkproc.Instance, seq uint64) []string {
	t.Helper()
	c := adminapi.NewClient(s.AdminAddr(), 2*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	ev, err := c.Events(ctx, seq)
	if err != nil {
		t.Fatalf("%s: events: %v", s.Name(), err)
	}
	var out []string
	for _, e := range ev.Events {
		if e.Kind == "sync" {
			out = append(out, e.Message)
		}
	}
	return out
}

// hasModeEvent reports whether one of msgs names a sync by mode: the
// leader's "SNAP of ..."/"DIFF 0x..." or the learner's "... by DIFF".
func hasModeEvent(msgs []string, mode string) bool {
	for _, m := range msgs {
		if strings.HasPrefix(m, mode+" ") || strings.HasSuffix(m, " by "+mode) {
			return true
		}
	}
	return false
}

// grepLines keeps the lines of s containing any of words (at most 20).
func grepLines(s string, words ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, w := range words {
			if strings.Contains(l, w) {
				out = append(out, l)
				break
			}
		}
	}
	if len(out) > 20 {
		out = out[len(out)-20:]
	}
	return strings.Join(out, "\n")
}
