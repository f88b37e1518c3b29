package scenario

import (
	"fmt"
	"math"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// The shared parsing, on the spellings the election and Zab files use.
func TestScenario_Args(t *testing.T) {
	datadriven.RunTestFromString(t, `
add-peers 3 observers=1 zxid=(0x100000005, 0x7,5)
----
ids=[3] observers=1 zxid=[4294967301 7 5] epoch=[] groups=[]

partition (1,2) (3,4,5)
----
ids=[] observers=0 zxid=[] epoch=[] groups=[[1 2] [3 4 5]]

crash 2 3
----
ids=[2 3] observers=0 zxid=[] epoch=[] groups=[]

heal
----
ok
`, func(t *testing.T, d *datadriven.TestData) string {
		CheckArgs(t, d, "ids groups observers zxid epoch")
		if d.Cmd == "heal" {
			return Output("")
		}
		return fmt.Sprintf("ids=%v observers=%d zxid=%v epoch=%v groups=%v\n", IDs(t, d), Int(t, d, "observers", 0),
			fmtList(Ints(t, d, "zxid")), fmtList(Ints(t, d, "epoch")), Groups(t, d))
	})
}

func fmtList(l []int64) string {
	if l == nil {
		return "[]"
	}
	return fmt.Sprint(l)
}

// Hex matches ZooKeeper's log rendering and keeps the sign of sentinels.
func TestScenario_Hex(t *testing.T) {
	for n, want := range map[int64]string{0: "0x0", 0x100000005: "0x100000005", -1: "-0x1", math.MinInt64: "-0x8000000000000000"} {
		if got := Hex(n); got != want {
			t.Errorf("Hex(%d) = %s, want %s", n, got, want)
		}
	}
}
