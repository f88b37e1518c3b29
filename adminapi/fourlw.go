package adminapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FourLW reads a server through the four-letter words on its client port,
// for ensembles without an AdminServer (admin.enableServer=false, or no
// Jetty on the class path as in Debian's package). ZooKeeper answers one
// word per connection and then closes it, so every word is its own dial.
type FourLW struct {
	// Addr is the client port, host:port.
	Addr string
	// Timeout bounds one word (dial, write, read); 0 means 1 s.
	Timeout time.Duration
}

// NewFourLW returns a four-letter-word reader for the client port addr.
func NewFourLW(addr string, timeout time.Duration) *FourLW {
	return &FourLW{Addr: addr, Timeout: timeout}
}

// maxAnswer bounds one answer (cons and wchp on a busy server can be long).
const maxAnswer = 4 << 20

// Word sends one four-letter word and returns the whole answer. A word the
// whitelist refuses comes back as a *RefusedError.
func (c *FourLW) Word(ctx context.Context, word string) (string, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = time.Second
	}
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	d := net.Dialer{Deadline: deadline}
	conn, err := d.DialContext(ctx, "tcp", c.Addr)
	if err != nil {
		return "", fmt.Errorf("4lw %s to %s: %w", word, c.Addr, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(deadline)
	if _, err := io.WriteString(conn, word); err != nil {
		return "", fmt.Errorf("4lw %s to %s: %w", word, c.Addr, err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.CloseWrite() // as nc does; ZooKeeper answers and closes
	}
	b, err := io.ReadAll(io.LimitReader(conn, maxAnswer))
	if err != nil && len(b) == 0 {
		return "", fmt.Errorf("4lw %s to %s: read: %w", word, c.Addr, err)
	}
	answer := string(b)
	if IsRefused(answer, word) {
		return answer, &RefusedError{Word: word}
	}
	return answer, nil
}

// Conf fetches and parses conf.
func (c *FourLW) Conf(ctx context.Context) (Conf, error) {
	s, err := c.Word(ctx, "conf")
	if err != nil {
		return Conf{}, err
	}
	if IsNotServing(s) || strings.TrimSpace(s) == "" {
		return Conf{}, fmt.Errorf("4lw conf to %s: empty answer", c.Addr)
	}
	return ParseConf(s), nil
}

// firstLine is a short quote of an unexpected answer for error messages.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	s = strings.TrimSpace(s)
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

// Peer assembles the dashboard's picture of the server from srvr (or stat),
// mntr, conf, isro, cons and wchs. What no answered word tells is listed in
// Peer.Unknown, refused words in Peer.Refused. It fails only when the port
// does not answer or does not speak ZooKeeper.
func (c *FourLW) Peer(ctx context.Context) (*Peer, error) {
	p := &Peer{LeaderID: -1, Source: SourceFourLW, Implementation: "zookeeper"}
	unknown := map[string]bool{}
	for _, f := range []string{"pid", "zab_phase", "accepted_epoch", "election", "leader_heard_ago_ms",
		"learners", "reads_per_sec", "writes_per_sec", "last_event_seq"} {
		unknown[f] = true
	}
	refuse := func(w string) { p.Refused = append(p.Refused, w) }

	word := "srvr"
	s, err := c.Word(ctx, word)
	var re *RefusedError
	if errors.As(err, &re) {
		refuse(word)
		word = "stat"
		s, err = c.Word(ctx, word)
		if errors.As(err, &re) {
			refuse(word)
			word, s, err = "", "", nil
		}
	}
	if err != nil {
		return nil, err
	}
	var srvr Srvr
	serving := true
	switch {
	case word == "":
		// srvr and stat refused: mntr below must tell the state.
	case IsNotServing(s):
		serving = false
	case strings.TrimSpace(s) == "":
		return nil, fmt.Errorf("%s answered %s with nothing (not ZooKeeper, or four-letter words disabled)", c.Addr, word)
	default:
		if srvr, err = ParseSrvr(s); err != nil {
			return nil, fmt.Errorf("%s is not ZooKeeper: it answered %s with %q (%w)", c.Addr, word, firstLine(s), err)
		}
	}

	// The other words, concurrently, one connection each.
	words := []string{"mntr", "conf", "isro", "cons", "wchs"}
	answers := make([]string, len(words))
	errs := make([]error, len(words))
	var wg sync.WaitGroup
	for i, w := range words {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i], errs[i] = c.Word(ctx, w)
		}()
	}
	wg.Wait()
	got := map[string]string{}
	for i, w := range words {
		switch {
		case errors.As(errs[i], &re):
			refuse(w)
		case errs[i] == nil && !IsNotServing(answers[i]):
			got[w] = answers[i]
		}
	}
	mntr := ParseMntr(got["mntr"])
	if word == "" && len(mntr) == 0 {
		return nil, fmt.Errorf("%s refuses srvr, stat and mntr (4lw.commands.whitelist): nothing tells its state", c.Addr)
	}
	num := func(k string) (int, bool) {
		v, ok := mntr[k]
		if !ok {
			return 0, false
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			return 0, false
		}
		return int(f), true
	}

	// State: srvr's Mode, else mntr's server_state.
	mode := srvr.Mode
	if mode == "" {
		mode = mntr["server_state"]
	}
	p.State, p.ReadOnly = stateOfMode(mode)
	if !serving {
		p.State = StateLooking
	}
	if ro, ok := ParseIsro(got["isro"]); ok && ro {
		p.ReadOnly = true
	}
	p.Version = srvr.Version
	if p.Version == "" {
		p.Version = mntr["version"]
	}
	if strings.Contains(p.Version, "zkctl") {
		p.Implementation = "zkctl"
	}

	// Zxid: srvr's is the last processed one; the epoch is its high half,
	// as 3.8's own zab_epoch is.
	if srvr.HasZxid {
		p.LastLoggedZxid, p.CommittedZxid, p.AppliedZxid = srvr.Zxid, srvr.Zxid, srvr.Zxid
		p.CurrentEpoch = srvr.Zxid >> 32
	} else {
		unknown["last_logged_zxid"], unknown["committed_zxid"], unknown["applied_zxid"], unknown["current_epoch"] = true, true, true, true
	}

	conf, hasConf := Conf{ServerID: -1}, false
	if s, ok := got["conf"]; ok && strings.TrimSpace(s) != "" {
		conf, hasConf = ParseConf(s), true
	}
	if conf.ServerID >= 0 {
		p.MyID = conf.ServerID
	} else {
		unknown["myid"] = true
	}
	switch {
	case p.State == StateLeading && conf.ServerID >= 0, p.State == StateStandalone && conf.ServerID >= 0:
		p.LeaderID = conf.ServerID
	default:
		// No four-letter word names the leader a follower follows.
		unknown["leader_id"] = true
	}
	if !serving {
		delete(unknown, "leader_id") // -1: it follows nobody
	}

	if v, ok := num("uptime"); ok {
		p.UptimeMs = int64(v)
	} else {
		unknown["uptime_ms"] = true
	}
	cons, hasCons := ParseCons(got["cons"]), got["cons"] != ""
	setInt := func(dst *int, field string, vals ...func() (int, bool)) {
		for _, f := range vals {
			if v, ok := f(); ok {
				*dst = v
				return
			}
		}
		unknown[field] = true
	}
	fromSrvr := func(v int) func() (int, bool) { return func() (int, bool) { return v, v >= 0 } }
	fromMntr := func(k string) func() (int, bool) { return func() (int, bool) { return num(k) } }
	fromCons := func(v int) func() (int, bool) { return func() (int, bool) { return v, hasCons } }
	// Sessions: mntr's global count (3.6+), else the sessions connected here.
	setInt(&p.Sessions, "sessions", fromMntr("global_sessions"), fromCons(cons.Sessions))
	setInt(&p.Connections, "connections", fromSrvr(srvr.Connections), fromMntr("num_alive_connections"), fromCons(cons.Connections))
	setInt(&p.Outstanding, "outstanding", fromSrvr(srvr.Outstanding), fromMntr("outstanding_requests"))
	setInt(&p.Znodes, "znodes", fromSrvr(srvr.NodeCount), fromMntr("znode_count"))
	wchs, hasWchs := ParseWchs(got["wchs"])
	setInt(&p.Watches, "watches", func() (int, bool) { return wchs, hasWchs }, fromMntr("watch_count"))

	voters := 0
	for _, m := range conf.Members {
		if !m.Observer {
			voters++
		}
	}
	setInt(&p.Voters, "voters", func() (int, bool) { return voters, hasConf && voters > 0 }, fromMntr("quorum_size"),
		func() (int, bool) { return 0, p.State == StateStandalone })
	if p.State == StateLeading {
		setInt(&p.SyncedFollowers, "synced_followers", fromMntr("synced_followers"))
	}
	for f := range unknown {
		p.Unknown = append(p.Unknown, f)
	}
	sort.Strings(p.Unknown)
	return p, nil
}
