package store

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Quota node names and StatsTrack keys, as ZooKeeper 3.8 (Quotas, StatsTrack)
// spells them: clients (zkCli.sh setquota/listquota, Curator) read and write
// these nodes directly, so the names and the text format are wire-visible.
const (
	// QuotaLimitNode is the child of /zookeeper/quota/<path> holding the limits.
	QuotaLimitNode = "zookeeper_limits"
	// QuotaStatNode is the child of /zookeeper/quota/<path> holding the usage
	// the server maintains.
	QuotaStatNode = "zookeeper_stats"

	statsCount          = "count"
	statsBytes          = "bytes"
	statsCountHardLimit = "countHardLimit"
	statsByteHardLimit  = "byteHardLimit"
)

// ErrBadStatsTrack is returned for text 3.8's StatsTrack constructor would
// throw on (a pair without "=value", a value that is not a long).
var ErrBadStatsTrack = errors.New("store: malformed quota stats text")

// StatsTrack is 3.8's StatsTrack: the key=long pairs kept in zookeeper_limits
// and zookeeper_stats. Absent keys read as -1, which 3.8 means as "no limit".
// The zero value is empty.
type StatsTrack struct {
	vals map[string]int64
}

// ParseStatsTrack parses "k=v" pairs separated by runs of ',' or ';' the way
// 3.8's StatsTrack(String) does, including its quirks: an empty value reads
// as -1, text after a second '=' is ignored ("bytes=5=" is bytes 5), a later
// key overrides an earlier one, and the forms 3.8 throws on are an error.
func ParseStatsTrack(s string) (StatsTrack, error) {
	st := StatsTrack{vals: map[string]int64{}}
	if s == "" {
		return st, nil
	}
	for _, pair := range javaSplit(s, func(r byte) bool { return r == ',' || r == ';' }, true) {
		kv := javaSplit(pair, func(r byte) bool { return r == '=' }, false)
		if len(kv) < 2 {
			return StatsTrack{}, fmt.Errorf("%w: %q has no value", ErrBadStatsTrack, pair)
		}
		v := int64(-1)
		if kv[1] != "" {
			n, err := strconv.ParseInt(kv[1], 10, 64)
			if err != nil {
				return StatsTrack{}, fmt.Errorf("%w: %q", ErrBadStatsTrack, pair)
			}
			v = n
		}
		st.vals[kv[0]] = v
	}
	return st, nil
}

// javaSplit is Java's String.split(regex) for a regex matching one separator
// byte, or a run of them when runs is set ("[,;]+"): a separator at the start
// yields a leading "", trailing empty strings are dropped, and input with no
// separator is returned whole.
func javaSplit(s string, sep func(byte) bool, runs bool) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		if !sep(s[i]) {
			i++
			continue
		}
		j := i + 1
		for runs && j < len(s) && sep(s[j]) {
			j++
		}
		out = append(out, s[start:i])
		start, i = j, j
	}
	out = append(out, s[start:])
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	if len(out) == 0 && s == "" {
		return []string{""}
	}
	return out
}

func (s StatsTrack) get(key string) int64 {
	if v, ok := s.vals[key]; ok {
		return v
	}
	return -1
}

func (s *StatsTrack) set(key string, v int64) {
	if s.vals == nil {
		s.vals = map[string]int64{}
	}
	s.vals[key] = v
}

// Count is the node count (usage in zookeeper_stats, soft limit in
// zookeeper_limits); -1 when absent.
func (s StatsTrack) Count() int64 { return s.get(statsCount) }

// Bytes is the data byte count (usage or soft limit); -1 when absent.
func (s StatsTrack) Bytes() int64 { return s.get(statsBytes) }

// CountHardLimit is the enforced node-count limit (setquota -N); -1 when absent.
func (s StatsTrack) CountHardLimit() int64 { return s.get(statsCountHardLimit) }

// ByteHardLimit is the enforced byte limit (setquota -B); -1 when absent.
func (s StatsTrack) ByteHardLimit() int64 { return s.get(statsByteHardLimit) }

// SetCount sets count, which the server does when maintaining zookeeper_stats.
func (s *StatsTrack) SetCount(v int64) { s.set(statsCount, v) }

// SetBytes sets bytes, which the server does when maintaining zookeeper_stats.
func (s *StatsTrack) SetBytes(v int64) { s.set(statsBytes, v) }

// SetCountHardLimit sets countHardLimit (tests and tools writing limits).
func (s *StatsTrack) SetCountHardLimit(v int64) { s.set(statsCountHardLimit, v) }

// SetByteHardLimit sets byteHardLimit (tests and tools writing limits).
func (s *StatsTrack) SetByteHardLimit(v int64) { s.set(statsByteHardLimit, v) }

// String formats as 3.8's StatsTrack.toString, byte for byte, because
// listquota and getData show it: "count=C,bytes=B" always first (-1 when
// absent), then, only if other keys exist, "=" and ";key=value" for each in
// sorted order (the extra "=" keeps 3.4's parser reading bytes correctly).
func (s StatsTrack) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s=%d,%s=%d", statsCount, s.Count(), statsBytes, s.Bytes())
	var rest []string
	for k := range s.vals {
		if k != statsCount && k != statsBytes {
			rest = append(rest, k)
		}
	}
	if len(rest) > 0 {
		b.WriteByte('=')
		sort.Strings(rest)
		for _, k := range rest {
			fmt.Fprintf(&b, ";%s=%d", k, s.vals[k])
		}
	}
	return b.String()
}
