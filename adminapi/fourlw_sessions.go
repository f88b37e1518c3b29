package adminapi

import (
	"sort"
	"strconv"
	"strings"
)

// The four-letter words that tell who is connected where and what they
// watch and hold (cons, wchp, dump), parsed for the data view's sessions
// panel. All three answer in the same format on zkctl and ZooKeeper 3.4–3.9.

// ConnInfo is one line of cons: a client connection to this server.
type ConnInfo struct {
	// Remote is the client's address as the server sees it.
	Remote string
	// SessionID is the session on the connection; 0 before the handshake.
	SessionID int64
	// TimeoutMs is the negotiated session timeout.
	TimeoutMs int
	// LastOp is the last operation (PING, GETD, CREA, …).
	LastOp string
	// Queued, Received and Sent count the connection's packets.
	Queued, Received, Sent int64
}

// ParseSessionID reads "0x1000a2b3c0000" (or without 0x); ok is false
// for anything else.
func ParseSessionID(s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ":"))
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
	if err != nil || s == "" {
		return 0, false
	}
	return int64(v), true
}

// ParseConsDetail parses a cons answer into its connections, in order.
func ParseConsDetail(s string) []ConnInfo {
	var out []ConnInfo
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		i := strings.IndexByte(line, '[')
		if !strings.HasPrefix(line, "/") || i < 0 {
			continue
		}
		c := ConnInfo{Remote: strings.TrimPrefix(line[:i], "/")}
		if _, fields, ok := strings.Cut(line, "("); ok {
			for _, kv := range strings.Split(strings.TrimSuffix(fields, ")"), ",") {
				k, v, _ := strings.Cut(kv, "=")
				switch k {
				case "sid":
					c.SessionID, _ = ParseSessionID(v)
				case "to":
					c.TimeoutMs = atoiOr(v, 0)
				case "lop":
					c.LastOp = v
				case "queued":
					c.Queued = int64(atoiOr(v, 0))
				case "recved":
					c.Received = int64(atoiOr(v, 0))
				case "sent":
					c.Sent = int64(atoiOr(v, 0))
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// ParseWchp parses a wchp answer: each watched path with the sessions
// watching it (a path line, then one tab-indented session id per line).
func ParseWchp(s string) map[string][]int64 {
	out := map[string][]int64{}
	cur := ""
	for _, line := range strings.Split(s, "\n") {
		switch {
		case strings.HasPrefix(line, "/"):
			cur = strings.TrimSpace(line)
			out[cur] = out[cur][:0:0]
		case cur != "" && strings.HasPrefix(line, "\t"):
			if id, ok := ParseSessionID(line); ok {
				out[cur] = append(out[cur], id)
			}
		}
	}
	return out
}

// ParseDumpEphemerals parses the "Sessions with Ephemerals" part of a dump
// answer (the leader's or a standalone server's): session → its ephemeral
// paths, sorted.
func ParseDumpEphemerals(s string) map[int64][]string {
	out := map[int64][]string{}
	_, rest, ok := strings.Cut(s, "Sessions with Ephemerals")
	if !ok {
		return out
	}
	var cur int64
	have := false
	for _, line := range strings.Split(rest, "\n")[1:] {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "0x") && strings.HasSuffix(t, ":"):
			cur, have = ParseSessionID(t)
		case have && strings.HasPrefix(t, "/"):
			out[cur] = append(out[cur], t)
		case t != "" && !strings.HasPrefix(line, "\t"):
			have = false // the next section (Connections dump, …)
		}
	}
	for _, ps := range out {
		sort.Strings(ps)
	}
	return out
}
