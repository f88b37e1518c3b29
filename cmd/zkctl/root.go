package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// exitError carries a specific process exit status out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withExitCode wraps err so that zkctl exits with code.
func withExitCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// NewRootCommand builds the zkctl command tree. There is no package-level
// command or viper state: every call returns an independent tree.
func NewRootCommand() *cobra.Command {
	var configFile string
	root := &cobra.Command{
		Use:           "zkctl",
		Short:         "Run, watch and break ZooKeeper ensembles",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return bindConfig(cmd, configFile)
		},
	}
	root.PersistentFlags().StringVar(&configFile, "zkctl-config", "", "zkctl.yaml with defaults for flags (default ./zkctl.yaml, then ~/.config/zkctl/zkctl.yaml)")
	for _, sub := range subcommands() {
		root.AddCommand(sub)
	}
	return root
}

// bindConfig reads zkctl.yaml and ZKCTL_* environment variables and copies
// their values into every flag the user did not set on the command line.
func bindConfig(cmd *cobra.Command, file string) error {
	v := viper.New()
	if path := findConfigFile(file); path != "" {
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
	} else if file != "" {
		return fmt.Errorf("read %s: file not found", file)
	}
	v.SetEnvPrefix("ZKCTL")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_", ".", "_"))
	v.AutomaticEnv()
	var errs error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Changed || !v.IsSet(f.Name) {
			return
		}
		val := v.Get(f.Name)
		var s string
		switch x := val.(type) {
		case []any:
			parts := make([]string, len(x))
			for i, p := range x {
				parts[i] = fmt.Sprint(p)
			}
			s = strings.Join(parts, ",")
		default:
			s = v.GetString(f.Name)
		}
		if err := cmd.Flags().Set(f.Name, s); err != nil {
			errs = errors.Join(errs, fmt.Errorf("config value for --%s: %w", f.Name, err))
		}
	})
	return errs
}

// findConfigFile returns the zkctl.yaml to read: the explicit file, else
// ./zkctl.yaml (or .yml), else ~/.config/zkctl/zkctl.yaml; "" when none
// exists. (Viper's own search would also match an extensionless "zkctl",
// i.e. the binary itself in the current directory.)
func findConfigFile(explicit string) string {
	if explicit != "" {
		if _, err := os.Stat(explicit); err == nil {
			return explicit
		}
		return ""
	}
	candidates := []string{"zkctl.yaml", "zkctl.yml"}
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".config", "zkctl", "zkctl.yaml"))
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() {
			return c
		}
	}
	return ""
}
