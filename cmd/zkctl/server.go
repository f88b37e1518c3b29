package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zkctl/zkctl/node"
	"github.com/zkctl/zkctl/node/zkconfig"
)

// Exit codes of `zkctl server`.
const (
	exitConfig  = 2 // the config file is missing or invalid
	exitStartup = 3 // the server could not start (data dir, port)
	exitFailed  = 4 // the server failed while running (txn log write)
)

// serverOptions are the flags of `zkctl server`.
type serverOptions struct {
	config     string
	logLevel   string
	cpuProfile string
}

func newServerCommand() *cobra.Command {
	var o serverOptions
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run a ZooKeeper-compatible server from a zoo.cfg",
		Long: "Run a ZooKeeper 3.8-compatible server. The config is a zoo.cfg; without\n" +
			"server.N lines the server runs standalone. Logs go to stderr.\n" +
			"Runs until SIGTERM or SIGINT.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServer(cmd, o) },
	}
	cmd.Flags().StringVar(&o.config, "config", "", "path of the zoo.cfg to run (required)")
	cmd.Flags().StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	cmd.Flags().StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile (go tool pprof) to this file until the server stops")
	return cmd
}

func runServer(cmd *cobra.Command, o serverOptions) error {
	if o.config == "" {
		return withExitCode(exitConfig, errors.New("server: --config is required"))
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToLower(o.logLevel))); err != nil {
		return withExitCode(exitConfig, fmt.Errorf("server: --log-level %q: %w", o.logLevel, err))
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	cfg, err := zkconfig.Load(o.config)
	if err != nil {
		return withExitCode(exitConfig, fmt.Errorf("server: %w", err))
	}
	if cfg.IsQuorum() {
		logger.Info("ensemble member", "myid", cfg.MyID, "voters", len(cfg.Voters()), "observers", len(cfg.Observers()))
	}
	srv, err := node.NewServer(cfg, logger)
	if err != nil {
		return withExitCode(exitConfig, fmt.Errorf("server: %w", err))
	}
	if o.cpuProfile != "" {
		stop, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			return withExitCode(exitConfig, fmt.Errorf("server: %w", err))
		}
		defer stop()
	}
	ctx := cmd.Context()
	if err := srv.Start(ctx); err != nil {
		return withExitCode(exitStartup, fmt.Errorf("server: %w", err))
	}
	logger.Info("zkctl server started", "config", o.config, "client", srv.ClientAddr().String(), "pid", os.Getpid())
	select {
	case <-ctx.Done():
		logger.Info("signal received, shutting down")
		srv.Stop()
		return nil
	case <-srv.Done():
		srv.Stop()
		return withExitCode(exitFailed, fmt.Errorf("server: %w", srv.Err()))
	}
}

// startCPUProfile profiles the process into path; the returned function
// stops profiling and closes the file.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile %s: %w", path, err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
