package adminapi

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
)

// The parsers below read the four-letter words' text answers of ZooKeeper
// 3.4 to 3.9 and zkctl (which answers as 3.8 does). They never panic on
// garbage: a server may be another program, an old version or cut short.

// ErrNotZooKeeper means the answer on a client port is not a ZooKeeper
// four-letter-word answer (an HTTP server, another protocol, garbage).
var ErrNotZooKeeper = errors.New("adminapi: not a ZooKeeper four-letter-word answer")

// notServing is what srvr, stat, mntr, cons and wchs answer while the
// server runs but does not serve (looking for a leader, syncing).
const notServing = "This ZooKeeper instance is not currently serving requests"

// RefusedError reports a four-letter word the server refused because it is
// not in 4lw.commands.whitelist (ZooKeeper 3.4.10+, default "srvr" since 3.5.3).
type RefusedError struct {
	// Word is the refused four-letter word.
	Word string
}

// Error names the refused word and the setting that refused it.
func (e *RefusedError) Error() string {
	return fmt.Sprintf("%s is not in the server's 4lw.commands.whitelist", e.Word)
}

// IsRefused reports whether answer is ZooKeeper's refusal of word:
// "<word> is not executed because it is not in the whitelist."
func IsRefused(answer, word string) bool {
	return strings.HasPrefix(strings.TrimSpace(answer), word+" is not executed because it is not in the whitelist")
}

// IsNotServing reports whether answer says the server is up but not serving.
func IsNotServing(answer string) bool {
	return strings.HasPrefix(strings.TrimSpace(answer), notServing)
}

// Srvr is what srvr (and the first part of stat) tells.
type Srvr struct {
	// Version is the "Zookeeper version:" line's value.
	Version string
	// Zxid is the last processed zxid; HasZxid is false when the line is missing.
	Zxid    int64
	HasZxid bool
	// Mode is leader, follower, observer, standalone or read-only ("" if absent).
	Mode string
	// Connections, Outstanding and NodeCount are -1 when their line is missing.
	Connections, Outstanding, NodeCount int
}

// ParseSrvr parses a srvr or stat answer. It returns ErrNotZooKeeper when
// the text has neither a version nor a Mode line.
func ParseSrvr(s string) (Srvr, error) {
	out := Srvr{Connections: -1, Outstanding: -1, NodeCount: -1}
	seen := false
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Zookeeper version":
			out.Version, seen = v, true
		case "Mode":
			out.Mode, seen = v, true
		case "Zxid":
			if z, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimPrefix(v, "0x"), "0X"), 16, 64); err == nil && z >= 0 {
				out.Zxid, out.HasZxid = z, true
			}
		case "Connections":
			out.Connections = atoiOr(v, -1)
		case "Outstanding":
			out.Outstanding = atoiOr(v, -1)
		case "Node count":
			out.NodeCount = atoiOr(v, -1)
		}
	}
	if !seen {
		return out, ErrNotZooKeeper
	}
	return out, nil
}

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return def
	}
	return n
}

// ParseMntr splits a mntr answer into its "zk_<key>\t<value>" pairs, keys
// without the zk_ prefix. Lines without a tab are ignored.
func ParseMntr(s string) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "\t")
		if ok && strings.HasPrefix(k, "zk_") {
			out[strings.TrimPrefix(k, "zk_")] = strings.TrimSpace(v)
		}
	}
	return out
}

// Member is one server.N line of a configuration.
type Member struct {
	// ID is N.
	ID int64
	// Host is the quorum address's host.
	Host string
	// Client is the client address host:port, "" when the line has none
	// (ZooKeeper 3.4 style lines, or 3.5+ lines without ";clientPort").
	Client string
	// Observer is true for ":observer" members.
	Observer bool
}

// Conf is what conf tells: its key=value lines and the membership.
type Conf struct {
	// Keys holds every key=value line except server.N.
	Keys map[string]string
	// ServerID is serverId (myid); -1 when absent (3.4 standalone).
	ServerID int64
	// Members are the server.N lines sorted by id (none in 3.4's conf).
	Members []Member
}

