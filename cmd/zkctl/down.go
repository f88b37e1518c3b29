package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/zkctl/zkctl/launcher"
)

// clusterOptions name a running cluster.
type clusterOptions struct {
	name string
	dir  string
}

func (o *clusterOptions) addFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.name, "name", "local", "cluster name")
	cmd.Flags().StringVar(&o.dir, "dir", launcher.DefaultDir(), "directory holding clusters")
}

type downOptions struct {
	clusterOptions
	timeout time.Duration
}

func newDownCommand() *cobra.Command {
	var o downOptions
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Stop a cluster started by `zkctl up` and wait until it is gone",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := launcher.Find(o.dir, o.name)
			if err != nil {
				return fmt.Errorf("down: %w", err)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), o.timeout)
			defer cancel()
			if err := c.Down(ctx); err != nil {
				return fmt.Errorf("down: %w", err)
			}
			// Wait for the launcher process to finish stopping everything.
			pid := c.File.LauncherPID
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for launcherAlive(pid) {
				select {
				case <-ctx.Done():
					return fmt.Errorf("down: cluster %s: launcher pid %d still running after %v", o.name, pid, o.timeout)
				case <-t.C:
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "cluster %s is down\n", o.name)
			return nil
		},
	}
	o.addFlags(cmd)
	cmd.Flags().DurationVar(&o.timeout, "timeout", 30*time.Second, "how long to wait for the cluster to stop")
	return cmd
}
