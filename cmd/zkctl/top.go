package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"github.com/zkctl/zkctl/adminapi"
	"github.com/zkctl/zkctl/tui"
)

type topOptions struct {
	servers []string
	every   time.Duration
}

func newTopCommand() *cobra.Command {
	o := &topOptions{}
	cmd := &cobra.Command{
		Use:   "top --servers host:adminport[,...]",
		Short: "Watch any running ensemble (zkctl or Apache ZooKeeper 3.8) in the dashboard, read-only",
		Long: `top attaches the dashboard to servers' admin ports without a launcher: it shows
state, votes, epochs, zxids and learner sync of zkctl servers, and what Apache
ZooKeeper 3.8's AdminServer exposes (mode, zxid, epoch, synced followers).
Actions are disabled; use zkctl up for a cluster you can break.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runTop(cmd, o) },
	}
	cmd.Flags().StringSliceVar(&o.servers, "servers", nil, "admin port addresses host:port, comma separated (required)")
	cmd.Flags().DurationVar(&o.every, "every", 250*time.Millisecond, "poll interval")
	return cmd
}

func runTop(cmd *cobra.Command, o *topOptions) error {
	if len(o.servers) == 0 {
		return errors.New("top: --servers is required, e.g. --servers 127.0.0.1:8080,127.0.0.1:8081")
	}
	if !isatty.IsTerminal(os.Stdout.Fd()) || !isatty.IsTerminal(os.Stdin.Fd()) {
		return errors.New("top: stdout is not a terminal; use zkctl status --json or curl the admin port's /commands/peer instead")
	}
	cfg := tui.DefaultConfig()
	cfg.Name = "top"
	cfg.Every = o.every
	cfg.Targets = discoverTargets(cmd.Context(), o.servers)
	_, err := tui.Run(cfg, nil, nil)
	return err
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
