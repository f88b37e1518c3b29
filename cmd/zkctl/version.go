package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// version is the zkctl release; servers report the ZooKeeper version they speak.
const version = "0.1.0"

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print zkctl's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "zkctl %s (speaks ZooKeeper 3.8)\n", version)
			return err
		},
	}
}
