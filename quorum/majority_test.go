package quorum

import (
	"testing"
	"testing/quick"
)

func TestMajority_Thresholds(t *testing.T) {
	cases := []struct {
		voters []int64
		acks   []int64
		want   bool
	}{
		{nil, nil, false},
		{nil, []int64{1}, false},
		{[]int64{1}, nil, false},
		{[]int64{1}, []int64{1}, true},
		{[]int64{1, 2}, []int64{1}, false},
		{[]int64{1, 2}, []int64{1, 2}, true},
		{[]int64{1, 2, 3}, []int64{3}, false},
		{[]int64{1, 2, 3}, []int64{1, 3}, true},
		{[]int64{1, 2, 3}, []int64{1, 4, 5, 6}, false}, // 4,5,6 are observers/unknown
		{[]int64{1, 2, 3, 4}, []int64{1, 2}, false},
		{[]int64{1, 2, 3, 4}, []int64{1, 2, 4}, true},
		{[]int64{1, 2, 3, 4, 5}, []int64{2, 4, 5}, true},
		{[]int64{1, 2, 3, 4, 5}, []int64{2, 4}, false},
		{[]int64{1, 1, 2, 2, 3}, []int64{1, 2}, true}, // duplicates collapse to 3 voters
	}
	for _, c := range cases {
		m := NewMajority(c.voters...)
		if got := m.HasQuorum(NewSet(c.acks...)); got != c.want {
			t.Errorf("%v.HasQuorum(%v) = %v, want %v", m, c.acks, got, c.want)
		}
	}
}

// dumbQuorum is the obviously-correct version: count voters among acks by
// scanning both lists, compare twice the count with the voter count.
func dumbQuorum(voters, acks []int64) bool {
	uniq := map[int64]bool{}
	for _, v := range voters {
		uniq[v] = true
	}
	seen := map[int64]bool{}
	n := 0
	for _, a := range acks {
		if uniq[a] && !seen[a] {
			seen[a] = true
			n++
		}
	}
	return 2*n > len(uniq)
}

func TestMajority_QuickAgainstDumb(t *testing.T) {
	f := func(vs, as []uint8) bool {
		voters := make([]int64, len(vs))
		for i, v := range vs {
			voters[i] = int64(v % 16)
		}
		acks := make([]int64, len(as))
		for i, a := range as {
			acks[i] = int64(a % 24) // some acks from non-voters
		}
		return NewMajority(voters...).HasQuorum(NewSet(acks...)) == dumbQuorum(voters, acks)
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 5000}); err != nil {
		t.Fatal(err)
	}
}

func TestTally_QuickObserversExcluded(t *testing.T) {
	// Property: adding votes from non-voters never changes the tally.
	f := func(vs []uint8, votes map[uint8]uint8, extra map[uint8]uint8, probe uint8) bool {
		voters := make([]int64, 0, len(vs))
		for _, v := range vs {
			voters = append(voters, int64(v%8))
		}
		m := NewMajority(voters...)
		base := map[int64]uint8{}
		for sid, v := range votes {
			base[int64(sid%8)] = v % 3
		}
		with := map[int64]uint8{}
		for sid, v := range base {
			with[sid] = v
		}
		for sid, v := range extra {
			with[100+int64(sid)] = v % 3 // never voters
		}
		eq := func(a, b uint8) bool { return a == b }
		p := probe % 3
		a, b := Tally(m, base, p, eq), Tally(m, with, p, eq)
		if len(a) != len(b) {
			return false
		}
		// and HasQuorumFor agrees with a dumb count
		n := 0
		for sid, v := range base {
			if m.IsVoter(sid) && v == p {
				n++
			}
		}
		return HasQuorumFor(m, with, p, eq) == (m.Len() > 0 && 2*n > m.Len())
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 2000}); err != nil {
		t.Fatal(err)
	}
}

func TestCounts(t *testing.T) {
	m := NewMajority(1, 2, 3)
	got := Counts(m, map[int64]string{1: "a", 2: "a", 3: "b", 9: "a"})
	if got["a"] != 2 || got["b"] != 1 || len(got) != 2 {
		t.Fatalf("Counts = %v", got)
	}
	if s := m.String(); s != "majority(1,2,3)" {
		t.Fatalf("String = %q", s)
	}
}
