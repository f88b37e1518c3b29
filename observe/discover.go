package observe

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zkctl/zkctl/adminapi"
)

// Server is one member to watch and how to read it.
type Server struct {
	// ID is the myid, 0 when no answer told it.
	ID int64
	// Client is the client port address, host:port.
	Client string
	// Admin is the AdminServer address when one answers for this server
	// (its myid checked); "" means the four-letter words on Client are read.
	Admin string
	// Observer is true for a non-voting member.
	Observer bool
	// Seed is true when the connect string named this server.
	Seed bool
}

// Source returns how the server is read: adminapi.SourceAdmin or SourceFourLW.
func (s Server) Source() string {
	if s.Admin != "" {
		return adminapi.SourceAdmin
	}
	return adminapi.SourceFourLW
}

// Options tune discovery and polling.
type Options struct {
	// Timeout bounds one request (default 1 s).
	Timeout time.Duration
	// AdminPort is the AdminServer port tried when conf does not show one
	// (Apache ZooKeeper's conf never does); 0 means ZooKeeper's default 8080,
	// -1 tries none. An answer counts only if its myid is the server's.
	AdminPort int
}

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return time.Second
	}
	return o.Timeout
}

// Discover finds the ensemble behind the connect string's addresses: the
// members come from the first conf with server.N lines, else from
// /zookeeper/config (3.5+); seeds that match no member are kept as they
// are, so a server that does not answer still gets its row. Each member
// then gets its AdminServer when conf (or opts.AdminPort) names one that
// answers with the member's myid.
func Discover(ctx context.Context, seeds []string, o Options) []Server {
	confs := make([]adminapi.Conf, len(seeds))
	oks := make([]bool, len(seeds))
	reachable := make([]bool, len(seeds))
	forEach(len(seeds), func(i int) {
		c, err := adminapi.NewFourLW(seeds[i], o.timeout()).Conf(ctx)
		var re *adminapi.RefusedError
		confs[i], oks[i], reachable[i] = c, err == nil, err == nil || errors.As(err, &re)
	})
	var members []adminapi.Member
	for i := range seeds {
		if oks[i] && len(confs[i].Members) > 0 {
			members = confs[i].Members
			break
		}
	}
	if members == nil {
		var up []string
		for i, a := range seeds {
			if reachable[i] {
				up = append(up, a)
			}
		}
		members = configNode(ctx, up, o.timeout())
	}
	var out []Server
	used := make([]bool, len(seeds))
	for _, m := range members {
		s := Server{ID: m.ID, Client: m.Client, Observer: m.Observer}
		for i, a := range seeds {
			if !used[i] && (a == m.Client || oks[i] && confs[i].ServerID == m.ID) {
				// The address the user typed reaches it; keep that one.
				used[i], s.Client, s.Seed = true, a, true
				break
			}
		}
		if s.Client == "" {
			// A 3.4 style line names no client port: such a member is
			// watched only when the connect string names it.
			continue
		}
		out = append(out, s)
	}
	for i, a := range seeds {
		if used[i] {
			continue
		}
		s := Server{Client: a, Seed: true}
		if oks[i] && confs[i].ServerID > 0 {
			s.ID = confs[i].ServerID
		}
		out = append(out, s)
	}
	forEach(len(out), func(i int) { out[i].Admin = findAdmin(ctx, &out[i], o) })
	return out
}

// configNode reads /zookeeper/config (3.5+) through a client session on
// the first seed that accepts one, for servers whose conf lacks server.N.
func configNode(ctx context.Context, seeds []string, timeout time.Duration) []adminapi.Member {
	for _, a := range seeds {
		if ctx.Err() != nil {
			return nil
		}
		conn, events, err := zk.Connect([]string{a}, 4*timeout, zk.WithLogInfo(false), zk.WithLogger(quietLogger{}))
		if err != nil {
			continue
		}
		connected := false
		deadline := time.After(timeout)
	wait:
		for {
			select {
			case ev := <-events:
				if ev.State == zk.StateHasSession {
					connected = true
					break wait
				}
			case <-deadline:
				break wait
			case <-ctx.Done():
				break wait
			}
		}
		if !connected {
			conn.Close()
			continue
		}
		data, _, err := conn.Get("/zookeeper/config")
		conn.Close()
		if err != nil {
			continue
		}
		if c := adminapi.ParseConf(string(data)); len(c.Members) > 0 {
			return c.Members
		}
	}
	return nil
}

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

// findAdmin returns the admin address of s when an AdminServer answers
// there with s's myid: admin.serverPort from conf when shown (and not
// disabled), else o.AdminPort on the client host.
func findAdmin(ctx context.Context, s *Server, o Options) string {
	host, _, err := net.SplitHostPort(s.Client)
	if err != nil {
		return ""
	}
	type candidate struct {
		port     int
		fromConf bool // the server's own config names it: no myid proof needed
	}
	var ports []candidate
	conf, cerr := adminapi.NewFourLW(s.Client, o.timeout()).Conf(ctx)
	if cerr == nil {
		if s.ID == 0 && conf.ServerID > 0 {
			s.ID = conf.ServerID
		}
		if conf.Keys["admin.enableServer"] == "false" {
			return ""
		}
		if p, err := strconv.Atoi(conf.Keys["admin.serverPort"]); err == nil && p > 0 {
			ports = append(ports, candidate{p, true})
			if h := conf.Keys["admin.serverAddress"]; h != "" && h != "0.0.0.0" {
				host = h
			}
		}
	}
	switch {
	case o.AdminPort > 0:
		ports = append(ports, candidate{port: o.AdminPort})
	case o.AdminPort == 0:
		ports = append(ports, candidate{port: 8080})
	}
	for _, p := range ports {
		addr := net.JoinHostPort(host, strconv.Itoa(p.port))
		c := adminapi.NewClient(addr, o.timeout())
		// 3.8 needs three commands for one picture, a cold JVM a moment more.
		pctx, cancel := context.WithTimeout(ctx, 3*o.timeout())
		peer, err := c.PeerOrZooKeeper(pctx)
		cancel()
		// Only a server that proves to be this one: several servers on one
		// host cannot all have the default port.
		if err == nil && (s.ID > 0 && peer.MyID == s.ID || p.fromConf && s.ID == 0) {
			return addr
		}
	}
	return ""
}

// forEach runs f(0..n-1) concurrently and waits.
func forEach(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i)
		}()
	}
	wg.Wait()
}
