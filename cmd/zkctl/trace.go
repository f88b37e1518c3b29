package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/zkctl/zkctl/launcher"
)

// traceOptions are the flags of `zkctl trace`.
type traceOptions struct {
	clusterOptions
	follow bool
	kind   string
	json   bool
	since  uint64
}

func newTraceCommand() *cobra.Command {
	var o traceOptions
	cmd := &cobra.Command{
		Use:   "trace",
		Short: "Print the election and Zab messages the link proxies forwarded, decoded",
		Long: `Print the messages between servers that the launcher's link proxies
decoded: election handshakes and notifications (state, vote, round),
QuorumPackets (FOLLOWERINFO, LEADERINFO, ..., PROPOSAL with its txn),
one line each, oldest first; --json prints one JSON object per line in the
schema of docs/trace.md. The launcher keeps the last messages in memory and
all of them in <dir>/<name>/trace/*.jsonl.`,
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.kind != "" && o.kind != launcher.MsgElection && o.kind != launcher.MsgZab {
				return fmt.Errorf("trace: --kind %q: want election or zab", o.kind)
			}
			c, err := launcher.Find(o.dir, o.name)
			if err != nil {
				return fmt.Errorf("trace: %w (start one with: zkctl up --name %s)", err, o.name)
			}
			return runTrace(cmd.Context(), cmd.OutOrStdout(), c, o)
		},
	}
	o.addFlags(cmd)
	cmd.AddCommand(newTraceExportCommand())
	f := cmd.Flags()
	f.BoolVarP(&o.follow, "follow", "f", false, "keep printing new messages")
	f.StringVar(&o.kind, "kind", "", "only election or zab messages")
	f.BoolVar(&o.json, "json", false, "one JSON object per message")
	f.Uint64Var(&o.since, "since", 0, "only messages after this sequence number")
	return cmd
}

// runTrace prints the message log from src, following it with -f until ctx ends.
func runTrace(ctx context.Context, out io.Writer, src launcher.MessageSource, o traceOptions) error {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false) // keep "1->2" readable
	since := o.since
	var dropped int64
	for {
		wait := time.Duration(0)
		if o.follow {
			wait = 5 * time.Second
		}
		resp, err := src.Messages(ctx, since, o.kind, wait)
		if err != nil {
			if o.follow && errors.Is(ctx.Err(), context.Canceled) {
				return nil
			}
			return fmt.Errorf("trace: %w", err)
		}
		for _, m := range resp.Messages {
			if o.json {
				if err := enc.Encode(m); err != nil {
					return err
				}
				continue
			}
			if _, err := fmt.Fprintln(out, m.String()); err != nil {
				return err
			}
		}
		if resp.Dropped > dropped && !o.json {
			fmt.Fprintf(out, "(%d messages were forwarded but not decoded: the decoder fell behind)\n", resp.Dropped-dropped)
		}
		dropped = resp.Dropped
		since = resp.Last
		if !o.follow {
			return nil
		}
	}
}
