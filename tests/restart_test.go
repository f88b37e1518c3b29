package tests

import (
	"fmt"
	"testing"

	"github.com/go-zookeeper/zk"
	"github.com/zkctl/zkctl/internal/oracle"
	"github.com/zkctl/zkctl/internal/zkproc"
)

// restartScript writes, kills the server with SIGKILL, restarts it on the
// same data dir and reads everything back; the transcript includes zxids,
// so recovery must resume the zxid sequence exactly as Apache does.
func restartScript(t *testing.T, tgt zkproc.Target) []string {
	t.Helper()
	r := &recorder{sessions: map[int64]string{}}
	c, err := connect(t, tgt.ClientAddr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	open := zk.WorldACL(zk.PermAll)
	for i := range 5 {
		p, err := c.Create(fmt.Sprintf("/d%d", i), []byte(fmt.Sprintf("v%d", i)), zk.FlagPersistent, open)
		r.add("create -> %s %s", errText(err), p)
	}
	p, err := c.Create("/d0/s-", nil, zk.FlagSequence, open)
	r.add("create seq -> %s %s", errText(err), p)
	s, err := c.Set("/d1", []byte("changed"), 0)
	r.add("set /d1 -> %s %s", errText(err), r.stat(s))
	r.add("delete /d2 -> %s", errText(c.Delete("/d2", -1)))
	c.Close() // closeSession is committed before the kill

	tgt.Kill9()
	tgt.Restart()

	c, err = connect(t, tgt.ClientAddr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r.sessions[c.SessionID()] = "S2"
	for i := range 5 {
		b, s, err := c.Get(fmt.Sprintf("/d%d", i))
		r.add("get /d%d -> %s %s %s", i, errText(err), data(b), r.stat(s))
	}
	kids, s, err := c.Children("/")
	r.add("children / -> %s %v %s", errText(err), sorted(kids), r.stat(s))
	p, err = c.Create("/d0/s-", nil, zk.FlagSequence, open)
	r.add("create seq after restart -> %s %s", errText(err), p)
	s, err = c.Set("/d3", []byte("x"), -1)
	r.add("set /d3 after restart -> %s %s", errText(err), r.stat(s))
	return r.lines
}

// TestRestart_RecoversAfterKill9 compares recovery after SIGKILL: data,
// versions, sequence counters and the zxid sequence.
func TestRestart_RecoversAfterKill9(t *testing.T) {
	var want []string
	t.Run("apache", func(t *testing.T) {
		want = restartScript(t, oracle.StartStandalone(t, zkproc.Options{}))
	})
	t.Run("zkctl", func(t *testing.T) {
		if want == nil {
			t.Skip("no Apache transcript to compare with")
		}
		got := restartScript(t, startZkctl(t, zkproc.Options{}))
		if d := diffLines("apache", want, "zkctl", got); d != "" {
			t.Errorf("recovery differs:\n%s", d)
		}
	})
}
