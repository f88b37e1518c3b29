package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
)

type logsOptions struct {
	clusterOptions
	follow bool
}

func newLogsCommand() *cobra.Command {
	var o logsOptions
	cmd := &cobra.Command{
		Use:   "logs [ID]",
		Short: "Print one server's log, or all of them with a zkN | prefix",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLogs(cmd.Context(), cmd.OutOrStdout(), o, args)
		},
	}
	o.addFlags(cmd)
	cmd.Flags().BoolVarP(&o.follow, "follow", "f", false, "keep printing new lines")
	return cmd
}

// logFile is one server's log.
type logFile struct {
	id   int
	path string
}

func runLogs(ctx context.Context, out io.Writer, o logsOptions, args []string) error {
	cdir := filepath.Join(o.dir, o.name)
	files, err := findLogs(cdir)
	if err != nil {
		return fmt.Errorf("logs: %w", err)
	}
	if len(args) == 1 {
		id, err := strconv.Atoi(args[0])
		if err != nil {
			return fmt.Errorf("logs: %q is not a node id", args[0])
		}
		var one []logFile
		for _, f := range files {
			if f.id == id {
				one = append(one, f)
			}
		}
		if len(one) == 0 {
			return fmt.Errorf("logs: cluster %s has no node %d (looked in %s)", o.name, id, cdir)
		}
		return streamLogs(ctx, out, one, false, false, o.follow)
	}
	color := os.Getenv("NO_COLOR") == "" && isStdoutTTY(out)
	return streamLogs(ctx, out, files, true, color, o.follow)
}

func isStdoutTTY(out io.Writer) bool {
	f, ok := out.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// findLogs lists node-*/server.log under a cluster directory by node id.
func findLogs(cdir string) ([]logFile, error) {
	matches, _ := filepath.Glob(filepath.Join(cdir, "node-*", "server.log"))
	var out []logFile
	for _, m := range matches {
		id, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(filepath.Dir(m)), "node-"))
		if err == nil {
			out = append(out, logFile{id: id, path: m})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no server logs in %s (is the cluster name right?)", cdir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, nil
}

// prefixColors cycles through ANSI colours per node.
var prefixColors = [...]string{"36", "33", "32", "35", "34", "31", "96", "93", "92"}

// linePrefix is the fixed-width "zk3 | " prefix of merged output.
func linePrefix(id int, color bool) string {
	p := fmt.Sprintf("zk%-2d| ", id)
	if !color {
		return p
	}
	return "\x1b[" + prefixColors[(id-1+len(prefixColors))%len(prefixColors)] + "m" + p + "\x1b[0m"
}

// streamLogs copies each file line by line to out, prefixed when asked,
// and keeps following them with follow until ctx ends.
func streamLogs(ctx context.Context, out io.Writer, files []logFile, prefix, color, follow bool) error {
	var mu sync.Mutex
	write := func(id int, line string) {
		mu.Lock()
		defer mu.Unlock()
		if prefix {
			fmt.Fprint(out, linePrefix(id, color))
		}
		fmt.Fprintln(out, line)
	}
	if !follow {
		for _, f := range files {
			if err := copyLines(ctx, f, write, false); err != nil {
				return err
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	errs := make([]error, len(files))
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = copyLines(ctx, f, write, true)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// copyLines writes the complete lines of f; with follow it polls for more
// until ctx ends.
func copyLines(ctx context.Context, f logFile, write func(int, string), follow bool) error {
	fh, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("logs: %w", err)
	}
	defer fh.Close()
	r := bufio.NewReader(fh)
	var partial strings.Builder
	for {
		s, err := r.ReadString('\n')
		partial.WriteString(s)
		if err == nil {
			write(f.id, strings.TrimRight(partial.String(), "\r\n"))
			partial.Reset()
			continue
		}
		if !errors.Is(err, io.EOF) {
			return fmt.Errorf("logs: read %s: %w", f.path, err)
		}
		if !follow {
			if partial.Len() > 0 {
				write(f.id, partial.String())
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}