// ParseConf parses a conf answer (or the text of /zookeeper/config, whose
// lines are the same server.N=... and version=...).
func ParseConf(s string) Conf {
	c := Conf{Keys: map[string]string{}, ServerID: -1}
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || k == "" {
			continue
		}
		if id, found := strings.CutPrefix(k, "server."); found {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil && n >= 0 {
				if m, ok := ParseMember(n, v); ok {
					c.Members = append(c.Members, m)
				}
			}
			continue
		}
		c.Keys[k] = v
	}
	if id, err := strconv.ParseInt(c.Keys["serverId"], 10, 64); err == nil {
		c.ServerID = id
	}
	sort.Slice(c.Members, func(i, j int) bool { return c.Members[i].ID < c.Members[j].ID })
	return c
}

// ParseMember parses the value of a server.N line:
// host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort],
// with IPv6 hosts in brackets. A client host of 0.0.0.0 (or none) means the
// quorum host.
func ParseMember(id int64, v string) (Member, bool) {
	m := Member{ID: id}
	quorum, client, hasClient := strings.Cut(strings.TrimSpace(v), ";")
	host, rest := quorum, ""
	if strings.HasPrefix(quorum, "[") {
		end := strings.Index(quorum, "]")
		if end < 0 {
			return m, false
		}
		host, rest = quorum[1:end], strings.TrimPrefix(quorum[end+1:], ":")
	} else {
		host, rest, _ = strings.Cut(quorum, ":")
	}
	if !validHost(host) {
		return m, false
	}
	m.Host = host
	parts := strings.Split(rest, ":")
	m.Observer = parts[len(parts)-1] == "observer"
	if hasClient {
		client = strings.TrimSpace(client)
		ch, cp := "", client
		if h, p, err := net.SplitHostPort(client); err == nil {
			ch, cp = h, p
		}
		if port, err := strconv.Atoi(cp); err == nil && port > 0 && port < 65536 {
			if ch == "" || ch == "0.0.0.0" || ch == "::" {
				ch = host
			}
			if validHost(ch) {
				m.Client = net.JoinHostPort(ch, strconv.Itoa(port))
			}
		}
	}
	return m, true
}

// validHost rejects hosts that cannot round-trip through host:port.
func validHost(h string) bool {
	return h != "" && !strings.ContainsAny(h, "[]/;=% \t\r\n")
}

// Cons is what cons tells: one line per client connection on this server.
type Cons struct {
	// Connections counts connection lines.
	Connections int
	// Sessions counts distinct sid= values (sessions connected here).
	Sessions int
}

// ParseCons parses a cons answer. Each connection is a line starting with
// " /ip:port[" (3.4–3.9); established sessions carry ",sid=0x...".
func ParseCons(s string) Cons {
	var c Cons
	sids := map[string]bool{}
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "/") || !strings.Contains(line, "[") {
			continue
		}
		c.Connections++
		if _, after, ok := strings.Cut(line, "sid="); ok {
			sid, _, _ := strings.Cut(after, ",")
			sid = strings.TrimRight(sid, ")")
			if sid != "" && sid != "0x0" {
				sids[sid] = true
			}
		}
	}
	c.Sessions = len(sids)
	return c
}

// ParseWchs parses a wchs answer ("N connections watching M paths\nTotal
// watches:K") and returns K; ok is false when the line is missing.
func ParseWchs(s string) (watches int, ok bool) {
	for _, line := range strings.Split(s, "\n") {
		if v, found := strings.CutPrefix(strings.TrimSpace(line), "Total watches:"); found {
			if n := atoiOr(v, -1); n >= 0 {
				return n, true
			}
		}
	}
	return 0, false
}

// ParseIsro parses an isro answer: "ro" or "rw"; known is false for
// anything else (3.8 answers "null" while the server is not running).
func ParseIsro(s string) (readOnly, known bool) {
	switch strings.TrimSpace(s) {
	case "ro":
		return true, true
	case "rw":
		return false, true
	}
	return false, false
}
