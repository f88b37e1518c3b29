package launcher

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zkctl/zkctl/internal/zkinstall"
)

// TestApacheImplCommand: an Apache node runs java itself (so signals to its
// process group reach the JVM) with the release's class path, QuorumPeerMain
// and the same zoo.cfg; --jvm-flags with a heap replaces the default heap.
func TestApacheImplCommand(t *testing.T) {
	dir := t.TempDir()
	in := zkinstall.Install{Home: "/opt/zk", Version: "3.7.2", Classpath: []string{"/opt/zk/lib/a.jar", "/opt/zk/lib/b.jar"}}
	cfg := filepath.Join(dir, "zoo.cfg")
	argv, env, err := ApacheImpl("/usr/bin/java", in, []string{"-Xmx1g", "-Dx=y"}).Command(2, cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	if argv[0] != "/usr/bin/java" || argv[len(argv)-1] != cfg || argv[len(argv)-2] != zkinstall.MainClass {
		t.Fatalf("argv %q: want java ... QuorumPeerMain zoo.cfg", argv)
	}
	if i := slices.Index(argv, "-cp"); i < 0 || argv[i+1] != "/opt/zk/lib/a.jar:/opt/zk/lib/b.jar" {
		t.Fatalf("argv %q: want -cp with the release's jars", argv)
	}
	if slices.Contains(argv, "-Xmx256m") || !slices.Contains(argv, "-Xmx1g") || !slices.Contains(argv, "-Dx=y") {
		t.Fatalf("argv %q: want the user's heap instead of the default and their flags", argv)
	}
	if !slices.Contains(env, "ZOOKEEPER_HOME=/opt/zk") {
		t.Fatalf("env %q: want ZOOKEEPER_HOME", env)
	}
	argv, _, _ = ApacheImpl("/usr/bin/java", in, nil).Command(2, cfg, dir)
	if !slices.Contains(argv, "-Xmx256m") {
		t.Fatalf("argv %q: want the default heap", argv)
	}
	if a := ApacheImpl("java", in, nil); a.Name() != ImplApache || a.Version() != "3.7.2" {
		t.Fatalf("name %q version %q", a.Name(), a.Version())
	}
}

// TestApacheZooCfg: an Apache node gets the zoo.cfg every node gets, with
// the keys 3.5+ accepts: quorum lines with ;client parts pointing at the
// proxies, the admin server on its port, every four-letter word allowed.
func TestApacheZooCfg(t *testing.T) {
	cfg := DefaultConfig()
	cfg.BasePort = 30000
	cfg.Impls = []Impl{ZkctlImpl("0.1.0"), nil, ApacheImpl("java", zkinstall.Install{Version: "3.8.0"}, nil)}
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if l.impl(2).Name() != ImplZkctl || l.impl(3).Name() != ImplApache || !l.hasApache() {
		t.Fatal("Impls: nil and missing entries are zkctl, entry 3 is Apache")
	}
	lay := Layout{Base: 30000}
	z := cfg.zooCfg(3, "/d")
	for _, want := range []string{
		"admin.enableServer=true\n", "admin.serverPort=" + strconv.Itoa(lay.Node(3).Admin) + "\n", "4lw.commands.whitelist=*\n",
		"server.1=127.0.0.1:" + strconv.Itoa(lay.QuorumProxy(3, 1)) + ":" + strconv.Itoa(lay.ElectionProxy(3, 1)) + ":participant;127.0.0.1:" + strconv.Itoa(lay.Node(1).Client) + "\n",
		"server.3=127.0.0.1:" + strconv.Itoa(lay.Node(3).Quorum) + ":" + strconv.Itoa(lay.Node(3).Election) + ":participant;",
	} {
		if !strings.Contains(z, want) {
			t.Errorf("zoo.cfg of Apache node 3 lacks %q:\n%s", want, z)
		}
	}
}
