package zkconfig

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const base = "dataDir=/var/zk\n"

func TestParse_Defaults(t *testing.T) {
	c, err := Parse("zoo.cfg", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"tickTime", c.TickTime, 3000},
		{"dataLogDir", c.DataLogDir, "/var/zk"},
		{"clientPort", c.ClientPort, 0},
		{"admin.enableServer", c.AdminEnableServer, true},
		{"admin.serverAddress", c.AdminServerAddress, "0.0.0.0"},
		{"admin.serverPort", c.AdminServerPort, 8080},
		{"admin.commandURL", c.AdminCommandURL, "/commands"},
		{"maxClientCnxns", c.MaxClientCnxns, 60},
		{"minSessionTimeout", c.MinSessionTimeoutMs(), 6000},
		{"maxSessionTimeout", c.MaxSessionTimeoutMs(), 60000},
		{"snapCount", c.SnapCount, 100000},
		{"preAllocSize", c.PreAllocSizeKB, int64(65536)},
		{"forceSync", c.ForceSync, true},
		{"autopurge.snapRetainCount", c.AutopurgeSnapRetainCount, 3},
		{"autopurge.purgeInterval", c.AutopurgePurgeInterval, 0},
		{"globalOutstandingLimit", c.GlobalOutstandingLimit, 1000},
		{"extendedTypesEnabled", c.ExtendedTypesEnabled, false},
		{"standaloneEnabled", c.StandaloneEnabled, true},
		{"reconfigEnabled", c.ReconfigEnabled, false},
		{"peerType", c.PeerType, Participant},
		{"cnxTimeout", c.CnxTimeout, 5000},
		{"electionPortBindRetry", c.ElectionPortBindRetry, 3},
		{"clientPortListenBacklog", c.ClientPortListenBacklog, -1},
		{"superDigest", c.SuperDigest, ""},
		{"4lw srvr", c.FourLetterWords.Allows("srvr"), true},
		{"4lw ruok", c.FourLetterWords.Allows("ruok"), false},
		{"IsQuorum", c.IsQuorum(), false},
		{"QV text", c.QuorumVerifierText(), ""},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestParse_EveryKey(t *testing.T) {
	text := base + `tickTime=2000
initLimit=10
syncLimit=5
connectToLearnerMasterLimit=7
dataLogDir=/var/zklog
clientPort=2181
clientPortAddress=127.0.0.1
admin.serverPort=9090
admin.enableServer=false
admin.serverAddress=127.0.0.1
4lw.commands.whitelist=stat, ruok ,conf
maxClientCnxns=0
minSessionTimeout=1000
maxSessionTimeout=90000
snapCount=1
preAllocSize=1024
forceSync=no
autopurge.snapRetainCount=1
autopurge.purgeInterval=24
globalOutstandingLimit=50
extendedTypesEnabled=true
standaloneEnabled=false
reconfigEnabled=true
peerType=observer
cnxTimeout=2500
electionPortBindRetry=0
DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=
some.Unknown=value
`
	c, err := Parse("zoo.cfg", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"tickTime", c.TickTime, 2000},
		{"initLimit", c.InitLimit, 10},
		{"syncLimit", c.SyncLimit, 5},
		{"connectToLearnerMasterLimit", c.ConnectToLearnerMasterLimit, 7},
		{"dataLogDir", c.DataLogDir, "/var/zklog"},
		{"clientPort", c.ClientPort, 2181},
		{"clientPortAddress", c.ClientPortAddress, "127.0.0.1"},
		{"admin.serverPort", c.AdminServerPort, 9090},
		{"admin.enableServer", c.AdminEnableServer, false},
		{"admin.serverAddress", c.AdminServerAddress, "127.0.0.1"},
		{"4lw ruok", c.FourLetterWords.Allows("ruok"), true},
		{"4lw conf", c.FourLetterWords.Allows("conf"), true},
		{"4lw srvr", c.FourLetterWords.Allows("srvr"), true},
		{"4lw mntr", c.FourLetterWords.Allows("mntr"), false},
		{"maxClientCnxns", c.MaxClientCnxns, 0},
		{"minSessionTimeout", c.MinSessionTimeoutMs(), 1000},
		{"maxSessionTimeout", c.MaxSessionTimeoutMs(), 90000},
		{"snapCount (raised to 2)", c.SnapCount, 2},
		{"preAllocSize", c.PreAllocSizeKB, int64(1024)},
		{"forceSync", c.ForceSync, false},
		{"snapRetainCount (raised to 3)", c.AutopurgeSnapRetainCount, 3},
		{"purgeInterval", c.AutopurgePurgeInterval, 24},
		{"globalOutstandingLimit", c.GlobalOutstandingLimit, 50},
		{"extendedTypesEnabled", c.ExtendedTypesEnabled, true},
		{"standaloneEnabled", c.StandaloneEnabled, false},
		{"reconfigEnabled", c.ReconfigEnabled, true},
		{"peerType", c.PeerType, Observer},
		{"cnxTimeout", c.CnxTimeout, 2500},
		{"electionPortBindRetry", c.ElectionPortBindRetry, 0},
		{"superDigest", c.SuperDigest, "super:D/InIHSb7yEEbrWz8b9l71RjZJU="},
		{"extra", c.Extra["some.Unknown"], "value"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	if w := ParseWhitelist(" * "); !w.All() || !w.Allows("dump") {
		t.Error("* must allow every word")
	}
}

func TestParse_Errors(t *testing.T) {
	cases := []struct{ text, want string }{
		{"tickTime=abc\n" + base, `zoo.cfg: tickTime: "abc" is not a number`},
		{"tickTime=0\n" + base, `zoo.cfg: tickTime: "0" must be positive`},
		{"tickTime=2000\n", `zoo.cfg: dataDir is not set`},
		{base + "clientPort=70000\n", `zoo.cfg: clientPort: "70000" is out of range [0, 65535]`},
		{base + "clientPortAddress=127.0.0.1\n", `clientPortAddress is set ("127.0.0.1") but clientPort is not set`},
		{base + "admin.serverPort=http\n", `admin.serverPort: "http" is not a number`},
		{base + "admin.enableServer=maybe\n", `admin.enableServer: "maybe" is not a boolean`},
		{base + "initLimit=-1\n", `initLimit: "-1" is out of range`},
		{base + "syncLimit=x\n", `syncLimit: "x" is not a number`},
		{base + "minSessionTimeout=9000\nmaxSessionTimeout=8000\n", `minSessionTimeout (9000) must not be larger than maxSessionTimeout (8000)`},
		{base + "tickTime=5000\nmaxSessionTimeout=8000\n", `minSessionTimeout (10000) must not be larger than maxSessionTimeout (8000)`},
		{base + "maxClientCnxns=many\n", `maxClientCnxns: "many" is not a number`},
		{base + "snapCount=1e5\n", `snapCount: "1e5" is not a number`},
		{base + "preAllocSize=-5\n", `preAllocSize: "-5" must be at least 0`},
		{base + "forceSync=sometimes\n", `forceSync: "sometimes" is not yes or no`},
		{base + "autopurge.purgeInterval=-1\n", `autopurge.purgeInterval: "-1" is out of range`},
		{base + "globalOutstandingLimit=0\n", `globalOutstandingLimit: "0" is out of range`},
		{base + "extendedTypesEnabled=1\n", `extendedTypesEnabled: "1" is not a boolean`},
		{base + "standaloneEnabled=off\n", `standaloneEnabled: "off" is not a boolean`},
		{base + "reconfigEnabled=?\n", `reconfigEnabled: "?" is not a boolean`},
		{base + "peerType=witness\n", `peerType: "witness" is not participant or observer`},
		{base + "cnxTimeout=0\n", `cnxTimeout: "0" is out of range`},
		{base + "electionPortBindRetry=-1\n", `electionPortBindRetry: "-1" is out of range`},
		{base + "electionAlg=1\n", `electionAlg: "1" is not supported`},
		{base + "DigestAuthenticationProvider.superDigest=nocolon\n", `superDigest: "nocolon" is not of the form`},
		{base + "dynamicConfigFile=/x.dyn\n", `dynamic config files are not supported`},
		{base + "server.x=h:1:2\n", `server.x: server id "x" is not a number`},
		{base + "server.1=h:1\n", `server.1: "h:1": "h:1" is not host:port:port`},
		{base + "server.1=h:1:1\n", `quorum and election port must differ`},
		{base + "server.1=h:a:2\n", `quorum port: "a" is not a number`},
		{base + "server.1=h:1:2:voter\n", `"voter" is not participant or observer`},
		{base + "server.1=h:1:2;c:3:4\n", `client part "c:3:4" is not port or host:port`},
		{base + "server.1=h:1:2;99999\n", `client port: 99999 is out of range`},
		{base + "server.1=h:1:2;1;2\n", `more than one ';'`},
		{base + "server.1=a:1:2|b:1:2\n", `multiAddress.enabled is false`},
		{base + "server.1=[::1:1:2\n", `has no ']'`},
		{base + "initLimit=5\nsyncLimit=2\nserver.1=h:1:2\nserver.01=h:3:4\n", `server.1: defined twice`},
		{base + "syncLimit=2\nserver.1=h:1:2\nserver.2=h:3:4\n", `initLimit is not set`},
		{base + "initLimit=2\nserver.1=h:1:2\nserver.2=h:3:4\n", `syncLimit is not set`},
		{base + "server.1=h:1:2:observer\n", `observers without participants`},
		{base + "server.1=h:1:2\nserver.2=h:3:4:observer\n", `observers without a quorum`},
		{base + "standaloneEnabled=false\nserver.1=h:1:2:observer\n", `needs at least one participant`},
		{base + "group.1=1:2\n", `hierarchical quorums`},
		{base + "key=\\u12\n", `malformed \uxxxx encoding`},
	}
	for _, c := range cases {
		_, err := Parse("zoo.cfg", []byte(c.text))
		if err == nil {
			t.Errorf("%q: no error, want %q", c.text, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrConfig) {
			t.Errorf("%q:\n got %v\nwant …%s… wrapping ErrConfig", c.text, err, c.want)
		}
	}
}

func TestParse_PropertiesSyntax(t *testing.T) {
	text := "# comment\n  ! also comment\n\ndataDir = /var/zk \ntickTime:2500\nclientPort 2181\n" +
		"admin.serverAddress=127.\\\n    0.0.1\r\nkey\\ with\\=odd=v\\u0041\\tz\n"
	c, err := Parse("zoo.cfg", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/var/zk" || c.TickTime != 2500 || c.ClientPort != 2181 || c.AdminServerAddress != "127.0.0.1" {
		t.Errorf("got dataDir=%q tickTime=%d clientPort=%d admin=%q", c.DataDir, c.TickTime, c.ClientPort, c.AdminServerAddress)
	}
	if c.Extra["key with=odd"] != "vA\tz" {
		t.Errorf("escaped key/value: %q", c.Extra)
	}
}

func TestServerLinesAndQuorumVerifierText(t *testing.T) {
	text := base + "initLimit=5\nsyncLimit=2\n" +
		"server.3=zk3.example:2890:3890:observer\n" +
		"server.1=127.0.0.1:2888:3888\n" +
		"server.2=[::1]:2889:3889:participant;[::1]:2182\n" +
		"server.17=127.0.0.1:2891:3891;2184\n"
	c, err := Parse("zoo.cfg", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if !c.IsQuorum() || len(c.Voters()) != 3 || len(c.Observers()) != 1 {
		t.Fatalf("IsQuorum=%v voters=%d observers=%d", c.IsQuorum(), len(c.Voters()), len(c.Observers()))
	}
	s2, _ := c.Server(2)
	if s2.Addrs[0].Host != "::1" || s2.ClientHost != "::1" || s2.ClientPort != 2182 || !s2.HasClientAddr {
		t.Errorf("server.2 = %+v", s2)
	}
	// Java's HashMap<Long,…> with 16 buckets puts 17 in bucket 1, after 1.
	want := "server.1=127.0.0.1:2888:3888:participant\n" +
		"server.17=127.0.0.1:2891:3891:participant;0.0.0.0:2184\n" +
		"server.2=[::1]:2889:3889:participant;[::1]:2182\n" +
		"server.3=zk3.example:2890:3890:observer\n" +
		"version=0"
	if got := c.QuorumVerifierText(); got != want {
		t.Errorf("QuorumVerifierText:\n%s\nwant\n%s", got, want)
	}
	// Several addresses per server are refused by Parse until zkctl uses
	// them (keys_test.go); the canonical rendering is still 3.8's.
	s, err := ParseServer(1, "b.host:1:2|a.host:3:4", true)
	if err != nil {
		t.Fatal(err)
	}
	if s.String() != "a.host:3:4|b.host:1:2:participant" {
		t.Errorf("multi-address String = %q", s.String())
	}
}

func TestStandaloneVsQuorum(t *testing.T) {
	cases := []struct {
		text   string
		quorum bool
	}{
		{"", false},
		{"server.1=h:1:2\n", false}, // single server ignored
		{"standaloneEnabled=false\nserver.1=h:1:2\n", true},  // forced quorum code
		{"server.1=h:1:2\nserver.2=h:3:4\n", true},           // two voters
		{"server.1=h:1:2\nserver.2=h:3:4:observer\n", false}, // invalid; checked in Errors
	}
	for _, c := range cases {
		cfg, err := Parse("zoo.cfg", []byte(base+"initLimit=5\nsyncLimit=2\n"+c.text))
		if err != nil {
			if c.quorum {
				t.Errorf("%q: %v", c.text, err)
			}
			continue
		}
		if cfg.IsQuorum() != c.quorum {
			t.Errorf("%q: IsQuorum = %v, want %v", c.text, cfg.IsQuorum(), c.quorum)
		}
	}
}

func writeCfg(t *testing.T, dir, text, myid string) string {
	t.Helper()
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if myid != "" {
		if err := os.WriteFile(filepath.Join(data, "myid"), []byte(myid), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "zoo.cfg")
	if err := os.WriteFile(p, []byte("dataDir="+data+"\n"+text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad_MyID(t *testing.T) {
	q := "initLimit=5\nsyncLimit=2\nserver.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889;127.0.0.1:2182\n"
	c, err := Load(writeCfg(t, t.TempDir(), q, "2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.MyID != 2 || c.ClientPort != 2182 || c.ClientPortAddress != "127.0.0.1" {
		t.Errorf("MyID=%d clientPort=%d addr=%q", c.MyID, c.ClientPort, c.ClientPortAddress)
	}
	if me, ok := c.Me(); !ok || me.ID != 2 || c.LearnerType() != Participant {
		t.Errorf("Me = %+v %v", me, ok)
	}
	errCases := []struct{ text, myid, want string }{
		{q, "", "myid file is missing"},
		{q, " 2", `" 2" is not a number`},
		{q, "7", "myid 7 is not in the peer list"},
		{q + "clientPort=2999\n", "2", "client address for server.2"},
		{q + "extendedTypesEnabled=true\nserver.300=127.0.0.1:4000:4001\n", "300", "must be <= 254"},
	}
	for _, ec := range errCases {
		_, err := Load(writeCfg(t, t.TempDir(), ec.text, ec.myid))
		if err == nil || !strings.Contains(err.Error(), ec.want) {
			t.Errorf("myid %q: err %v, want %q", ec.myid, err, ec.want)
		}
	}
	// Standalone needs no myid.
	if _, err := Load(writeCfg(t, t.TempDir(), "clientPort=2181\n", "")); err != nil {
		t.Errorf("standalone: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "absent.cfg")); err == nil {
		t.Error("missing file must be an error")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(base + "tickTime=2000\nserver.1=127.0.0.1:2888:3888;2181\nserver.2=[::1]:1:2:observer\n"))
	f.Add([]byte("a\\\nb=c\\u00e9\r\n# x\n!y\nk:v\\"))
	f.Add([]byte(base + "multiAddress.enabled=true\nstandaloneEnabled=false\ninitLimit=1\nsyncLimit=1\nserver.1=a:1:2|[b:3:4\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("zoo.cfg", data)
		if err != nil {
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("error %v does not wrap ErrConfig", err)
			}
			return
		}
		_ = c.QuorumVerifierText()
		_ = c.MinSessionTimeoutMs() <= c.MaxSessionTimeoutMs() || t.Failed()
		if c.MinSessionTimeoutMs() > c.MaxSessionTimeoutMs() {
			t.Fatal("accepted min > max session timeout")
		}
		for _, s := range c.Servers {
			_ = s.String()
		}
	})
}
