package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/zkctl/zkctl/launcher"
)

// traceExportOptions are the flags of `zkctl trace export`.
type traceExportOptions struct {
	clusterOptions
	format string
	input  string
	// maxMessages bounds the messages an html page draws (0: all).
	maxMessages int
}

func newTraceExportCommand() *cobra.Command {
	var o traceExportOptions
	cmd := &cobra.Command{
		Use:   "export FILE",
		Short: "Write the message log as a Perfetto trace or an HTML sequence diagram",
		Long: `Write the messages the link proxies decoded.

--format perfetto (the default) writes Chrome trace-event JSON,
which the Perfetto UI (ui.perfetto.dev) and chrome://tracing open: a track
per server, each message a flow arrow from sender to receiver, and spans for
each server's elections (from its first LOOKING notification to its first
vote as FOLLOWING or LEADING, or its first FOLLOWERINFO or LEADERINFO) and each learner's sync (FOLLOWERINFO to
UPTODATE). The log comes from the running launcher, or with --input from a
<dir>/<name>/trace/*.jsonl file of an earlier run.

--format html writes one self-contained page (inline CSS and SVG, no
script, nothing fetched) with the sequence diagram the dashboard's timeline
draws: a lifeline per server, an arrow per message in time order, labelled
with its vote or packet type; hover an arrow for all its fields. It draws
the first --max-messages messages.`,
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.format != "perfetto" && o.format != "html" {
				return fmt.Errorf("trace export: --format %q: perfetto or html", o.format)
			}
			if o.maxMessages < 0 {
				return fmt.Errorf("trace export: --max-messages %d: 0 (all) or more", o.maxMessages)
			}
			msgs, err := loadMessages(cmd.Context(), o)
			if err != nil {
				return err
			}
			var out []byte
			hint := "open it in ui.perfetto.dev or chrome://tracing"
			n := len(msgs)
			if o.format == "html" {
				cluster := o.name
				if o.input != "" && !cmd.Flags().Changed("name") {
					cluster = clusterFromInput(o.input, o.name)
				}
				out, err = htmlTrace(msgs, cluster, o.maxMessages)
				hint = "open it in a browser; it works offline"
				if o.maxMessages > 0 {
					n = min(n, o.maxMessages)
				}
			} else {
				out, err = perfettoTrace(msgs)
			}
			if err != nil {
				return err
			}
			if err := os.WriteFile(args[0], out, 0o644); err != nil {
				return fmt.Errorf("trace export: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d of %d messages to %s (%s)\n", n, len(msgs), args[0], hint)
			return nil
		},
	}
	o.addFlags(cmd)
	cmd.Flags().StringVar(&o.format, "format", "perfetto", "output format: perfetto (Chrome trace-event JSON) or html (a sequence diagram page)")
	cmd.Flags().IntVar(&o.maxMessages, "max-messages", 2000, "html: draw at most this many messages, the first in time order (0: all)")
	cmd.Flags().StringVar(&o.input, "input", "", "read a trace/*.jsonl file instead of asking the running launcher")
	return cmd
}

// loadMessages reads the whole log from the launcher or from o.input.
func loadMessages(ctx context.Context, o traceExportOptions) ([]launcher.Message, error) {
	if o.input != "" {
		f, err := os.Open(o.input)
		if err != nil {
			return nil, fmt.Errorf("trace export: %w", err)
		}
		defer f.Close()
		var msgs []launcher.Message
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			var m launcher.Message
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				return nil, fmt.Errorf("trace export: %s: %w", o.input, err)
			}
			msgs = append(msgs, m)
		}
		return msgs, sc.Err()
	}
	c, err := launcher.Find(o.dir, o.name)
	if err != nil {
		return nil, fmt.Errorf("trace export: %w (or give --input FILE.jsonl)", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := c.Messages(ctx, 0, "", 0)
	if err != nil {
		return nil, fmt.Errorf("trace export: %w", err)
	}
	return resp.Messages, nil
}

// traceEvent is one Chrome trace event (the JSON Object Format).
type traceEvent struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`
	Ts   float64        `json:"ts"` // microseconds
	Dur  float64        `json:"dur,omitempty"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	ID   uint64         `json:"id,omitempty"`
	BP   string         `json:"bp,omitempty"`
	Args map[string]any `json:"args,omitempty"`
}

