package node

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/jute"
)

// healthy asserts the server still serves a normal client.
func healthy(t *testing.T, addr string) {
	t.Helper()
	c, _ := connect(t, addr, 4*time.Second)
	if _, err := c.Sync("/"); err != nil {
		t.Fatalf("server stopped serving: %v", err)
	}
}

func TestBadInput_OversizeFrameClosesOnlyThatConnection(t *testing.T) {
	p := startServer(t, "")
	good := dialRaw(t, p.addr)
	good.handshake(0, nil, 4000)
	bad := dialRaw(t, p.addr)
	bad.handshake(0, nil, 4000)
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], jute.DefaultMaxBuffer+1)
	if _, err := bad.c.Write(l[:]); err != nil {
		t.Fatal(err)
	}
	expectClosed(t, bad.c)
	if h, _ := good.call(jute.OpExists, &jute.PathWatchRequest{Path: "/zookeeper"}); h.Err != jute.ErrOK {
		t.Errorf("other connection broken: %v", h.Err)
	}
	// Negative length before a handshake, too.
	neg := dialRaw(t, p.addr)
	if _, err := neg.c.Write([]byte{0xff, 0xff, 0xff, 0xf0}); err != nil {
		t.Fatal(err)
	}
	expectClosed(t, neg.c)
	healthy(t, p.addr)
	if !strings.Contains(p.log(), "jute.maxbuffer") {
		t.Errorf("oversize frame not logged:\n%s", p.log())
	}
}

func TestBadInput_GarbageConnectRequest(t *testing.T) {
	p := startServer(t, "")
	for _, payload := range [][]byte{
		{1, 2, 3},
		[]byte("this is not a ConnectRequest at all, but long enough to be read"),
		append(make([]byte, 24), 0x7f, 0xff, 0xff, 0xff), // passwd length far past the frame
	} {
		r := dialRaw(t, p.addr)
		if err := r.writeFrame(payload); err != nil {
			t.Fatal(err)
		}
		expectClosed(t, r.c)
	}
	// A client claiming a zxid from the future is closed without a reply.
	r := dialRaw(t, p.addr)
	if err := r.writeFrame(jute.Encode(&jute.ConnectRequest{LastZxidSeen: 1 << 40, TimeOut: 4000, Passwd: make([]byte, 16)})); err != nil {
		t.Fatal(err)
	}
	_ = r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if b, err := io.ReadAll(r.c); len(b) != 0 {
		t.Errorf("future-zxid client got %d bytes (%v), want a bare close", len(b), err)
	}
	healthy(t, p.addr)
}

func TestBadInput_UnknownOpcodeAndMalformedRecords(t *testing.T) {
	p := startServer(t, "")
	r := dialRaw(t, p.addr)
	r.handshake(0, nil, 4000)
	// A truncated create body is a MarshallingError; the connection stays.
	r.xid++
	e := jute.NewEncoder(nil)
	(&jute.RequestHeader{Xid: r.xid, Type: jute.OpGetData}).Encode(e)
	e.Int(100) // path length with no path bytes
	if err := r.writeFrame(e.Bytes()); err != nil {
		t.Fatal(err)
	}
	if h, _ := r.reply(); h.Err != jute.ErrMarshallingError || h.Xid != r.xid {
		t.Errorf("malformed getData: %+v", h)
	}
	if h, _ := r.call(jute.OpCreate, &jute.CreateRequest{Path: "/x", ACL: jute.OpenACLUnsafe(), Flags: 9, TTL: -1}); h.Err != jute.ErrBadArguments {
		t.Errorf("bad flags: %v", h.Err)
	}
	if h, _ := r.call(jute.OpCreate, &jute.CreateRequest{Path: "/x", ACL: jute.OpenACLUnsafe(), Flags: jute.FlagPersistentWithTTL, TTL: -1}); h.Err != jute.ErrBadArguments {
		t.Errorf("TTL flags on create: %v", h.Err)
	}
	if h, _ := r.call(jute.OpCreate, &jute.CreateRequest{Path: "/a//b", ACL: jute.OpenACLUnsafe(), TTL: -1}); h.Err != jute.ErrNoNode && h.Err != jute.ErrBadArguments {
		t.Errorf("bad path: %v", h.Err)
	}
	if h, _ := r.call(jute.OpCreate, &jute.CreateRequest{Path: "/bad/", ACL: jute.OpenACLUnsafe(), TTL: -1}); h.Err != jute.ErrNoNode {
		t.Errorf("trailing slash under missing parent: %v", h.Err)
	}
	if h, _ := r.call(jute.OpCreate, &jute.CreateRequest{Path: "/zookeeper/", ACL: jute.OpenACLUnsafe(), TTL: -1}); h.Err != jute.ErrBadArguments {
		t.Errorf("trailing slash: %v", h.Err)
	}
	if h, _ := r.call(jute.OpReconfig, &jute.ReconfigRequest{CurConfigID: -1}); h.Err != jute.ErrReconfigDisabled {
		t.Errorf("reconfig: %v", h.Err)
	}
	if h, d := r.call(jute.OpWhoAmI, nil); h.Err != jute.ErrOK {
		t.Errorf("whoAmI: %v", h.Err)
	} else {
		var w jute.WhoAmIResponse
		w.Decode(d)
		if len(w.ClientInfo) != 1 || w.ClientInfo[0].AuthScheme != "ip" || w.ClientInfo[0].User != "127.0.0.1" {
			t.Errorf("whoAmI %+v", w)
		}
	}
	h, _ := r.call(jute.Op(77), nil)
	if h.Err != jute.ErrUnimplemented {
		t.Errorf("unknown opcode: %+v", h)
	}
	expectClosed(t, r.c)
	// Standalone check is Unimplemented too.
	r2 := dialRaw(t, p.addr)
	r2.handshake(0, nil, 4000)
	if h, _ := r2.call(jute.OpCheck, &jute.PathVersionRequest{Path: "/", Version: -1}); h.Err != jute.ErrUnimplemented {
		t.Errorf("standalone check: %v", h.Err)
	}
	expectClosed(t, r2.c)
	healthy(t, p.addr)
}

