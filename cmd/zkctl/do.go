package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/zkctl/zkctl/chaos"
	"github.com/zkctl/zkctl/launcher"
)

// doOptions are the flags of `zkctl do` and of the fault shortcuts.
type doOptions struct {
	clusterOptions
	timeout time.Duration
}

func (o *doOptions) addFlags(cmd *cobra.Command) {
	o.clusterOptions.addFlags(cmd)
	cmd.Flags().DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up waiting for the command after this long")
}

func newDoCommand() *cobra.Command {
	var o doOptions
	cmd := &cobra.Command{
		Use:   "do COMMAND...",
		Short: "Run one chaos-language line on a running cluster (e.g. zkctl do 'partition 1,2 | 3,4,5')",
		Long: `Send one line of the chaos language to the launcher of a running cluster,
which runs it through its chaos runner and session recorder. Several
commands may be separated by ';'. A 'load' started this way keeps running
inside 'zkctl up' until 'zkctl do load off'. Data commands take quoted data:
zkctl do 'create /a "x"'; zkctl do 'delete -r /a' (docs/dataview.md).

Commands: ` + strings.Join(chaos.Commands, ", "),
		Args:         cobra.MinimumNArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLine(cmd, o, strings.Join(args, " "))
		},
	}
	o.addFlags(cmd)
	return cmd
}

// runLine checks a line's syntax locally, then sends it to the running
// cluster. Exit status: 0 done, 1 failed expect/wait/check, 2 bad line,
// no cluster or any other error.
func runLine(cmd *cobra.Command, o doOptions, line string) error {
	if _, err := chaos.ParseLine(line); err != nil {
		return withExitCode(chaos.ExitScriptError, fmt.Errorf("do: %w", err))
	}
	c, err := launcher.Find(o.dir, o.name)
	if err != nil {
		return withExitCode(chaos.ExitScriptError, fmt.Errorf("do: %w (start one with: zkctl up --name %s)", err, o.name))
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), o.timeout)
	defer cancel()
	out, err := c.RunLine(ctx, line)
	if out != "" {
		fmt.Fprint(cmd.OutOrStdout(), out)
		if !strings.HasSuffix(out, "\n") {
			fmt.Fprintln(cmd.OutOrStdout())
		}
	}
	if err != nil {
		// The control API carries the runner's exit status (1 failed
		// expect/wait/check, 2 anything else) and the line's output so far.
		return withExitCode(chaos.ExitCode(err), fmt.Errorf("do %q: %w", line, err))
	}
	return nil
}
