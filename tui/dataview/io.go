package dataview

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/go-zookeeper/zk"

	"github.com/zkctl/zkctl/chaos"
	"github.com/zkctl/zkctl/tui/znode"
)

// All I/O of the data view lives in this file: commands that return
// messages. Update stays pure.

// Client is what the data view needs from a ZooKeeper client; *zk.Conn
// satisfies it.
type Client interface {
	chaos.DataConn
	ChildrenW(path string) ([]string, *zk.Stat, <-chan zk.Event, error)
	GetW(path string) ([]byte, *zk.Stat, <-chan zk.Event, error)
	ExistsW(path string) (bool, *zk.Stat, <-chan zk.Event, error)
	Exists(path string) (bool, *zk.Stat, error)
	GetACL(path string) ([]zk.ACL, *zk.Stat, error)
	AddAuth(scheme string, auth []byte) error
	SessionID() int64
	Close()
}

// Dialer opens a session to exactly one server (addr), so what the view
// shows comes from that server and no other; go-zookeeper would otherwise
// move to another server of a list on its own.
type Dialer func(addr string, timeout time.Duration) (Client, <-chan zk.Event, error)

// DialZK is the real Dialer.
func DialZK(addr string, timeout time.Duration) (Client, <-chan zk.Event, error) {
	c, ev, err := zk.Connect([]string{addr}, timeout, zk.WithLogInfo(false), zk.WithLogger(quiet{}))
	if err != nil {
		return nil, nil, err
	}
	return c, ev, nil
}

// quiet drops go-zookeeper's log lines: nothing may write to the terminal
// the dashboard draws on.
type quiet struct{}

func (quiet) Printf(string, ...any) {}

// session is one connection of the view: its generation (messages of an
// older one are dropped), the client and the fan-in of its watch events.
type session struct {
	gen    int
	client Client
	events chan zk.Event
	done   chan struct{}
	once   sync.Once
}

func (s *session) close() {
	s.once.Do(func() {
		close(s.done)
		s.client.Close()
	})
}

// forward hands one watch's event to the session's fan-in.
func (s *session) forward(ch <-chan zk.Event) {
	if ch == nil {
		return
	}
	go func() {
		select {
		case ev, ok := <-ch:
			if !ok {
				return
			}
			select {
			case s.events <- ev:
			case <-s.done:
			}
		case <-s.done:
		}
	}()
}

func connect(dial Dialer, gen int, addr string, auth []string, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		c, ev, err := dial(addr, timeout)
		if err != nil {
			return connectedMsg{gen: gen, err: err}
		}
		s := &session{gen: gen, client: c, events: make(chan zk.Event, 256), done: make(chan struct{})}
		for _, a := range auth {
			scheme, cred, _ := strings.Cut(a, ":")
			if err := c.AddAuth(scheme, []byte(cred)); err != nil {
				s.close()
				return connectedMsg{gen: gen, err: fmt.Errorf("auth %s: %w", scheme, err)}
			}
		}
		go func() { // session state changes join the watch events
			for {
				select {
				case e, ok := <-ev:
					if !ok {
						return
					}
					select {
					case s.events <- e:
					case <-s.done:
						return
					}
				case <-s.done:
					return
				}
			}
		}()
		return connectedMsg{gen: gen, sess: s}
	}
}

// waitEvent delivers the session's next event.
func waitEvent(s *session) tea.Cmd {
	return func() tea.Msg {
		select {
		case ev := <-s.events:
			return eventMsg{gen: s.gen, ev: ev}
		case <-s.done:
			return nil
		}
	}
}

// errText words a read error for the view.
func errText(err error) string {
	switch {
	case errors.Is(err, zk.ErrNoNode):
		return "no node"
	case errors.Is(err, zk.ErrNoAuth):
		return "no auth: the ACL forbids reading (try --auth digest:user:password)"
	case errors.Is(err, zk.ErrConnectionClosed), errors.Is(err, zk.ErrClosing):
		return "connection closed"
	}
	return err.Error()
}

// opTimeout bounds one read: go-zookeeper waits for a connection forever.
const opTimeout = 5 * time.Second

func bounded(f func() tea.Msg, onTimeout tea.Msg) tea.Cmd {
	return func() tea.Msg {
		done := make(chan tea.Msg, 1)
		go func() { done <- f() }()
		select {
		case m := <-done:
			return m
		case <-time.After(opTimeout):
			return onTimeout
		}
	}
}

