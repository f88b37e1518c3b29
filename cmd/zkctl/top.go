package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/observe"
	"github.com/zkctl/zkctl/tui"
)

// exitTopBadInput is top's exit status when it could not check at all: a
// bad connect string or flags. 0-3 are observe.Health.
const exitTopBadInput = 4

type topOptions struct {
	servers     []string
	every       time.Duration
	once        bool
	json        bool
	window      time.Duration
	timeout     time.Duration
	adminPort   int
	maxLagZxids int64
	maxLag      time.Duration
	auth        []string
}

func newTopCommand() *cobra.Command {
	o := &topOptions{}
	cmd := &cobra.Command{
		Use:   "top [HOST:PORT,HOST:PORT[/chroot]] [--servers host:adminport,...] [--once [--json]]",
		Short: "Watch any running ensemble (zkctl or Apache ZooKeeper 3.4-3.9) from its connect string, read-only",
		Long: `top shows a running ensemble without a launcher. Give it the connect string
your clients use (the form zkCli.sh -server takes): it reads conf on the servers
it reaches to find the other members, and reads each server through its
AdminServer when one answers for it, else through the four-letter words on the
client port (srvr, mntr, conf, isro, cons, wchs). What a source cannot tell is
shown as "?"; words refused by 4lw.commands.whitelist are named. --servers
takes AdminServer addresses instead, as before.

--once prints one snapshot (a plain table, or --json) and exits with
0 healthy, 1 degraded (quorum, but a server down, lagging or read-only),
2 no quorum or two leaders, 3 nothing reachable, 4 bad input. See docs/top.md.`,
		Example: `  zkctl top 127.0.0.1:2181
  zkctl top zk1:2181,zk2:2181,zk3:2181/kafka --once
  zkctl top 127.0.0.1:2181 --once --json | jq .health_name
  zkctl top --servers 127.0.0.1:8080,127.0.0.1:8081`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runTop(cmd, o, args) },
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.servers, "servers", nil, "admin port addresses host:port, comma separated (instead of a connect string)")
	f.DurationVar(&o.every, "every", 250*time.Millisecond, "poll interval")
	f.BoolVar(&o.once, "once", false, "print one snapshot and exit with the health status (no terminal needed)")
	f.BoolVar(&o.json, "json", false, "with --once: print JSON (schema in docs/top.md)")
	f.DurationVar(&o.window, "window", time.Second, "with --once: poll for this long (every --every) to measure lag in seconds; 0 polls once")
	f.DurationVar(&o.timeout, "timeout", time.Second, "bound on one request to one server")
	f.IntVar(&o.adminPort, "admin-port", 0, "AdminServer port to try when conf shows none (0: ZooKeeper's default 8080, -1: none); used only if it answers with the server's myid")
	f.Int64Var(&o.maxLagZxids, "max-lag-zxids", observe.DefaultThresholds().MaxLagZxids, "a follower further behind the leader is lagging (degraded)")
	f.StringArrayVar(&o.auth, "auth", nil, "credentials for the data view (key d), scheme:credentials, e.g. digest:user:password; repeatable")
	f.DurationVar(&o.maxLag, "max-lag", time.Duration(observe.DefaultThresholds().MaxLagSeconds*float64(time.Second)), "a follower behind the leader for longer is lagging (degraded)")
	return cmd
}

