package leader

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zkctl/zkctl/jute"
)

func z(epoch, counter int64) int64 { return jute.MakeZxid(epoch, counter) }

// props builds proposals for the given zxids; Data is a marker, not a txn.
func props(zxids ...int64) []Proposal {
	out := make([]Proposal, len(zxids))
	for i, x := range zxids {
		out[i] = Proposal{Zxid: x, Data: []byte{byte(i)}}
	}
	return out
}

func span(epoch, from, to int64) []int64 {
	var out []int64
	for c := from; c <= to; c++ {
		out = append(out, z(epoch, c))
	}
	return out
}

func cat(parts ...[]int64) []int64 {
	var out []int64
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func planString(p SyncPlan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v point=0x%x:", p.Mode, p.SyncPoint)
	for _, q := range p.Packets {
		fmt.Fprintf(&b, " %v(0x%x)", q.Type, q.Zxid)
	}
	return b.String()
}

// TestDecideSync pins 3.8's LearnerHandler.syncFollower and
// queueCommittedProposals, rule by rule. Reference: docs/quorum-reference.md §5.2.
func TestDecideSync(t *testing.T) {
	tests := []struct {
		name string
		in   SyncInput
		want string
	}{
		{
			name: "rule1 forced snapshot",
			in:   SyncInput{ForceSnap: true, PeerLastZxid: z(1, 3), LastProcessed: z(1, 3), Committed: props(span(1, 1, 3)...)},
			want: "SNAP point=0x100000003: SNAP(0x100000003)",
		},
		{
			name: "rule2 peer equals lastProcessed gives empty DIFF",
			in:   SyncInput{PeerLastZxid: z(1, 3), LastProcessed: z(1, 3), Committed: props(span(1, 1, 3)...)},
			want: "DIFF point=0x100000003: DIFF(0x100000003)",
		},
		{
			name: "rule2 empty log, both at zero",
			in:   SyncInput{PeerLastZxid: 0, LastProcessed: 0},
			want: "DIFF point=0x0: DIFF(0x0)",
		},
		{
			name: "rule2 new epoch start on both sides",
			in:   SyncInput{PeerLastZxid: z(2, 0), LastProcessed: z(2, 0), Committed: props(span(1, 1, 3)...)},
			want: "DIFF point=0x200000000: DIFF(0x200000000)",
		},
		{
			name: "rule3 learner ahead in the same epoch is truncated",
			in:   SyncInput{PeerLastZxid: z(1, 5), LastProcessed: z(1, 3), Committed: props(span(1, 1, 3)...)},
			want: "TRUNC point=0x100000003: TRUNC(0x100000003)",
		},
		{
			name: "rule3 learner with uncommitted txns of an older epoch, leader in a new epoch",
			in:   SyncInput{PeerLastZxid: z(1, 5), LastProcessed: z(2, 0), Committed: props(span(1, 1, 3)...)},
			want: "TRUNC point=0x100000003: TRUNC(0x100000003)",
		},
		{
			name: "rule3 empty committed log uses L as max",
			in:   SyncInput{PeerLastZxid: z(1, 5), LastProcessed: z(1, 2)},
			want: "TRUNC point=0x100000002: TRUNC(0x100000002)",
		},
		{
			name: "rule4 near learner gets DIFF with the missing pairs",
			in:   SyncInput{PeerLastZxid: z(1, 2), LastProcessed: z(1, 4), Committed: props(span(1, 1, 4)...)},
			want: "DIFF point=0x100000004: DIFF(0x100000004) PROPOSAL(0x100000003) COMMIT(0x100000003) PROPOSAL(0x100000004) COMMIT(0x100000004)",
		},
		{
			name: "rule4 learner at min",
			in:   SyncInput{PeerLastZxid: z(1, 1), LastProcessed: z(1, 2), Committed: props(span(1, 1, 2)...)},
			want: "DIFF point=0x100000002: DIFF(0x100000002) PROPOSAL(0x100000002) COMMIT(0x100000002)",
		},
		{
			name: "rule4 learner at max but L in a new epoch",
			in:   SyncInput{PeerLastZxid: z(1, 3), LastProcessed: z(2, 0), Committed: props(span(1, 1, 3)...)},
			want: "DIFF point=0x100000003: DIFF(0x100000003)",
		},
		{
			name: "rule4 learner's epoch-1 tail diverges, next leader txn in epoch 2: SNAP",
			in:   SyncInput{PeerLastZxid: z(1, 5), LastProcessed: z(2, 2), Committed: props(cat(span(1, 1, 3), span(2, 1, 2))...)},
			want: "SNAP point=0x200000002: SNAP(0x200000002)",
		},
		{
			name: "rule4 learner diverges inside an epoch: TRUNC to the previous txn then pairs",
			in:   SyncInput{PeerLastZxid: z(1, 5), LastProcessed: z(1, 7), Committed: props(cat(span(1, 1, 3), span(1, 6, 7))...)},
			want: "TRUNC point=0x100000007: TRUNC(0x100000003) PROPOSAL(0x100000006) COMMIT(0x100000006) PROPOSAL(0x100000007) COMMIT(0x100000007)",
		},
		{
			name: "rule4 new-epoch peer inside the window gets DIFF and the rest",
			in:   SyncInput{PeerLastZxid: z(2, 0), LastProcessed: z(2, 2), Committed: props(cat(span(1, 1, 3), span(2, 1, 2))...)},
			want: "DIFF point=0x200000002: DIFF(0x200000002) PROPOSAL(0x200000001) COMMIT(0x200000001) PROPOSAL(0x200000002) COMMIT(0x200000002)",
		},
		{
			name: "rule6 new-epoch peer beyond max: SNAP",
			in:   SyncInput{PeerLastZxid: z(3, 0), LastProcessed: z(2, 2), Committed: props(span(2, 1, 2)...)},
			want: "SNAP point=0x200000002: SNAP(0x200000002)",
		},
		{
			name: "rule5 far learner with no usable on-disk log: SNAP",
			in:   SyncInput{PeerLastZxid: z(1, 1), LastProcessed: z(1, 9), Committed: props(span(1, 5, 9)...)},
			want: "SNAP point=0x100000009: SNAP(0x100000009)",
		},
		{
			name: "rule5 far learner served from the on-disk log then the committed log",
			in: SyncInput{PeerLastZxid: z(1, 2), LastProcessed: z(1, 7), Committed: props(span(1, 5, 7)...),
				DiskLog: props(span(1, 1, 6)...)},
			want: "DIFF point=0x100000007: DIFF(0x100000007) PROPOSAL(0x100000003) COMMIT(0x100000003) PROPOSAL(0x100000004) COMMIT(0x100000004) PROPOSAL(0x100000005) COMMIT(0x100000005) PROPOSAL(0x100000006) COMMIT(0x100000006) PROPOSAL(0x100000007) COMMIT(0x100000007)",
		},
		{
			name: "rule5 on-disk log files over snapshotSizeFactor x snapshot size: SNAP",
			in: SyncInput{PeerLastZxid: z(1, 2), LastProcessed: z(1, 7), Committed: props(span(1, 5, 7)...),
				DiskLog: props(span(1, 1, 6)...), DiskLogBytes: 331, DiskSizeLimit: 330},
			want: "SNAP point=0x100000007: SNAP(0x100000007)",
		},
		{
			name: "rule5 on-disk log files exactly at the size limit: DIFF",
			in: SyncInput{PeerLastZxid: z(1, 4), LastProcessed: z(1, 7), Committed: props(span(1, 5, 7)...),
				DiskLog: props(span(1, 1, 6)...), DiskLogBytes: 330, DiskSizeLimit: 330},
			want: "DIFF point=0x100000007: DIFF(0x100000007) PROPOSAL(0x100000005) COMMIT(0x100000005) PROPOSAL(0x100000006) COMMIT(0x100000006) PROPOSAL(0x100000007) COMMIT(0x100000007)",
		},
		{
			name: "rule5 size limit 0 (no snapshot) means no limit: DIFF",
			in: SyncInput{PeerLastZxid: z(1, 4), LastProcessed: z(1, 7), Committed: props(span(1, 5, 7)...),
				DiskLog: props(span(1, 1, 6)...), DiskLogBytes: 1 << 40},
			want: "DIFF point=0x100000007: DIFF(0x100000007) PROPOSAL(0x100000005) COMMIT(0x100000005) PROPOSAL(0x100000006) COMMIT(0x100000006) PROPOSAL(0x100000007) COMMIT(0x100000007)",
		},
		{
			name: "rule4 ignores the on-disk size limit",
			in: SyncInput{PeerLastZxid: z(1, 5), LastProcessed: z(1, 7), Committed: props(span(1, 5, 7)...),
				DiskLogBytes: 1 << 40, DiskSizeLimit: 1},
			want: "DIFF point=0x100000007: DIFF(0x100000007) PROPOSAL(0x100000006) COMMIT(0x100000006) PROPOSAL(0x100000007) COMMIT(0x100000007)",
		},
		{
			name: "rule5 gap between the on-disk log and the committed log: SNAP",
			in: SyncInput{PeerLastZxid: z(1, 2), LastProcessed: z(1, 9), Committed: props(span(1, 7, 9)...),
				DiskLog: props(span(1, 1, 4)...)},
			want: "SNAP point=0x100000009: SNAP(0x100000009)",
		},
		{
			name: "rule5 on-disk log starting after the peer proves nothing: SNAP",
			in: SyncInput{PeerLastZxid: z(1, 2), LastProcessed: z(1, 9), Committed: props(span(1, 7, 9)...),
				DiskLog: props(span(1, 3, 9)...)},
			want: "SNAP point=0x100000009: SNAP(0x100000009)",
		},
		{
			name: "rule5 disabled by a negative snapshotSizeFactor",
			in: SyncInput{PeerLastZxid: z(1, 2), LastProcessed: z(1, 7), Committed: props(span(1, 5, 7)...),
				DiskLog: props(span(1, 1, 6)...), DiskSyncDisabled: true},
			want: "SNAP point=0x100000007: SNAP(0x100000007)",
		},
		{
			name: "rule5 far learner from an old epoch via the log: TRUNC to the epoch boundary is refused across epochs",
			in: SyncInput{PeerLastZxid: z(1, 4), LastProcessed: z(2, 5), Committed: props(span(2, 3, 5)...),
				DiskLog: props(cat(span(1, 1, 3), span(2, 1, 5))...)},
			want: "SNAP point=0x200000005: SNAP(0x200000005)",
		},
		{
			name: "rule5 diverged learner inside an epoch via the log: TRUNC then pairs",
			in: SyncInput{PeerLastZxid: z(1, 4), LastProcessed: z(1, 9), Committed: props(span(1, 8, 9)...),
				DiskLog: props(cat(span(1, 1, 3), span(1, 6, 9))...)},
			want: "TRUNC point=0x100000009: TRUNC(0x100000003) PROPOSAL(0x100000006) COMMIT(0x100000006) PROPOSAL(0x100000007) COMMIT(0x100000007) PROPOSAL(0x100000008) COMMIT(0x100000008) PROPOSAL(0x100000009) COMMIT(0x100000009)",
		},
		{
			name: "empty learner, empty committed log, leader has state: SNAP",
			in:   SyncInput{PeerLastZxid: 0, LastProcessed: z(1, 3)},
			want: "SNAP point=0x100000003: SNAP(0x100000003)",
		},
		{
			name: "empty learner whose zero zxid is inside the on-disk log",
			in:   SyncInput{PeerLastZxid: 0, LastProcessed: z(1, 3), Committed: props(span(1, 2, 3)...), DiskLog: props(span(1, 1, 3)...)},
			want: "SNAP point=0x100000003: SNAP(0x100000003)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := planString(DecideSync(tt.in))
			if got != tt.want {
				t.Errorf("DecideSync:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestTxnLogSizeLimit(t *testing.T) {
	for _, tt := range []struct {
		snap   int64
		factor float64
		want   int64
	}{
		{1000, 0.33, 330},
		{1001, 0.33, 330}, // truncated like Java's (long) cast
		{1000, 0, 0},      // factor 0: no limit
		{0, 0.33, 0},      // no snapshot: no limit
		{1000, -1, -1},    // negative: DIFF from the on-disk log disabled
		{0, -0.5, -1},
		{1000, 1, 1000},
		{1000, 2.5, 330}, // above 1: reset to the default 0.33
	} {
		if got := TxnLogSizeLimit(tt.snap, tt.factor); got != tt.want {
			t.Errorf("TxnLogSizeLimit(%d, %v) = %d, want %d", tt.snap, tt.factor, got, tt.want)
		}
	}
}