func TestBadInput_ClientDisconnectsMidRequest(t *testing.T) {
	p := startServer(t, "")
	for i := 0; i < 5; i++ {
		r := dialRaw(t, p.addr)
		r.handshake(0, nil, 4000)
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], 200)
		if _, err := r.c.Write(append(l[:], 0, 0, 0, 1, 0, 0, 0, 1, 0)); err != nil {
			t.Fatal(err)
		}
		r.c.Close()
	}
	// Half a ConnectRequest, then gone.
	r := dialRaw(t, p.addr)
	if _, err := r.c.Write([]byte{0, 0, 0, 45, 0, 0}); err != nil {
		t.Fatal(err)
	}
	r.c.Close()
	healthy(t, p.addr)
}

func TestBadInput_AuthFailureAndPingOrdering(t *testing.T) {
	p := startServer(t, "")
	r := dialRaw(t, p.addr)
	r.handshake(0, nil, 4000)
	if h, _ := r.call(jute.OpPing, nil); h.Xid != jute.XidPing || h.Err != jute.ErrOK {
		t.Errorf("ping reply %+v", h)
	}
	if h, _ := r.call(jute.OpAuth, &jute.AuthPacket{Scheme: "kerberos", Auth: []byte("x")}); h.Err != jute.ErrAuthFailed {
		t.Errorf("unknown scheme: %+v", h)
	}
	expectClosed(t, r.c)
	// Pipelined requests are answered in order.
	q := dialRaw(t, p.addr)
	q.handshake(0, nil, 4000)
	e := jute.NewEncoder(nil)
	for i := int32(1); i <= 50; i++ {
		body := jute.NewEncoder(nil)
		(&jute.RequestHeader{Xid: i, Type: jute.OpCreate}).Encode(body)
		if i%2 == 0 {
			body.Buf = body.Buf[:0]
			(&jute.RequestHeader{Xid: i, Type: jute.OpGetData}).Encode(body)
			(&jute.PathWatchRequest{Path: fmt.Sprintf("/o%d", i-1)}).Encode(body)
		} else {
			(&jute.CreateRequest{Path: fmt.Sprintf("/o%d", i), ACL: jute.OpenACLUnsafe(), TTL: -1}).Encode(body)
		}
		e.Int(int32(len(body.Buf)))
		e.Buf = append(e.Buf, body.Buf...)
	}
	if _, err := q.c.Write(e.Bytes()); err != nil {
		t.Fatal(err)
	}
	for i := int32(1); i <= 50; i++ {
		h, _ := q.reply()
		if h.Xid != i || h.Err != jute.ErrOK {
			t.Fatalf("reply %d: %+v", i, h)
		}
	}
}

func TestServer_AdminAndFourLetterWords(t *testing.T) {
	adminPort := freePort(t)
	p := startServer(t, "", "admin.enableServer=true", "admin.serverAddress=127.0.0.1", fmt.Sprintf("admin.serverPort=%d", adminPort))
	c, _ := connect(t, p.addr, 4*time.Second)
	if _, err := c.Create("/n", nil, 0, zk.WorldACL(zk.PermAll)); err != nil {
		t.Fatal(err)
	}
	srvr, err := zkproc.FourLetter(p.addr, "srvr", 3*time.Second)
	if err != nil || !strings.Contains(srvr, "Mode: standalone") || !strings.Contains(srvr, "Node count: 6") {
		t.Errorf("srvr: %q %v", srvr, err)
	}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/commands/peer", adminPort))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var peer adminapi.Peer
	if err := json.NewDecoder(resp.Body).Decode(&peer); err != nil {
		t.Fatal(err)
	}
	if peer.State != adminapi.StateStandalone || peer.Znodes != 6 || peer.Sessions != 1 || peer.AppliedZxid < 2 {
		t.Errorf("peer %+v", peer)
	}
}

func TestBadInput_SilentClientIsClosed(t *testing.T) {
	p := startServer(t, "", "maxSessionTimeout=1000")
	silent := dialRaw(t, p.addr)
	half := dialRaw(t, p.addr)
	if _, err := half.c.Write([]byte{0, 0, 0, 45, 0}); err != nil {
		t.Fatal(err)
	}
	expectClosed(t, silent.c)
	expectClosed(t, half.c)
	healthy(t, p.addr)
}