func runTop(cmd *cobra.Command, o *topOptions, args []string) error {
	bad := func(err error) error { return withExitCode(exitTopBadInput, err) }
	if len(args) == 1 && len(o.servers) > 0 {
		return bad(errors.New("top: give either a connect string or --servers, not both"))
	}
	if len(args) == 0 && len(o.servers) == 0 {
		return bad(errors.New("top: give the ensemble's connect string, e.g. zkctl top 127.0.0.1:2181,127.0.0.1:2182, or --servers with admin addresses"))
	}
	if o.json && !o.once {
		return bad(errors.New("top: --json needs --once"))
	}
	for _, a := range o.auth {
		if s, c, ok := strings.Cut(a, ":"); !ok || s == "" || c == "" {
			return bad(fmt.Errorf("top: --auth %q: want scheme:credentials, e.g. digest:user:password", a))
		}
	}
	if o.every <= 0 || o.timeout <= 0 || o.window < 0 {
		return bad(errors.New("top: --every and --timeout must be positive, --window not negative"))
	}
	ctx := cmd.Context()
	oo := observe.Options{Timeout: o.timeout, AdminPort: o.adminPort}
	var servers []observe.Server
	connect := strings.Join(o.servers, ",")
	if len(args) == 1 {
		connect = args[0]
		seeds, _, err := observe.ParseConnectString(args[0])
		if err != nil {
			return bad(fmt.Errorf("top: %w", err))
		}
		servers = observe.Discover(ctx, seeds, oo)
	} else {
		for _, a := range o.servers {
			servers = append(servers, observe.Server{Admin: strings.TrimSpace(a)})
		}
	}
	if o.once {
		return topOnce(ctx, cmd, o, oo, connect, servers)
	}
	if !isatty.IsTerminal(os.Stdout.Fd()) || !isatty.IsTerminal(os.Stdin.Fd()) {
		return bad(errors.New("top: stdout is not a terminal; use zkctl top --once [--json] for one snapshot"))
	}
	cfg := tui.DefaultConfig()
	cfg.Name = "top"
	cfg.Every = o.every
	cfg.DataAuth = o.auth
	if len(args) == 1 {
		// Six words, one connection each, per server and poll: the 80% of
		// --every the dashboard allows by default is too tight on a busy host.
		cfg.RequestTimeout = o.timeout
		cfg.Targets = connectTargets(servers)
	} else {
		cfg.Targets = discoverTargets(ctx, o.servers)
	}
	_, err := tui.Run(cfg, nil, nil)
	return err
}

// topOnce polls for --window, prints one snapshot and returns its health
// as the exit status.
func topOnce(ctx context.Context, cmd *cobra.Command, o *topOptions, oo observe.Options, connect string, servers []observe.Server) error {
	var tracker observe.LagTracker
	var rs []observe.Result
	start := time.Now()
	for {
		rs = observe.Poll(ctx, servers, oo)
		now := time.Now()
		tracker.ObserveRound(now, rs)
		if now.Sub(start) >= o.window || ctx.Err() != nil {
			break
		}
		select {
		case <-time.After(o.every):
		case <-ctx.Done():
		}
	}
	th := observe.Thresholds{MaxLagZxids: o.maxLagZxids, MaxLagSeconds: o.maxLag.Seconds()}
	snap := observe.Build(connect, rs, &tracker, time.Now(), th)
	var err error
	if o.json {
		err = observe.WriteJSON(cmd.OutOrStdout(), snap)
	} else {
		err = observe.WriteTable(cmd.OutOrStdout(), snap)
	}
	if err != nil {
		return fmt.Errorf("top: %w", err)
	}
	if snap.Health != observe.Healthy {
		return withExitCode(int(snap.Health), fmt.Errorf("top %s: %s: %s", connect, snap.HealthName, strings.Join(snap.Reasons, "; ")))
	}
	return nil
}

// connectTargets names each discovered server by its myid, or by a number
// above the ids in use when no answer told it.
func connectTargets(servers []observe.Server) []tui.Target {
	used := map[int]bool{}
	for _, s := range servers {
		if s.ID > 0 && s.ID < 1<<20 {
			used[int(s.ID)] = true
		}
	}
	next := 1
	targets := make([]tui.Target, 0, len(servers))
	for _, s := range servers {
		id := int(s.ID)
		if s.ID <= 0 || s.ID >= 1<<20 {
			for used[next] {
				next++
			}
			id = next
			used[id] = true
		}
		targets = append(targets, tui.Target{ID: id, Admin: s.Admin, Client: s.Client})
	}
	return targets
}

// discoverTargets names each admin address by the server's myid when it
// answers quickly, else by its position in the list.
func discoverTargets(ctx context.Context, addrs []string) []tui.Target {
	targets := make([]tui.Target, 0, len(addrs))
	used := map[int]bool{}
	for i, a := range addrs {
		a = strings.TrimSpace(a)
		id := i + 1
		c := adminapi.NewClient(a, 700*time.Millisecond)
		if p, err := c.PeerOrZooKeeper(ctx); err == nil && p.MyID > 0 && p.MyID < 1000 && !used[int(p.MyID)] {
			id = int(p.MyID)
		}
		for used[id] {
			id += 100
		}
		used[id] = true
		targets = append(targets, tui.Target{ID: id, Admin: a})
	}
	return targets
}
