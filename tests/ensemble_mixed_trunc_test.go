package tests

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// A leader of one implementation that logged a proposal no follower has
// (both followers SIGSTOPped, then everyone killed) rejoins a new leader of
// the other implementation in a later epoch and is cut back by TRUNC
// (docs/quorum-reference.md §5.2 rule 3: peerLastZxid beyond maxCommittedLog, same
// epoch as the committed log's end). The uncommitted write must be gone
// from it and every znode must match the new leader's.
func TestEnsembleMixed_UncommittedProposalTruncatedAcrossImplementations(t *testing.T) {
	oracle.RequireOrSkip(t)
	zkproc.Build(t)
	a, z := oracle.Launcher(), zkproc.ZkctlLauncher()
	o := zkproc.Options{TickTime: 500, NoFsync: true, StartTimeout: 40 * time.Second}

	t.Run("zkctl-old-leader-apache-new-leader", func(t *testing.T) {
		// zkctl-3 is up first and has the largest sid: it leads.
		srvs, err := zkproc.StartMixed(t, []zkproc.Launcher{a, a, z}, o)
		if err != nil {
			t.Fatal(err)
		}
		old := waitModes(t, srvs, 30*time.Second)
		if old != srvs[2] {
			t.Fatalf("leader is %s, want zkctl-3", old.Name())
		}
		truncRound(t, srvs, old)
	})

	t.Run("apache-old-leader-zkctl-new-leader", func(t *testing.T) {
		srvs, err := zkproc.StartMixed(t, []zkproc.Launcher{z, z, a}, o)
		if err != nil {
			t.Fatal(err)
		}
		lead := waitModes(t, srvs, 30*time.Second)
		if lead != srvs[2] {
			// The zkctl servers came up first and one of them leads:
			// without it, zkctl-1 and apache-3 elect the largest sid.
			lead.Kill9()
			lead2 := waitModes(t, others(srvs, lead), 30*time.Second)
			lead.Restart()
			lead = waitModes(t, srvs, 30*time.Second)
			if lead != srvs[2] || lead2 != lead {
				t.Fatalf("leader is %s, want apache-3", lead.Name())
			}
		}
		truncRound(t, srvs, lead)
	})
}