// Thread ids inside each server's track.
const (
	tidMessages = 1
	tidPhases   = 2
)

// perfettoTrace turns messages into Chrome trace-event JSON: a process per
// server, a 1 µs slice per send and receive joined by a flow arrow, and
// spans for elections and syncs.
func perfettoTrace(msgs []launcher.Message) ([]byte, error) {
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].TimeNs < msgs[j].TimeNs })
	var evs []traceEvent
	servers := map[int]bool{}
	us := func(ns int64) float64 { return float64(ns) / 1e3 }
	electionStart := map[int]int64{}
	syncStart := map[int]int64{}
	span := func(pid int, name string, from, to int64) {
		evs = append(evs, traceEvent{Name: name, Cat: "phase", Ph: "X", Ts: us(from), Dur: max(us(to)-us(from), 1), Pid: pid, Tid: tidPhases})
	}
	for _, m := range msgs {
		servers[m.From], servers[m.To] = true, true
		name := m.Type
		if m.Type == "notification" {
			name = fmt.Sprintf("%v vote %v", m.Fields["state"], m.Fields["leader"])
		}
		args := map[string]any{"summary": m.Summary, "link": m.Link, "seq": m.Seq}
		if m.Fault != "" {
			args["fault"] = m.Fault
		}
		t := us(m.TimeNs)
		evs = append(evs,
			traceEvent{Name: name, Cat: m.Kind, Ph: "X", Ts: t, Dur: 1, Pid: m.From, Tid: tidMessages, Args: args},
			traceEvent{Name: "msg", Cat: m.Kind, Ph: "s", Ts: t, Pid: m.From, Tid: tidMessages, ID: m.Seq})
		if m.Fault != "dropped" {
			evs = append(evs,
				traceEvent{Name: name, Cat: m.Kind, Ph: "X", Ts: t + 1, Dur: 1, Pid: m.To, Tid: tidMessages, Args: args},
				traceEvent{Name: "msg", Cat: m.Kind, Ph: "f", BP: "e", Ts: t + 1, Pid: m.To, Tid: tidMessages, ID: m.Seq})
		}
		// A server's election ends with its first vote as FOLLOWING or
		// LEADING or, as a decided server may send none, with the first
		// Zab packet of its new role.
		st, _ := m.Fields["state"].(string)
		start, in := electionStart[m.From]
		switch {
		case m.Type == "notification" && st == "LOOKING" && !in:
			electionStart[m.From] = m.TimeNs
		case in && (m.Type == "notification" || m.Type == "FOLLOWERINFO" || m.Type == "OBSERVERINFO" || m.Type == "LEADERINFO"):
			span(m.From, "election", start, m.TimeNs)
			delete(electionStart, m.From)
		}
		switch m.Type {
		case "FOLLOWERINFO", "OBSERVERINFO":
			syncStart[m.From] = m.TimeNs
		case "UPTODATE":
			if start, ok := syncStart[m.To]; ok {
				span(m.To, "sync", start, m.TimeNs)
				delete(syncStart, m.To)
			}
		}
	}
	ids := make([]int, 0, len(servers))
	for id := range servers {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	meta := make([]traceEvent, 0, 3*len(ids))
	for _, id := range ids {
		meta = append(meta,
			traceEvent{Name: "process_name", Ph: "M", Pid: id, Args: map[string]any{"name": fmt.Sprintf("zk%d", id)}},
			traceEvent{Name: "thread_name", Ph: "M", Pid: id, Tid: tidMessages, Args: map[string]any{"name": "messages"}},
			traceEvent{Name: "thread_name", Ph: "M", Pid: id, Tid: tidPhases, Args: map[string]any{"name": "elections and syncs"}})
	}
	return json.Marshal(map[string]any{"traceEvents": append(meta, evs...), "displayTimeUnit": "ms"})
}
