package leader

import (
	"testing"

	"github.com/zkctl/zkctl/jute"
)

type fakeHistory struct{}

func (fakeHistory) LastProcessedZxid() int64      { return 0x100000002 }
func (fakeHistory) CommittedLog() []Proposal      { return nil }
func (fakeHistory) LogSince(int64, int64) DiskLog { return DiskLog{} }
func (fakeHistory) SnapshotBytes() int64          { return 0 }

// FuzzStep feeds arbitrary packet sequences to a leader and a learner: bad
// input must give an error, never a panic.
func FuzzStep(f *testing.F) {
	f.Add([]byte{11, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 0, 0, 18, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := New(Config{ID: 1, Voters: []int64{1, 2, 3}, History: fakeHistory{}, InitLimit: 2, SyncLimit: 2})
		if err != nil {
			t.Fatal(err)
		}
		lr, err := NewLearner(LearnerConfig{ID: 2, InitLimit: 2, SyncLimit: 2})
		if err != nil {
			t.Fatal(err)
		}
		l.Connect(2)
		info := jute.Encode(&jute.LearnerInfo{ServerID: 2, ProtocolVersion: jute.ProtocolVersion})
		_ = l.Step(2, jute.QuorumPacket{Type: jute.PacketFollowerInfo, Data: info})
		for len(data) >= 2 {
			n := int(data[1]) % 24
			body := data[2:]
			if n > len(body) {
				n = len(body)
			}
			p := jute.QuorumPacket{Type: jute.PacketType(data[0] % 20), Zxid: int64(len(body)) << 32, Data: body[:n]}
			_ = l.Step(2, p)
			_ = lr.Step(p)
			l.Tick()
			lr.Tick()
			l.Advance()
			lr.Advance()
			data = body[n:]
		}
	})
}
