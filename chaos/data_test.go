package chaos

import (
	"errors"
	"path"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
)

func TestParseData_CanonicalLinesRoundTrip(t *testing.T) {
	cases := []struct{ in, want string }{
		{`create /a "x"`, `create /a "x"`},
		{`create /a`, `create /a ""`},
		{`create -e /a "x"`, `create /a "x" -e`},
		{`create /q/ "job" -s`, `create /q/ "job" -s`},
		{`create /q/j- "" -e -s`, `create /q/j- "" -e -s`},
		{`create /q/j- -es`, `create /q/j- "" -e -s`},
		{`create /c -c`, `create /c "" -c`},
		{`create /t "v" -t 10s`, `create /t "v" -t 10s`},
		{`create /t "v" -t 1500`, `create /t "v" -t 1.5s`},
		{`create "/a b" "x"`, `create "/a b" "x"`},
		{`create /j "{\"a\": 1}\n"`, `create /j "{\"a\": 1}\n"`},
		{`create /bin "\x00\xff"`, `create /bin "\x00\xff"`},
		{`set /a "y"`, `set /a "y"`},
		{`set /a "y" -v 3`, `set /a "y" -v 3`},
		{`delete /a`, `delete /a`},
		{`delete -r /a`, `delete -r /a`},
		{`delete /a -v 0`, `delete /a -v 0`},
		{`expect data /a "x"`, `expect data /a "x"`},
		{`expect absent /a`, `expect absent /a`},
		{`setacl /a "world:anyone:r" "digest:u:Hb2/x+=:cdrwa" -v 2`, `setacl /a "world:anyone:r" "digest:u:Hb2/x+=:cdrwa" -v 2`},
		{`create /a "x"; set /a "y"; delete /a`, "create /a \"x\"\nset /a \"y\"\ndelete /a"},
		{`load 200/s`, `load 200/s`},
		{`load 200 /s`, `load 200/s`},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			p, err := Parse(c.in)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.TrimSuffix(p.String(), "\n")
			if got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
			// The canonical line (what the recorder writes) parses to itself.
			p2, err := Parse(got)
			if err != nil {
				t.Fatalf("canonical %q: %v", got, err)
			}
			if strings.TrimSuffix(p2.String(), "\n") != got {
				t.Fatalf("not stable: %q -> %q", got, p2.String())
			}
		})
	}
}

func TestParseData_BadInputSaysWhy(t *testing.T) {
	cases := []struct{ in, want string }{
		{`create`, "create needs a path"},
		{`create a "x"`, `unexpected "a"`},
		{`create /a/ "x"`, "must not end with /"},
		{`create /a//b "x"`, "empty segment"},
		{`create /a/../b "x"`, "relative segment"},
		{`create /a "x`, "unterminated string"},
		{`create /a x`, "data in double quotes"},
		{`create /a "x" -z`, `unknown create flag "-z"`},
		{`create /a "x" -e -t 5s`, "persistent nodes only"},
		{`create /a -c -s`, "cannot be sequential"},
		{`create /a "x" -t soon`, `bad TTL "soon"`},
		{`create / "x"`, "root always exists"},
		{`create /zookeeper/x "y"`, "ZooKeeper's own subtree"},
		{`delete /zookeeper`, "ZooKeeper's own subtree"},
		{`delete -r /zookeeper/config`, "ZooKeeper's own subtree"},
		{`delete /`, "root cannot be deleted"},
		{`delete /a "x"`, "unexpected quoted string"},
		{`set /a`, "set needs the new data"},
		{`set /a "x" -v -1`, "bad version"},
		{`set /a "x" -r`, `unknown set flag "-r"`},
		{`expect data /a`, "data in double quotes"},
		{`creat /a "x"`, `did you mean "create"`},
		{`setacl /a`, "setacl needs at least one ACL entry"},
		{`setacl /a "world:anyone"`, `bad ACL "world:anyone"`},
		{`setacl /a "world:anyone:rx"`, `permission 'x' is not one of cdrwa`},
		{`setacl /a "bogus:x:r"`, `unknown scheme "bogus"`},
		{`setacl /a world`, "ACL entries in double quotes"},
		{"create /a \"bad \\q\"", "bad string"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			_, err := Parse(c.in)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Parse(%q) = %v, want an error containing %q", c.in, err, c.want)
			}
		})
	}
}

// memZK is an in-memory DataConn: a tree of paths.
type memZK struct {
	data map[string][]byte
	ver  map[string]int32
	seq  int
}

func newMemZK() *memZK {
	return &memZK{data: map[string][]byte{"/": nil, "/zookeeper": nil}, ver: map[string]int32{}}
}

