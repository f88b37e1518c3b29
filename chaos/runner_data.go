package chaos

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"
)

// dataOpTimeout bounds one data statement: a cluster without quorum makes
// it fail with "outcome unknown" instead of hanging the line.
const dataOpTimeout = 15 * time.Second

// dataSession is the runner's own ZooKeeper client for the data commands,
// separate from the workload's clients. It connects on first use to every
// client port in the cluster's status and keeps its session, so an
// ephemeral created with `create -e` lives as long as the runner (the
// launcher, or the script run).
type dataSession struct {
	mu      sync.Mutex
	conn    *zk.Conn
	servers []string
}

// conn returns the session's connection for servers, reconnecting when
// the membership changed.
func (d *dataSession) get(servers []string, logger zk.Logger) (*zk.Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil && slices.Equal(d.servers, servers) && d.conn.State() != zk.StateExpired {
		return d.conn, nil
	}
	if d.conn != nil {
		d.conn.Close()
		d.conn = nil
	}
	if len(servers) == 0 {
		return nil, errors.New("no server with a client port in the cluster status")
	}
	c, _, err := zk.Connect(servers, 10*time.Second, zk.WithLogger(logger), zk.WithLogInfo(false))
	if err != nil {
		return nil, fmt.Errorf("connect %v: %w", servers, err)
	}
	d.conn, d.servers = c, servers
	return c, nil
}

// close ends the session (and with it its ephemerals).
func (d *dataSession) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil {
		d.conn.Close()
		d.conn = nil
	}
}

// execData runs a data statement through the runner's data session,
// prints its result and records it (expectations are not recorded, as
// `expect` is not).
func (r *Runner) execData(ctx context.Context, x exec, s DataStmt) error {
	st, err := r.status(ctx, x)
	if err != nil {
		return stmtErr(s, err)
	}
	var servers []string
	for _, n := range st.Nodes {
		if n.ClientPort > 0 {
			servers = append(servers, fmt.Sprintf("127.0.0.1:%d", n.ClientPort))
		}
	}
	sort.Strings(servers)
	conn, err := r.data.get(servers, zkLogger{r.cfg.Logger})
	if err != nil {
		return stmtErr(s, err)
	}
	octx, cancel := context.WithTimeout(ctx, dataOpTimeout)
	defer cancel()
	out, err := runData(octx, conn, s)
	if err != nil {
		var fe *FailError
		if errors.As(err, &fe) {
			return r.fail(s, fe.Seen)
		}
		return stmtErr(s, err)
	}
	x.printf("%s", out)
	if _, isExpect := s.(*ExpectDataStmt); !isExpect {
		r.cfg.Logger.Info("chaos data", "line", s.String(), "source", x.source)
		r.record(s.String(), x.source)
	}
	return nil
}
