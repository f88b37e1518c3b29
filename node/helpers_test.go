package node

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/jute"
)

// zkctlBin is the zkctl binary built once by TestMain.
var zkctlBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "zkctl-node-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "tempdir:", err)
		os.Exit(1)
	}
	zkctlBin = filepath.Join(dir, "zkctl")
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "go env GOMOD:", err)
		os.Exit(1)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	build := exec.Command("go", "build", "-o", zkctlBin, "./cmd/zkctl")
	build.Dir = root
	if b, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build zkctl: %v\n%s", err, b)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a zkctl server process started by a test.
type proc struct {
	t       *testing.T
	cmd     *exec.Cmd
	addr    string
	dataDir string
	cfgPath string
	logPath string
	done    chan struct{}
}

// freePort returns a currently free 127.0.0.1 port.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startServer writes a zoo.cfg (extra lines appended) and starts zkctl
// server on a free port; dataDir "" means a fresh temp dir.
func startServer(t *testing.T, dataDir string, extra ...string) *proc {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	port := freePort(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf("tickTime=200\ndataDir=%s\nclientPort=%d\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=*\nextendedTypesEnabled=true\nminSessionTimeout=400\n%s\n",
		dataDir, port, strings.Join(extra, "\n"))
	p := &proc{t: t, addr: fmt.Sprintf("127.0.0.1:%d", port), dataDir: dataDir,
		cfgPath: filepath.Join(dir, "zoo.cfg"), logPath: filepath.Join(dir, "server.log")}
	if err := os.WriteFile(p.cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	p.start()
	t.Cleanup(p.kill)
	return p
}

func (p *proc) start() {
	t := p.t
	t.Helper()
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(zkctlBin, "server", "--config", p.cfgPath)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.done = make(chan struct{})
	go func() { _ = p.cmd.Wait(); logf.Close(); close(p.done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if out, err := zkproc.FourLetter(p.addr, "ruok", 3*time.Second); err == nil && out == "imok" {
			return
		}
		select {
		case <-p.done:
			t.Fatalf("server exited during startup:\n%s", p.log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not answer ruok within 10s:\n%s", p.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *proc) log() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

// kill sends SIGKILL to the process this test started (by pid) and waits.
func (p *proc) kill() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(p.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.t.Errorf("server pid %d did not exit after SIGKILL", p.cmd.Process.Pid)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *proc) stop() {
	_ = syscall.Kill(p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.t.Fatalf("server did not exit after SIGTERM")
	}
}

// connect opens a go-zookeeper session and waits until it is established.
func connect(t *testing.T, addr string, timeout time.Duration) (*zk.Conn, <-chan zk.Event) {
	t.Helper()
	c, ev, err := zk.Connect([]string{addr}, timeout, zk.WithLogger(quietLogger{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-ev:
			if e.State == zk.StateHasSession {
				return c, ev
			}
		case <-deadline:
			t.Fatalf("no session within 10s")
		}
	}
}

type quietLogger struct{}

func (quietLogger) Printf(string, ...interface{}) {}

// rawClient speaks the wire protocol directly, for bad-input tests.
type rawClient struct {
	t    *testing.T
	c    net.Conn
	xid  int32
	sid  int64
	pw   []byte
	to   int32
	evts []jute.WatcherEvent
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawClient{t: t, c: c}
}

func (r *rawClient) writeFrame(b []byte) error {
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], uint32(len(b)))
	_, err := r.c.Write(append(l[:], b...))
	return err
}

func (r *rawClient) readFrame() ([]byte, error) {
	_ = r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var l [4]byte
	if _, err := io.ReadFull(r.c, l[:]); err != nil {
		return nil, err
	}
	b := make([]byte, binary.BigEndian.Uint32(l[:]))
	_, err := io.ReadFull(r.c, b)
	return b, err
}

// handshake sends a ConnectRequest and returns the response.
func (r *rawClient) handshake(sid int64, pw []byte, timeout int32) jute.ConnectResponse {
	r.t.Helper()
	if pw == nil {
		pw = make([]byte, 16)
	}
	if err := r.writeFrame(jute.Encode(&jute.ConnectRequest{TimeOut: timeout, SessionID: sid, Passwd: pw, HasReadOnly: true})); err != nil {
		r.t.Fatal(err)
	}
	b, err := r.readFrame()
	if err != nil {
		r.t.Fatalf("read ConnectResponse: %v", err)
	}
	var resp jute.ConnectResponse
	if err := jute.Decode(b, &resp); err != nil {
		r.t.Fatal(err)
	}
	r.sid, r.pw, r.to = resp.SessionID, resp.Passwd, resp.TimeOut
	return resp
}

// call sends one request and returns the reply header and body decoder,
// collecting notifications that arrive first.
func (r *rawClient) call(op jute.Op, rec jute.Record) (jute.ReplyHeader, *jute.Decoder) {
	r.t.Helper()
	r.xid++
	e := jute.NewEncoder(nil)
	(&jute.RequestHeader{Xid: r.xid, Type: op}).Encode(e)
	if rec != nil {
		rec.Encode(e)
	}
	if err := r.writeFrame(e.Bytes()); err != nil {
		r.t.Fatal(err)
	}
	return r.reply()
}

func (r *rawClient) reply() (jute.ReplyHeader, *jute.Decoder) {
	r.t.Helper()
	for {
		b, err := r.readFrame()
		if err != nil {
			r.t.Fatalf("read reply: %v", err)
		}
		d := jute.NewDecoder(b)
		var h jute.ReplyHeader
		h.Decode(d)
		if h.Xid == jute.XidNotification {
			var ev jute.WatcherEvent
			ev.Decode(d)
			r.evts = append(r.evts, ev)
			continue
		}
		return h, d
	}
}

// expectClosed asserts the server closes the connection within 5s.
func expectClosed(t *testing.T, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	for {
		_, err := c.Read(buf)
		if err == io.EOF || (err != nil && !isTimeout(err)) {
			return
		}
		if err != nil {
			t.Fatalf("connection still open after 5s")
		}
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

var _ = bytes.Equal
