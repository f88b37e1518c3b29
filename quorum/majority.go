// Package quorum holds ZooKeeper's majority arithmetic (QuorumMaj): which
// sets of server ids form a quorum of the voting members. Observers are never
// voting members, so acks from them are ignored. The package is pure: no I/O,
// no clock, no goroutines.
package quorum

import (
	"fmt"
	"slices"
	"strings"
)

// Majority is a set of voting members with majority quorums, as
// QuorumMaj.containsQuorum: a set is a quorum when it holds more than
// floor(n/2) of the n voters. The zero value has no voters and no quorum.
type Majority struct {
	voters map[int64]struct{}
	sorted []int64 // the same ids, ascending
}

// NewMajority returns the voter set made of the given server ids. Duplicates
// are collapsed. Observers must not be passed here.
func NewMajority(voters ...int64) Majority {
	m := Majority{voters: make(map[int64]struct{}, len(voters))}
	for _, v := range voters {
		if _, dup := m.voters[v]; dup {
			continue
		}
		m.voters[v] = struct{}{}
		m.sorted = append(m.sorted, v)
	}
	slices.Sort(m.sorted)
	return m
}

// Voters returns the voting members in ascending order (a copy).
func (m Majority) Voters() []int64 { return slices.Clone(m.sorted) }

// Len returns the number of voting members.
func (m Majority) Len() int { return len(m.sorted) }

// IsVoter reports whether sid is a voting member.
func (m Majority) IsVoter(sid int64) bool {
	_, ok := m.voters[sid]
	return ok
}

// Threshold returns the smallest number of voters that forms a quorum:
// floor(n/2)+1. It is 1 for an empty set, which can therefore never reach it.
func (m Majority) Threshold() int { return len(m.sorted)/2 + 1 }

// Count returns how many distinct voting members are in acks; ids that are
// not voters (observers, unknown sids) are ignored.
func (m Majority) Count(acks Set) int {
	n := 0
	for sid := range acks {
		if m.IsVoter(sid) {
			n++
		}
	}
	return n
}

// HasQuorum reports whether the voters among acks are more than half of all
// voters (QuorumMaj.containsQuorum).
func (m Majority) HasQuorum(acks Set) bool {
	return len(m.sorted) > 0 && m.Count(acks) > len(m.sorted)/2
}

// String renders the voter set as "majority(1,2,3)".
func (m Majority) String() string {
	parts := make([]string, len(m.sorted))
	for i, v := range m.sorted {
		parts[i] = fmt.Sprint(v)
	}
	return "majority(" + strings.Join(parts, ",") + ")"
}
