// Command zkctl runs ZooKeeper-compatible servers, launches local ensembles
// and watches and breaks them from a terminal dashboard.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := NewRootCommand()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "zkctl:", err)
		os.Exit(exitCode(err))
	}
}
