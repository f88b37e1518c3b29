package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/zkctl/zkctl/launcher"
)

type statusOptions struct {
	clusterOptions
	json bool
}

// statusJSON is the stable shape of `zkctl status --json`.
type statusJSON struct {
	Name   string           `json:"name"`
	Leader int              `json:"leader"`
	Nodes  []nodeStatusJSON `json:"nodes"`
}

type nodeStatusJSON struct {
	ID      int    `json:"id"`
	PID     int    `json:"pid"`
	Running bool   `json:"running"`
	State   string `json:"state"`
	Zxid    string `json:"zxid"`
	Epoch   int64  `json:"epoch"`
	// ClientPort is what clients connect to: the client proxy with
	// `zkctl up --proxy-clients`, else the server's own client port,
	// which ServerClientPort always is.
	ClientPort       int      `json:"client_port"`
	ServerClientPort int      `json:"server_client_port"`
	AdminPort        int      `json:"admin_port"`
	Faults           []string `json:"faults"`
	// Impl and Version tell which server this is in a mixed ensemble;
	// Unknown lists what its admin port cannot tell (Apache's has no pid).
	Impl    string   `json:"impl"`
	Version string   `json:"version,omitempty"`
	Unknown []string `json:"unknown,omitempty"`
}

func newStatusCommand() *cobra.Command {
	var o statusOptions
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the servers of a cluster started by `zkctl up`",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := launcher.Find(o.dir, o.name)
			if err != nil {
				return fmt.Errorf("status: %w", err)
			}
			st, err := c.Status(cmd.Context())
			if err != nil {
				return fmt.Errorf("status: %w", err)
			}
			if o.json {
				return writeStatusJSON(cmd.OutOrStdout(), st)
			}
			return writeStatusTable(cmd.OutOrStdout(), st)
		},
	}
	o.addFlags(cmd)
	cmd.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

func writeStatusJSON(w io.Writer, st launcher.ClusterStatus) error {
	out := statusJSON{Name: st.Name, Leader: st.Leader, Nodes: []nodeStatusJSON{}}
	for _, n := range st.Nodes {
		f := n.Faults
		if f == nil {
			f = []string{}
		}
		out.Nodes = append(out.Nodes, nodeStatusJSON{ID: n.ID, PID: n.PID, Running: n.Running, State: n.State,
			Zxid: fmt.Sprintf("0x%x", n.Zxid), Epoch: n.Epoch, ClientPort: n.ClientPort, ServerClientPort: n.ServerClientPort, AdminPort: n.AdminPort, Faults: f,
			Impl: n.Impl, Version: n.Version, Unknown: n.Unknown})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeStatusTable(w io.Writer, st launcher.ClusterStatus) error {
	leader := "none"
	if st.Leader != 0 {
		leader = fmt.Sprint(st.Leader)
	}
	fmt.Fprintf(w, "cluster %s in %s, leader %s\n", st.Name, st.Dir, leader)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tIMPL\tPID\tPROCESS\tSTATE\tEPOCH\tZXID\tCLIENT\tADMIN\tFAULTS")
	for _, n := range st.Nodes {
		proc := "running"
		switch {
		case n.Paused:
			proc = "paused"
		case !n.Running && n.ExitCode != nil:
			proc = fmt.Sprintf("exited(%d)", *n.ExitCode)
		case !n.Running:
			proc = "stopped"
		}
		state := n.State
		if state == "" {
			state = "-"
		}
		id := fmt.Sprint(n.ID)
		if n.Observer {
			id += "o"
		}
		// With --proxy-clients: "proxy>server", e.g. 21041>21001.
		client := fmt.Sprint(n.ClientPort)
		if n.ServerClientPort != 0 && n.ServerClientPort != n.ClientPort {
			client += fmt.Sprintf(">%d", n.ServerClientPort)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%d\t0x%x\t%s\t%d\t%s\n", id, implLabel(n.Impl, n.Version), n.PID, proc, state, n.Epoch, n.Zxid,
			client, n.AdminPort, strings.Join(n.Faults, ","))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(st.ClientLinks) > 0 {
		fmt.Fprintln(w, "clients connect through the client proxies (CLIENT proxy>server); isolate, slow, reject and heal also act on them")
	}
	for _, n := range st.Nodes {
		if !n.Running && len(n.LogTail) > 0 {
			fmt.Fprintf(w, "\nlast lines of node %d's log:\n", n.ID)
			for _, l := range n.LogTail {
				fmt.Fprintln(w, "  "+l)
			}
		}
	}
	return nil
}

// launcherAlive reports whether the launcher process pid still exists.
func launcherAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return p.Signal(syscall.Signal(0)) == nil
}

// implLabel is the IMPL column: "zkctl 0.1.0", "apache 3.8.0", or "-" for a
// launcher too old to say.
func implLabel(impl, version string) string {
	switch {
	case impl == "":
		return "-"
	case version == "":
		return impl
	}
	return impl + " " + version
}
