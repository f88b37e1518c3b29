package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/zkctl/zkctl/bench"
)

// benchOptions are the flags of `zkctl bench`.
type benchOptions struct {
	servers  []string
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
Nodes are left under --root (default /zkctl-bench-<random>).`,
		Example: `  zkctl bench --servers 127.0.0.1:2181 --op set --clients 16 --size 100 --duration 10s
  zkctl bench --servers 127.0.0.1:2181,127.0.0.1:2182 --op get --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var servers []string
			for _, s := range o.servers {
				if s = strings.TrimSpace(s); s != "" {
					servers = append(servers, s)
				}
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
	f.StringVar(&o.op, "op", bench.OpSet, "operation: create, set or get")
	f.IntVar(&o.clients, "clients", 8, "concurrent clients, each with its own connection")
	f.IntVar(&o.size, "size", 100, "payload size in bytes")
	f.DurationVar(&o.duration, "duration", 10*time.Second, "measured window")
	f.StringVar(&o.root, "root", "", "parent znode for the benchmark's nodes (default /zkctl-bench-<random>)")
	f.BoolVar(&o.json, "json", false, "print one JSON object instead of a line of text")
	return cmd
}
