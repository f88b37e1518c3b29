package tui

import (
	tea "github.com/charmbracelet/bubbletea"
	"time"

	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/launcher"
)

// pollTickMsg starts one round of polling; only the chain with the current
// generation continues.
type pollTickMsg struct{ gen int }

// statusMsg carries one server's /commands/peer answer (or error).
type statusMsg struct {
	node int // index into Model.nodes
	seq  uint64
	peer *adminapi.Peer
	err  error
	at   time.Time
}

// eventsMsg carries new events of one server.
type eventsMsg struct {
	node   int
	events []adminapi.Event
	err    error
}

// clusterMsg carries the launcher's status (processes, faults, links).
type clusterMsg struct {
	status launcher.ClusterStatus
	err    error
}

// actionDoneMsg reports the outcome of a chaos line the dashboard ran.
type actionDoneMsg struct {
	line   string
	source string
	output string
	err    error
	took   time.Duration
}

// clearFlashMsg clears the footer message if it is still the one with id.
type clearFlashMsg struct{ id int }

// QuitChoice is what the user chose when leaving the dashboard.
type QuitChoice int

// Choices on quit.
const (
	// QuitLeaveRunning leaves the cluster running for zkctl status / down.
	QuitLeaveRunning QuitChoice = iota
	// QuitStopCluster stops every server.
	QuitStopCluster
)

// launcherEventsMsg carries new launcher events (actions, starts, exits).
type launcherEventsMsg struct {
	events []launcher.Event
	last   uint64
}

// roundMsg carries every answer of one poll round.
type roundMsg struct{ msgs []tea.Msg }
