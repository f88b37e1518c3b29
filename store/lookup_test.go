package store

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/zkctl/zkctl/jute"
)

// TestDataTree_LookupIsGetWithoutChildren: Lookup answers what Get answers
// (stat, persisted stat, data, ACL, counters) except the children list.
func TestDataTree_LookupIsGetWithoutChildren(t *testing.T) {
	tr := NewDataTree()
	mustOK(t, tr.Apply(createTxn(1, "/p", "data", 0)))
	for i := range 3 {
		mustOK(t, tr.Apply(createTxn(int64(2+i), fmt.Sprintf("/p/c%d", i), "", int32(i+1))))
	}
	for _, path := range []string{"/", "/p", "/p/c0", "/zookeeper/config"} {
		g, gok := tr.Get(path)
		l, lok := tr.Lookup(path)
		if !gok || !lok {
			t.Fatalf("%s: Get ok %v, Lookup ok %v", path, gok, lok)
		}
		if l.Children != nil {
			t.Errorf("%s: Lookup built children %q", path, l.Children)
		}
		g.Children = nil
		if !reflect.DeepEqual(g, l) {
			t.Errorf("%s: Lookup %+v, Get without children %+v", path, l, g)
		}
	}
	if g, _ := tr.Get("/p"); len(g.Children) != 3 || g.Stat.NumChildren != 3 {
		t.Errorf("Get /p children %q numChildren %d", g.Children, g.Stat.NumChildren)
	}
	if _, ok := tr.Lookup("/p/missing"); ok {
		t.Error("Lookup of a missing node reported ok")
	}
}

// BenchmarkDataTree_LookupLargeParent measures the per-request check a
// create does on its parent; with Get it grew with the parent's children
// (a sort per create), which made sequential creates under one parent the
// slowest operation of the standalone server.
func BenchmarkDataTree_LookupLargeParent(b *testing.B) {
	tr := NewDataTree()
	if r := tr.Apply(createTxn(1, "/p", "", 0)); r.Err != jute.ErrOK {
		b.Fatalf("create /p: %v", r.Err)
	}
	for i := range 50000 {
		if r := tr.Apply(createTxn(int64(2+i), fmt.Sprintf("/p/c%07d", i), "", int32(i+1))); r.Err != jute.ErrOK {
			b.Fatalf("create child %d: %v", i, r.Err)
		}
	}
	for _, bc := range []struct {
		name string
		f    func(string) (NodeView, bool)
	}{{"Lookup", tr.Lookup}, {"Get", tr.Get}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, ok := bc.f("/p"); !ok {
					b.Fatal("missing /p")
				}
			}
		})
	}
}
