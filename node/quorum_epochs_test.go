package node

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/node/zkconfig"
	"github.com/zkctl/zkctl/store"
)

// A restarted ensemble member starts from the epochs in its epoch files
// (QuorumPeer.loadDataBase, docs/quorum-reference.md §1.4), not from zero: with
// zero it proposed epoch 1 as a leader and votes with peerEpoch 0, and an
// Apache 3.8 follower whose acceptedEpoch is higher refused it ("Leaders
// epoch, 1 is less than accepted epoch, 2") forever.
func TestQuorumPeer_RestartKeepsEpochsFromFiles(t *testing.T) {
	dir := t.TempDir()
	for name, v := range map[string]int64{store.AcceptedEpochFile: 7, store.CurrentEpochFile: 6} {
		if err := store.WriteEpochFile(dir, name, v); err != nil {
			t.Fatal(err)
		}
	}
	var servers []zkconfig.Server
	for i := int64(1); i <= 3; i++ {
		servers = append(servers, zkconfig.Server{ID: i, Type: zkconfig.Participant,
			Addrs: []zkconfig.QuorumAddr{{Host: "127.0.0.1", QuorumPort: freePort(t), ElectionPort: freePort(t)}}})
	}
	cfg := zkconfig.Default(dir)
	cfg.TickTime, cfg.InitLimit, cfg.SyncLimit = 100, 10, 5
	cfg.ClientPortAddress, cfg.ClientPort = "127.0.0.1", 0
	cfg.AdminEnableServer = false
	cfg.ForceSync = false
	cfg.Servers = servers
	cfg.MyID = 1
	s, err := NewServer(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	if s.quorum == nil {
		t.Fatal("no quorum peer for an ensemble config")
	}
	var pp adminapi.Peer
	s.quorum.FillPeer(&pp)
	if pp.AcceptedEpoch != 7 || pp.CurrentEpoch != 6 {
		t.Fatalf("epochs after start: accepted=%d current=%d, want 7 and 6 from the files", pp.AcceptedEpoch, pp.CurrentEpoch)
	}
	if acc, cur := s.quorum.Epochs(); acc != 7 || cur != 6 {
		t.Fatalf("epochs() = %d, %d, want 7, 6", acc, cur)
	}
}
