package quorumpeer

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
	"github.com/zkctl/zkctl/node/serve"
)

// recordingSeq is a Sequencer whose releases are recorded as "sid/cxid".
func recordingSeq() (*serve.Sequencer, *[]string) {
	var out []string
	q := serve.NewSequencerFunc(
		func(r *serve.Request) { out = append(out, fmt.Sprintf("%d/%d", r.SessionID, r.Cxid)) },
		func(t *jute.Txn) { out = append(out, fmt.Sprintf("remote %d/%d", t.Hdr.ClientID, t.Hdr.Cxid)) },
	)
	return q, &out
}

// A sync on the leader is answered at once only while a quorum answered a
// recent PING; otherwise (a paused or cut-off leader) it waits for a
// quorum to answer a PING sent after it arrived.
func TestLeaderSyncs_LeaseAndHold(t *testing.T) {
	q, out := recordingSeq()
	t0 := time.Unix(1000, 0)
	ls := newLeaderSyncs(1, []int64{1, 2, 3}, 500*time.Millisecond)
	ls.pingAnswered(2, t0)
	ls.admit(&serve.Request{Request: leader.Request{SessionID: 7, Cxid: 1, Type: jute.OpSync}}, q, t0.Add(300*time.Millisecond))
	if want := []string{"7/1"}; !slices.Equal(*out, want) {
		t.Fatalf("sync under a fresh quorum: released %v, want %v", *out, want)
	}
	// Two seconds of silence (SIGSTOP): the next sync and the read behind it wait.
	now := t0.Add(2 * time.Second)
	ls.admit(&serve.Request{Request: leader.Request{SessionID: 7, Cxid: 2, Type: jute.OpSync}}, q, now)
	ls.admit(&serve.Request{Request: leader.Request{SessionID: 7, Cxid: 3, Type: jute.OpGetData}}, q, now)
	ls.admit(&serve.Request{Request: leader.Request{SessionID: 8, Cxid: 1, Type: jute.OpGetData}}, q, now)
	ls.pingAnswered(3, now.Add(-time.Second)) // an old PING's answer proves nothing
	ls.release(q)
	if want := []string{"7/1", "8/1"}; !slices.Equal(*out, want) {
		t.Fatalf("after stale PING answers: released %v, want %v", *out, want)
	}
	ls.pingAnswered(3, now.Add(10*time.Millisecond))
	ls.release(q)
	if want := []string{"7/1", "8/1", "7/2", "7/3"}; !slices.Equal(*out, want) {
		t.Fatalf("after a quorum answered a new PING: released %v, want %v", *out, want)
	}
}
