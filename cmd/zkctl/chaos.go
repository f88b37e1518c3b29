package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/zkctl/zkctl/chaos"
	"github.com/zkctl/zkctl/launcher"
)

func newChaosCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "chaos",
		Short: "Run chaos scripts and check client histories",
	}
	cmd.AddCommand(newChaosRunCommand(), newChaosCheckCommand())
	return cmd
}

type chaosRunOptions struct {
	clusterOptions
	seed     int64
	noRecord bool
	within   time.Duration
}

func newChaosRunCommand() *cobra.Command {
	var o chaosRunOptions
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a chaos script against a running cluster (exit 0 pass, 1 failed expect/check, 2 script error)",
		Long: `Run a chaos script (see examples/*.chaos) against the cluster started by
'zkctl up'. The script runs in this process and drives the launcher through
its control API; its actions are recorded in <dir>/<name>/sessions/, the
workload history in <dir>/<name>/history/. The script ends by healing every
link and resuming paused servers unless it contains 'noheal'. A summary
(operations, elections, faults, linearizability) is printed at the end.`,
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := os.ReadFile(args[0])
			if err != nil {
				return withExitCode(chaos.ExitScriptError, fmt.Errorf("chaos run: %w", err))
			}
			if _, err := chaos.Parse(string(src)); err != nil {
				return withExitCode(chaos.ExitScriptError, fmt.Errorf("chaos run: %s: %w", args[0], err))
			}
			c, err := launcher.Find(o.dir, o.name)
			if err != nil {
				return withExitCode(chaos.ExitScriptError, fmt.Errorf("chaos run: %w (start one with: zkctl up --name %s)", err, o.name))
			}
			out := cmd.OutOrStdout()
			cfg := chaos.RunnerConfig{Seed: o.seed, Out: out, Source: launcher.SourceScript, WaitWithin: o.within}
			if c.File != nil {
				cfg.ClusterDir = c.File.Dir
				if !o.noRecord {
					cfg.Recorder = chaos.NewRecorder(c.File.Dir)
				}
			}
			r := chaos.NewRunner(c, cfg)
			// RunScript prints progress and the summary, and checks the
			// history at the end when the script ran a load but no check.
			runErr := r.RunScript(cmd.Context(), c, args[0], src, out)
			closeErr := r.Close()
			if runErr != nil {
				return withExitCode(chaos.ExitCode(runErr), fmt.Errorf("chaos run %s: %w", args[0], runErr))
			}
			if closeErr != nil {
				return withExitCode(chaos.ExitScriptError, fmt.Errorf("chaos run %s: %w", args[0], closeErr))
			}
			return nil
		},
	}
	o.addFlags(cmd)
	cmd.Flags().Int64Var(&o.seed, "seed", 0, "seed for random targets and nemesis (0: from the clock; printed either way)")
	cmd.Flags().BoolVar(&o.noRecord, "no-record", false, "do not record the session under <dir>/<name>/sessions")
	cmd.Flags().DurationVar(&o.within, "wait-within", 30*time.Second, "default bound of wait leader|quorum|synced without 'within'")
	return cmd
}

func newChaosCheckCommand() *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:          "check HISTORY",
		Short:        "Check a workload history file for linearizability (writes HISTORY.html next to it)",
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := chaos.CheckFile(args[0], timeout)
			if err != nil {
				return withExitCode(chaos.ExitScriptError, fmt.Errorf("chaos check: %w", err))
			}
			fmt.Fprintln(cmd.OutOrStdout(), res.String())
			if !res.Linearizable {
				return withExitCode(chaos.ExitFailed, fmt.Errorf("chaos check %s: %s", args[0], res.Verdict()))
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", time.Minute, "bound on the linearizability search (inconclusive past it)")
	return cmd
}
