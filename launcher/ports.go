package launcher

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Port layout relative to the base port B, for node ids 1..MaxNodes:
//
//	B                         control API
//	B+id                      client port
//	B+10+id                   admin port
//	B+20+id                   quorum port (server's own)
//	B+30+id                   election port (server's own)
//	B+40+id                   client proxy (--proxy-clients)
//	B+100+(i-1)*10+j          quorum proxy for the link i->j
//	B+200+(i-1)*10+j          election proxy for the link i->j
//
// The default base keeps every port away from ZooKeeper's 2181, 2888, 3888
// and the AdminServer's 8080.
const (
	// DefaultBasePort is the base of the default port layout.
	DefaultBasePort = 21810
	// MaxNodes is the largest number of servers (voters plus observers).
	MaxNodes = 9
	// PortSpan is how many ports above the base the layout may use.
	PortSpan = 300
)

// Ports are the ports of one node.
type Ports struct {
	Client, Admin, Quorum, Election, ClientProxy int
}

// Layout computes every port of a cluster from its base.
type Layout struct {
	Base int
}

// Control is the control API port.
func (l Layout) Control() int { return l.Base }

// Node returns the ports of node id.
func (l Layout) Node(id int) Ports {
	return Ports{
		Client:      l.Base + id,
		Admin:       l.Base + 10 + id,
		Quorum:      l.Base + 20 + id,
		Election:    l.Base + 30 + id,
		ClientProxy: l.Base + 40 + id,
	}
}

// QuorumProxy is the listening port of the quorum proxy for link from->to.
func (l Layout) QuorumProxy(from, to int) int { return l.Base + 100 + (from-1)*10 + to }

// ElectionProxy is the listening port of the election proxy for link from->to.
func (l Layout) ElectionProxy(from, to int) int { return l.Base + 200 + (from-1)*10 + to }

// validateBase checks that the whole layout fits in unprivileged ports.
func validateBase(base int) error {
	if base < 1024 || base+PortSpan > 65535 {
		return fmt.Errorf("launcher: --base-port %d out of range (want 1024..%d)", base, 65535-PortSpan)
	}
	return nil
}

// PortBusyError says a port of the layout is already in use.
type PortBusyError struct {
	Port int
	// Use says what the port is for, e.g. "admin port of node 2".
	Use string
	// Holder names the process listening on it when it could be found.
	Holder string
	Err    error
}

// Error names the port, its use and its holder, and suggests --base-port.
func (e *PortBusyError) Error() string {
	s := fmt.Sprintf("port %d (%s) is busy", e.Port, e.Use)
	if e.Holder != "" {
		s += ": held by " + e.Holder
	}
	return s + "; choose another --base-port"
}

// Unwrap returns the bind error.
func (e *PortBusyError) Unwrap() error { return e.Err }

// checkFree tries to bind 127.0.0.1:port and releases it at once.
func checkFree(port int, use string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return &PortBusyError{Port: port, Use: use, Holder: portHolder(port), Err: err}
	}
	_ = ln.Close()
	return nil
}

// listenOn binds 127.0.0.1:port, naming the holder when it is busy.
func listenOn(port int, use string) (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return nil, &PortBusyError{Port: port, Use: use, Holder: portHolder(port), Err: err}
	}
	return ln, nil
}

// portHolder finds the process listening on a TCP port by matching the
// socket inode from /proc/net/tcp{,6} with /proc/<pid>/fd links. It
// returns "" when it cannot tell (another user's process, no /proc).
func portHolder(port int) string {
	inodes := map[string]bool{}
	conns := map[string]bool{}
	timeWait := false
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		listen, other := socketInodes(f, port)
		for _, ino := range listen {
			inodes[ino] = true
		}
		for _, ino := range other {
			if ino == "0" {
				timeWait = true // closed sockets keep the port with no owner
				continue
			}
			conns[ino] = true
		}
	}
	what := "pid"
	if len(inodes) == 0 {
		// Nobody listens: the port is the local end of a connection,
		// typically one the kernel picked from its ephemeral range.
		inodes, what = conns, "a connection of pid"
	}
	if len(inodes) == 0 {
		if timeWait {
			return "a closed connection in TIME_WAIT" + ephemeralHint(port)
		}
		return ""
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return ""
	}
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		fdDir := filepath.Join("/proc", p.Name(), "fd")
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			if inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
				h := fmt.Sprintf("%s %d (%s)", what, pid, procCommand(pid))
				if what != "pid" {
					h += ephemeralHint(port)
				}
				return h
			}
		}
	}
	return "another user's process (inode " + firstKey(inodes) + ")"
}

func firstKey(m map[string]bool) string {
	for k := range m {
		return k
	}
	return ""
}

// ephemeralHint explains a port taken by an outgoing connection when it lies
// in the kernel's ephemeral port range.
func ephemeralHint(port int) string {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return ""
	}
	lo, err1 := strconv.Atoi(f[0])
	hi, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || port < lo || port > hi {
		return ""
	}
	return fmt.Sprintf(" (port %d is in the kernel's ephemeral range %d-%d, where outgoing connections take their ports: prefer a --base-port below %d)", port, lo, hi, lo-PortSpan)
}

// socketInodes parses a /proc/net/tcp file for sockets bound to local port
// and returns the inodes of those in LISTEN state (st 0A) and of the others.
func socketInodes(file string, port int) (listen, other []string) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 {
			continue
		}
		i := strings.LastIndexByte(fields[1], ':')
		if i < 0 {
			continue
		}
		p, err := strconv.ParseUint(fields[1][i+1:], 16, 16)
		if err != nil || int(p) != port {
			continue
		}
		if fields[3] == "0A" {
			listen = append(listen, fields[9])
		} else {
			other = append(other, fields[9])
		}
	}
	return listen, other
}

// procCommand returns a short command line of pid.
func procCommand(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || len(b) == 0 {
		c, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		return strings.TrimSpace(string(c))
	}
	s := strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// errPortsBusy joins several busy-port errors.
func errPortsBusy(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}
