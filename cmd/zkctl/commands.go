package main

import "github.com/spf13/cobra"

// subcommands lists every zkctl subcommand; each lives in its own file.
func subcommands() []*cobra.Command {
	cmds := []*cobra.Command{
		newVersionCommand(),
		newUpCommand(),
		newDownCommand(),
		newStatusCommand(),
		newLogsCommand(),
		newServerCommand(),
		newTopCommand(),
		newBenchCommand(),
		newDoCommand(),
		newChaosCommand(),
		newTraceCommand(),
		newUpgradeCommand(),
	}
	return append(cmds, newFaultCommands()...)
}
