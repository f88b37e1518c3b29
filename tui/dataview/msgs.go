package dataview

import (
	"time"

	"github.com/go-zookeeper/zk"
)

// Msg is implemented by every message the data view handles, so the
// dashboard can route them here with one type switch case.
type Msg interface{ dataviewMsg() }

type connectedMsg struct {
	gen  int
	sess *session
	err  error
}

type eventMsg struct {
	gen int
	ev  zk.Event
}

type childrenMsg struct {
	gen     int
	path    string
	names   []string
	stat    *zk.Stat
	err     error
	watched bool
}

type nodeMsg struct {
	gen     int
	path    string
	data    []byte
	stat    *zk.Stat
	acl     []zk.ACL
	err     error
	aclErr  error
	watched bool
}

type statMsg struct {
	gen     int
	path    string
	stat    *zk.Stat
	err     error
	watched bool
}

type countMsg struct {
	gen  int
	path string
	n    int
	err  error
}

// LineDoneMsg reports a data line the view ran (from a key or the
// prompt); the dashboard also logs it.
type LineDoneMsg struct {
	Line   string
	Output string
	Err    error
	Took   time.Duration
}

// PromptMsg asks the dashboard to open its command prompt holding Text,
// e.g. `set /app "…" -v 3` for the person to edit and run.
type PromptMsg struct{ Text string }

func (connectedMsg) dataviewMsg() {}
func (eventMsg) dataviewMsg()     {}
func (childrenMsg) dataviewMsg()  {}
func (nodeMsg) dataviewMsg()      {}
func (statMsg) dataviewMsg()      {}
func (countMsg) dataviewMsg()     {}
func (LineDoneMsg) dataviewMsg()  {}
func (PromptMsg) dataviewMsg()    {}
