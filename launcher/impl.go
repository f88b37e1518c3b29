package launcher

import (
	"fmt"
	"os"
	"strings"

	"github.com/zkctl/zkctl/internal/zkinstall"
)

// Impl is how one node's server process is started: this binary as `zkctl
// server`, or Apache ZooKeeper's JVM. Only the command line differs; the
// zoo.cfg, ports, proxies, signals and logs are the same for both, so the
// rest of the launcher never asks which one a node runs.
type Impl interface {
	// Name is the implementation as --impl spells it: ImplZkctl or ImplApache.
	Name() string
	// Version is the server's version, shown per node in status.
	Version() string
	// Command returns the argv and extra environment that run node id with
	// the zoo.cfg at cfgPath; dir is the node's directory, where it may write
	// files the server needs. The first word must be the server itself (not
	// a wrapper script), so that signals to its process group reach it.
	Command(id int, cfgPath, dir string) (argv, env []string, err error)
}

// Implementation names, as --impl takes them.
const (
	// ImplZkctl is this binary's own server.
	ImplZkctl = "zkctl"
	// ImplApache is Apache ZooKeeper's QuorumPeerMain in a JVM.
	ImplApache = "apache"
)

// ZkctlImpl runs this executable as `zkctl server --config zoo.cfg`;
// version is the zkctl release it reports.
func ZkctlImpl(version string) Impl { return zkctlImpl{version: version} }

type zkctlImpl struct{ version string }

func (z zkctlImpl) Name() string    { return ImplZkctl }
func (z zkctlImpl) Version() string { return z.version }

func (z zkctlImpl) Command(_ int, cfgPath, _ string) ([]string, []string, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, nil, fmt.Errorf("launcher: find own executable: %w", err)
	}
	return []string{exe, "server", "--config", cfgPath}, nil, nil
}

// ApacheImpl runs QuorumPeerMain from in with java (a path from
// zkinstall.Java); jvmFlags come before the defaults' place, and a heap
// flag (-Xmx) in them replaces the default 256 MB.
func ApacheImpl(java string, in zkinstall.Install, jvmFlags []string) Impl {
	return apacheImpl{java: java, in: in, flags: jvmFlags}
}

type apacheImpl struct {
	java  string
	in    zkinstall.Install
	flags []string
}

func (a apacheImpl) Name() string    { return ImplApache }
func (a apacheImpl) Version() string { return a.in.Version }

// Command builds `java [flags] -cp ... QuorumPeerMain zoo.cfg`: the JVM is
// the child itself. Small-heap, quick-start defaults suit a laptop ensemble.
func (a apacheImpl) Command(_ int, cfgPath, dir string) ([]string, []string, error) {
	logFlags, err := zkinstall.LogFlags(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("launcher: %w", err)
	}
	argv := []string{a.java}
	heap := false
	for _, f := range a.flags {
		heap = heap || strings.HasPrefix(f, "-Xmx") || strings.HasPrefix(f, "-XX:MaxRAM")
	}
	if !heap {
		argv = append(argv, "-Xmx256m")
	}
	argv = append(argv, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
	argv = append(argv, a.flags...)
	argv = append(argv, logFlags...)
	argv = append(argv, "-cp", strings.Join(a.in.Classpath, string(os.PathListSeparator)), zkinstall.MainClass, cfgPath)
	// zkServer.sh would export ZOOKEEPER_HOME; plugins and the JVM's own
	// diagnostics may read it, so a release run here sees the same.
	var env []string
	if a.in.Home != "" {
		env = append(env, "ZOOKEEPER_HOME="+a.in.Home)
	}
	return argv, env, nil
}
