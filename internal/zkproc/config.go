package zkproc

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Options configure a server started for a test. The zero value is a
// standalone server with tickTime 2000, fsync on, admin server on.
type Options struct {
	// TickTime in milliseconds; 0 means 2000.
	TickTime int
	// NoFsync writes forceSync=no.
	NoFsync bool
	// ExtendedTypes writes extendedTypesEnabled=true (TTL nodes).
	ExtendedTypes bool
	// NoAdmin turns the AdminServer off.
	NoAdmin bool
	// Extra zoo.cfg lines, added after (and overriding) the generated ones.
	Extra map[string]string
	// StartTimeout bounds the wait until the server answers srvr; 0 means 60 s.
	StartTimeout time.Duration
	// Observers makes the last Observers servers of an ensemble observers
	// (":observer" in every server.N line, peerType=observer in their own).
	Observers int
	// NoWait makes Start return as soon as every process is started,
	// without waiting for srvr to show a Mode (to act during an election).
	NoWait bool
}

func (o Options) tickTime() int {
	if o.TickTime <= 0 {
		return 2000
	}
	return o.TickTime
}

func (o Options) startTimeout() time.Duration {
	if o.StartTimeout <= 0 {
		return 60 * time.Second
	}
	return o.StartTimeout
}

// Member is one server of an ensemble as written in server.N lines.
type Member struct {
	ID           int // myid
	QuorumPort   int
	ElectionPort int
	ClientPort   int
	AdminPort    int // 0 when the admin server is off
	Observer     bool
}

// Config renders a zoo.cfg for member self of members (a single member means
// standalone: no server.N lines are written). Everything binds to 127.0.0.1.
func Config(o Options, dataDir string, self Member, members []Member) map[string]string {
	cfg := map[string]string{
		"tickTime":               strconv.Itoa(o.tickTime()),
		"initLimit":              "10",
		"syncLimit":              "5",
		"dataDir":                dataDir,
		"clientPort":             strconv.Itoa(self.ClientPort),
		"clientPortAddress":      "127.0.0.1",
		"4lw.commands.whitelist": "*",
		"maxClientCnxns":         "0",
		"forceSync":              "yes",
		"admin.enableServer":     "false",
	}
	if o.NoFsync {
		cfg["forceSync"] = "no"
	}
	if o.ExtendedTypes {
		cfg["extendedTypesEnabled"] = "true"
	}
	if self.AdminPort != 0 {
		cfg["admin.enableServer"] = "true"
		cfg["admin.serverAddress"] = "127.0.0.1"
		cfg["admin.serverPort"] = strconv.Itoa(self.AdminPort)
	}
	if len(members) > 1 {
		for _, m := range members {
			typ := "participant"
			if m.Observer {
				typ = "observer"
			}
			cfg[fmt.Sprintf("server.%d", m.ID)] = fmt.Sprintf("127.0.0.1:%d:%d:%s;127.0.0.1:%d",
				m.QuorumPort, m.ElectionPort, typ, m.ClientPort)
		}
		if self.Observer {
			cfg["peerType"] = "observer"
		}
	}
	maps.Copy(cfg, o.Extra)
	return cfg
}

// RenderConfig formats cfg as a zoo.cfg properties file with sorted keys.
func RenderConfig(cfg map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(cfg)) {
		fmt.Fprintf(&b, "%s=%s\n", k, cfg[k])
	}
	return b.String()
}

// WriteConfig writes cfg to path and, in ensemble mode (server.N keys
// present), the myid file into dataDir.
func WriteConfig(path string, cfg map[string]string, myid int) error {
	dataDir := cfg["dataDir"]
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return fmt.Errorf("zkproc: create dataDir: %w", err)
	}
	if err := os.WriteFile(path, []byte(RenderConfig(cfg)), 0o644); err != nil {
		return fmt.Errorf("zkproc: write %s: %w", path, err)
	}
	for k := range cfg {
		if strings.HasPrefix(k, "server.") {
			if err := os.WriteFile(filepath.Join(dataDir, "myid"), []byte(strconv.Itoa(myid)+"\n"), 0o644); err != nil {
				return fmt.Errorf("zkproc: write myid: %w", err)
			}
			break
		}
	}
	return nil
}
