package serve

import (
	"fmt"
	"slices"
	"testing"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
)

// recordingSeq is a sequencer whose releases are recorded as "sid/cxid".
func recordingSeq() (*Sequencer, *[]string) {
	var out []string
	q := NewSequencerFunc(
		func(r *Request) { out = append(out, fmt.Sprintf("%d/%d", r.SessionID, r.Cxid)) },
		func(t *jute.Txn) { out = append(out, fmt.Sprintf("remote %d/%d", t.Hdr.ClientID, t.Hdr.Cxid)) },
	)
	return q, &out
}

func txnOf(sid int64, cxid int32, zxid int64) *jute.Txn {
	return &jute.Txn{Hdr: jute.TxnHeader{ClientID: sid, Cxid: cxid, Zxid: zxid, Type: jute.OpSetData}}
}

// A follower holds a session's reads behind that session's own pending
// writes only (CommitProcessor; docs/client-reference.md §7 rule 4): another
// session's reads pass at once, and the held ones follow the COMMIT in
// arrival order.
func TestSequencer_ReadsWaitOnlyForTheirOwnSession(t *testing.T) {
	q, out := recordingSeq()
	q.Add(&Request{Request: leader.Request{SessionID: 1, Cxid: 1, Type: jute.OpSetData}}, SeqWrite)
	q.Add(&Request{Request: leader.Request{SessionID: 1, Cxid: 2, Type: jute.OpGetData}}, SeqRead)
	q.Add(&Request{Request: leader.Request{SessionID: 2, Cxid: 1, Type: jute.OpGetData}}, SeqRead)
	if want := []string{"2/1"}; !slices.Equal(*out, want) {
		t.Fatalf("released %v before the commit, want %v", *out, want)
	}
	q.CommittedOnLearner(txnOf(3, 9, 0x100000001)) // another server's client
	q.CommittedOnLearner(txnOf(1, 1, 0x100000002))
	if want := []string{"2/1", "remote 3/9", "1/1", "1/2"}; !slices.Equal(*out, want) {
		t.Fatalf("released %v, want %v", *out, want)
	}
	if n := q.Pending(); n != 0 {
		t.Fatalf("%d requests still queued", n)
	}
}

// SYNC answers release forwarded syncs in the order they were sent,
// whatever their sessions; a session's later write committing proves its
// earlier sync complete (the leader answered it before proposing the write).
func TestSequencer_SyncsInOrderAndReleasedByLaterCommit(t *testing.T) {
	q, out := recordingSeq()
	q.Add(&Request{Request: leader.Request{SessionID: 1, Cxid: 1, Type: jute.OpSync}}, SeqSync)
	q.Add(&Request{Request: leader.Request{SessionID: 2, Cxid: 1, Type: jute.OpSync}}, SeqSync)
	q.Add(&Request{Request: leader.Request{SessionID: 2, Cxid: 2, Type: jute.OpGetData}}, SeqRead)
	q.Add(&Request{Request: leader.Request{SessionID: 1, Cxid: 2, Type: jute.OpSetData}}, SeqWrite)
	q.Add(&Request{Request: leader.Request{SessionID: 1, Cxid: 3, Type: jute.OpGetData}}, SeqRead)
	if len(*out) != 0 {
		t.Fatalf("released %v before any SYNC", *out)
	}
	q.CommittedOnLearner(txnOf(1, 2, 0x100000001))
	if want := []string{"1/1", "1/2", "1/3"}; !slices.Equal(*out, want) {
		t.Fatalf("released %v, want %v", *out, want)
	}
	q.Synced() // answers session 1's sync, already released
	if len(*out) != 3 {
		t.Fatalf("first SYNC released %v", (*out)[3:])
	}
	q.Synced()
	if want := []string{"1/1", "1/2", "1/3", "2/1", "2/2"}; !slices.Equal(*out, want) {
		t.Fatalf("released %v, want %v", *out, want)
	}
}

// On the leader, writes are matched to COMMITs by zxid; a commit nobody
// here waits for is reported as such.
func TestSequencer_LeaderCommitsByZxid(t *testing.T) {
	q, out := recordingSeq()
	w := func(sid int64, cxid int32, zxid int64) *Request {
		return &Request{Request: leader.Request{SessionID: sid, Cxid: cxid, Type: jute.OpSetData}, Txn: txnOf(sid, cxid, zxid)}
	}
	q.Add(w(1, 1, 0x100000001), SeqWrite)
	q.Add(w(2, 1, 0x100000002), SeqWrite)
	q.Add(&Request{Request: leader.Request{SessionID: 2, Cxid: 2, Type: jute.OpExists}}, SeqRead)
	q.Add(&Request{Request: leader.Request{SessionID: 3, Cxid: 1, Type: jute.OpExists}}, SeqRead)
	if !q.CommittedOnLeader(0x100000001) || q.CommittedOnLeader(0x100000009) {
		t.Fatal("committedOnLeader does not match by zxid")
	}
	q.CommittedOnLeader(0x100000002)
	if want := []string{"3/1", "1/1", "2/1", "2/2"}; !slices.Equal(*out, want) {
		t.Fatalf("released %v, want %v", *out, want)
	}
}

// An older forwarded write that was never committed (the leader skipped
// it) is dropped with its connection instead of blocking the session.
func TestSequencer_UncommittedOlderWriteDoesNotBlock(t *testing.T) {
	q, out := recordingSeq()
	q.Add(&Request{Request: leader.Request{SessionID: 1, Cxid: 1, Type: jute.OpSetData}}, SeqWrite)
	q.Add(&Request{Request: leader.Request{SessionID: 1, Cxid: 2, Type: jute.OpSetData}}, SeqWrite)
	q.CommittedOnLearner(txnOf(1, 2, 0x100000001))
	if want := []string{"1/1", "1/2"}; !slices.Equal(*out, want) {
		t.Fatalf("released %v, want %v", *out, want)
	}
}
