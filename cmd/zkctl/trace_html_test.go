package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkctl/zkctl/launcher"
)

// htmlFixture is a small election and sync among three servers, with a
// dropped and a duplicated notification and a PROPOSAL whose path tries to
// break out of the page.
func htmlFixture() []launcher.Message {
	note := func(seq uint64, ns int64, from, to int, state, fault string) launcher.Message {
		return launcher.Message{Seq: seq, TimeNs: ns, From: from, To: to, Kind: launcher.MsgElection, Type: "notification", Fault: fault,
			Link: "election 1->2", Fields: map[string]any{"state": state, "leader": 3, "zxid": "0x100000002", "round": "0x2"}}
	}
	zab := func(seq uint64, ns int64, from, to int, typ, summary string, fields map[string]any) launcher.Message {
		return launcher.Message{Seq: seq, TimeNs: ns, From: from, To: to, Kind: launcher.MsgZab, Type: typ, Summary: summary, Fields: fields}
	}
	return []launcher.Message{
		note(1, 1_000_000, 1, 2, "LOOKING", ""),
		note(2, 1_100_000, 2, 3, "LOOKING", "dropped"),
		note(3, 1_200_000, 3, 1, "LOOKING", "duplicated"),
		zab(4, 2_000_000, 1, 3, "FOLLOWERINFO", "FOLLOWERINFO sid=1", nil),
		zab(5, 3_000_000, 3, 1, "PROPOSAL", "PROPOSAL 0x100000003 create </script><b>",
			map[string]any{"path": "</script><b>", "txn_type": "create"}),
		zab(6, 4_000_000, 3, 1, "UPTODATE", "UPTODATE", nil),
	}
}

// parseXHTML checks that the page is well-formed (the template writes it as
// XML-compatible HTML, so the strict XML decoder is the check) and returns
// the elements by name and class, and all its text.
func parseXHTML(t *testing.T, page []byte) (elems map[string]int, text string) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = true
	elems = map[string]int{}
	var sb strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("page is not well-formed: %v", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			elems[x.Name.Local]++
			for _, a := range x.Attr {
				if a.Name.Local == "class" {
					elems[x.Name.Local+"."+a.Value]++
				}
			}
		case xml.CharData:
			sb.Write(x)
		}
	}
	return elems, sb.String()
}

// The page is well-formed, has a lifeline per server and an arrow per
// message, labels them as the dashboard does, and escapes hostile strings.
func TestHTMLTrace_LifelinesArrowsAndEscaping(t *testing.T) {
	page, err := htmlTrace(htmlFixture(), "demo<i>", 0)
	if err != nil {
		t.Fatal(err)
	}
	elems, text := parseXHTML(t, page)
	if elems["line.lifeline"] != 3 {
		t.Errorf("lifelines: %d, want 3 (%v)", elems["line.lifeline"], elems)
	}
	if elems["g.msg"] != 6 || elems["line.arrow"] != 6 {
		t.Errorf("messages %d, arrows %d, want 6 each (%v)", elems["g.msg"], elems["line.arrow"], elems)
	}
	// No hostile markup became an element, and no script at all.
	for _, e := range []string{"b", "i", "script"} {
		if elems[e] != 0 {
			t.Errorf("%d <%s> elements in the page", elems[e], e)
		}
	}
	s := string(page)
	if strings.Contains(s, "</script><b>") || strings.Contains(s, "demo<i>") {
		t.Error("a hostile string is in the page unescaped")
	}
	for _, want := range []string{
		"PROPOSAL 0x100000003 create </script><b>", // as text, after unescaping
		"path: </script><b>",                       // in the hover details
		"cluster demo<i>",
		"vote 3 zxid 0x100000002 round 0x2 LOOKING [dropped]",
		"vote 3 zxid 0x100000002 round 0x2 LOOKING [duplicated]",
		"FOLLOWERINFO sid=1", "zk1", "zk2", "zk3", "+3.000 ms",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("page text lacks %q", want)
		}
	}
	if !strings.Contains(s, `marker-end="url(#dup-election)"`) || !strings.Contains(s, `stroke="`+htmlDroppedColour+`"`) {
		t.Error("duplicated or dropped message not marked")
	}
	if strings.Count(s, "http://") != 1 || strings.Contains(s, "https://") { // the SVG namespace only
		t.Error("the page refers to the network")
	}
}

// A bounded page draws the first messages in time order and says how many
// it left out; the lanes still cover every server.
func TestHTMLTrace_Bounded(t *testing.T) {
	msgs := htmlFixture()
	msgs[0], msgs[5] = msgs[5], msgs[0] // out of order on input
	page, err := htmlTrace(msgs, "demo", 2)
	if err != nil {
		t.Fatal(err)
	}
	elems, text := parseXHTML(t, page)
	if elems["g.msg"] != 2 || elems["line.lifeline"] != 3 {
		t.Errorf("bounded page: %v", elems)
	}
	if !strings.Contains(text, "Showing the first 2 of 6 messages") || strings.Contains(text, "UPTODATE") {
		t.Errorf("bounded page text: %s", text)
	}
}

// An empty log still gives a well-formed page that says so.
func TestHTMLTrace_Empty(t *testing.T) {
	page, err := htmlTrace(nil, "demo", 10)
	if err != nil {
		t.Fatal(err)
	}
	if elems, text := parseXHTML(t, page); elems["g.msg"] != 0 || !strings.Contains(text, "No messages in the log") {
		t.Errorf("empty page: %v %s", elems, text)
	}
}

// The cluster's name in the header comes from a log's usual path.
func TestClusterFromInput(t *testing.T) {
	for path, want := range map[string]string{
		"/home/u/.zkctl/prod/trace/2026-01-01.jsonl": "prod",
		"x.jsonl":           "local",
		"/tmp/dump/t.jsonl": "local",
	} {
		if got := clusterFromInput(path, "local"); got != want {
			t.Errorf("clusterFromInput(%q) = %q, want %q", path, got, want)
		}
	}
}

// The command reads --input, names the cluster after the log's path,
// applies --max-messages and refuses an unknown format.
func TestTraceExportCommand_HTML(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "prod", "trace")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var jsonl bytes.Buffer
	for _, m := range htmlFixture() {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		jsonl.Write(append(b, '\n'))
	}
	input := filepath.Join(dir, "start.jsonl")
	if err := os.WriteFile(input, jsonl.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "t.html")
	run := func(args ...string) (string, error) {
		cmd := newTraceExportCommand()
		var stdout bytes.Buffer
		cmd.SetOut(&stdout)
		cmd.SetErr(io.Discard)
		cmd.SetArgs(args)
		err := cmd.Execute()
		return stdout.String(), err
	}
	said, err := run("--format", "html", "--max-messages", "4", "--input", input, out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(said, "wrote 4 of 6 messages") {
		t.Errorf("output: %q", said)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	elems, text := parseXHTML(t, page)
	if elems["g.msg"] != 4 || !strings.Contains(text, "cluster prod") {
		t.Errorf("page: %v, cluster named? %v", elems, strings.Contains(text, "cluster prod"))
	}
	if _, err := run("--format", "svg", "--input", input, out); err == nil {
		t.Error("--format svg accepted")
	}
	if _, err := run("--format", "html", "--max-messages", "-1", "--input", input, out); err == nil {
		t.Error("--max-messages -1 accepted")
	}
}
