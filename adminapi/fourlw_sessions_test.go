package adminapi

import (
	"os"
	"reflect"
	"testing"
)

func TestParseConsDetail(t *testing.T) {
	raw, err := os.ReadFile("testdata/4lw/cons38.txt")
	if err != nil {
		t.Fatal(err)
	}
	cs := ParseConsDetail(string(raw))
	if len(cs) != 3 {
		t.Fatalf("%d connections: %+v", len(cs), cs)
	}
	want := ConnInfo{Remote: "127.0.0.1:40214", SessionID: 0x1000a2b3c0000, TimeoutMs: 4000, LastOp: "PING", Received: 5, Sent: 5}
	if cs[0] != want {
		t.Fatalf("first: %+v, want %+v", cs[0], want)
	}
	if cs[2].SessionID != 0 || cs[2].Remote != "127.0.0.1:40220" {
		t.Fatalf("a connection without a session: %+v", cs[2])
	}
}

func TestParseWchpAndDump(t *testing.T) {
	w := ParseWchp("/app/config\n\t0x1000a2b3c0000\n\t0x1000a2b3c0001\n/b\n\t0x5\n\n")
	if !reflect.DeepEqual(w, map[string][]int64{"/app/config": {0x1000a2b3c0000, 0x1000a2b3c0001}, "/b": {5}}) {
		t.Fatalf("wchp: %v", w)
	}
	dump := "SessionTracker dump:\nSession Sets (1)/(2):\n2 expire at Tue Mar 05 10:15:30 UTC 2024:\n\t0x1\n\t0x2\n" +
		"ephemeral nodes dump:\nSessions with Ephemerals (2):\n0x2:\n\t/lock/b\n\t/lock/a\n0x1:\n\t/x\nConnections dump:\nConnections Sets (0)/(0):\n"
	e := ParseDumpEphemerals(dump)
	if !reflect.DeepEqual(e, map[int64][]string{2: {"/lock/a", "/lock/b"}, 1: {"/x"}}) {
		t.Fatalf("dump: %v", e)
	}
	if id, ok := ParseSessionID("zz"); ok {
		t.Fatalf("bad id parsed as %x", id)
	}
}
