package dataview

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds the data view's keys: vim and arrow keys to move, single
// letters for the rest. d (leave), :, ? and q belong to the dashboard.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Expand, Collapse, Toggle, Goto          key.Binding
	Mode, Server, Sync, Refresh             key.Binding
	New, Edit, Delete, Stream               key.Binding
	DetailUp, DetailDown                    key.Binding
	Sessions, ACL                           key.Binding
}

// DefaultKeyMap returns the data view's default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:        key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:     key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		Expand:     key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("l", "open")),
		Collapse:   key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("h", "close")),
		Toggle:     key.NewBinding(key.WithKeys("enter", " "), key.WithHelp("enter", "expand/collapse")),
		Goto:       key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "go to")),
		Mode:       key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "view")),
		Server:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "server")),
		Sync:       key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "sync")),
		Refresh:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-read")),
		New:        key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "create")),
		Edit:       key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "set")),
		Delete:     key.NewBinding(key.WithKeys("x", "delete"), key.WithHelp("x", "delete")),
		Stream:     key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "watch")),
		DetailUp:   key.NewBinding(key.WithKeys("K"), key.WithHelp("K/J", "scroll data")),
		DetailDown: key.NewBinding(key.WithKeys("J"), key.WithHelp("J", "scroll data down")),
		Sessions:   key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "sessions")),
		ACL:        key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "set ACL")),
	}
}

// ShortHelp is the data view's one-line help bar.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Expand, k.Collapse, k.Goto, k.Mode, k.Server, k.Sync, k.New, k.Edit, k.Delete, k.Stream}
}

// FullHelp is the data view's part of the `?` screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Expand, k.Collapse, k.Toggle, k.Goto, k.DetailUp},
		{k.Mode, k.Server, k.Sync, k.Refresh, k.Stream, k.Sessions},
		{k.New, k.Edit, k.Delete, k.ACL},
	}
}
