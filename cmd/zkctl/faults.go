package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// faultShortcuts are `zkctl kill 3`, `zkctl pause leader`, `zkctl heal`…:
// each builds the same chaos line `zkctl do` would send.
var faultShortcuts = []struct {
	verb, short string
	noTarget    bool
}{
	{"kill", "SIGKILL servers (TARGET: 3 | 1,2 | leader | follower | random | minority | majority | all)", false},
	{"stop", "Stop servers gracefully (SIGTERM, grace, SIGKILL)", false},
	{"start", "Start stopped servers", false},
	{"restart", "Stop then start servers", false},
	{"pause", "Freeze servers with SIGSTOP", false},
	{"resume", "Resume paused servers with SIGCONT", false},
	{"isolate", "Cut every link to and from servers", false},
	{"heal", "Remove every link fault", true},
}

func newFaultCommands() []*cobra.Command {
	cmds := make([]*cobra.Command, 0, len(faultShortcuts))
	for _, fs := range faultShortcuts {
		var o doOptions
		use, args := fs.verb+" TARGET", cobra.MinimumNArgs(1)
		if fs.noTarget {
			use, args = fs.verb, cobra.NoArgs
		}
		cmd := &cobra.Command{
			Use:          use,
			Short:        fs.short,
			Args:         args,
			SilenceUsage: true,
			RunE: func(cmd *cobra.Command, a []string) error {
				line := strings.TrimSpace(fs.verb + " " + strings.Join(a, " "))
				return runLine(cmd, o, line)
			},
		}
		o.addFlags(cmd)
		cmds = append(cmds, cmd)
	}
	return cmds
}

// newUpgradeCommand is `zkctl upgrade N --impl apache|zkctl`: the chaos
// line `upgrade N --impl X` from another terminal, so that a rolling move
// between zkctl and Apache ZooKeeper can be done by hand, one server at a time.
func newUpgradeCommand() *cobra.Command {
	var o doOptions
	var impl string
	cmd := &cobra.Command{
		Use:          "upgrade N --impl apache|zkctl",
		Short:        "Restart server N under the other implementation on its data directory and wait until it has synced",
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, a []string) error {
			return runLine(cmd, o, "upgrade "+a[0]+" --impl "+impl)
		},
	}
	o.addFlags(cmd)
	cmd.Flags().StringVar(&impl, "impl", "", "implementation to run: apache or zkctl")
	_ = cmd.MarkFlagRequired("impl")
	return cmd
}
