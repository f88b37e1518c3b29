package status

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/zkctl/zkctl/node/zkconfig"
)

func all() zkconfig.Whitelist { return zkconfig.ParseWhitelist("*") }

func TestFourLetter_Golden(t *testing.T) {
	f := standaloneFake(t)
	clientLines := " /127.0.0.1:60674[1](queued=0,recved=5,sent=4)\n /127.0.0.1:60675[0](queued=0,recved=0,sent=0)\n"
	srvrTail := "Latency min/avg/max: 0/0.2837/7\nReceived: 10\nSent: 9\nConnections: 2\nOutstanding: 1\n" +
		"Zxid: 0x10000002a\nMode: standalone\nNode count: 7\n"
	cases := []struct{ cmd, want string }{
		{"ruok", "imok"},
		{"isro", "rw"},
		{"srvr", "Zookeeper version: " + fakeVersion + "\n" + srvrTail},
		{"stat", "Zookeeper version: " + fakeVersion + "\nClients:\n" + clientLines + "\n" + srvrTail},
		{"cons", " /127.0.0.1:60674[1](queued=0,recved=5,sent=4,sid=0x100000abc,lop=GETD,est=1700000000123,to=30000,lcxid=0x3,lzxid=0x10000002a,lresp=987654,llat=1,minlat=0,avglat=1,maxlat=7)\n" +
			" /127.0.0.1:60675[0](queued=0,recved=0,sent=0)\n\n"},
		{"wchs", "2 connections watching 2 paths\nTotal watches:3\n"},
		{"wchc", "0x100000abc\n\t/a\n\t/b\n0x100000def\n\t/a\n\n"},
		{"wchp", "/a\n\t0x100000abc\n\t0x100000def\n/b\n\t0x100000abc\n\n"},
		{"dirs", "datadir_size: 4096\nlogdir_size: 67108880\n"},
		{"gtmk", "2"},
		{"conf", "clientPort=2181\nsecureClientPort=-1\ndataDir=/var/zk/version-2\ndataDirSize=4096\n" +
			"dataLogDir=/var/zk/version-2\ndataLogSize=67108880\ntickTime=2000\nmaxClientCnxns=60\n" +
			"minSessionTimeout=4000\nmaxSessionTimeout=40000\nclientPortListenBacklog=-1\nserverId=0\n"},
		{"dump", "SessionTracker dump:\nSession Sets (1)/(2):\n2 expire at Tue Mar 05 10:15:30 UTC 2024:\n\t0x100000abc\n\t0x100000def\n" +
			"ephemeral nodes dump:\nSessions with Ephemerals (1):\n0x100000abc:\n\t/eph\n" +
			"Connections dump:\nConnections Sets (1)/(1):\n1 expire at Tue Mar 05 10:15:30 UTC 2024:\n" +
			"\t /127.0.0.1:60674[1](queued=0,recved=5,sent=4,sid=0x100000abc,lop=GETD,est=1700000000123,to=30000,lcxid=0x3,lzxid=0x10000002a,lresp=987654,llat=1,minlat=0,avglat=1,maxlat=7)\n"},
		{"crst", "Connection stats reset.\n"},
		{"srst", "Server stats reset.\n"},
	}
	for _, c := range cases {
		t.Run(c.cmd, func(t *testing.T) {
			if got := FourLetter(c.cmd, f, all()); got != c.want {
				t.Errorf("%s:\n got %q\nwant %q", c.cmd, got, c.want)
			}
		})
	}
	if f.resets != 1 || f.connResets != 1 {
		t.Errorf("resets = %d/%d, want 1/1", f.resets, f.connResets)
	}
}

func TestFourLetter_LeaderSrvrAndConf(t *testing.T) {
	f := leaderFake(t)
	got := FourLetter("srvr", f, all())
	if !strings.HasSuffix(got, "Mode: leader\nNode count: 7\nProposal sizes last/min/max: 48/36/120\n") {
		t.Errorf("srvr on leader:\n%s", got)
	}
	conf := FourLetter("conf", f, all())
	wantTail := "serverId=2\ninitLimit=10\nsyncLimit=5\nelectionAlg=3\nelectionPort=3889\nquorumPort=2889\npeerType=0\n" +
		"membership: \nserver.1=127.0.0.1:2888:3888:participant\nserver.2=127.0.0.1:2889:3889:participant;0.0.0.0:2182\n" +
		"server.3=127.0.0.1:2890:3890:participant\nserver.4=127.0.0.1:2891:3891:observer\nversion=0"
	if !strings.HasSuffix(conf, wantTail) {
		t.Errorf("conf on quorum member:\n%s", conf)
	}
}

