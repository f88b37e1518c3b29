package quorum

// Tally groups the votes of the voting members by an equivalence the caller
// chooses (FLE's Vote.equals is not plain equality) and reports, for probe,
// which voters agree with it. Votes from non-voters are skipped, as
// SyncedLearnerTracker.addAck only counts members of the verifier.
func Tally[V any](m Majority, votes map[int64]V, probe V, equal func(a, b V) bool) Set {
	acks := make(Set)
	for sid, v := range votes {
		if m.IsVoter(sid) && equal(probe, v) {
			acks.Add(sid)
		}
	}
	return acks
}

// HasQuorumFor reports whether the voters whose vote equals probe form a
// quorum: FastLeaderElection.getVoteTracker(...).hasAllQuorums() for a
// single static QuorumMaj.
func HasQuorumFor[V any](m Majority, votes map[int64]V, probe V, equal func(a, b V) bool) bool {
	return m.HasQuorum(Tally(m, votes, probe, equal))
}

// Counts returns, for every distinct vote value among the voters, how many
// voters hold it. Useful for status displays; the decision uses HasQuorumFor.
func Counts[V comparable](m Majority, votes map[int64]V) map[V]int {
	out := make(map[V]int)
	for sid, v := range votes {
		if m.IsVoter(sid) {
			out[v]++
		}
	}
	return out
}
