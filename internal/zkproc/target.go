package zkproc

// Target is a running ZooKeeper-compatible server started by a test, either
// Apache ZooKeeper (package oracle) or zkctl (this package).
type Target interface {
	// Name is a short label for test output: "apache" or "zkctl".
	Name() string
	// ClientAddr is the client port as host:port on 127.0.0.1.
	ClientAddr() string
	// AdminAddr is the AdminServer HTTP address as host:port, or "" when the
	// server runs without an admin port.
	AdminAddr() string
	// Pid is the process id of the running server, 0 when it is not running.
	Pid() int
	// Kill9 sends SIGKILL and waits for the process to exit.
	Kill9()
	// Stop sends SIGTERM, waits a grace period, then SIGKILL.
	Stop()
	// Restart starts the server again with the same config and data, after
	// stopping it if it still runs, and waits until it serves.
	Restart()
	// Log returns everything the server process printed so far.
	Log() string
	// DataDir is the server's dataDir.
	DataDir() string
}
