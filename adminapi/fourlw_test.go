package adminapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zkctl/zkctl/internal/fourlwtest"
)

func testdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/4lw/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseSrvr_Apache38(t *testing.T) {
	s, err := ParseSrvr(testdata(t, "srvr38.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Mode != "leader" || !s.HasZxid || s.Zxid != 0x100000003 || s.Connections != 1 || s.Outstanding != 0 || s.NodeCount != 5 ||
		!strings.HasPrefix(s.Version, "3.8.0") {
		t.Fatalf("srvr parsed wrong: %+v", s)
	}
	if _, err := ParseSrvr("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n"); !errors.Is(err, ErrNotZooKeeper) {
		t.Fatalf("an HTTP answer must be ErrNotZooKeeper, got %v", err)
	}
	// 3.4 answers without Node count's neighbours still parse; a missing
	// line is -1, never 0.
	s, err = ParseSrvr("Zookeeper version: 3.4.14-4c25d48, built on 03/06/2019\nMode: follower\n")
	if err != nil || s.HasZxid || s.Connections != -1 || s.NodeCount != -1 {
		t.Fatalf("partial srvr: %+v %v", s, err)
	}
}

func TestParseConf_Members(t *testing.T) {
	c := ParseConf(testdata(t, "conf38.txt"))
	if c.ServerID != 3 || c.Keys["clientPort"] != "44497" {
		t.Fatalf("conf keys wrong: %+v", c)
	}
	want := []Member{
		{ID: 1, Host: "127.0.0.1", Client: "127.0.0.1:44497"},
		{ID: 2, Host: "127.0.0.1", Client: "127.0.0.1:37921"},
		{ID: 3, Host: "127.0.0.1", Client: "127.0.0.1:35117"},
		{ID: 4, Host: "::1", Client: "[::1]:35118", Observer: true},
	}
	if !slices.Equal(c.Members, want) {
		t.Fatalf("members:\n got %+v\nwant %+v", c.Members, want)
	}
	// 3.4 style: no client part.
	m, ok := ParseMember(1, "zk1:2888:3888")
	if !ok || m.Client != "" || m.Host != "zk1" {
		t.Fatalf("3.4 member: %+v %v", m, ok)
	}
	if _, ok := ParseMember(1, "[::1:2888"); ok {
		t.Fatal("unterminated IPv6 bracket accepted")
	}
}

func TestParseCons_WchsIsro(t *testing.T) {
	c := ParseCons(testdata(t, "cons38.txt"))
	if c.Connections != 3 || c.Sessions != 2 {
		t.Fatalf("cons: %+v", c)
	}
	if n, ok := ParseWchs("0 connections watching 0 paths\nTotal watches:7\n"); !ok || n != 7 {
		t.Fatalf("wchs: %d %v", n, ok)
	}
	if _, ok := ParseWchs("garbage"); ok {
		t.Fatal("wchs garbage accepted")
	}
	for in, want := range map[string][2]bool{"ro": {true, true}, "rw\n": {false, true}, "null": {false, false}} {
		ro, known := ParseIsro(in)
		if [2]bool{ro, known} != want {
			t.Errorf("isro %q: %v %v", in, ro, known)
		}
	}
	m := ParseMntr(testdata(t, "mntr38.txt"))
	if m["server_state"] != "leader" || m["synced_followers"] != "2" {
		t.Fatalf("mntr: %v", m)
	}
}

func TestFourLW_PeerFromEveryWord(t *testing.T) {
	addr := fourlwtest.Serve(t, map[string]string{
		"srvr": testdata(t, "srvr38.txt"), "mntr": testdata(t, "mntr38.txt"), "conf": testdata(t, "conf38.txt"),
		"cons": testdata(t, "cons38.txt"), "isro": "rw", "wchs": "1 connections watching 2 paths\nTotal watches:2\n",
	})
	p, err := NewFourLW(addr, time.Second).Peer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.State != StateLeading || p.MyID != 3 || p.LeaderID != 3 || p.LastLoggedZxid != 0x100000003 || p.CurrentEpoch != 1 ||
		p.Voters != 3 || p.SyncedFollowers != 2 || p.Sessions != 4 || p.Watches != 2 || p.UptimeMs != 12345 || p.Source != SourceFourLW {
		t.Fatalf("peer wrong: %+v", p)
	}
	if len(p.Refused) != 0 {
		t.Fatalf("nothing refused, got %v", p.Refused)
	}
	for _, f := range []string{"pid", "election", "accepted_epoch"} {
		if p.Known(f) {
			t.Errorf("%s must be unknown over 4lw", f)
		}
	}
	for _, f := range []string{"myid", "leader_id", "voters", "sessions", "last_logged_zxid"} {
		if !p.Known(f) {
			t.Errorf("%s must be known with every word answered", f)
		}
	}
}

func TestFourLW_WhitelistRefusesMntr(t *testing.T) {
	follower := strings.Replace(testdata(t, "srvr38.txt"), "Mode: leader", "Mode: follower", 1)
	addr := fourlwtest.Serve(t, map[string]string{"srvr": follower, "conf": testdata(t, "conf38.txt")})
	p, err := NewFourLW(addr, time.Second).Peer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Refused, []string{"mntr", "isro", "cons", "wchs"}) {
		t.Fatalf("refused = %v", p.Refused)
	}
	if p.State != StateFollowing || p.Voters != 3 || p.Known("leader_id") || p.Known("uptime_ms") || p.Known("watches") || !p.Known("znodes") {
		t.Fatalf("peer wrong: %+v", p)
	}
}

func TestFourLW_BadPorts(t *testing.T) {
	ctx := context.Background()
	// An HTTP server.
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "hello") }))
	defer hs.Close()
	_, err := NewFourLW(strings.TrimPrefix(hs.URL, "http://"), time.Second).Peer(ctx)
	if !errors.Is(err, ErrNotZooKeeper) && (err == nil || !strings.Contains(err.Error(), "not ZooKeeper")) {
		t.Fatalf("HTTP server: %v", err)
	}
	// A closed port.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()
	if _, err := NewFourLW(closed, time.Second).Peer(ctx); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("closed port: %v", err)
	}
	// Not serving yet.
	addr := fourlwtest.Serve(t, map[string]string{"srvr": notServing + "\n"})
	p, err := NewFourLW(addr, time.Second).Peer(ctx)
	if err != nil || p.State != StateLooking || p.LeaderID != -1 {
		t.Fatalf("not serving: %+v %v", p, err)
	}
	// Everything refused.
	addr = fourlwtest.Serve(t, map[string]string{})
	if _, err := NewFourLW(addr, time.Second).Peer(ctx); err == nil || !strings.Contains(err.Error(), "whitelist") {
		t.Fatalf("all refused: %v", err)
	}
}

