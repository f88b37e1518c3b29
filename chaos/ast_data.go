package chaos

import (
	"strconv"
	"strings"
	"time"
)

// The data commands: create, set and delete znodes, and expectations on
// their data. They run through a ZooKeeper client of the runner's own (see
// runner_data.go), so the dashboard's data view, the prompt, scripts and
// `zkctl do` share one recorded, replayable form of every edit.

// Create modes of a CreateStmt, as zkCli.sh's flags name them.
const (
	// CreatePersistent is the default.
	CreatePersistent = ""
	// CreateEphemeral (-e) lives as long as the session of the client that
	// ran it: the runner's data session, or the data view's in zkctl top.
	CreateEphemeral = "e"
	// CreateContainer (-c) is deleted by the server once its last child is.
	CreateContainer = "c"
)

// CreateStmt is `create PATH ["DATA"] [-e] [-s] [-c] [-t TTL]`.
type CreateStmt struct {
	At   Pos
	Path string
	Data string
	// Mode is CreatePersistent, CreateEphemeral or CreateContainer.
	Mode string
	// Sequential (-s) appends the parent's 10-digit counter to the name.
	Sequential bool
	// TTL (-t) makes a persistent node the server deletes once it has had
	// no children and no change for that long (extended types must be on).
	TTL time.Duration
}

// SetStmt is `set PATH "DATA" [-v VERSION]`.
type SetStmt struct {
	At   Pos
	Path string
	Data string
	// Version is the expected data version; -1 (no -v) sets unconditionally.
	Version int32
}

// DeleteStmt is `delete [-r] PATH [-v VERSION]`.
type DeleteStmt struct {
	At   Pos
	Path string
	// Recursive (-r) deletes the children first, deepest first.
	Recursive bool
	// Version is the expected data version; -1 (no -v) deletes any.
	Version int32
}

// ExpectDataStmt is `expect data PATH "DATA"` or `expect absent PATH`:
// a read (after sync, so it is not stale) compared with what is expected.
type ExpectDataStmt struct {
	At   Pos
	Path string
	// Absent expects no znode at Path; otherwise Data is expected.
	Absent bool
	Data   string
}

// DataStmt is the kind of statement that reads or writes znodes.
type DataStmt interface {
	Stmt
	// ZnodePath is the path the statement acts on.
	ZnodePath() string
}

// ZnodePath returns the znode the statement creates.
func (s *CreateStmt) ZnodePath() string { return s.Path }

// ZnodePath returns the znode the statement writes.
func (s *SetStmt) ZnodePath() string { return s.Path }

// ZnodePath returns the znode the statement deletes.
func (s *DeleteStmt) ZnodePath() string { return s.Path }

// ZnodePath returns the znode the statement reads.
func (s *ExpectDataStmt) ZnodePath() string { return s.Path }

// Position returns where the statement starts.
func (s *CreateStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *SetStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *DeleteStmt) Position() Pos { return s.At }

// Position returns where the statement starts.
func (s *ExpectDataStmt) Position() Pos { return s.At }

// quotePath prints a path bare when the lexer reads it back as one token,
// quoted otherwise (white space, ';', quotes).
func quotePath(p string) string {
	if p == "" || strings.ContainsAny(p, " \t\r\n;\"\\#") || !strings.HasPrefix(p, "/") {
		return strconv.Quote(p)
	}
	return p
}

// String returns the canonical line of a CreateStmt.
func (s *CreateStmt) String() string {
	out := "create " + quotePath(s.Path) + " " + strconv.Quote(s.Data)
	switch s.Mode {
	case CreateEphemeral:
		out += " -e"
	case CreateContainer:
		out += " -c"
	}
	if s.Sequential {
		out += " -s"
	}
	if s.TTL > 0 {
		out += " -t " + fmtDur(s.TTL)
	}
	return out
}

// String returns the canonical line of a SetStmt.
func (s *SetStmt) String() string {
	out := "set " + quotePath(s.Path) + " " + strconv.Quote(s.Data)
	if s.Version >= 0 {
		out += " -v " + strconv.Itoa(int(s.Version))
	}
	return out
}

// String returns the canonical line of a DeleteStmt.
func (s *DeleteStmt) String() string {
	out := "delete "
	if s.Recursive {
		out += "-r "
	}
	out += quotePath(s.Path)
	if s.Version >= 0 {
		out += " -v " + strconv.Itoa(int(s.Version))
	}
	return out
}

// String returns the canonical line of an ExpectDataStmt.
func (s *ExpectDataStmt) String() string {
	if s.Absent {
		return "expect absent " + quotePath(s.Path)
	}
	return "expect data " + quotePath(s.Path) + " " + strconv.Quote(s.Data)
}

// SetACLStmt is `setacl PATH "SCHEME:ID:PERMS"… [-v VERSION]`, e.g.
// `setacl /a "world:anyone:r" "digest:admin:HASH:cdrwa"`.
type SetACLStmt struct {
	At   Pos
	Path string
	// ACL is the new list, each entry as written (scheme:id:perms).
	ACL []string
	// Version is the expected ACL version; -1 (no -v) sets unconditionally.
	Version int32
}

// ZnodePath returns the znode whose ACL the statement sets.
func (s *SetACLStmt) ZnodePath() string { return s.Path }

// Position returns where the statement starts.
func (s *SetACLStmt) Position() Pos { return s.At }

// String returns the canonical line of a SetACLStmt.
func (s *SetACLStmt) String() string {
	out := "setacl " + quotePath(s.Path)
	for _, a := range s.ACL {
		out += " " + strconv.Quote(a)
	}
	if s.Version >= 0 {
		out += " -v " + strconv.Itoa(int(s.Version))
	}
	return out
}
