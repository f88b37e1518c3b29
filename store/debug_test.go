package store

import (
	"fmt"
	"reflect"
	"testing"
)

func diffTrees(t *testing.T, a, b map[string]NodeView) {
	for p, v := range a {
		w, ok := b[p]
		if !ok {
			fmt.Println("missing in b", p)
			continue
		}
		if !reflect.DeepEqual(v, w) {
			fmt.Printf("%s:\n a=%+v\n b=%+v\n", p, v, w)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			fmt.Println("missing in a", p)
		}
	}
}
