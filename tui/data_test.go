package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/go-zookeeper/zk"

	"github.com/zkctl/zkctl/tui/dataview"
	"github.com/zkctl/zkctl/tui/dataview/dvtest"
)

// rootDriver runs the dashboard's data-view commands on goroutines and
// feeds their messages back until quiet; poll ticks are not run.
type rootDriver struct {
	m       tea.Model
	results chan tea.Msg
}

func (d *rootDriver) run(cmd tea.Cmd) {
	if cmd != nil {
		go func() { d.results <- cmd() }()
	}
}

func (d *rootDriver) settle() {
	for {
		select {
		case msg := <-d.results:
			switch msg := msg.(type) {
			case tea.BatchMsg:
				for _, c := range msg {
					d.run(c)
				}
			case dataview.Msg:
				var cmd tea.Cmd
				d.m, cmd = d.m.Update(msg)
				d.run(cmd)
			}
		case <-time.After(150 * time.Millisecond):
			return
		}
	}
}

func (d *rootDriver) key(k tea.KeyMsg) {
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(k)
	d.run(cmd)
	d.settle()
}

// prompt types line at the dashboard's prompt and runs it.
func (d *rootDriver) prompt(line string) {
	d.key(runes(":"))
	m := d.m.(Model)
	m.input.SetValue(line)
	d.m = m
	d.key(tea.KeyMsg{Type: tea.KeyEnter})
}

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

func newDataModel(t *testing.T, ctl *fakeController) (*rootDriver, *dvtest.Fake) {
	t.Helper()
	f := dvtest.New(t0)
	f.Put("/app/config", `{"port":2181}`, 0)
	f.Put("/app/member-1", "", 0x300000001)
	dial := f.Dialer()
	cfg := DefaultConfig()
	cfg.Name = "local"
	cfg.Location = time.UTC
	cfg.DataDial = func(a string, to time.Duration) (dataview.Client, <-chan zk.Event, error) {
		c, ev, err := dial(a, to)
		return c, ev, err
	}
	if ctl != nil {
		cfg.Controller = ctl
	}
	for i := 1; i <= 5; i++ {
		cfg.Targets = append(cfg.Targets, Target{ID: i, Admin: "127.0.0.1:1", Client: "127.0.0.1:218" + string(rune('0'+i))})
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.now = func() time.Time { return t0 }
	m.data = m.data.SetClock(func() time.Time { return t0 })
	mm, _ := fiveHealthy(m).Update(tea.WindowSizeMsg{Width: 140, Height: 45})
	return &rootDriver{m: mm, results: make(chan tea.Msg, 1024)}, f
}

func TestDataView_KeyDOpensTreeUnderTheTableGolden(t *testing.T) {
	d, _ := newDataModel(t, &fakeController{})
	d.key(runes("d"))
	d.key(runes("j"))
	d.key(runes("l"))
	d.key(runes("j"))
	s := ansi.Strip(d.m.View())
	for _, want := range []string{"LEADING", "data from zk1 127.0.0.1:2181 (1/5)", "▾ app (2)", `"port": 2181`, "eph 0x300000001", "d data"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q", want)
		}
	}
	golden(t, "view_data_140x45", s)
	d.key(runes("?"))
	if s := ansi.Strip(d.m.View()); !strings.Contains(s, "data view (d)") || !strings.Contains(s, "s server") {
		t.Fatalf("? does not list the data view's keys:\n%s", s)
	}
	d.key(runes("?"))
	d.key(runes("d"))
	if s := ansi.Strip(d.m.View()); strings.Contains(s, "data from") || !strings.Contains(s, "events") {
		t.Fatalf("d did not go back to the cluster view:\n%s", s)
	}
}

func TestDataView_PromptLineGoesToTheLauncherWhenThereIsOne(t *testing.T) {
	ctl := &fakeController{}
	d, f := newDataModel(t, ctl)
	d.key(runes("d"))
	d.prompt(`create /x "hi"`)
	// The launcher runs it (and records it); the test's fake only notes it.
	ctl.mu.Lock()
	lines := append([]string(nil), ctl.lines...)
	ctl.mu.Unlock()
	if len(lines) == 0 || lines[0] != `create /x "hi"` {
		t.Fatalf("lines sent to the launcher: %v", lines)
	}
	if strings.Contains(f.Paths(), "/x") {
		t.Fatal("the view wrote /x itself instead of the launcher")
	}
}

func TestDataView_TopRunsDataLinesThroughItsOwnSession(t *testing.T) {
	d, f := newDataModel(t, nil)
	d.key(runes("d"))
	d.prompt(`create /x "hi"`)
	if !strings.Contains(f.Paths(), "/x") {
		t.Fatalf("/x not created through the view: %s", f.Paths())
	}
	s := ansi.Strip(d.m.View())
	if !strings.Contains(s, "· x") || !strings.Contains(s, `✓ create /x "hi"`) {
		t.Fatalf("the new node is not shown:\n%s", s)
	}
	// A fault line still needs a launcher.
	m := d.m.(Model)
	m, _ = func() (Model, tea.Cmd) { mm, c := m.start("kill 1", "prompt", true); return mm.(Model), c }()
	if !strings.Contains(m.flash, "read-only") {
		t.Fatalf("kill in zkctl top: flash %q", m.flash)
	}
}

func TestDataView_EditKeyOpensPromptWithSetLine(t *testing.T) {
	d, _ := newDataModel(t, &fakeController{})
	d.key(runes("d"))
	d.key(runes("j"))
	d.key(runes("l"))
	d.key(runes("j"))
	d.key(runes("e"))
	m := d.m.(Model)
	if m.inputMode != "prompt" || m.input.Value() != `set /app/config "{\"port\":2181}" -v 0` {
		t.Fatalf("e: mode %q value %q", m.inputMode, m.input.Value())
	}
}
