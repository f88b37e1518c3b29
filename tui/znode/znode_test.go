package znode

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func rowPaths(t *Tree) string {
	var out []string
	for _, r := range t.Rows() {
		out = append(out, strings.Repeat(" ", r.Depth)+r.Name)
	}
	return strings.Join(out, "|")
}

func TestTree_LazyExpandSelectCollapse(t *testing.T) {
	tr := New()
	if got := tr.Expand("/"); len(got) != 1 || got[0] != (Fetch{"/", FetchChildren}) {
		t.Fatalf("expanding an unloaded root: %v", got)
	}
	tr.SetChildren("/", []string{"zookeeper", "app", "b"}, &zk.Stat{NumChildren: 3})
	if got := rowPaths(tr); got != "/| app| b| zookeeper" {
		t.Fatalf("rows %q", got)
	}
	if f := tr.Move(1); len(f) != 1 || f[0] != (Fetch{"/app", FetchNode}) {
		t.Fatalf("moving onto /app: %v", f)
	}
	// Only /app's children are read, never a subtree that is not shown.
	if f := tr.Expand("/app"); len(f) != 1 || f[0] != (Fetch{"/app", FetchChildren}) {
		t.Fatalf("expand /app: %v", f)
	}
	tr.SetChildren("/app", []string{"x"}, nil)
	if got := rowPaths(tr); got != "/| app|  x| b| zookeeper" {
		t.Fatalf("rows %q", got)
	}
	if f := tr.Expand("/app"); f != nil {
		t.Fatalf("re-expanding a loaded node reads again: %v", f)
	}
	tr.Move(1)
	if tr.Selected() != "/app/x" {
		t.Fatalf("selected %s", tr.Selected())
	}
	tr.Collapse("/app/x") // a leaf: go to the parent
	if tr.Selected() != "/app" {
		t.Fatalf("collapse on a leaf selects %s, want /app", tr.Selected())
	}
	tr.Collapse("/app")
	if got := rowPaths(tr); got != "/| app| b| zookeeper" {
		t.Fatalf("rows after collapse %q", got)
	}
	tr.Move(-100)
	tr.Move(100)
	if tr.Selected() != "/zookeeper" {
		t.Fatalf("clamped move selects %s", tr.Selected())
	}
}

func TestTree_GotoLoadsAncestorsThenSelects(t *testing.T) {
	tr := New()
	f := tr.Goto("/a/b/c")
	if len(f) != 1 || f[0] != (Fetch{"/", FetchChildren}) || tr.Pending() != "/a/b/c" {
		t.Fatalf("goto: %v pending %q", f, tr.Pending())
	}
	if f = tr.SetChildren("/", []string{"a"}, nil); len(f) != 1 || f[0] != (Fetch{"/a", FetchChildren}) {
		t.Fatalf("next step: %v", f)
	}
	tr.SetChildren("/a", []string{"b"}, nil)
	if tr.Selected() == "/a/b/c" {
		t.Fatal("selected before its parent loaded")
	}
	f = tr.SetChildren("/a/b", []string{"c", "d"}, nil)
	if tr.Selected() != "/a/b/c" || tr.Pending() != "" {
		t.Fatalf("selected %s pending %q", tr.Selected(), tr.Pending())
	}
	if len(f) != 1 || f[0] != (Fetch{"/a/b/c", FetchNode}) {
		t.Fatalf("goto's last step reads the node: %v", f)
	}
}

func TestTree_GotoRereadsAStaleParentOnceThenFails(t *testing.T) {
	tr := New()
	tr.SetChildren("/", []string{"a"}, nil)
	// /new was created after / was read: read / again.
	if f := tr.Goto("/new"); len(f) != 1 || f[0] != (Fetch{"/", FetchChildren}) {
		t.Fatalf("goto /new: %v", f)
	}
	tr.SetChildren("/", []string{"a"}, nil) // still not there
	if e := tr.TakeGotoError(); tr.Pending() != "" || !strings.Contains(e, "/new: no such znode") {
		t.Fatalf("pending %q error %q", tr.Pending(), e)
	}
	if tr.TakeGotoError() != "" {
		t.Fatal("the error is reported twice")
	}
}

func TestTree_EventsMarkAndRefetch(t *testing.T) {
	tr := New()
	tr.SetChildren("/", []string{"a", "b"}, nil)
	tr.Select("/a")
	tr.SetNode("/a", []byte("x"), &zk.Stat{Version: 1}, nil)
	if f := tr.Apply(EvData, "/a", t0); len(f) != 1 || f[0].Kind != FetchNode {
		t.Fatalf("data change on the selected node: %v", f)
	}
	if n := tr.Node("/a"); n.Event != EvData || !n.EventAt.Equal(t0) {
		t.Fatalf("event not marked: %+v", n)
	}
	if f := tr.Apply(EvData, "/b", t0); len(f) != 1 || f[0].Kind != FetchStat {
		t.Fatalf("data change on a row: %v", f)
	}
	if f := tr.Apply(EvChildren, "/", t0); len(f) != 1 || f[0] != (Fetch{"/", FetchChildren}) {
		t.Fatalf("children changed: %v", f)
	}
	if f := tr.Apply(EvDeleted, "/b", t0); len(f) != 1 || f[0] != (Fetch{"/", FetchChildren}) || !tr.Node("/b").Gone {
		t.Fatalf("deleted: %v", f)
	}
	tr.SetChildren("/", []string{"a", "c"}, nil)
	if tr.Node("/b") != nil {
		t.Fatal("a deleted child is still known after the parent's children were read")
	}
	if got := rowPaths(tr); got != "/| a| c" {
		t.Fatalf("rows %q", got)
	}
	if f := tr.Apply(EvData, "/not/on/screen", t0); f != nil {
		t.Fatalf("an event off screen reads: %v", f)
	}
}