func (m *memZK) Create(p string, d []byte, flags int32, _ []zk.ACL) (string, error) {
	if flags&zk.FlagSequence != 0 {
		p += strings.Repeat("0", 9) + string(rune('0'+m.seq))
		m.seq++
	}
	if _, ok := m.data[p]; ok {
		return "", zk.ErrNodeExists
	}
	if _, ok := m.data[path.Dir(p)]; !ok {
		return "", zk.ErrNoNode
	}
	m.data[p] = d
	return p, nil
}
func (m *memZK) CreateContainer(p string, d []byte, _ int32, a []zk.ACL) (string, error) {
	return m.Create(p, d, 0, a)
}
func (m *memZK) CreateTTL(p string, d []byte, f int32, a []zk.ACL, _ time.Duration) (string, error) {
	return m.Create(p, d, 0, a)
}
func (m *memZK) Set(p string, d []byte, v int32) (*zk.Stat, error) {
	if _, ok := m.data[p]; !ok {
		return nil, zk.ErrNoNode
	}
	if v >= 0 && v != m.ver[p] {
		return nil, zk.ErrBadVersion
	}
	m.data[p] = d
	m.ver[p]++
	return &zk.Stat{Version: m.ver[p]}, nil
}
func (m *memZK) Delete(p string, v int32) error {
	if _, ok := m.data[p]; !ok {
		return zk.ErrNoNode
	}
	if kids, _, _ := m.Children(p); len(kids) > 0 {
		return zk.ErrNotEmpty
	}
	delete(m.data, p)
	return nil
}
func (m *memZK) Children(p string) ([]string, *zk.Stat, error) {
	if _, ok := m.data[p]; !ok {
		return nil, nil, zk.ErrNoNode
	}
	var out []string
	for q := range m.data {
		if q != "/" && path.Dir(q) == p {
			out = append(out, path.Base(q))
		}
	}
	sort.Strings(out)
	return out, &zk.Stat{NumChildren: int32(len(out))}, nil
}
func (m *memZK) Get(p string) ([]byte, *zk.Stat, error) {
	d, ok := m.data[p]
	if !ok {
		return nil, nil, zk.ErrNoNode
	}
	return d, &zk.Stat{Version: m.ver[p]}, nil
}
func (m *memZK) Sync(p string) (string, error) { return p, nil }
func (m *memZK) SetACL(p string, _ []zk.ACL, _ int32) (*zk.Stat, error) {
	if _, ok := m.data[p]; !ok {
		return nil, zk.ErrNoNode
	}
	return &zk.Stat{Aversion: 1}, nil
}

func apply(t *testing.T, c DataConn, line string) (string, error) {
	t.Helper()
	p, err := ParseLine(line)
	if err != nil {
		t.Fatal(err)
	}
	return ApplyData(c, p.Stmts[0].(DataStmt))
}

func TestApplyData_CreateSetDeleteExpect(t *testing.T) {
	m := newMemZK()
	steps := []struct{ line, out, err string }{
		{`create /a "x"`, "created /a", ""},
		{`create /a "x"`, "", "/a: already exists"},
		{`create /nope/b "x"`, "", "no such znode (or its parent is missing)"},
		{`expect data /a "x"`, `expect data /a "x": ok`, ""},
		{`expect data /a "z"`, "", `/a holds "x"`},
		{`set /a "y" -v 0`, "set /a (version 1, 1 bytes)", ""},
		{`set /a "z" -v 0`, "", "version mismatch"},
		{`create /a/q- "" -s`, "created /a/q-0000000000", ""},
		{`create /a/b/c "x"`, "", "no such znode"},
		{`create /a/b "x"`, "created /a/b", ""},
		{`create /a/b/c "x"`, "created /a/b/c", ""},
		{`delete /a`, "", "has children: use delete -r"},
		{`setacl /a "world:anyone:cdrwa"`, "set the ACL of /a (version 1)", ""},
		{`delete -r /a`, "deleted /a (4 znodes)", ""},
		{`expect absent /a`, "expect absent /a: ok", ""},
		{`delete /a`, "", "/a: no such znode"},
	}
	for _, s := range steps {
		out, err := apply(t, m, s.line)
		if s.err != "" {
			if err == nil || !strings.Contains(err.Error(), s.err) {
				t.Fatalf("%s: err %v, want %q", s.line, err, s.err)
			}
			continue
		}
		if err != nil || out != s.out {
			t.Fatalf("%s: %q, %v; want %q", s.line, out, err, s.out)
		}
	}
	var fe *FailError
	if _, err := apply(t, m, `expect data /gone "x"`); !errors.As(err, &fe) {
		t.Fatalf("expect on a missing node: %v, want a FailError", err)
	}
}

func TestCountSubtree_Bounded(t *testing.T) {
	m := newMemZK()
	for _, p := range []string{"/a", "/a/1", "/a/2", "/a/2/x"} {
		m.data[p] = nil
	}
	if n, err := CountSubtree(m, "/a", 10); n != 4 || err != nil {
		t.Fatalf("CountSubtree = %d, %v; want 4", n, err)
	}
	if _, err := CountSubtree(m, "/a", 3); !errors.Is(err, ErrTooMany) {
		t.Fatalf("over the limit: %v, want ErrTooMany", err)
	}
}
