package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// probeCommand records the value its --every flag ends up with, so that the
// precedence of flag, environment, zkctl.yaml and default can be checked.
func probeCommand(got *time.Duration) *cobra.Command {
	var every time.Duration
	cmd := &cobra.Command{
		Use: "probe",
		RunE: func(*cobra.Command, []string) error {
			*got = every
			return nil
		},
	}
	cmd.Flags().DurationVar(&every, "every", 250*time.Millisecond, "poll interval")
	return cmd
}

func TestConfigPrecedence(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		env  string
		args []string
		want time.Duration
	}{
		{"default", "", "", nil, 250 * time.Millisecond},
		{"zkctl.yaml", "every: 2s\n", "", nil, 2 * time.Second},
		{"env beats yaml", "every: 2s\n", "3s", nil, 3 * time.Second},
		{"flag beats env and yaml", "every: 2s\n", "3s", []string{"--every", "4s"}, 4 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			t.Setenv("HOME", dir)
			if c.yaml != "" {
				if err := os.WriteFile(filepath.Join(dir, "zkctl.yaml"), []byte(c.yaml), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if c.env != "" {
				t.Setenv("ZKCTL_EVERY", c.env)
			}
			var got time.Duration
			root := NewRootCommand()
			root.AddCommand(probeCommand(&got))
			root.SetArgs(append([]string{"probe"}, c.args...))
			root.SetOut(&bytes.Buffer{})
			if err := root.Execute(); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("every = %v, want %v", got, c.want)
			}
		})
	}
}

// A zkctl binary (no extension) in the working directory is not a config
// file, and a broken zkctl.yaml is a clear error naming it.
func TestConfigFileLookup(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("HOME", dir)
	if err := os.WriteFile(filepath.Join(dir, "zkctl"), []byte("\x7fELF\x00\x01binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	var got time.Duration
	root := NewRootCommand()
	root.AddCommand(probeCommand(&got))
	root.SetArgs([]string{"probe"})
	if err := root.Execute(); err != nil {
		t.Fatalf("the zkctl binary was read as a config: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "zkctl.yaml"), []byte("every: [unclosed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root = NewRootCommand()
	root.AddCommand(probeCommand(&got))
	root.SetArgs([]string{"probe"})
	err := root.Execute()
	if err == nil || !strings.Contains(err.Error(), "zkctl.yaml") {
		t.Fatalf("want an error naming zkctl.yaml, got %v", err)
	}
}

func TestKeyBindings_KeepCase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "zkctl.yaml")
	yaml := "keys:\n  F5: \"partition halves; wait 5s; heal\"\n  X: \"kill 1\"\n  x: \"kill 2\"\n"
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := keyBindings(path)
	if err != nil {
		t.Fatal(err)
	}
	if b["X"] != "kill 1" || b["x"] != "kill 2" || b["F5"] == "" {
		t.Fatalf("bindings lost their case: %v", b)
	}
}
