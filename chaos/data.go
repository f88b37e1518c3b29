package chaos

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"time"

	"github.com/go-zookeeper/zk"
)

// DataConn is what the data commands need from a ZooKeeper client.
// *zk.Conn satisfies it; the dashboard's data view passes its own
// connection (zkctl top), the runner one of its own (zkctl up), tests a fake.
type DataConn interface {
	Create(path string, data []byte, flags int32, acl []zk.ACL) (string, error)
	CreateContainer(path string, data []byte, flags int32, acl []zk.ACL) (string, error)
	CreateTTL(path string, data []byte, flags int32, acl []zk.ACL, ttl time.Duration) (string, error)
	Set(path string, data []byte, version int32) (*zk.Stat, error)
	Delete(path string, version int32) error
	Children(path string) ([]string, *zk.Stat, error)
	Get(path string) ([]byte, *zk.Stat, error)
	Sync(path string) (string, error)
	SetACL(path string, acl []zk.ACL, version int32) (*zk.Stat, error)
}

// MaxRecursiveDelete bounds `delete -r`: a subtree larger than this is
// refused rather than deleted node by node for minutes.
const MaxRecursiveDelete = 100000

// ErrTooMany is returned by CountSubtree past its limit.
var ErrTooMany = errors.New("subtree too large")

