package main

import (
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/zkctl/zkctl/bench"
	"github.com/zkctl/zkctl/launcher"
)

// benchOptions are the flags of `zkctl bench`.
type benchOptions struct {
	servers []string
	// cluster names a cluster started by `zkctl up` in dir, whose client
	// addresses replace --servers, so that one command line measures a
	// cluster whatever implementation its servers run.
	cluster  string
	dir      string
	op       string
	clients  int
	size     int
	duration time.Duration
	root     string
	json     bool
}

func newBenchCommand() *cobra.Command {
	o := benchOptions{}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Closed-loop load against any ZooKeeper-compatible servers: ops/s and latency percentiles",
		Long: `bench runs N clients, each with its own connection (spread over --servers), that repeat
one operation for --duration and reports throughput, p50/p90/p99/max latency and errors.
create makes persistent sequential nodes, set overwrites the client's node, get reads it.
Nodes are left under --root (default /zkctl-bench-<random>).
--cluster NAME takes the client addresses of a cluster started by 'zkctl up'
(in --dir) instead of --servers, whichever implementation its servers run.`,
		Example: `  zkctl bench --servers 127.0.0.1:2181 --op set --clients 16 --size 100 --duration 10s
  zkctl bench --servers 127.0.0.1:2181,127.0.0.1:2182 --op get --json
  zkctl bench --cluster local --op set --duration 5s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			servers, err := o.resolveServers(cmd.Flags().Changed("servers"))
			if err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			cfg := bench.Config{Servers: servers, Op: o.op, Clients: o.clients, Size: o.size, Duration: o.duration, Root: o.root}
			res, err := bench.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if o.json {
				b, err := json.Marshal(res)
				if err != nil {
					return fmt.Errorf("bench: encode result: %w", err)
				}
				_, err = fmt.Fprintln(out, string(b))
				return err
			}
			_, err = fmt.Fprintln(out, res.String())
			return err
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.servers, "servers", []string{"127.0.0.1:2181"}, "client addresses host:port[,host:port...]")
	f.StringVar(&o.cluster, "cluster", "", "bench the running cluster NAME started by `zkctl up` instead of --servers")
	f.StringVar(&o.dir, "dir", launcher.DefaultDir(), "directory holding clusters (with --cluster)")
	f.StringVar(&o.op, "op", bench.OpSet, "operation: create, set or get")
	f.IntVar(&o.clients, "clients", 8, "concurrent clients, each with its own connection")
	f.IntVar(&o.size, "size", 100, "payload size in bytes")
	f.DurationVar(&o.duration, "duration", 10*time.Second, "measured window")
	f.StringVar(&o.root, "root", "", "parent znode for the benchmark's nodes (default /zkctl-bench-<random>)")
	f.BoolVar(&o.json, "json", false, "print one JSON object instead of a line of text")
	return cmd
}

// resolveServers returns the client addresses to bench: --servers, or with
// --cluster those of the running cluster. Both at once is refused rather
// than one silently winning (serversSet says --servers was given, since it
// has a default).
func (o benchOptions) resolveServers(serversSet bool) ([]string, error) {
	if o.cluster == "" {
		var servers []string
		for _, s := range o.servers {
			if s = strings.TrimSpace(s); s != "" {
				servers = append(servers, s)
			}
		}
		return servers, nil
	}
	if serversSet {
		return nil, fmt.Errorf("--cluster and --servers both say where to connect: give one of them")
	}
	// Find, as `zkctl status` does, so that a stale cluster.json of a
	// launcher that is gone is an error rather than a bench of dead ports.
	c, err := launcher.Find(o.dir, o.cluster)
	if err != nil {
		return nil, err
	}
	return clusterClientAddrs(c.File), nil
}

// clusterClientAddrs lists the address clients are given for every server
// of cf: its ClientPort, which is the client proxy with --proxy-clients, so
// that link faults reach the bench's connections as they reach any client.
// Observers are included: they serve clients too.
func clusterClientAddrs(cf *launcher.ClusterFile) []string {
	var out []string
	for _, n := range cf.Nodes {
		port := n.ClientPort
		if port == 0 {
			port = n.ServerClientPort
		}
		if port == 0 {
			continue
		}
		out = append(out, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	}
	return out
}
