package store

import (
	"reflect"
	"testing"
)

// diffTrees logs how two tree dumps differ.
func diffTrees(t *testing.T, a, b map[string]NodeView) {
	t.Helper()
	for p, v := range a {
		w, ok := b[p]
		if !ok {
			t.Logf("%s missing in b", p)
			continue
		}
		if !reflect.DeepEqual(v, w) {
			t.Logf("%s:\n a=%+v\n b=%+v", p, v, w)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			t.Logf("%s missing in a", p)
		}
	}
}
