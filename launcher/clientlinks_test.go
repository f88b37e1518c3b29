package launcher

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// echoOnce writes msg on c and reports whether it came back within d.
func echoOnce(t *testing.T, c net.Conn, msg string, d time.Duration) (string, error) {
	t.Helper()
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	c.SetReadDeadline(time.Now().Add(d))
	defer c.SetReadDeadline(time.Time{})
	buf := make([]byte, len(msg))
	n, err := io.ReadFull(c, buf)
	return string(buf[:n]), err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestLauncher_ProxyClients(t *testing.T) {
	cfg := testConfig(t, 3)
	cfg.ProxyClients = true
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer l.Shutdown(context.Background())
	if err := l.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	lay := Layout{Base: cfg.BasePort}

	// zoo.cfg: the own ;client part is the real port, the others' the proxies.
	zc, _ := os.ReadFile(filepath.Join(l.Dir(), "node-1", "zoo.cfg"))
	for _, want := range []string{
		fmt.Sprintf("clientPort=%d\n", lay.Node(1).Client),
		fmt.Sprintf(":participant;127.0.0.1:%d\n", lay.Node(1).Client),
		fmt.Sprintf(":participant;127.0.0.1:%d\n", lay.Node(2).ClientProxy),
		fmt.Sprintf(":participant;127.0.0.1:%d\n", lay.Node(3).ClientProxy),
	} {
		if !strings.Contains(string(zc), want) {
			t.Fatalf("node-1 zoo.cfg lacks %q:\n%s", want, zc)
		}
	}

	// Status (through the control API) and cluster.json give clients the proxies.
	c, err := Find(cfg.Dir, cfg.Name)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range st.Nodes {
		if n.ClientPort != lay.Node(n.ID).ClientProxy || n.ServerClientPort != lay.Node(n.ID).Client {
			t.Fatalf("node %d: client_port %d server_client_port %d, want %d and %d", n.ID, n.ClientPort, n.ServerClientPort, lay.Node(n.ID).ClientProxy, lay.Node(n.ID).Client)
		}
	}
	if len(st.ClientLinks) != 6 {
		t.Fatalf("client links %+v, want 6", st.ClientLinks)
	}
	cf, err := ReadClusterFile(l.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if nf := cf.Nodes[1]; nf.ClientPort != lay.Node(2).ClientProxy || nf.ServerClientPort != lay.Node(2).Client || nf.ClientProxyPort != lay.Node(2).ClientProxy {
		t.Fatalf("cluster.json node 2: %+v", nf)
	}

	dial := func(id int) net.Conn {
		t.Helper()
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", lay.Node(id).ClientProxy), 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
	c2, c3 := dial(2), dial(3)
	// The fake server's client port may take a moment to listen: the proxy
	// retries a refused dial.
	for _, conn := range []net.Conn{c2, c3} {
		if got, err := echoOnce(t, conn, "hello", 5*time.Second); err != nil || got != "hello" {
			t.Fatalf("echo through the client proxy: %q %v", got, err)
		}
	}

	act := func(a Action) {
		t.Helper()
		if err := c.Do(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	// isolate 2 freezes node 2's clients, not node 3's.
	act(Action{Kind: ActIsolate, Nodes: []int{2}})
	if got, err := echoOnce(t, c2, "frozen", 300*time.Millisecond); !isTimeout(err) {
		t.Fatalf("isolated node 2 answered its client: %q %v", got, err)
	}
	if got, err := echoOnce(t, c3, "alive", 2*time.Second); err != nil || got != "alive" {
		t.Fatalf("node 3's client during isolate 2: %q %v", got, err)
	}
	st, _ = c.Status(ctx)
	if n := st.Nodes[1]; !slices.Contains(n.Faults, "isolated") {
		t.Fatalf("node 2 faults %v, want isolated", n.Faults)
	}
	// Heal delivers what was held, in order, as TCP would.
	act(Action{Kind: ActHeal})
	buf := make([]byte, len("frozen"))
	c2.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.ReadFull(c2, buf); err != nil || string(buf) != "frozen" {
		t.Fatalf("held bytes after heal: %q %v", buf, err)
	}
	c2.SetReadDeadline(time.Time{})

	// Partitions and cuts are between servers: clients stay connected.
	act(Action{Kind: ActPartition, Groups: [][]int{{1, 2}, {3}}})
	act(Action{Kind: ActCut, From: 3, To: 2})
	for _, conn := range []net.Conn{c2, c3} {
		if got, err := echoOnce(t, conn, "part", 2*time.Second); err != nil || got != "part" {
			t.Fatalf("client during a partition: %q %v", got, err)
		}
	}
	st, _ = c.Status(ctx)
	for _, ls := range st.ClientLinks {
		if ls.Mode != ModeOK {
			t.Fatalf("client link %+v touched by partition/cut", ls)
		}
	}
	act(Action{Kind: ActHeal})

	// slow 3 delays node 3's clients.
	act(Action{Kind: ActSlow, Nodes: []int{3}, Delay: 150 * time.Millisecond})
	start := time.Now()
	if got, err := echoOnce(t, c3, "slow", 3*time.Second); err != nil || got != "slow" {
		t.Fatalf("slow client: %q %v", got, err)
	}
	if took := time.Since(start); took < 250*time.Millisecond {
		t.Fatalf("echo through slow 3 took %v, want >= 300ms (150ms each way)", took)
	}
	st, _ = c.Status(ctx)
	if n := st.Nodes[2]; !slices.Contains(n.Faults, "slow clients->3 150ms") {
		t.Fatalf("node 3 faults %v", n.Faults)
	}

	// reject 3 resets node 3's clients; heal 3 lets them connect again.
	act(Action{Kind: ActReject, Nodes: []int{3}})
	c3.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := c3.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Fatalf("read on a rejected client connection: %v, want a reset or EOF", err)
	} else if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.EOF) {
		t.Logf("rejected connection ended with %v", err)
	}
	act(Action{Kind: ActHeal, Nodes: []int{3}})
	if got, err := echoOnce(t, dial(3), "back", 3*time.Second); err != nil || got != "back" {
		t.Fatalf("client after heal 3: %q %v", got, err)
	}
}

func TestNodeFaults_ClientLinks(t *testing.T) {
	links := []LinkState{{From: 1, To: 2, Mode: ModeCut}, {From: 2, To: 1, Mode: ModeCut}}
	cl := []LinkState{{From: ClientsID, To: 1, Mode: ModeOK}, {From: 1, To: ClientsID, Mode: ModeOK}}
	if got := nodeFaults(1, false, links, cl); slices.Contains(got, "isolated") {
		t.Fatalf("node with open client links marked %v", got)
	}
	cl[0].Mode, cl[1].Mode = ModeCut, ModeCut
	if got := nodeFaults(1, false, links, cl); !slices.Equal(got, []string{"isolated"}) {
		t.Fatalf("got %v, want isolated", got)
	}
	if got := nodeFaults(1, false, links, []LinkState{{From: ClientsID, To: 1, Mode: ModeReject}}); !slices.Contains(got, "reject clients->1") {
		t.Fatalf("got %v", got)
	}
}
