package launcher

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ClusterFileName is the file in <dir>/<name>/ describing a running cluster.
const ClusterFileName = "cluster.json"

// ClusterFile is the content of cluster.json: enough for another zkctl
// process to find the control API, the servers and their logs.
type ClusterFile struct {
	Name string `json:"name"`
	// Dir is the cluster directory <dir>/<name>.
	Dir string `json:"dir"`
	// ControlAddr is host:port of the launcher's control API.
	ControlAddr string `json:"control_addr"`
	// LauncherPID is the pid of the zkctl process running the launcher.
	LauncherPID int        `json:"launcher_pid"`
	BasePort    int        `json:"base_port"`
	StartedAt   time.Time  `json:"started_at"`
	Nodes       []NodeFile `json:"nodes"`
}

// NodeFile describes one server in cluster.json.
type NodeFile struct {
	ID       int  `json:"id"`
	Observer bool `json:"observer"`
	// PID is the current process id (0 when not running).
	PID int `json:"pid"`
	// ClientPort is the port clients are given (the client proxy with
	// --proxy-clients); ServerClientPort is the server's own.
	ClientPort       int `json:"client_port"`
	ServerClientPort int `json:"server_client_port"`
	AdminPort        int `json:"admin_port"`
	QuorumPort       int `json:"quorum_port"`
	ElectionPort     int `json:"election_port"`
	// ClientProxyPort is set with --proxy-clients.
	ClientProxyPort int    `json:"client_proxy_port,omitempty"`
	Config          string `json:"config"`
	Log             string `json:"log"`
	// Impl is the node's implementation (ImplZkctl or ImplApache) and
	// Version its version, so that tools reading the file can tell them.
	Impl    string `json:"impl,omitempty"`
	Version string `json:"version,omitempty"`
}

// ReadClusterFile reads <clusterDir>/cluster.json.
func ReadClusterFile(clusterDir string) (*ClusterFile, error) {
	p := filepath.Join(clusterDir, ClusterFileName)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("launcher: read %s: %w", p, err)
	}
	var cf ClusterFile
	if err := json.Unmarshal(b, &cf); err != nil {
		return nil, fmt.Errorf("launcher: parse %s: %w", p, err)
	}
	return &cf, nil
}

// writeClusterFile replaces cluster.json atomically (write + rename).
func writeClusterFile(cf *ClusterFile) error {
	b, err := json.MarshalIndent(cf, "", "  ")
	if err != nil {
		return fmt.Errorf("launcher: encode cluster.json: %w", err)
	}
	p := filepath.Join(cf.Dir, ClusterFileName)
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("launcher: write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("launcher: rename %s: %w", tmp, err)
	}
	return nil
}

// removeClusterFile deletes cluster.json; a missing file is fine.
func removeClusterFile(clusterDir string) error {
	err := os.Remove(filepath.Join(clusterDir, ClusterFileName))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("launcher: remove cluster.json: %w", err)
	}
	return nil
}

// DefaultDir is the per-user directory holding clusters:
// $XDG_STATE_HOME/zkctl, else ~/.local/state/zkctl, else <tmp>/zkctl-<uid>.
func DefaultDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "zkctl")
	}
	if h, err := os.UserHomeDir(); err == nil && h != "" {
		return filepath.Join(h, ".local", "state", "zkctl")
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("zkctl-%d", os.Getuid()))
}