func TestTree_DeletingSelectedSubtreeMovesSelectionUp(t *testing.T) {
	tr := New()
	tr.SetChildren("/", []string{"a"}, nil)
	tr.Expand("/a")
	tr.SetChildren("/a", []string{"b"}, nil)
	tr.Select("/a/b")
	tr.SetChildren("/", nil, nil)
	if tr.Selected() != "/" || tr.Len() != 1 {
		t.Fatalf("selected %s, %d known", tr.Selected(), tr.Len())
	}
}

func TestTree_StreamOnlyUnderRootAndBounded(t *testing.T) {
	tr := New()
	tr.Stream("/app")
	tr.Apply(EvData, "/app/x", t0)
	tr.Apply(EvData, "/apple", t0)
	tr.Apply(EvChildren, "/app", t0)
	if ev := tr.StreamEvents(); len(ev) != 2 || ev[0].Path != "/app/x" || ev[1].Type != EvChildren {
		t.Fatalf("stream %v", ev)
	}
	for i := 0; i < MaxStream+10; i++ {
		tr.Apply(EvData, "/app/x", t0)
	}
	if len(tr.StreamEvents()) != MaxStream {
		t.Fatalf("stream holds %d", len(tr.StreamEvents()))
	}
}

func TestTree_InvalidateRereadsExpandedAndKeepsSelection(t *testing.T) {
	tr := New()
	tr.SetChildren("/", []string{"a"}, nil)
	tr.Expand("/a")
	tr.SetChildren("/a", []string{"b"}, nil)
	tr.Select("/a/b")
	f := tr.Invalidate()
	want := []Fetch{{"/", FetchChildren}, {"/a", FetchChildren}, {"/", FetchNode}}
	if fmt.Sprint(f) != fmt.Sprint(want) {
		t.Fatalf("reads %v, want %v", f, want)
	}
	tr.SetChildren("/", []string{"a"}, nil)
	tr.SetChildren("/a", []string{"b"}, nil)
	if tr.Selected() != "/a/b" {
		t.Fatalf("selection after switching servers: %s", tr.Selected())
	}
}

func TestTree_HundredThousandChildrenStayFast(t *testing.T) {
	tr := New()
	names := make([]string, 100000)
	for i := range names {
		names[i] = fmt.Sprintf("n%06d", i)
	}
	tr.SetChildren("/", names, nil)
	start := time.Now()
	for i := 0; i < 100; i++ {
		tr.Move(1)
	}
	// Cursor scans the cached rows: well under the 50 ms a key may take.
	if d := time.Since(start) / 100; d > 20*time.Millisecond {
		t.Fatalf("one move takes %s", d)
	}
}

func TestFormatData(t *testing.T) {
	cases := []struct {
		data       string
		mode, used string
		first      string
	}{
		{"", ModeAuto, ModeAuto, "(empty)"},
		{`{"a":1}`, ModeAuto, ModeJSON, "{"},
		{"hello\nworld", ModeAuto, ModeText, "hello"},
		{"\x00\x01ab", ModeAuto, ModeHex, "000000  00 01 61 62"},
		{"\xff\xfe", ModeText, ModeHex, "(not printable UTF-8: shown as hex)"},
		{"plain", ModeJSON, ModeText, "(not JSON: shown as text)"},
		{`{"a":1}`, ModeText, ModeText, `{"a":1}`},
		{"ab", ModeHex, ModeHex, "000000  61 62"},
	}
	for _, c := range cases {
		ls, used := FormatData([]byte(c.data), c.mode)
		if used != c.used || !strings.HasPrefix(ls[0], c.first) {
			t.Errorf("FormatData(%q, %s) = %q as %s; want %s starting %q", c.data, c.mode, ls, used, c.used, c.first)
		}
	}
	big := []byte(strings.Repeat("x", MaxShown+5))
	ls, _ := FormatData(big, ModeAuto)
	if last := ls[len(ls)-1]; last != fmt.Sprintf("… %d of %d bytes shown", MaxShown, MaxShown+5) {
		t.Fatalf("huge data: last line %q", last)
	}
	js, _ := FormatData([]byte(`{"a":[1,2]}`), ModeJSON)
	if strings.Join(js, "\n") != "{\n  \"a\": [\n    1,\n    2\n  ]\n}" {
		t.Fatalf("pretty JSON %q", js)
	}
}

func TestFormatStatAndACL(t *testing.T) {
	st := &zk.Stat{Czxid: 0x100000002, Mzxid: 0x100000005, Ctime: t0.UnixMilli(), Mtime: t0.UnixMilli(), EphemeralOwner: 0x1000abc, NumChildren: 2}
	got := strings.Join(FormatStat(st, time.UTC), "\n")
	for _, want := range []string{"cZxid          0x100000002", "mtime          2026-11-26 12:00:00.000 UTC", "ephemeralOwner 0x1000abc (ephemeral)", "numChildren    2"} {
		if !strings.Contains(got, want) {
			t.Errorf("stat lacks %q:\n%s", want, got)
		}
	}
	acl := FormatACL(append(zk.WorldACL(zk.PermAll), zk.DigestACL(zk.PermRead, "u", "p")...))
	if acl[0] != "world:anyone cdrwa" || !strings.HasSuffix(acl[1], " r") || !strings.HasPrefix(acl[1], "digest:u:") {
		t.Fatalf("acl %q", acl)
	}
}
