package dataview

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/go-zookeeper/zk"

	"github.com/zkctl/zkctl/tui/dataview/dvtest"
)

var update = flag.Bool("update", false, "rewrite golden files")

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// driver runs a Model's commands like Bubble Tea does, on goroutines,
// feeding their messages back until nothing arrives for a while. Results
// of commands still blocked (watch waits) arrive in a later settle.
type driver struct {
	t       *testing.T
	m       Model
	results chan tea.Msg
	fake    *dvtest.Fake
}

func newDriver(t *testing.T, servers int, run func(context.Context, string) (string, error)) *driver {
	t.Helper()
	f := dvtest.New(t0)
	f.Put("/app/config", `{"port":2181,"hosts":["a","b"]}`, 0)
	f.Put("/app/lock-0000000001", "", 0x200000abc)
	f.Put("/bin", "\x00\x01\x02binary\xff", 0)
	dial := f.Dialer()
	cfg := Config{Location: time.UTC, Run: run, Dial: func(a string, to time.Duration) (Client, <-chan zk.Event, error) {
		c, ev, err := dial(a, to)
		return c, ev, err
	}}
	for i := 1; i <= servers; i++ {
		cfg.Servers = append(cfg.Servers, Server{ID: i, Addr: "127.0.0.1:218" + string(rune('0'+i))})
	}
	m := New(cfg, Styles{}).SetClock(func() time.Time { return t0.Add(time.Second) }).SetSize(100, 24)
	d := &driver{t: t, m: m, results: make(chan tea.Msg, 1024), fake: f}
	var cmd tea.Cmd
	d.m, cmd = d.m.Open()
	d.run(cmd)
	d.settle()
	return d
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd != nil {
		go func() { d.results <- cmd() }()
	}
}

func (d *driver) settle() {
	for {
		select {
		case msg := <-d.results:
			switch msg := msg.(type) {
			case nil:
			case tea.BatchMsg:
				for _, c := range msg {
					d.run(c)
				}
			default:
				var cmd tea.Cmd
				d.m, cmd = d.m.Update(msg)
				d.run(cmd)
			}
		case <-time.After(150 * time.Millisecond):
			return
		}
	}
}

func (d *driver) keys(ks ...string) {
	for _, k := range ks {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		case "ctrl+u":
			msg = tea.KeyMsg{Type: tea.KeyCtrlU}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		var cmd tea.Cmd
		d.m, cmd = d.m.Update(msg)
		d.run(cmd)
		d.settle()
	}
}

func (d *driver) typeText(s string) {
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)})
	d.run(cmd)
}

func (d *driver) screen() string { return ansi.Strip(d.m.View()) }

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui/dataview -update)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs from golden (run go test ./tui/dataview -update and review):\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func TestDataView_BrowseLazilyAndGolden(t *testing.T) {
	lipgloss.SetColorProfile(0)
	d := newDriver(t, 3, nil)
	if !strings.Contains(d.screen(), "▸ app (2)") {
		t.Fatalf("root children with counts not shown:\n%s", d.screen())
	}
	d.keys("j", "l", "j") // onto /app, expand, onto /app/config
	s := d.screen()
	for _, want := range []string{"▾ app (2)", "· lock-0000000001 eph 0x200000abc", `"hosts": [`, "data (json, 31 bytes)",
		"mZxid          0x", "ctime          2026-11-26 12:00:00.000 UTC", "world:anyone cdrwa", "session 0x100000abc"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q", want)
		}
	}
	golden(t, "data_100x24", s)
	d.keys("v") // text
	if !strings.Contains(d.screen(), `{"port":2181,"hosts":["a","b"]}`) || !strings.Contains(d.screen(), "view text") {
		t.Fatalf("v did not switch to text:\n%s", d.screen())
	}
	d.keys("v", "v") // json, hex
	if !strings.Contains(d.screen(), "000000  7b 22 70 6f") {
		t.Fatalf("hex view:\n%s", d.screen())
	}
}

func TestDataView_WatchShowsAnotherClientsChange(t *testing.T) {
	d := newDriver(t, 1, nil)
	d.keys("j", "l", "j")
	if _, err := d.fake.Set("/app/config", []byte(`{"port":2182}`), -1); err != nil {
		t.Fatal(err)
	}
	d.settle()
	s := d.screen()
	if !strings.Contains(s, `"port": 2182`) || !strings.Contains(s, "● data") {
		t.Fatalf("the change did not appear marked:\n%s", s)
	}
	// A new child of an expanded node appears through the child watch.
	if _, err := d.fake.Create("/app/new", []byte("x"), 0, nil); err != nil {
		t.Fatal(err)
	}
	d.settle()
	if !strings.Contains(d.screen(), "new") {
		t.Fatalf("a created child did not appear:\n%s", d.screen())
	}
}

func TestDataView_GotoAndErrors(t *testing.T) {
	d := newDriver(t, 1, nil)
	d.fake.Put("/deep/a/b", "leaf", 0)
	d.fake.Lock("/bin", "other")
	d.keys("/", "ctrl+u")
	d.typeText("/deep/a/b")
	d.keys("enter")
	if s := d.screen(); !strings.Contains(s, "leaf") || !strings.Contains(s, "▾ deep") {
		t.Fatalf("goto did not load the ancestors and select:\n%s", s)
	}
	d.keys("/", "ctrl+u")
	d.typeText("/bin")
	d.keys("enter")
	if s := d.screen(); !strings.Contains(s, "no auth: the ACL forbids reading") {
		t.Fatalf("a forbidden node is not shown as such:\n%s", s)
	}
	d.keys("/", "ctrl+u")
	d.typeText("/nope")
	d.keys("enter")
	if s := d.screen(); !strings.Contains(s, `/nope: no such znode (/ has no child "nope")`) {
		t.Fatalf("a missing path:\n%s", s)
	}
}

