package tests

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/store"
)

// hashFacts is what a server shows of its digest history after
// playToZxid256.
type hashFacts struct {
	fourLetter string // the `hash` answer
	admin      string // /commands/hash, "" without an admin server
	recomputed int64  // 3.8's tree digest recomputed from the client-visible tree
}

// playToZxid256 connects (zxid 1 is the createSession) and runs 255 more
// txns, creates, setData, deletes and an ephemeral, so that the last zxid
// is exactly 0x100 and the digest history holds the entries for 0x80 and
// 0x100. The session stays open (closing it would add a txn).
func playToZxid256(t *testing.T, addr string) *zk.Conn {
	t.Helper()
	c, _, err := zk.Connect([]string{addr}, 10*time.Second, zk.WithLogInfo(false))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.Create("/d", []byte("root"), 0, zk.WorldACL(zk.PermAll))
	must(err)
	_, err = c.Create("/d/eph", []byte("e"), zk.FlagEphemeral, zk.WorldACL(zk.PermAll))
	must(err)
	var made []string
	for i := 4; i <= 256; i++ { // zxid i
		switch {
		case i%5 == 0:
			_, err = c.Set("/d", []byte(fmt.Sprintf("set-%d", i)), -1)
		case i%7 == 0 && len(made) > 0:
			err = c.Delete(made[len(made)-1], -1)
			made = made[:len(made)-1]
		default:
			p := fmt.Sprintf("/d/c%d", i)
			_, err = c.Create(p, []byte(strings.Repeat("x", i%13)), 0, zk.WorldACL(zk.PermAll))
			made = append(made, p)
		}
		must(err)
	}
	return c
}

// recomputeDigest is the tree digest (docs/quorum-reference.md §7.4) summed
// over what a client sees with store.NodeDigest: the stored cversion is
// (cversion + numChildren) / 2 (3.8 DataNode.copyStat). On Apache's side
// this checks zkctl's per-node calculation against 3.8's own history.
func recomputeDigest(t *testing.T, c *zk.Conn) int64 {
	t.Helper()
	var sum int64
	var walk func(p string)
	walk = func(p string) {
		data, st, err := c.Get(p)
		if err != nil {
			t.Fatalf("get %s: %v", p, err)
		}
		sum += store.NodeDigest(p, data, &jute.StatPersisted{
			Czxid: st.Czxid, Mzxid: st.Mzxid, Pzxid: st.Pzxid, Ctime: st.Ctime, Mtime: st.Mtime,
			Version: st.Version, Cversion: (st.Cversion + st.NumChildren) / 2, Aversion: st.Aversion,
			EphemeralOwner: st.EphemeralOwner,
		})
		kids, _, err := c.Children(p)
		if err != nil {
			t.Fatalf("children %s: %v", p, err)
		}
		for _, k := range kids {
			if p == "/" {
				walk("/" + k)
			} else {
				walk(p + "/" + k)
			}
		}
	}
	walk("/")
	return sum
}

