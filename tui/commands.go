package tui

import (
	"context"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/launcher"
)

// All I/O of the dashboard lives in these commands; Update stays pure.

func pollTick(gen int, every time.Duration) tea.Cmd {
	return tea.Tick(every, func(time.Time) tea.Msg { return pollTickMsg{gen: gen} })
}

// peerSource reads one server's picture: the admin port
// (adminapi.Client.PeerOrZooKeeper) or the client port's four-letter words
// (adminapi.FourLW.Peer).
type peerSource func(ctx context.Context) (*adminapi.Peer, error)

func fetchStatus(src peerSource, node int, seq uint64, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		p, err := src(ctx)
		return statusMsg{node: node, seq: seq, peer: p, err: err, at: time.Now()}
	}
}

func fetchEvents(c *adminapi.Client, node int, since uint64, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		ev, err := c.Events(ctx, since)
		if err != nil {
			return eventsMsg{node: node, err: err}
		}
		return eventsMsg{node: node, events: ev.Events}
	}
}

func fetchCluster(ctl launcher.Controller, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		st, err := ctl.Status(ctx)
		return clusterMsg{status: st, err: err}
	}
}

// runLine runs a chaos line through the controller. Lines may take long
// (wait, nemesis), so the timeout is generous; the dashboard stays live.
func runLine(ctl launcher.Controller, line, source string) tea.Cmd {
	return func() tea.Msg {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		// Label the actions for the launcher's events and the session recorder.
		label := launcher.SourceKey
		if source == "prompt" {
			label = launcher.SourcePrompt
		}
		out, err := ctl.RunLine(launcher.WithSource(ctx, label), line)
		return actionDoneMsg{line: line, source: source, output: out, err: err, took: time.Since(start)}
	}
}

func clearFlashAfter(id int, d time.Duration) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return clearFlashMsg{id: id} })
}

// eventFeed is the optional capability of a controller that reports the
// launcher's own events (actions from any source, process starts and exits).
type eventFeed interface {
	Events(ctx context.Context, since uint64, wait time.Duration) ([]launcher.Event, uint64)
}

func fetchLauncherEvents(feed eventFeed, since uint64, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		evs, last := feed.Events(ctx, since, 0)
		return launcherEventsMsg{events: evs, last: last}
	}
}

// gather runs the fetches of one poll round concurrently and delivers their
// answers as one roundMsg. Each fetch is bounded by the request timeout, so
// a dead server delays the round by at most that.
func gather(cmds ...tea.Cmd) tea.Cmd {
	return func() tea.Msg {
		msgs := make([]tea.Msg, len(cmds))
		var wg sync.WaitGroup
		for i, c := range cmds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				msgs[i] = c()
			}()
		}
		wg.Wait()
		return roundMsg{msgs: msgs}
	}
}