func TestFourLetter_Mntr(t *testing.T) {
	f := leaderFake(t)
	got := FourLetter("mntr", f, all())
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if lines[0] != "zk_version\t"+fakeVersion || lines[1] != "zk_server_state\tleader" || lines[2] != "zk_peer_state\tleading - broadcast" {
		t.Fatalf("mntr head:\n%s", strings.Join(lines[:3], "\n"))
	}
	kv := map[string]string{}
	for _, l := range lines {
		k, v, ok := strings.Cut(l, "\t")
		if !ok || !strings.HasPrefix(k, "zk_") {
			t.Fatalf("bad mntr line %q", l)
		}
		kv[k] = v
	}
	want := map[string]string{
		"zk_avg_latency": "0.2837", "zk_max_latency": "7", "zk_packets_received": "10", "zk_znode_count": "7",
		"zk_watch_count": "3", "zk_ephemerals_count": "1", "zk_num_alive_connections": "2",
		"zk_outstanding_requests": "1", "zk_uptime": "12345", "zk_quorum_size": "3", "zk_learners": "3",
		"zk_synced_followers": "2", "zk_synced_observers": "1", "zk_leader_uptime": "5000",
		"zk_last_proposal_size": "48", "zk_min_client_response_size": "16", "zk_connection_drop_probability": "0.0",
	}
	for k, v := range want {
		if kv[k] != v {
			t.Errorf("%s = %q, want %q", k, kv[k], v)
		}
	}
}

func TestFourLetter_WhitelistAndNotServing(t *testing.T) {
	f := standaloneFake(t)
	wl := zkconfig.ParseWhitelist("ruok")
	if got := FourLetter("stat", f, wl); got != "stat is not executed because it is not in the whitelist.\n" {
		t.Errorf("stat not whitelisted: %q", got)
	}
	if got := FourLetter("srvr", f, wl); !strings.HasPrefix(got, "Zookeeper version: ") {
		t.Errorf("srvr must always be allowed: %q", got)
	}
	f.serving = false
	for cmd, want := range map[string]string{
		"srvr": NotServing + "\n", "mntr": NotServing + "\n", "cons": NotServing + "\n",
		"isro": "null", "ruok": "imok", "gtmk": "2",
	} {
		if got := FourLetter(cmd, f, all()); got != want {
			t.Errorf("not serving %s = %q, want %q", cmd, got, want)
		}
	}
	if !strings.HasPrefix(FourLetter("envi", f, all()), "Environment:\nzookeeper.version="+fakeVersion+"\nhost.name=") {
		t.Errorf("envi while not serving: %q", FourLetter("envi", f, all()))
	}
}

func TestFourLetter_Stmk(t *testing.T) {
	f := standaloneFake(t)
	arg := make([]byte, 8)
	binary.BigEndian.PutUint64(arg, 0x1f2)
	if FourLetterArgLen("stmk") != 8 || FourLetterArgLen("ruok") != 0 {
		t.Fatal("FourLetterArgLen")
	}
	if got := FourLetterArg("stmk", arg, f, all()); got != "498" || f.mask != 0x1f2 {
		t.Errorf("stmk = %q, mask %d", got, f.mask)
	}
}

func TestIsFourLetterWord(t *testing.T) {
	for _, w := range []string{"ruok", "srvr", "stat", "mntr", "conf", "cons", "envi", "wchs", "wchc", "wchp", "dump", "isro", "dirs", "crst", "srst", "gtmk", "stmk"} {
		if !IsFourLetterWord([4]byte([]byte(w))) {
			t.Errorf("%s not recognised", w)
		}
	}
	for _, w := range []string{"\x00\x00\x00\x2c", "RUOK", "xxxx"} {
		if IsFourLetterWord([4]byte([]byte(w))) {
			t.Errorf("%q recognised", w)
		}
	}
}

func TestJavaDouble(t *testing.T) {
	for f, want := range map[float64]string{0: "0.0", 0.2837: "0.2837", 12.5: "12.5", 3: "3.0", 1e7: "1.0E7", 1.5e-5: "1.5E-5", -2: "-2.0"} {
		if got := javaDouble(f); got != want {
			t.Errorf("javaDouble(%v) = %q, want %q", f, got, want)
		}
	}
}
