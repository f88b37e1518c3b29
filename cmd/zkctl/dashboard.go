package main

import (
	"context"
	"fmt"

	"os"
	"strconv"
	"time"

	"github.com/spf13/pflag"
	"github.com/zkctl/zkctl/launcher"
	"github.com/zkctl/zkctl/tui"
	"go.yaml.in/yaml/v3"
)

// dashboardOptions are the dashboard settings of `zkctl up`.
type dashboardOptions struct {
	// every is the poll interval.
	every time.Duration
	// configFile is the zkctl.yaml named by --zkctl-config ("" = default places).
	configFile string
}

// runTUI opens the dashboard over a running launcher until the user quits.
// Quitting with "leave running" keeps this process (which owns the servers
// and the link proxies) alive, printing events headless, so that zkctl
// status / do / down keep working from other terminals.
func runTUI(ctx context.Context, l *launcher.Launcher, pr *eventPrinter, o dashboardOptions) error {
	st, err := l.Status(ctx)
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	cfg := tui.DefaultConfig()
	cfg.Name = st.Name
	cfg.Controller = l
	if o.every > 0 {
		cfg.Every = o.every
	}
	for _, n := range st.Nodes {
		t := tui.Target{ID: n.ID, Admin: "127.0.0.1:" + strconv.Itoa(n.AdminPort)}
		if n.ClientPort > 0 {
			t.Client = "127.0.0.1:" + strconv.Itoa(n.ClientPort) // the data view reads here
		}
		cfg.Targets = append(cfg.Targets, t)
	}
	bindings, err := keyBindings(o.configFile)
	if err != nil {
		return err
	}
	cfg.Bindings = bindings
	choice, err := tui.Run(cfg, nil, nil)
	if err != nil {
		return err
	}
	if choice == tui.QuitStopCluster {
		return nil
	}
	fmt.Fprintf(pr.out, "zkctl up: dashboard closed, cluster %s left running (zkctl status --name %[1]s; zkctl down --name %[1]s; Ctrl-C here stops it)\n", st.Name)
	pr.skipTo(ctx)
	return pr.run(ctx)
}

// keyBindings reads the `keys:` map of zkctl.yaml: key name → chaos line.
func keyBindings(file string) (map[string]string, error) {
	path := findConfigFile(file)
	if path == "" {
		if file != "" {
			return nil, fmt.Errorf("zkctl.yaml: %s not found", file)
		}
		return nil, nil
	}
	// Viper lower-cases keys, but key names are case-sensitive (x kills,
	// X kills the leader), so read the keys map from the file itself.
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("zkctl.yaml: %w", err)
	}
	var doc struct {
		Keys map[string]string `yaml:"keys"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: keys: %w", path, err)
	}
	out := doc.Keys
	return out, nil
}

// skipTo marks every event so far as printed (the dashboard showed them).
func (p *eventPrinter) skipTo(ctx context.Context) {
	_, last := p.l.Events(ctx, p.seq, 0)
	if last > p.seq {
		p.seq = last
	}
}

// configFileFlag returns the --zkctl-config value ("" when unset).
func configFileFlag(cmd interface {
	Flag(name string) *pflag.Flag
}) string {
	if f := cmd.Flag("zkctl-config"); f != nil {
		return f.Value.String()
	}
	return ""
}