func TestDataView_DeleteAsksWithCountThenRunsTheLine(t *testing.T) {
	var ran []string
	run := func(_ context.Context, line string) (string, error) {
		ran = append(ran, line)
		return "done", nil
	}
	d := newDriver(t, 1, run)
	d.keys("j", "x") // /app: 3 znodes
	if s := d.screen(); !strings.Contains(s, "delete -r /app: 3 znodes? [y/N]") {
		t.Fatalf("no confirmation with the count:\n%s", s)
	}
	d.keys("n")
	if len(ran) != 0 || !strings.Contains(d.screen(), "cancelled: delete -r /app") {
		t.Fatalf("n did not cancel: %v", ran)
	}
	d.keys("x", "y")
	if len(ran) != 1 || ran[0] != "delete -r /app" {
		t.Fatalf("ran %v", ran)
	}
	d.keys("k", "j", "j", "j")
	if d.m.tree.Selected() != "/zookeeper" {
		t.Fatalf("selected %s", d.m.tree.Selected())
	}
	d.keys("x")
	if s := d.screen(); !strings.Contains(s, "ZooKeeper's own subtree") {
		t.Fatalf("deleting /zookeeper is not refused:\n%s", s)
	}
}

func TestDataView_LocalRunWithoutLauncher(t *testing.T) {
	d := newDriver(t, 1, nil)
	var cmd tea.Cmd
	d.m, cmd = d.m.Run(`create /x "hi"; set /x "ho"`)
	d.run(cmd)
	d.settle()
	if s := d.screen(); !strings.Contains(s, `✓ create /x "hi"; set /x "ho" → created /x; set /x (version 1, 2 bytes)`) || !strings.Contains(s, "x") {
		t.Fatalf("local run:\n%s", s)
	}
	d.m, cmd = d.m.Run(`kill 1`)
	d.run(cmd)
	d.settle()
	if !strings.Contains(d.screen(), "needs a launcher") {
		t.Fatalf("a fault line in zkctl top:\n%s", d.screen())
	}
}

func TestDataView_ServerSwitchAndSync(t *testing.T) {
	d := newDriver(t, 3, nil)
	if !strings.Contains(d.screen(), "zk1 127.0.0.1:2181 (1/3)") {
		t.Fatalf("server not shown:\n%s", d.screen())
	}
	d.keys("s")
	if s := d.screen(); !strings.Contains(s, "zk2 127.0.0.1:2182 (2/3)") || !strings.Contains(s, "▸ app") {
		t.Fatalf("s did not switch and reload:\n%s", s)
	}
	d.keys("S")
	if !strings.Contains(d.screen(), "sync on") {
		t.Fatalf("S did not turn sync on:\n%s", d.screen())
	}
	d.keys("s", "s")
	if !strings.Contains(d.screen(), "zk1 ") {
		t.Fatalf("s does not wrap around:\n%s", d.screen())
	}
}

func TestDataView_PromptTextsForNewAndEdit(t *testing.T) {
	d := newDriver(t, 1, nil)
	d.keys("j", "l", "j")
	_, cmd := d.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("e")})
	if msg, ok := cmd().(PromptMsg); !ok || msg.Text != `set /app/config "{\"port\":2181,\"hosts\":[\"a\",\"b\"]}" -v 0` {
		t.Fatalf("e: %#v", cmd())
	}
	_, cmd = d.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("A")})
	if msg, ok := cmd().(PromptMsg); !ok || msg.Text != `setacl /app/config "world:anyone:cdrwa" -v 0` {
		t.Fatalf("A: %#v", cmd())
	}
	_, cmd = d.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("n")})
	if msg, ok := cmd().(PromptMsg); !ok || msg.Text != "create /app/config/" {
		t.Fatalf("n: %#v", cmd())
	}
}

func TestDataView_HundredThousandChildrenKeyToScreenFast(t *testing.T) {
	d := newDriver(t, 1, nil)
	names := make([]string, 100000)
	for i := range names {
		names[i] = fmt.Sprintf("n%06d", i)
	}
	d.m, _ = d.m.Update(childrenMsg{gen: d.m.sess.gen, path: "/", names: names, stat: &zk.Stat{NumChildren: 100000}})
	start := time.Now()
	const presses = 20
	for i := 0; i < presses; i++ {
		d.m, _ = d.m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("j")})
		_ = d.m.View()
	}
	if per := time.Since(start) / presses; per > 50*time.Millisecond {
		t.Fatalf("keypress to screen takes %s with 100,000 children", per)
	}
	// Only the rows on screen get their Stat read.
	if n := len(d.m.asked); n > d.m.treeHeight()+presses {
		t.Fatalf("%d Stat reads for a screen of %d rows", n, d.m.treeHeight())
	}
}

func TestDataView_LostConnectionSaysSo(t *testing.T) {
	d := newDriver(t, 1, nil)
	d.m, _ = d.m.Update(eventMsg{gen: d.m.sess.gen, ev: zk.Event{Type: zk.EventSession, State: zk.StateDisconnected}})
	if s := d.screen(); !strings.Contains(s, "Disconnected") || !strings.Contains(s, "▸ app") {
		t.Fatalf("a lost connection is not shown, or the tree is gone:\n%s", s)
	}
	d.m, _ = d.m.Update(eventMsg{gen: d.m.sess.gen, ev: zk.Event{Type: zk.EventSession, State: zk.StateExpired}})
	if s := d.screen(); !strings.Contains(s, "Expired") {
		t.Fatalf("an expired session is not shown:\n%s", s)
	}
}
