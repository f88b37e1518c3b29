// Package observe watches a running ensemble from outside, as an operator
// knows it: from its connect string. It finds the members (conf's server.N
// lines, else /zookeeper/config), chooses per server between the AdminServer
// and the four-letter words on the client port, takes snapshots, measures
// follower lag in zxids and seconds, and judges health for `zkctl top --once`.
//
//	seeds, _, err := observe.ParseConnectString("zk1:2181,zk2:2181/app")
//	servers := observe.Discover(ctx, seeds, observe.Options{})
//	snap := observe.Take(ctx, servers, tracker, observe.DefaultThresholds())
//	os.Exit(int(snap.Health))
package observe

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// DefaultClientPort is the port ZooKeeper's clients assume when a connect
// string names a host without one (ConnectStringParser does the same).
const DefaultClientPort = 2181

// ErrBadConnectString is wrapped by every ParseConnectString error.
var ErrBadConnectString = errors.New("observe: bad connect string")

// ParseConnectString splits a ZooKeeper connect string, the form clients and
// `zkCli.sh -server` take: host[:port][,host[:port]...][/chroot]. IPv6 hosts
// go in brackets. It returns host:port addresses in order (duplicates
// dropped) and the chroot ("" when none). The chroot does not matter to
// four-letter words; it is returned so callers can show it.
func ParseConnectString(s string) (addrs []string, chroot string, err error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w %q: %s (want host:port[,host:port...][/chroot], e.g. 127.0.0.1:2181,127.0.0.1:2182)",
			ErrBadConnectString, s, fmt.Sprintf(format, a...))
	}
	s0 := strings.TrimSpace(s)
	if s0 == "" {
		return nil, "", bad("empty")
	}
	hosts := s0
	if i := strings.Index(s0, "/"); i >= 0 {
		hosts, chroot = s0[:i], s0[i:]
		if chroot == "/" {
			chroot = ""
		} else if strings.HasSuffix(chroot, "/") || strings.Contains(chroot, "//") {
			return nil, "", bad("chroot %q is not a valid path", chroot)
		}
	}
	seen := map[string]bool{}
	for _, h := range strings.Split(hosts, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, "", bad("empty host in the list")
		}
		host, port := h, strconv.Itoa(DefaultClientPort)
		switch {
		case strings.HasPrefix(h, "["):
			var err error
			if !strings.Contains(h, "]:") {
				host = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
				if strings.ContainsAny(host, "[]") || !strings.HasSuffix(h, "]") {
					return nil, "", bad("%q: unterminated IPv6 bracket", h)
				}
			} else if host, port, err = net.SplitHostPort(h); err != nil {
				return nil, "", bad("%q: %v", h, err)
			}
		case strings.Count(h, ":") == 1:
			host, port, _ = strings.Cut(h, ":")
		case strings.Count(h, ":") > 1:
			return nil, "", bad("%q: put IPv6 addresses in brackets, [::1]:2181", h)
		}
		if host == "" || strings.ContainsAny(host, " \t[]/;=%@") {
			return nil, "", bad("%q: bad host", h)
		}
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return nil, "", bad("%q: port %q is not 1-65535", h, port)
		}
		a := net.JoinHostPort(host, strconv.Itoa(n))
		if !seen[a] {
			seen[a] = true
			addrs = append(addrs, a)
		}
	}
	return addrs, chroot, nil
}
