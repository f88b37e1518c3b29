package serve

import (
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/leader"
	"github.com/zkctl/zkctl/node/zkconfig"
	"github.com/zkctl/zkctl/store"
)

// recordingProposer stands in for Zab: it records each txn and hands it to
// the final stage at once.
type recordingProposer struct {
	s    *Server
	mu   sync.Mutex
	txns []*jute.Txn
}

func (p *recordingProposer) Propose(r *Request) bool {
	if r.Txn != nil {
		p.mu.Lock()
		p.txns = append(p.txns, r.Txn)
		p.mu.Unlock()
	}
	select {
	case p.s.finalCh <- r:
		return true
	case <-p.s.ctx.Done():
		return false
	}
}

// memDB is a Database in memory: no log, every append durable at once.
type memDB struct {
	tree *store.DataTree
	mu   sync.Mutex
	last int64
}

func (m *memDB) Tree() *store.DataTree     { return m.tree }
func (m *memDB) Sessions() map[int64]int32 { return nil }
func (m *memDB) Append(txn *jute.Txn) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.last = txn.Hdr.Zxid
	return nil
}
func (m *memDB) Commit() error                    { return nil }
func (m *memDB) Apply(txn *jute.Txn) store.Result { return m.tree.Apply(txn) }
func (m *memDB) LastLoggedZxid() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last
}
func (m *memDB) Close() error { return nil }

func TestPipeline_RawRequestsAndCustomProposer(t *testing.T) {
	db := &memDB{tree: store.NewDataTree()}
	cfg := zkconfig.Default(t.TempDir())
	cfg.TickTime, cfg.ClientPortAddress, cfg.AdminEnableServer = 200, "127.0.0.1", false
	s := New(cfg, slog.New(slog.DiscardHandler), Options{MaxBuffer: jute.DefaultMaxBuffer, ServerID: 1, ReapInterval: time.Minute})
	s.Open(db)
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	s.Start(t.Context(), nil)
	t.Cleanup(s.Stop)
	// A second prep loop over the same server, as a role's pipeline: the
	// standalone prepare step, the recording Proposer.
	rp := &recordingProposer{s: s}
	fwd := make(chan *Request, 4)
	pl := &pipeline{fwd: fwd, prepare: s.standalonePrepare, next: rp}
	go pl.run(s.ctx)
	submit := func(sid int64, cxid int32, op jute.Op, data []byte) {
		fwd <- &Request{Request: leader.Request{SessionID: sid, Cxid: cxid, Type: op, Data: data}}
	}
	const sid = 0x0200000000000001
	e := jute.NewEncoder(nil)
	e.Int(6000)
	submit(sid, 0, jute.OpCreateSession, e.Bytes())
	submit(sid, 1, jute.OpCreate, jute.Encode(&jute.CreateRequest{
		Path: "/fwd", Data: []byte("d"), ACL: jute.OpenACLUnsafe(), Flags: jute.FlagEphemeral, TTL: -1}))
	submit(sid, 2, jute.OpSetData, []byte{1, 2}) // malformed
	deadline := time.Now().Add(5 * time.Second)
	for {
		rp.mu.Lock()
		n := len(rp.txns)
		rp.mu.Unlock()
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d txns proposed", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.txns[0].Hdr.Type != jute.OpCreateSession || rp.txns[1].Hdr.Type != jute.OpCreate || rp.txns[2].Hdr.Type != jute.OpError {
		t.Errorf("txn types %v %v %v", rp.txns[0].Hdr.Type, rp.txns[1].Hdr.Type, rp.txns[2].Hdr.Type)
	}
	if et, ok := rp.txns[2].Body.(*jute.ErrorTxn); !ok || et.Err != jute.ErrMarshallingError {
		t.Errorf("malformed forwarded setData: %+v", rp.txns[2].Body)
	}
	for i, tx := range rp.txns {
		if tx.Hdr.Zxid != int64(i+1) || tx.Hdr.ClientID != sid {
			t.Errorf("txn %d header %+v", i, tx.Hdr)
		}
	}
	// The apply side sees the commits: wait for the node.
	for time.Now().Before(deadline) {
		if v, ok := db.tree.Get("/fwd"); ok {
			if v.EphemeralOwner != sid {
				t.Errorf("owner 0x%x", v.EphemeralOwner)
			}
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("forwarded create was not applied")
}
