package zkconfig

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

func parseLearnerType(s string) (LearnerType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "participant":
		return Participant, nil
	case "observer":
		return Observer, nil
	}
	return Participant, fmt.Errorf("%q is not participant or observer", s)
}

// serverLine parses `server.<sid>=<host>:<q>:<e>[:type][;[clientHost:]clientPort]`.
func (p *parser) serverLine(key, value string) {
	idText := key[len("server."):]
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		p.fail("%s: server id %q is not a number", key, idText)
		return
	}
	s, err := ParseServer(id, value, p.cfg.MultiAddressEnabled)
	if err != nil {
		p.fail("%s: %q: %v", key, value, err)
		return
	}
	p.cfg.Servers = append(p.cfg.Servers, s)
}

// ParseServer parses the value of a server.N line.
func ParseServer(id int64, value string, multiAddress bool) (Server, error) {
	s := Server{ID: id, Type: Participant}
	parts := strings.Split(value, ";")
	if len(parts) > 2 {
		return s, fmt.Errorf("more than one ';'")
	}
	if len(parts) == 2 {
		cp, err := splitHostPort(parts[1])
		if err != nil {
			return s, fmt.Errorf("client part: %w", err)
		}
		if len(cp) > 2 {
			return s, fmt.Errorf("client part %q is not port or host:port", parts[1])
		}
		s.ClientHost = "0.0.0.0"
		if len(cp) == 2 {
			s.ClientHost = cp[0]
		}
		port, err := parsePort(cp[len(cp)-1])
		if err != nil {
			return s, fmt.Errorf("client port: %w", err)
		}
		s.ClientPort = port
		s.HasClientAddr = true
	}
	addrs := strings.Split(parts[0], "|")
	if len(addrs) > 1 && !multiAddress {
		return s, fmt.Errorf("several addresses given but multiAddress.enabled is false")
	}
	var typ *LearnerType
	for _, a := range addrs {
		f, err := splitHostPort(a)
		if err != nil {
			return s, err
		}
		if len(f) < 3 || len(f) > 4 {
			return s, fmt.Errorf("%q is not host:port:port or host:port:port:type", a)
		}
		if f[0] == "" {
			return s, fmt.Errorf("%q has an empty host", a)
		}
		q, err := parsePort(f[1])
		if err != nil {
			return s, fmt.Errorf("quorum port: %w", err)
		}
		e, err := parsePort(f[2])
		if err != nil {
			return s, fmt.Errorf("election port: %w", err)
		}
		if q == e {
			return s, fmt.Errorf("quorum and election port must differ (both %d)", q)
		}
		if len(f) == 4 {
			t, err := parseLearnerType(f[3])
			if err != nil {
				return s, err
			}
			if typ != nil && *typ != t {
				return s, fmt.Errorf("addresses have different roles (%s, %s)", *typ, t)
			}
			typ = &t
		}
		s.Addrs = append(s.Addrs, QuorumAddr{Host: f[0], QuorumPort: q, ElectionPort: e})
	}
	if typ != nil {
		s.Type = *typ
	}
	return s, nil
}

// splitHostPort splits on ':' except inside a leading [IPv6] host
// (ZooKeeper's ConfigUtils.getHostAndPort).
func splitHostPort(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "[") {
		return strings.Split(s, ":"), nil
	}
	end := strings.Index(s, "]")
	if end < 0 {
		return nil, fmt.Errorf("%q starts with '[' but has no ']'", s)
	}
	host := s[1:end]
	rest := s[end+1:]
	if rest == "" {
		return []string{host}, nil
	}
	if rest[0] != ':' {
		return nil, fmt.Errorf("%q: expected ':' after ']'", s)
	}
	return append([]string{host}, strings.Split(rest[1:], ":")...), nil
}

func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if n < 1 || n > 65535 {
		return 0, fmt.Errorf("%d is out of range [1, 65535]", n)
	}
	return n, nil
}

// delimitHost brackets IPv6 literals, as QuorumServer.delimitedHostString.
func delimitHost(h string) string {
	if strings.Contains(h, ":") {
		return "[" + h + "]"
	}
	return h
}

// String renders the server as the value of its server.N line in
// ZooKeeper's canonical form: host:q:e[|…]:type[;clientHost:clientPort].
// The client part appears only when the line itself had one.
func (s Server) String() string {
	addrs := append([]QuorumAddr(nil), s.Addrs...)
	// NB: ZooKeeper sorts quorum and election addresses by host separately;
	// they share a host per triple, so sorting triples by host is the same.
	sort.SliceStable(addrs, func(i, j int) bool { return addrs[i].Host < addrs[j].Host })
	var b strings.Builder
	for i, a := range addrs {
		if i > 0 {
			b.WriteByte('|')
		}
		fmt.Fprintf(&b, "%s:%d:%d", delimitHost(a.Host), a.QuorumPort, a.ElectionPort)
	}
	b.WriteString(":" + s.Type.String())
	if s.HasClientAddr {
		fmt.Fprintf(&b, ";%s:%d", delimitHost(s.ClientHost), s.ClientPort)
	}
	return b.String()
}

// QuorumVerifierText is the canonical membership text of ZooKeeper's
// QuorumMaj.toString(): one "server.N=<Server.String()>" line per member,
// then "version=0" (static configs have version 0), joined by "\n" with no
// trailing newline. This is the data of /zookeeper/config and the config
// carried by FLE notifications. Empty when there is no membership.
func (c *Config) QuorumVerifierText() string {
	if len(c.Servers) == 0 {
		return ""
	}
	var b strings.Builder
	for _, s := range javaHashMapOrder(c.Servers) {
		fmt.Fprintf(&b, "server.%d=%s\n", s.ID, s.String())
	}
	b.WriteString("version=0")
	return b.String()
}

// javaHashMapOrder orders servers as iterating a java.util.HashMap<Long,…>
// holding them does: by bucket index of the spread Long hash for the map's
// capacity. NB: for sids below the capacity (16 for up to 12 members) this is
// ascending order; colliding sids keep ascending order here, where Java keeps
// insertion order (Hashtable order of the properties), a rare difference.
func javaHashMapOrder(servers []Server) []Server {
	capacity := 16
	for float64(len(servers)) > 0.75*float64(capacity) {
		capacity *= 2
	}
	bucket := func(id int64) int {
		h := int32(uint64(id) ^ (uint64(id) >> 32))
		h ^= int32(uint32(h) >> 16)
		return int(h) & (capacity - 1)
	}
	out := append([]Server(nil), servers...)
	sort.SliceStable(out, func(i, j int) bool {
		bi, bj := bucket(out[i].ID), bucket(out[j].ID)
		if bi != bj {
			return bi < bj
		}
		return out[i].ID < out[j].ID
	})
	return out
}
