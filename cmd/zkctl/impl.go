package main

import (
	"fmt"
	"strings"

	"github.com/zkctl/zkctl/internal/zkinstall"
	"github.com/zkctl/zkctl/launcher"
)

// implOptions are the flags of `zkctl up` that choose each server's
// implementation.
type implOptions struct {
	impl     string // "zkctl", "apache" or one name per server, comma-separated
	apache   int    // the last N servers run Apache ZooKeeper
	home     string // --zookeeper-home: an unpacked release instead of Debian's package
	jvmFlags string // extra JVM flags, space-separated
}

// implNames turns --impl and --apache into one name per server, checking
// the count and the names before anything starts.
func (o implOptions) implNames(servers int) ([]string, error) {
	names := make([]string, servers)
	for i := range names {
		names[i] = launcher.ImplZkctl
	}
	if o.impl != "" && o.apache != 0 {
		return nil, fmt.Errorf("--impl and --apache both choose implementations: give one of them")
	}
	if o.apache < 0 || o.apache > servers {
		return nil, fmt.Errorf("--apache %d: want 0 to %d (the number of servers)", o.apache, servers)
	}
	for i := servers - o.apache; i < servers; i++ {
		names[i] = launcher.ImplApache
	}
	if o.impl != "" {
		parts := strings.Split(o.impl, ",")
		switch {
		case len(parts) == 1:
			for i := range names {
				names[i] = parts[0]
			}
		case len(parts) == servers:
			copy(names, parts)
		default:
			return nil, fmt.Errorf("--impl %s names %d implementations for %d servers: give one for all or one per server", o.impl, len(parts), servers)
		}
	}
	for i, n := range names {
		n = strings.TrimSpace(n)
		if n != launcher.ImplZkctl && n != launcher.ImplApache {
			return nil, fmt.Errorf("--impl: unknown implementation %q for server %d: want %s or %s", n, i+1, launcher.ImplZkctl, launcher.ImplApache)
		}
		names[i] = n
	}
	return names, nil
}

// impls resolves every server's implementation; an Apache server needs java
// and a ZooKeeper install, found now so that a missing one starts nothing.
func (o implOptions) impls(servers int) ([]launcher.Impl, error) {
	names, err := o.implNames(servers)
	if err != nil {
		return nil, err
	}
	out := make([]launcher.Impl, servers)
	var apache launcher.Impl
	for i, n := range names {
		if n == launcher.ImplZkctl {
			out[i] = launcher.ZkctlImpl(version)
			continue
		}
		if apache == nil {
			if apache, err = o.apacheImpl(); err != nil {
				return nil, err
			}
		}
		out[i] = apache
	}
	if apache == nil && o.home != "" {
		// No Apache server yet, but upgrades will use this release: check it now.
		if _, err := o.apacheImpl(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// resolve returns the implementation named name for `upgrade N --impl
// name`, with the same --zookeeper-home and --jvm-flags as at start.
func (o implOptions) resolve(name string) (launcher.Impl, error) {
	switch name {
	case launcher.ImplZkctl:
		return launcher.ZkctlImpl(version), nil
	case launcher.ImplApache:
		return o.apacheImpl()
	}
	return nil, fmt.Errorf("unknown implementation %q: want %s or %s", name, launcher.ImplZkctl, launcher.ImplApache)
}

func (o implOptions) apacheImpl() (launcher.Impl, error) {
	var in zkinstall.Install
	var err error
	if o.home != "" {
		in, err = zkinstall.FromHome(o.home)
	} else {
		in, err = zkinstall.Debian()
	}
	if err != nil {
		return nil, err
	}
	java, err := zkinstall.Java()
	if err != nil {
		return nil, err
	}
	return launcher.ApacheImpl(java, in, strings.Fields(o.jvmFlags)), nil
}

// implSummary says which server runs what, "1 zkctl 0.1.0, 2 zkctl 0.1.0,
// 3 apache 3.8.0", when any server is not zkctl ("" otherwise).
func implSummary(impls []launcher.Impl) string {
	var parts []string
	mixed := false
	for i, im := range impls {
		if im == nil {
			continue
		}
		mixed = mixed || im.Name() != launcher.ImplZkctl
		parts = append(parts, fmt.Sprintf("%d %s %s", i+1, im.Name(), im.Version()))
	}
	if !mixed {
		return ""
	}
	return strings.Join(parts, ", ")
}
