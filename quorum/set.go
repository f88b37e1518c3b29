package quorum

import "slices"

// Set is a set of server ids (sids), used for acks and votes in agreement.
type Set map[int64]struct{}

// NewSet returns a set holding the given ids.
func NewSet(ids ...int64) Set {
	s := make(Set, len(ids))
	for _, id := range ids {
		s[id] = struct{}{}
	}
	return s
}

// Add puts id into the set.
func (s Set) Add(id int64) { s[id] = struct{}{} }

// Has reports whether id is in the set.
func (s Set) Has(id int64) bool {
	_, ok := s[id]
	return ok
}

// Sorted returns the ids in ascending order.
func (s Set) Sorted() []int64 {
	out := make([]int64, 0, len(s))
	for id := range s {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
