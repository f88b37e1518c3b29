package node

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/jute"
)

// With jute.maxbuffer raised to 4 MiB, a 3 MiB create and setData are
// accepted (3.8 accepts them; zkctl used to refuse fields over 2 MB) and
// survive a restart.
func TestConfig_LargeDataWithRaisedMaxBuffer(t *testing.T) {
	p := startServer(t, "", "jute.maxbuffer=4194304")
	c := dialRaw(t, p.addr)
	c.handshake(0, nil, 4000)
	big := bytes.Repeat([]byte{'b'}, 3<<20)
	if h, _ := c.call(jute.OpCreate, &jute.CreateRequest{Path: "/big", Data: big, ACL: jute.OpenACLUnsafe()}); h.Err != jute.ErrOK {
		t.Fatalf("create 3 MiB: %v", h.Err)
	}
	big[0] = 'c'
	if h, _ := c.call(jute.OpSetData, &jute.SetDataRequest{Path: "/big", Data: big, Version: -1}); h.Err != jute.ErrOK {
		t.Fatalf("setData 3 MiB: %v", h.Err)
	}
	p.stop()
	p.start()
	c = dialRaw(t, p.addr)
	c.handshake(0, nil, 4000)
	h, d := c.call(jute.OpGetData, &jute.PathWatchRequest{Path: "/big"})
	var r jute.GetDataResponse
	r.Decode(d)
	if h.Err != jute.ErrOK || !bytes.Equal(r.Data, big) {
		t.Fatalf("after restart: %v, %d bytes", h.Err, len(r.Data))
	}
}

// seqMultiRequest encodes a MultiRequest of n sequential creates of
// /s/a (node/serve's multiRequest is unexported; the wire form is
// MultiHeader+record pairs and a done marker).
type seqMultiRequest struct{ n int }

// Encode implements jute.Record.
func (m seqMultiRequest) Encode(e *jute.Encoder) {
	for i := 0; i < m.n; i++ {
		h := jute.MultiHeader{Type: jute.OpCreate, Err: -1}
		h.Encode(e)
		(&jute.CreateRequest{Path: "/s/a", ACL: jute.OpenACLUnsafe(), Flags: 2}).Encode(e)
	}
	end := jute.MultiHeader{Type: -1, Done: true, Err: -1}
	end.Encode(e)
}

// Decode implements jute.Record (never used: requests are only sent).
func (seqMultiRequest) Decode(*jute.Decoder) {}

// seqMulti is a multi of n sequential creates under /s: each txn op is 10
// bytes longer than its request op (the sequence suffix).
func seqMulti(n int) seqMultiRequest { return seqMultiRequest{n: n} }

// A multi whose frame fits jute.maxbuffer but whose txn would exceed
// jute.maxbuffer + extrasize is refused up front (3.8 would log it and then
// refuse to recover); the server keeps serving and restarts fine.
func TestConfig_TxnPastRecordLimitRefusedUpFront(t *testing.T) {
	p := startServer(t, "", "jute.maxbuffer=65536", "jute.maxbuffer.extrasize=1024")
	c := dialRaw(t, p.addr)
	c.handshake(0, nil, 4000)
	if h, _ := c.call(jute.OpCreate, &jute.CreateRequest{Path: "/s", ACL: jute.OpenACLUnsafe()}); h.Err != jute.ErrOK {
		t.Fatal(h.Err)
	}
	if n := len(jute.Encode(seqMulti(1200))); n > 65536-64 {
		t.Fatalf("request %d bytes does not fit the frame", n)
	}
	if h, _ := c.call(jute.OpMulti, seqMulti(1200)); h.Err == jute.ErrOK {
		t.Fatal("a multi whose txn exceeds the record limit was acknowledged")
	}
	if h, _ := c.call(jute.OpMulti, seqMulti(100)); h.Err != jute.ErrOK {
		t.Fatalf("small multi: %v", h.Err)
	}
	p.stop()
	p.start()
	if n := childrenAfterRestart(t, p, "/s"); n != 100 {
		t.Fatalf("after restart: %d children", n)
	}
}

// childrenAfterRestart counts path's children through a fresh session.
func childrenAfterRestart(t *testing.T, p *proc, path string) int {
	t.Helper()
	c := dialRaw(t, p.addr)
	c.handshake(0, nil, 4000)
	h, d := c.call(jute.OpGetChildren, &jute.PathWatchRequest{Path: path})
	var r jute.ChildrenResponse
	r.Decode(d)
	if h.Err != jute.ErrOK {
		t.Fatalf("getChildren %s: %v", path, h.Err)
	}
	return len(r.Children)
}

// autopurge: with purgeInterval 0 every snapshot stays; with
// purgeInterval > 0 the server purges at startup (3.8's
// DatadirCleanupManager runs its task at once) keeping snapRetainCount.
func TestConfig_Autopurge(t *testing.T) {
	data := t.TempDir()
	p := startServer(t, data, "snapCount=2")
	c := dialRaw(t, p.addr)
	c.handshake(0, nil, 4000)
	for i := 0; i < 40; i++ {
		if h, _ := c.call(jute.OpCreate, &jute.CreateRequest{Path: "/p" + string(rune('a'+i%26)) + string(rune('a'+i/26)), ACL: jute.OpenACLUnsafe()}); h.Err != jute.ErrOK {
			t.Fatal(h.Err)
		}
	}
	p.stop()
	snaps := func() int {
		m, _ := filepath.Glob(filepath.Join(data, "version-2", "snapshot.*"))
		return len(m)
	}
	if n := snaps(); n < 6 {
		t.Fatalf("%d snapshots with purgeInterval 0: every one must stay", n)
	}
	cfg, _ := os.ReadFile(p.cfgPath)
	if err := os.WriteFile(p.cfgPath, append(cfg, "autopurge.purgeInterval=1\nautopurge.snapRetainCount=3\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	p.start()
	deadline := time.Now().Add(10 * time.Second)
	for snaps() != 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := snaps(); n != 3 {
		t.Fatalf("%d snapshots after autopurge with snapRetainCount 3", n)
	}
	p.stop()
	p.start() // recovers from what the purge kept
	if n := childrenAfterRestart(t, p, "/"); n != 41 {
		t.Fatalf("after purge and restart: %d children", n)
	}
}

// maxCnxns bounds the connections of the listener, as 3.8's
// ServerCnxnFactory.
func TestConfig_MaxCnxns(t *testing.T) {
	p := startServer(t, "", "maxCnxns=2", "maxClientCnxns=0")
	a := dialRaw(t, p.addr)
	a.handshake(0, nil, 4000)
	b := dialRaw(t, p.addr)
	b.handshake(0, nil, 4000)
	third := dialRaw(t, p.addr)
	expectClosed(t, third.c)
	if !strings.Contains(p.log(), "too many connections") {
		t.Errorf("refusal not logged:\n%s", p.log())
	}
}

// A refused key stops the server at startup with a message naming it.
func TestConfig_RefusedKeyStopsStartup(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "zoo.cfg")
	os.WriteFile(cfg, []byte("dataDir="+dir+"\nclientPort=0\nsecureClientPort=2281\n"), 0o644)
	out, err := runZkctl(t, "server", "--config", cfg)
	if err == nil || !strings.Contains(out, "secureClientPort") || !strings.Contains(out, "not supported yet by zkctl") {
		t.Fatalf("err %v, output:\n%s", err, out)
	}
}

// runZkctl runs the zkctl binary to completion (10 s at most).
func runZkctl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(zkctlBin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("zkctl %v did not exit:\n%s", args, out.String())
		return "", nil
	}
}