// truncRound makes old (the leader of srvs) log a proposal its followers
// never see, kills everyone, lets the two followers elect a new leader and
// brings old back, which must sync by TRUNC.
func truncRound(t *testing.T, srvs []*zkproc.Instance, old *zkproc.Instance) {
	t.Helper()
	lc := mustConnect(t, old)
	if _, err := lc.Create(mixSyncRoot, nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	mixWrites(t, lc, "committed", 4, 1)
	var logged func() bool
	if isZkctl(old) {
		lastBefore := peerOf(old).LastLoggedZxid
		logged = func() bool {
			p := peerOf(old)
			return p != nil && p.LastLoggedZxid > lastBefore
		}
	} else {
		// srvr's Zxid is Apache's applied zxid, not its logged one: read
		// the last zxid its SyncRequestProcessor flushed to the log file.
		lastBefore := loggedZxidOnDisk(t, old.DataDir())
		logged = func() bool { return loggedZxidOnDisk(t, old.DataDir()) > lastBefore }
	}
	fs := others(srvs, old)
	for _, f := range fs {
		signal(t, f, syscall.SIGSTOP)
	}
	for _, f := range fs {
		waitStopped(t, f)
	}
	res := make(chan error, 1)
	go func() {
		_, err := lc.Create(mixSyncRoot+"/uncommitted", []byte("x"), 0, zk.WorldACL(zk.PermAll))
		res <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !logged() {
		if time.Now().After(deadline) {
			t.Fatalf("%s never logged the proposal", old.Name())
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case err := <-res:
		t.Fatalf("a write was answered without a quorum: %v", err)
	default:
	}
	old.Kill9()
	for _, f := range fs {
		f.Kill9() // also drops the PROPOSAL unread in their sockets
	}
	restartTogether(t, fs)
	newLead := waitModes(t, fs, 30*time.Second)
	t.Logf("old leader %s logged an uncommitted proposal; new leader %s", old.Name(), newLead.Name())
	before := syncWitness(t, newLead, old)
	old.Restart()
	waitModes(t, srvs, 30*time.Second)
	assertTrunc(t, before, newLead, old)
	c := mustConnect(t, old)
	if ok, _, err := c.Exists(mixSyncRoot + "/uncommitted"); err != nil || ok {
		t.Fatalf("uncommitted write visible on %s after TRUNC (exists=%v err=%v)", old.Name(), ok, err)
	}
	compareSubtree(t, newLead, srvs)
	mixWrites(t, mustConnect(t, old), "after", 5, 1)
	compareSubtree(t, newLead, srvs)
	compareEpochs(t, srvs)
}

// assertTrunc checks from both implementations that f was synced by TRUNC.
func assertTrunc(t *testing.T, w syncWitnessState, lead, f *zkproc.Instance) {
	t.Helper()
	var zkctlSide []string
	if isZkctl(lead) {
		if m := syncModeOf(t, lead, f); m != "TRUNC" {
			t.Errorf("leader %s learner row for %s: sync_mode %q, want TRUNC", lead.Name(), f.Name(), m)
		}
		zkctlSide = syncEvents(t, lead, w.leaderSeq)
	} else {
		zkctlSide = syncEvents(t, f, 0)
	}
	if !hasModeEvent(zkctlSide, "TRUNC") {
		t.Errorf("no TRUNC sync event on the zkctl side; sync events: %q", zkctlSide)
	}
	a := apacheSide(lead, f)
	log := a.Log()
	if w.logLen <= len(log) {
		log = log[w.logLen:]
	}
	// 3.8's leader logs its TRUNC only at DEBUG; at INFO it logs the
	// inputs of the choice, which name a peer beyond maxCommittedLog.
	want := "Synchronizing with Learner sid: " + strconv.Itoa(f.ID())
	if a == f {
		want = "Truncating log to get in sync with the leader"
	}
	if !strings.Contains(log, want) {
		t.Errorf("%s log since the restart lacks %q:\n%s", a.Name(), want, grepLines(log, "TRUNC", "Trunc", "DIFF", "snapshot", "Synchroniz"))
	}
	t.Logf("%s synced by TRUNC (zkctl side: %q)", f.Name(), zkctlSide)
}

// waitStopped waits until every thread of s's process is stopped: kill
// returns before a SIGSTOP takes hold of a busy multi-threaded JVM, which
// could still read, log and so keep the "uncommitted" proposal.
func waitStopped(t *testing.T, s *zkproc.Instance) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", s.Pid()))
		stopped := len(tasks) > 0
		for _, f := range tasks {
			b, err := os.ReadFile(f)
			// The state follows the ")" that ends the command name.
			if i := strings.LastIndexByte(string(b), ')'); err != nil || i < 0 || i+2 >= len(b) || (b[i+2] != 'T' && b[i+2] != 't') {
				stopped = false
				break
			}
		}
		if stopped {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s (pid %d) not stopped 5s after SIGSTOP", s.Name(), s.Pid())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// loggedZxidOnDisk is the zxid of the last txn record in the newest txn log
// file under dataDir/version-2 (docs/quorum-reference.md §7.2: a 16-byte
// file header, then records of checksum int64, length int32, the txn
// bytes starting with TxnHeader clientId int64, cxid int32, zxid int64,
// and an end-of-record byte; a zero length ends the preallocated file).
// It reads what a server has flushed, which srvr does not tell for 3.8.
func loggedZxidOnDisk(t *testing.T, dataDir string) int64 {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dataDir, "version-2", "log.*"))
	var newest string
	var newestStart int64 = -1
	for _, f := range files {
		if z, err := strconv.ParseInt(strings.TrimPrefix(filepath.Ext(f), "."), 16, 64); err == nil && z > newestStart {
			newest, newestStart = f, z
		}
	}
	if newest == "" {
		return 0
	}
	b, err := os.ReadFile(newest)
	if err != nil {
		t.Fatalf("read txn log: %v", err)
	}
	last := int64(0)
	for off := 16; off+12 <= len(b); {
		n := int(int32(binary.BigEndian.Uint32(b[off+8:])))
		if n <= 0 || off+12+n+1 > len(b) || n < 20 {
			break
		}
		last = int64(binary.BigEndian.Uint64(b[off+12+12:]))
		off += 12 + n + 1
	}
	return last
}
