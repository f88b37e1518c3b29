package status

import (
	"testing"
	"time"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/node/zkconfig"
)

// fakeSource is a Source with fixed values, recording resets.
type fakeSource struct {
	serving    bool
	stats      ServerStats
	quorum     QuorumInfo
	conns      []ConnInfo
	watches    []Watch
	sessions   []SessionInfo
	cfg        *zkconfig.Config
	events     *EventRing
	mask       int64
	resets     int
	connResets int
}

func (f *fakeSource) Serving() bool                       { return f.serving }
func (f *fakeSource) ServerStats() ServerStats            { return f.stats }
func (f *fakeSource) QuorumInfo() QuorumInfo              { return f.quorum }
func (f *fakeSource) Connections() []ConnInfo             { return f.conns }
func (f *fakeSource) Watches() []Watch                    { return f.watches }
func (f *fakeSource) Sessions() []SessionInfo             { return append([]SessionInfo(nil), f.sessions...) }
func (f *fakeSource) Config() *zkconfig.Config            { return f.cfg }
func (f *fakeSource) Events(since uint64) adminapi.Events { return f.events.Since(since) }
func (f *fakeSource) ResetStats()                         { f.resets++ }
func (f *fakeSource) ResetConnStats()                     { f.connResets++ }
func (f *fakeSource) TraceMask() int64                    { return f.mask }
func (f *fakeSource) SetTraceMask(m int64)                { f.mask = m }
func (f *fakeSource) Peer() adminapi.Peer {
	return adminapi.Peer{MyID: f.quorum.MyID, State: f.quorum.State, Znodes: f.stats.NodeCount, LeaderID: f.quorum.LeaderID}
}

const fakeVersion = "3.8.0-zkctl, built on 2024-01-02 03:04 UTC"

func mustParse(t testing.TB, text string) *zkconfig.Config {
	t.Helper()
	c, err := zkconfig.Parse("zoo.cfg", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// standaloneFake is a standalone server with two connections, watches,
// sessions and an ephemeral.
func standaloneFake(t testing.TB) *fakeSource {
	cfg := mustParse(t, "tickTime=2000\ndataDir=/var/zk\nclientPort=2181\n4lw.commands.whitelist=*\n")
	exp := time.Date(2024, 3, 5, 10, 15, 30, 0, time.UTC)
	return &fakeSource{
		serving: true,
		cfg:     cfg,
		events:  NewEventRing(8),
		mask:    2,
		stats: ServerStats{
			Version: fakeVersion, Mode: ModeStandalone, Uptime: 12345 * time.Millisecond,
			PacketsReceived: 10, PacketsSent: 9, Outstanding: 1,
			MinLatencyMs: 0, AvgLatencyMs: 0.28374, MaxLatencyMs: 7,
			LastZxid: 0x10000002a, NodeCount: 7, WatchCount: 3, EphemeralsCount: 1,
			ApproximateDataSize: 120, AliveConnections: 2, GlobalSessions: 2,
			DataDirSize: 4096, LogDirSize: 67108880,
			ClientResponse: BufferStats{Last: 16, Min: 16, Max: 80}, Proposal: UnsetBufferStats,
			LastSnapshotZxid: 0x100000000, LastSnapshotTime: time.Unix(1700000000, 0),
		},
		conns: []ConnInfo{
			{RemoteAddr: "127.0.0.1:60674", InterestOps: 1, PacketsReceived: 5, PacketsSent: 4,
				SessionID: 0x100000abc, LastOp: "GETD", Established: time.UnixMilli(1700000000123),
				SessionTimeoutMs: 30000, LastCxid: 3, LastZxid: 0x10000002a, LastResponseMs: 987654,
				LastLatencyMs: 1, MinLatencyMs: 0, AvgLatencyMs: 1, MaxLatencyMs: 7},
			{RemoteAddr: "127.0.0.1:60675", InterestOps: 0, LastCxid: -1, LastZxid: -1},
		},
		watches: []Watch{{0x100000abc, "/b"}, {0x100000abc, "/a"}, {0x100000def, "/a"}},
		sessions: []SessionInfo{
			{ID: 0x100000def, TimeoutMs: 30000, ExpiresAt: exp},
			{ID: 0x100000abc, TimeoutMs: 30000, ExpiresAt: exp, Ephemerals: []string{"/eph"}},
		},
	}
}

func quorumCfgText() string {
	return "tickTime=2000\ndataDir=/var/zk\nclientPort=2182\ninitLimit=10\nsyncLimit=5\n" +
		"4lw.commands.whitelist=*\n" +
		"server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889;2182\nserver.3=127.0.0.1:2890:3890\n" +
		"server.4=127.0.0.1:2891:3891:observer\n"
}

// leaderFake is server 2 leading a 3+1 ensemble.
func leaderFake(t testing.TB) *fakeSource {
	f := standaloneFake(t)
	f.cfg = mustParse(t, quorumCfgText())
	if err := f.cfg.SetMyID(2); err != nil {
		t.Fatal(err)
	}
	f.stats.Mode = ModeLeader
	f.stats.Proposal = BufferStats{Last: 48, Min: 36, Max: 120}
	f.quorum = QuorumInfo{MyID: 2, State: adminapi.StateLeading, ZabPhase: adminapi.PhaseBroadcast,
		IsLeader: true, LeaderID: 2, Voting: true, LastZxid: 0x30000000f, Epoch: 3, QuorumSize: 3,
		Learners: 3, SyncedFollowers: 2, SyncedObservers: 1, LeaderUptime: 5 * time.Second,
		ObserverMasterID: -1,
		Observers:        []ObserverInfo{{ID: 4, Addr: "127.0.0.1:41000", LastZxid: 0x30000000f, QueuedPackets: 0, Established: time.UnixMilli(1700000001000)}}}
	return f
}
