package dataview

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/zkctl/zkctl/adminapi"
)

// The sessions panel (key C): who is connected to which server, with
// session ids and timeouts, the ephemerals each session holds and the
// paths it watches, read through the four-letter words cons, dump and
// wchp on every server's client port.

// serverSessions is one server's answer.
type serverSessions struct {
	server     Server
	conns      []adminapi.ConnInfo
	watches    map[string][]int64 // path → sessions (wchp)
	ephemerals map[int64][]string // session → paths (dump)
	errs       []string           // one per word that failed or was refused
}

type sessionsMsg struct {
	at      time.Time
	servers []serverSessions
}

func (sessionsMsg) dataviewMsg() {}

// fetchSessions asks every server for cons, wchp and dump, concurrently.
func fetchSessions(servers []Server) tea.Cmd {
	return func() tea.Msg {
		out := make([]serverSessions, len(servers))
		var wg sync.WaitGroup
		for i, s := range servers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out[i] = readSessions(s)
			}()
		}
		wg.Wait()
		return sessionsMsg{at: time.Now(), servers: out}
	}
}

func readSessions(s Server) serverSessions {
	r := serverSessions{server: s}
	flw := adminapi.NewFourLW(s.Addr, 2*time.Second)
	word := func(w string) (string, bool) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		a, err := flw.Word(ctx, w)
		var re *adminapi.RefusedError
		switch {
		case errors.As(err, &re):
			r.errs = append(r.errs, w+" refused by 4lw.commands.whitelist")
			return "", false
		case err != nil:
			r.errs = append(r.errs, w+": "+err.Error())
			return "", false
		}
		return a, true
	}
	if a, ok := word("cons"); ok {
		r.conns = adminapi.ParseConsDetail(a)
	}
	if a, ok := word("wchp"); ok {
		r.watches = adminapi.ParseWchp(a)
	}
	if a, ok := word("dump"); ok {
		r.ephemerals = adminapi.ParseDumpEphemerals(a)
	}
	return r
}

// viewSessions renders the panel in w×h.
func (m Model) viewSessions(w, h int) string {
	st := m.styles
	out := []string{st.Title.Render("sessions and watches per server") + st.Dim.Render(" (cons, wchp, dump; C closes, r re-reads)")}
	if m.sessions == nil {
		return clip(strings.Join(append(out, st.Dim.Render("reading…")), "\n"), w, h)
	}
	// Ephemerals as any server's dump tells them (the leader's is complete).
	eph := map[int64][]string{}
	for _, s := range m.sessions.servers {
		for id, ps := range s.ephemerals {
			if len(ps) > len(eph[id]) {
				eph[id] = ps
			}
		}
	}
	var mine int64
	if m.sess != nil {
		mine = m.sess.client.SessionID()
	}
	for _, s := range m.sessions.servers {
		byS := map[int64][]string{}
		for p, ids := range s.watches {
			for _, id := range ids {
				byS[id] = append(byS[id], p)
			}
		}
		sessions := 0
		for _, c := range s.conns {
			if c.SessionID != 0 {
				sessions++
			}
		}
		head := fmt.Sprintf("zk%d %s: %d sessions, %d watched paths", s.server.ID, s.server.Addr, sessions, len(s.watches))
		out = append(out, st.Bold.Render(head))
		for _, e := range s.errs {
			out = append(out, "  "+st.Warn.Render(e))
		}
		for _, c := range s.conns {
			if c.SessionID == 0 {
				continue // a four-letter word (cons itself) or a handshake in progress
			}
			line := fmt.Sprintf("  0x%-16x %-21s to %dms  %s", uint64(c.SessionID), c.Remote, c.TimeoutMs, c.LastOp)
			if c.SessionID == mine {
				line += st.OK.Render("  ← this view")
			}
			out = append(out, line)
			if ps := eph[c.SessionID]; len(ps) > 0 {
				out = append(out, "      ephemerals: "+strings.Join(ps, ", "))
			}
			if ps := byS[c.SessionID]; len(ps) > 0 {
				sort.Strings(ps)
				out = append(out, st.Dim.Render("      watches: "+strings.Join(ps, ", ")))
			}
		}
	}
	return clip(strings.Join(out, "\n"), w, h)
}
