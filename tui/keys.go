package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds every key of the dashboard. Action keys map to chaos lines
// (see actionLine); the rest move around.
type KeyMap struct {
	Up, Down, Tab, Jump        key.Binding
	Kill, Stop, Start, Restart key.Binding
	Pause, Isolate, Partition  key.Binding
	Heal, KillLeader, Workload key.Binding
	Prompt, Search, Help, Quit key.Binding
	Upgrade                    key.Binding // restart under the other implementation
	Faster, Slower             key.Binding
	PageUp, PageDown           key.Binding
	Data                       key.Binding // the data view (tui/data.go)
	Timeline                   key.Binding
}

// DefaultKeyMap returns zkctl's default keys: vim and arrow keys to move,
// single letters for faults.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Tab:        key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "panel")),
		Jump:       key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "select server")),
		Kill:       key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "kill")),
		Stop:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "stop")),
		Start:      key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "start")),
		Restart:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "restart")),
		Pause:      key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume")),
		Isolate:    key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "isolate")),
		Partition:  key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "partition…")),
		Heal:       key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "heal")),
		KillLeader: key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "kill leader")),
		Upgrade:    key.NewBinding(key.WithKeys("U"), key.WithHelp("U", "upgrade to other impl")),
		Workload:   key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "workload")),
		Prompt:     key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")),
		Search:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search log")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:       key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Faster:     key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+/-", "poll rate")),
		Slower:     key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "slower")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "scroll up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "scroll down")),
		Data:       key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "data")),
		Timeline:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "message timeline")),
	}
}

// ShortHelp is the one-line help bar.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Kill, k.Pause, k.Isolate, k.Partition, k.Heal, k.KillLeader, k.Workload, k.Data, k.Prompt, k.Help, k.Quit}
}

// FullHelp is the `?` screen, in columns.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Jump, k.Tab, k.PageUp, k.PageDown},
		{k.Kill, k.Stop, k.Start, k.Restart, k.Pause, k.KillLeader, k.Upgrade},
		{k.Isolate, k.Partition, k.Heal, k.Workload, k.Data, k.Timeline},
		{k.Prompt, k.Search, k.Faster, k.Slower, k.Help, k.Quit},
	}
}

// destructive reports whether a chaos line needs a confirmation before it
// runs from a single key press.
func destructive(line string) bool {
	for _, w := range []string{"kill", "stop", "restart", "isolate", "partition", "cut", "pause", "reject", "nemesis", "delete", "upgrade"} {
		if len(line) >= len(w) && line[:len(w)] == w {
			return true
		}
	}
	return false
}