func FuzzParseSrvr(f *testing.F) {
	f.Add(testdata(f, "srvr38.txt"))
	f.Add("Zxid: 0xffffffffffffffff\nMode:\n")
	f.Fuzz(func(t *testing.T, s string) {
		out, err := ParseSrvr(s)
		if err == nil && out.HasZxid && out.Zxid < 0 {
			t.Fatalf("negative zxid %d", out.Zxid)
		}
	})
}

func FuzzParseConf(f *testing.F) {
	f.Add(testdata(f, "conf38.txt"))
	f.Add("server.1=[::1]:1:2;[::1]:3\nserver.x=y\n")
	f.Fuzz(func(t *testing.T, s string) {
		c := ParseConf(s)
		for _, m := range c.Members {
			if m.Host == "" {
				t.Fatalf("member without host: %+v", m)
			}
			if m.Client != "" {
				if _, _, err := net.SplitHostPort(m.Client); err != nil {
					t.Fatalf("client %q not host:port: %v", m.Client, err)
				}
			}
		}
	})
}

func FuzzParseMntr(f *testing.F) {
	f.Add(testdata(f, "mntr38.txt"))
	f.Fuzz(func(t *testing.T, s string) { _ = ParseMntr(s) })
}

func FuzzParseCons(f *testing.F) {
	f.Add(testdata(f, "cons38.txt"))
	f.Fuzz(func(t *testing.T, s string) {
		c := ParseCons(s)
		if c.Sessions > c.Connections {
			t.Fatalf("more sessions than connections: %+v", c)
		}
	})
}

func FuzzParseWchs(f *testing.F) {
	f.Add("0 connections watching 0 paths\nTotal watches:0\n")
	f.Fuzz(func(t *testing.T, s string) {
		if n, ok := ParseWchs(s); ok && n < 0 {
			t.Fatal("negative watches")
		}
	})
}

func FuzzParseIsro(f *testing.F) {
	f.Add("ro")
	f.Add("null")
	f.Fuzz(func(t *testing.T, s string) {
		if ro, known := ParseIsro(s); ro && !known {
			t.Fatal("read-only but unknown")
		}
	})
}
