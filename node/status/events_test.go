package status

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func seqs(r *EventRing, since uint64) []uint64 {
	var out []uint64
	for _, e := range r.Since(since).Events {
		out = append(out, e.Seq)
	}
	return out
}

func TestEventRing_Empty(t *testing.T) {
	r := NewEventRing(4)
	ev := r.Since(0)
	if len(ev.Events) != 0 || ev.Events == nil || ev.Oldest != 0 || ev.Last != 0 {
		t.Fatalf("empty ring: %+v", ev)
	}
}

func TestEventRing_WrapAround(t *testing.T) {
	r := NewEventRing(4)
	r.SetClock(func() time.Time { return time.UnixMilli(1234) })
	for i := 1; i <= 10; i++ {
		e := r.Add("state", "LOOKING", fmt.Sprintf("e%d", i))
		if e.Seq != uint64(i) || e.TimeUnixMs != 1234 {
			t.Fatalf("Add %d returned %+v", i, e)
		}
	}
	cases := []struct {
		since uint64
		want  string
	}{
		{0, "[7 8 9 10]"}, // behind the ring: everything held
		{5, "[7 8 9 10]"}, // still behind
		{6, "[7 8 9 10]"}, // exactly Oldest-1: nothing missed
		{7, "[8 9 10]"},   // inside
		{9, "[10]"},       // last one
		{10, "[]"},        // at Last
		{99, "[]"},        // beyond Last
	}
	for _, c := range cases {
		got := fmt.Sprint(seqs(r, c.since))
		if got == "[]" && c.want == "[]" {
			continue
		}
		if got != c.want {
			t.Errorf("Since(%d) = %s, want %s", c.since, got, c.want)
		}
	}
	ev := r.Since(0)
	if ev.Oldest != 7 || ev.Last != 10 {
		t.Fatalf("Oldest/Last = %d/%d, want 7/10", ev.Oldest, ev.Last)
	}
	if ev.Events[0].Message != "e7" || ev.Events[3].Message != "e10" {
		t.Fatalf("messages out of order: %+v", ev.Events)
	}
}

func TestEventRing_PartiallyFilled(t *testing.T) {
	r := NewEventRing(8)
	for i := 0; i < 3; i++ {
		r.Add("vote", "", "x")
	}
	if got := fmt.Sprint(seqs(r, 1)); got != "[2 3]" {
		t.Fatalf("Since(1) = %s", got)
	}
	if ev := r.Since(0); ev.Oldest != 1 || ev.Last != 3 || len(ev.Events) != 3 {
		t.Fatalf("Since(0) = %+v", ev)
	}
}

func TestEventRing_Concurrent(t *testing.T) {
	r := NewEventRing(16)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				r.Add("state", "", "m")
				evs := r.Since(r.Last() / 2).Events
				for j := 1; j < len(evs); j++ {
					if evs[j].Seq != evs[j-1].Seq+1 {
						t.Errorf("non-consecutive seqs %d, %d", evs[j-1].Seq, evs[j].Seq)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if r.Last() != 800 {
		t.Fatalf("Last = %d, want 800", r.Last())
	}
}