// readHash asks s for `hash` and /commands/hash.
func readHash(t *testing.T, s *zkproc.Instance) (fourLetter, admin string) {
	t.Helper()
	out, err := zkproc.FourLetter(s.ClientAddr(), "hash", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if a := s.AdminAddr(); a != "" {
		resp, err := http.Get("http://" + a + "/commands/hash")
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		admin = string(b)
	}
	return out, admin
}

// hashRun plays the script on s and collects its facts.
func hashRun(t *testing.T, s *zkproc.Instance) hashFacts {
	t.Helper()
	c := playToZxid256(t, s.ClientAddr())
	if z := srvrZxid(s); z != "0x100" {
		t.Fatalf("last zxid %s, want 0x100", z)
	}
	var f hashFacts
	f.fourLetter, f.admin = readHash(t, s)
	f.recomputed = recomputeDigest(t, c)
	return f
}

// copyVersion2 replaces dst's version-2 directory with src's.
func copyVersion2(t *testing.T, src, dst string) {
	t.Helper()
	dv := filepath.Join(dst, "version-2")
	if err := os.RemoveAll(dv); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dv, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(filepath.Join(src, "version-2"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, "version-2", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dv, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDifferential_Hash runs the same 256 txns on Apache ZooKeeper 3.8 and
// zkctl and compares the `hash` four-letter word and /commands/hash: both
// list the entries for zxids 0x80 and 0x100 in 3.8's format, and each
// server's 0x100 digest equals 3.8's digest recomputed from the tree its
// clients see (times and session ids differ between the servers, so the
// values themselves differ). Then zkctl is started on Apache's data
// directory: replaying Apache's log must give Apache's history exactly,
// value for value and byte for byte in both renderings.
func TestDifferential_Hash(t *testing.T) {
	var want hashFacts
	apacheDir := t.TempDir() // the outer test's: a subtest's is gone when it ends
	t.Run("apache", func(t *testing.T) {
		srv := oracle.StartStandalone(t, diffOptions)
		want = hashRun(t, srv)
		t.Logf("apache hash:\n%s\nadmin:\n%s\nrecomputed %d", want.fourLetter, want.admin, want.recomputed)
		checkHashShape(t, want)
		srv.Stop()
		copyVersion2(t, srv.DataDir(), apacheDir)
	})
	t.Run("zkctl", func(t *testing.T) {
		if want.fourLetter == "" {
			t.Skip("no Apache answers to compare with")
		}
		p := startZkctl(t, diffOptions)
		got := hashRun(t, p)
		checkHashShape(t, got)
		if (want.admin == "") != (got.admin == "") {
			t.Fatalf("admin server: apache %q, zkctl %q", want.admin, got.admin)
		}
		if want.admin != "" && normalizeDigests(want.admin) != normalizeDigests(got.admin) {
			t.Errorf("/commands/hash shape differs:\napache %s\nzkctl  %s", want.admin, got.admin)
		}
		p.Stop()
		copyVersion2(t, apacheDir, p.DataDir())
		p.Restart()
		fl, admin := readHash(t, p)
		if fl != want.fourLetter {
			t.Errorf("hash after replaying Apache's log:\n%q\nApache said\n%q", fl, want.fourLetter)
		}
		if admin != want.admin {
			t.Errorf("/commands/hash after replaying Apache's log:\n%s\nApache said\n%s", admin, want.admin)
		}
	})
}

// checkHashShape checks the two 3.8 lines and that the 0x100 entry is the
// digest of the visible tree.
func checkHashShape(t *testing.T, f hashFacts) {
	t.Helper()
	lines := strings.Split(f.fourLetter, "\n")
	if len(lines) != 3 || lines[2] != "" || !strings.HasPrefix(lines[0], "80: ") {
		t.Fatalf("hash output %q, want the 0x80 and 0x100 lines", f.fourLetter)
	}
	if want := fmt.Sprintf("100: %d", f.recomputed); lines[1] != want {
		t.Errorf("hash line %q, recomputed from the tree %q", lines[1], want)
	}
}

// normalizeDigests blanks the digest values of a /commands/hash answer.
func normalizeDigests(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if i := strings.Index(l, `"digest" : `); i >= 0 {
			l = l[:i] + `"digest" : N` + strings.TrimLeft(l[i+len(`"digest" : `):], "-0123456789")
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// TestDifferential_HashDigestDisabled: with digest.enabled=false 3.8 still
// keeps the history but every digest in it is 0; zkctl must answer the
// same bytes.
func TestDifferential_HashDigestDisabled(t *testing.T) {
	o := diffOptions
	o.Extra = map[string]string{"digest.enabled": "false"}
	var want [2]string
	t.Run("apache", func(t *testing.T) {
		srv := oracle.StartStandalone(t, o)
		playToZxid256(t, srv.ClientAddr())
		want[0], want[1] = readHash(t, srv)
		if want[0] != "80: 0\n100: 0\n" {
			t.Errorf("Apache with digest.enabled=false: %q", want[0])
		}
	})
	t.Run("zkctl", func(t *testing.T) {
		if want[0] == "" {
			t.Skip("no Apache answers to compare with")
		}
		p := startZkctl(t, o)
		playToZxid256(t, p.ClientAddr())
		got0, got1 := readHash(t, p)
		if got0 != want[0] || got1 != want[1] {
			t.Errorf("zkctl %q %s, Apache %q %s", got0, got1, want[0], want[1])
		}
	})
}
