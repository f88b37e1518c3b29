package tests

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/zkctl/zkctl/launcher"
)

// TestUp_ProxyClients runs `zkctl up 3 --proxy-clients`: status and
// zoo.cfg give clients the proxies, a go-zookeeper client through the proxy
// of a follower works, `isolate` of that follower freezes it (it loses its
// connection while a client of another node keeps writing), and heal
// brings it back.
func TestUp_ProxyClients(t *testing.T) {
	u := startUpCluster(t, 3, "--proxy-clients")
	lay := launcher.Layout{Base: u.base}
	leader, st := u.waitStable(30 * time.Second)
	target := 1
	for target == leader {
		target++
	}
	other := 6 - leader - target // the other follower

	// zkctl status --json: client_port is the proxy, server_client_port the server.
	js := u.statusJSON()
	for _, n := range js["nodes"].([]any) {
		m := n.(map[string]any)
		id := int(m["id"].(float64))
		if int(m["client_port"].(float64)) != lay.Node(id).ClientProxy || int(m["server_client_port"].(float64)) != lay.Node(id).Client {
			t.Fatalf("status --json node %d: %v, want client_port %d server_client_port %d", id, m, lay.Node(id).ClientProxy, lay.Node(id).Client)
		}
	}
	if out, code := u.zkctl("status"); code != 0 || !strings.Contains(out, fmt.Sprintf("%d>%d", lay.Node(target).ClientProxy, lay.Node(target).Client)) {
		t.Fatalf("zkctl status (exit %d) does not show proxy>server for node %d:\n%s", code, target, out)
	}
	zc, err := os.ReadFile(filepath.Join(u.dir, u.name, "node-"+strconv.Itoa(target), "zoo.cfg"))
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(";127.0.0.1:%d\n", lay.Node(other).ClientProxy); !strings.Contains(string(zc), want) {
		t.Fatalf("node %d's zoo.cfg does not name node %d's client proxy (%q):\n%s", target, other, want, zc)
	}
	if !strings.Contains(u.out.String(), "clients connect to 127.0.0.1:"+strconv.Itoa(lay.Node(1).ClientProxy)) {
		t.Fatalf("zkctl up did not print the proxies' connect string:\n%s", u.out.String())
	}

	addr := func(id int) string { return fmt.Sprintf("127.0.0.1:%d", node(st, id).ClientPort) }
	if addr(target) != fmt.Sprintf("127.0.0.1:%d", lay.Node(target).ClientProxy) {
		t.Fatalf("launcher status gives node %d's client address %s, not its proxy", target, addr(target))
	}
	conn, events, err := zk.Connect([]string{addr(target)}, 4*time.Second, zk.WithLogInfo(false))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Create("/pc", []byte("before"), 0, zk.WorldACL(zk.PermAll)); err != nil && err != zk.ErrNodeExists {
		t.Fatalf("create through node %d's proxy: %v", target, err)
	}
	if conn.Server() != addr(target) {
		t.Fatalf("client connected to %s, want the proxy %s", conn.Server(), addr(target))
	}
	drain(events)

	u.do(fmt.Sprintf("isolate %d", target))
	// The request hangs behind the cut: it does not succeed, and the
	// client gives the connection up (go-zookeeper: 2/3 of the session
	// timeout without a reply).
	getErr := make(chan error, 1)
	go func() { _, _, err := conn.Get("/pc"); getErr <- err }()
	select {
	case err := <-getErr:
		if err == nil {
			t.Fatalf("a read through the proxy of isolated node %d succeeded", target)
		}
		t.Logf("read through isolated node %d: %v", target, err)
	case <-time.After(15 * time.Second):
		t.Fatalf("a read through isolated node %d neither failed nor returned in 15s", target)
	}
	if !waitState(events, 10*time.Second, zk.StateDisconnected) {
		t.Fatalf("client of isolated node %d never saw a disconnect", target)
	}
	// A four-letter word to the isolated node: a server that lost its
	// quorum still answers ruok, so only the cut explains the silence; the
	// answer is held, and delivered on heal as TCP would retransmit it.
	raw, err := net.DialTimeout("tcp", addr(target), 2*time.Second)
	if err != nil {
		t.Fatalf("dial node %d's proxy while isolated: %v", target, err)
	}
	defer raw.Close()
	if _, err := raw.Write([]byte("ruok")); err != nil {
		t.Fatal(err)
	}
	raw.SetReadDeadline(time.Now().Add(time.Second))
	if n, err := raw.Read(make([]byte, 4)); err == nil || n > 0 {
		t.Fatalf("isolated node %d answered ruok through its proxy (%d bytes, %v)", target, n, err)
	}
	st = u.status()
	if !slices.Contains(node(st, target).Faults, "isolated") {
		t.Fatalf("node %d faults %v, want isolated", target, node(st, target).Faults)
	}
	// A client of another node is not affected.
	oc, _, err := zk.Connect([]string{addr(other)}, 4*time.Second, zk.WithLogInfo(false))
	if err != nil {
		t.Fatal(err)
	}
	defer oc.Close()
	if _, err := oc.Set("/pc", []byte("during"), -1); err != nil {
		t.Fatalf("write through node %d's proxy while %d is isolated: %v", other, target, err)
	}

	u.do("heal")
	raw.SetReadDeadline(time.Now().Add(10 * time.Second))
	if b, err := io.ReadAll(raw); string(b) != "imok" {
		t.Fatalf("ruok held during isolate: got %q after heal (%v), want imok", b, err)
	}
	// The old client comes back on its one server: with its session, or
	// told it expired (the leader expired it while it was cut off).
	if !waitState(events, 30*time.Second, zk.StateHasSession, zk.StateExpired) {
		t.Fatalf("client of node %d did not reconnect after heal", target)
	}
	nc, _, err := zk.Connect([]string{addr(target)}, 4*time.Second, zk.WithLogInfo(false))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := nc.Sync("/pc")
		if err == nil {
			var data []byte
			if data, _, err = nc.Get("/pc"); err == nil && string(data) == "during" {
				break
			}
			if err == nil {
				err = fmt.Errorf("read %q, want %q", data, "during")
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %d after heal: %v", target, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	conn.Close()
	oc.Close()
	nc.Close()

	u.down()
	for id := 1; id <= 3; id++ {
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(lay.Node(id).ClientProxy))
		if err != nil {
			t.Errorf("client proxy port of node %d still bound after down: %v", id, err)
			continue
		}
		ln.Close()
	}
}

// drain empties a go-zookeeper event channel.
func drain(ch <-chan zk.Event) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// waitState waits up to d for a session event in one of states.
func waitState(ch <-chan zk.Event, d time.Duration, states ...zk.State) bool {
	timeout := time.After(d)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return false
			}
			if ev.Type == zk.EventSession && slices.Contains(states, ev.State) {
				return true
			}
		case <-timeout:
			return false
		}
	}
}
