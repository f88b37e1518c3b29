package node

import (
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/zkctl/zkctl/jute"
	"github.com/zkctl/zkctl/store"
)

// recordingProposer stands in for Zab: it records each txn and commits at once.
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
	return p.s.Commit(r)
}

func TestPipeline_ForwardedRequestAndCustomProposer(t *testing.T) {
	db := &memDB{tree: store.NewDataTree()}
	cfg := inProcessConfig(t)
	s, err := NewServer(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s.openDB = func() (Database, error) { return db, nil }
	rp := &recordingProposer{s: s}
	if err := s.SetProposer(rp); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	if err := s.SetProposer(rp); err == nil {
		t.Error("SetProposer after Start must fail")
	}
	const sid = 0x0200000000000001
	e := jute.NewEncoder(nil)
	e.Int(6000)
	s.Submit(NewForwardedRequest(sid, 0, jute.OpCreateSession, e.Bytes(), nil))
	s.Submit(NewForwardedRequest(sid, 1, jute.OpCreate, jute.Encode(&jute.CreateRequest{
		Path: "/fwd", Data: []byte("d"), ACL: jute.OpenACLUnsafe(), Flags: jute.FlagEphemeral, TTL: -1}), nil))
	s.Submit(NewForwardedRequest(sid, 2, jute.OpSetData, []byte{1, 2}, nil)) // malformed
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
