package bench_test

import (
	"testing"
	"time"
)

func TestFormedInEvents(t *testing.T) {
	day := time.Date(2025, 3, 4, 17, 59, 3, 0, time.Local)
	out := `17:59:03.381 started  zk2 pid 27083
17:59:03.650 state    zk1 - -> LOOKING (epoch 0, zxid 0x0, leader -1)
17:59:03.650 state    zk2 - -> LOOKING (epoch 0, zxid 0x0, leader -1)
17:59:03.650 state    zk3 - -> LOOKING (epoch 0, zxid 0x0, leader -1)
17:59:03.900 state    zk3 LOOKING -> LEADING (epoch 1, zxid 0x0, leader 3)
17:59:03.900 leader   zk3 elected leader, epoch 1, after 500ms without a leader
17:59:04.150 state    zk1 LOOKING -> FOLLOWING (epoch 1, zxid 0x0, leader 3)
17:59:04.400 state    zk2 LOOKING -> FOLLOWING (epoch 1, zxid 0x0, leader 3)
17:59:05.000 state    zk2 FOLLOWING -> LOOKING (epoch 1, zxid 0x0, leader 3)
`
	at, ok := formedInEvents(out, 3, day)
	if !ok {
		t.Fatal("not found")
	}
	if want := time.Date(2025, 3, 4, 17, 59, 4, 400e6, time.Local); !at.Equal(want) {
		t.Fatalf("formed at %v, want %v", at, want)
	}
	if _, ok := formedInEvents(out, 4, day); ok {
		t.Fatal("4 servers reported formed with 3 in the log")
	}
	if _, ok := formedInEvents("17:59:03.650 state zk1 - -> STANDALONE (x)\n", 1, day); ok {
		t.Fatal("standalone counted as formed")
	}
}