// fetch performs one znode.Fetch with the watch armed unless one already is.
func fetch(s *session, f znode.Fetch, syncFirst, watch bool) tea.Cmd {
	c := s.client
	timeoutErr := fmt.Errorf("no answer within %s (server down or cut off?)", opTimeout)
	doSync := func() error {
		if !syncFirst {
			return nil
		}
		if _, err := c.Sync(f.Path); err != nil && !errors.Is(err, zk.ErrNoNode) {
			return fmt.Errorf("sync: %w", err)
		}
		return nil
	}
	switch f.Kind {
	case znode.FetchChildren:
		return bounded(func() tea.Msg {
			if err := doSync(); err != nil {
				return childrenMsg{gen: s.gen, path: f.Path, err: err}
			}
			var (
				names []string
				st    *zk.Stat
				ch    <-chan zk.Event
				err   error
			)
			if watch {
				names, st, ch, err = c.ChildrenW(f.Path)
				s.forward(ch)
			} else {
				names, st, err = c.Children(f.Path)
			}
			return childrenMsg{gen: s.gen, path: f.Path, names: names, stat: st, err: err, watched: watch && err == nil}
		}, childrenMsg{gen: s.gen, path: f.Path, err: timeoutErr})
	case znode.FetchNode:
		return bounded(func() tea.Msg {
			if err := doSync(); err != nil {
				return nodeMsg{gen: s.gen, path: f.Path, err: err}
			}
			var (
				data []byte
				st   *zk.Stat
				ch   <-chan zk.Event
				err  error
			)
			if watch {
				data, st, ch, err = c.GetW(f.Path)
				s.forward(ch)
			} else {
				data, st, err = c.Get(f.Path)
			}
			m := nodeMsg{gen: s.gen, path: f.Path, data: data, stat: st, err: err, watched: watch && err == nil}
			if err == nil || errors.Is(err, zk.ErrNoAuth) {
				m.acl, _, m.aclErr = c.GetACL(f.Path)
			}
			return m
		}, nodeMsg{gen: s.gen, path: f.Path, err: timeoutErr})
	default:
		return bounded(func() tea.Msg {
			if err := doSync(); err != nil {
				return statMsg{gen: s.gen, path: f.Path, err: err}
			}
			var (
				ok  bool
				st  *zk.Stat
				ch  <-chan zk.Event
				err error
			)
			if watch {
				ok, st, ch, err = c.ExistsW(f.Path)
				s.forward(ch)
			} else {
				ok, st, err = c.Exists(f.Path)
			}
			if err == nil && !ok {
				err = zk.ErrNoNode
			}
			return statMsg{gen: s.gen, path: f.Path, stat: st, err: err, watched: watch && (err == nil || errors.Is(err, zk.ErrNoNode))}
		}, statMsg{gen: s.gen, path: f.Path, err: timeoutErr})
	}
}

// runLine runs a data line: through run (the launcher, which records it)
// when set, else through the view's own session.
func runLine(run func(ctx context.Context, line string) (string, error), s *session, line string) tea.Cmd {
	return func() tea.Msg {
		start := time.Now()
		if run != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			out, err := run(ctx, line)
			return LineDoneMsg{Line: line, Output: strings.TrimSpace(out), Err: err, Took: time.Since(start)}
		}
		if s == nil {
			return LineDoneMsg{Line: line, Err: errors.New("not connected to a server yet")}
		}
		p, err := chaos.ParseLine(line)
		if err != nil {
			return LineDoneMsg{Line: line, Err: err}
		}
		var outs []string
		for _, st := range p.Stmts {
			ds, ok := st.(chaos.DataStmt)
			if !ok {
				return LineDoneMsg{Line: line, Err: fmt.Errorf("%q needs a launcher (zkctl up); zkctl top runs data commands only", st.String())}
			}
			out, err := chaos.ApplyData(s.client, ds)
			if err != nil {
				return LineDoneMsg{Line: line, Output: strings.Join(outs, "; "), Err: err, Took: time.Since(start)}
			}
			outs = append(outs, out)
		}
		return LineDoneMsg{Line: line, Output: strings.Join(outs, "; "), Took: time.Since(start)}
	}
}

// countSubtree counts what `delete -r` would delete, for its confirmation.
func countSubtree(s *session, p string) tea.Cmd {
	return bounded(func() tea.Msg {
		n, err := chaos.CountSubtree(s.client, p, chaos.MaxRecursiveDelete)
		return countMsg{gen: s.gen, path: p, n: n, err: err}
	}, countMsg{gen: s.gen, path: p, err: errors.New("no answer while counting the subtree")})
}