// CountSubtree counts the znodes of the subtree at p, p included, up to
// limit (then it returns ErrTooMany), so that `delete -r` can say how many
// it will delete before it is confirmed.
func CountSubtree(c DataConn, p string, limit int) (int, error) {
	n := 0
	var walk func(string) error
	walk = func(q string) error {
		n++
		if n > limit {
			return fmt.Errorf("%s: more than %d znodes: %w", p, limit, ErrTooMany)
		}
		kids, _, err := c.Children(q)
		if errors.Is(err, zk.ErrNoNode) && q != p {
			n-- // deleted meanwhile
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		for _, k := range kids {
			if err := walk(path.Join(q, k)); err != nil {
				return err
			}
		}
		return nil
	}
	err := walk(p)
	return n, err
}

// ApplyData runs one data statement through c and returns a one-line
// report (`created /a/q0000000003`). A failed ExpectDataStmt returns a
// *FailError; every other failure names the path and ZooKeeper's error.
func ApplyData(c DataConn, s DataStmt) (string, error) {
	acl := zk.WorldACL(zk.PermAll)
	switch s := s.(type) {
	case *CreateStmt:
		var flags int32
		switch {
		case s.Mode == CreateEphemeral && s.Sequential:
			flags = zk.FlagEphemeral | zk.FlagSequence
		case s.Mode == CreateEphemeral:
			flags = zk.FlagEphemeral
		case s.Sequential:
			flags = zk.FlagSequence
		}
		var (
			got string
			err error
		)
		switch {
		case s.Mode == CreateContainer:
			got, err = c.CreateContainer(s.Path, []byte(s.Data), zk.FlagContainer, acl)
		case s.TTL > 0:
			f := int32(zk.FlagTTL)
			if s.Sequential {
				f = zk.FlagPersistentSequentialWithTTL
			}
			got, err = c.CreateTTL(s.Path, []byte(s.Data), f, acl, s.TTL)
		default:
			got, err = c.Create(s.Path, []byte(s.Data), flags, acl)
		}
		if err != nil {
			return "", dataErr(s.Path, err)
		}
		return "created " + got, nil
	case *SetStmt:
		st, err := c.Set(s.Path, []byte(s.Data), s.Version)
		if err != nil {
			return "", dataErr(s.Path, err)
		}
		return fmt.Sprintf("set %s (version %d, %d bytes)", s.Path, st.Version, len(s.Data)), nil
	case *DeleteStmt:
		if !s.Recursive {
			if err := c.Delete(s.Path, s.Version); err != nil {
				return "", dataErr(s.Path, err)
			}
			return "deleted " + s.Path, nil
		}
		n, err := deleteTree(c, s.Path, s.Version)
		if err != nil {
			return "", fmt.Errorf("%w (after deleting %d znodes)", err, n)
		}
		return fmt.Sprintf("deleted %s (%d znodes)", s.Path, n), nil
	case *SetACLStmt:
		acl := make([]zk.ACL, 0, len(s.ACL))
		for _, a := range s.ACL {
			e, err := ParseACL(a)
			if err != nil {
				return "", err
			}
			acl = append(acl, e)
		}
		st, err := c.SetACL(s.Path, acl, s.Version)
		if err != nil {
			return "", dataErr(s.Path, err)
		}
		return fmt.Sprintf("set the ACL of %s (version %d)", s.Path, st.Aversion), nil
	case *ExpectDataStmt:
		if _, err := c.Sync(s.Path); err != nil && !errors.Is(err, zk.ErrNoNode) {
			return "", dataErr(s.Path, err)
		}
		data, _, err := c.Get(s.Path)
		switch {
		case errors.Is(err, zk.ErrNoNode):
			if s.Absent {
				return s.String() + ": ok", nil
			}
			return "", &FailError{Pos: s.At, Stmt: s.String(), Seen: s.Path + " does not exist"}
		case err != nil:
			return "", dataErr(s.Path, err)
		case s.Absent:
			return "", &FailError{Pos: s.At, Stmt: s.String(), Seen: fmt.Sprintf("%s exists with %s", s.Path, quoteData(data))}
		case string(data) != s.Data:
			return "", &FailError{Pos: s.At, Stmt: s.String(), Seen: fmt.Sprintf("%s holds %s", s.Path, quoteData(data))}
		}
		return s.String() + ": ok", nil
	}
	return "", fmt.Errorf("chaos: %T is not a data statement", s)
}

// quoteData quotes data for a message, cut at 200 bytes.
func quoteData(b []byte) string {
	if len(b) > 200 {
		return fmt.Sprintf("%q… (%d bytes)", b[:200], len(b))
	}
	return fmt.Sprintf("%q", b)
}

// deleteTree deletes the subtree at p, children first; the root of it
// with version (others with any version). Nodes that vanish meanwhile
// (ephemerals of a closing session) are fine.
func deleteTree(c DataConn, p string, version int32) (int, error) {
	if _, err := CountSubtree(c, p, MaxRecursiveDelete); err != nil {
		return 0, dataErr(p, err)
	}
	n := 0
	var walk func(q string, v int32) error
	walk = func(q string, v int32) error {
		kids, _, err := c.Children(q)
		if errors.Is(err, zk.ErrNoNode) && q != p {
			return nil
		}
		if err != nil {
			return dataErr(q, err)
		}
		sort.Strings(kids)
		for _, k := range kids {
			if err := walk(path.Join(q, k), -1); err != nil {
				return err
			}
		}
		err = c.Delete(q, v)
		if errors.Is(err, zk.ErrNoNode) && q != p {
			return nil
		}
		if err != nil {
			return dataErr(q, err)
		}
		n++
		return nil
	}
	err := walk(p, version)
	return n, err
}

// dataErr words ZooKeeper's error for a person, naming the path.
func dataErr(p string, err error) error {
	hint := ""
	switch {
	case errors.Is(err, zk.ErrNoNode):
		hint = "no such znode (or its parent is missing)"
	case errors.Is(err, zk.ErrNodeExists):
		hint = "already exists"
	case errors.Is(err, zk.ErrBadVersion):
		hint = "version mismatch: the znode changed since that version was read"
	case errors.Is(err, zk.ErrNotEmpty):
		hint = "has children: use delete -r to delete them too"
	case errors.Is(err, zk.ErrNoAuth):
		hint = "the ACL forbids it (add --auth or check getAcl)"
	case errors.Is(err, zk.ErrInvalidACL):
		hint = "invalid ACL (an auth: entry needs credentials added to the session)"
	case errors.Is(err, zk.ErrNoChildrenForEphemerals):
		hint = "an ephemeral znode cannot have children"
	case errors.Is(err, zk.ErrUnknown), errors.Is(err, zk.ErrAPIError):
		hint = "the server refused the mode (TTL nodes need zookeeper.extendedTypesEnabled=true)"
	}
	if hint != "" {
		return fmt.Errorf("%s: %s (%w)", p, hint, err)
	}
	return fmt.Errorf("%s: %w", p, err)
}

// runData bounds one data statement by ctx: go-zookeeper's calls wait for
// a connection without a deadline of their own.
func runData(ctx context.Context, c DataConn, s DataStmt) (string, error) {
	type result struct {
		out string
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := ApplyData(c, s)
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		return r.out, r.err
	case <-ctx.Done():
		return "", fmt.Errorf("%s: no answer: %w (outcome unknown)", s.ZnodePath(), ctx.Err())
	}
}
