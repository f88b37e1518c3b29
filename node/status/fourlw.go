package status

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/zkctl/zkctl/node/zkconfig"
)

// NotServing is what most commands print while no server is serving.
const NotServing = "This ZooKeeper instance is not currently serving requests"

// fourLetterWords are the words 3.8 recognises.
var fourLetterWords = map[string]bool{
	"conf": true, "cons": true, "crst": true, "dirs": true, "dump": true, "envi": true,
	"gtmk": true, "ruok": true, "stmk": true, "srst": true, "srvr": true, "stat": true,
	"wchc": true, "wchp": true, "wchs": true, "mntr": true, "isro": true, "hash": true,
}

// IsFourLetterWord reports whether the first four bytes of a connection are
// a four-letter word rather than a frame length. (The telnet close
// sequence 0xFFF4FFFD is not a word; the caller just closes.)
func IsFourLetterWord(b [4]byte) bool {
	return fourLetterWords[string(b[:])]
}

// FourLetterArgLen returns how many bytes follow the word on the wire:
// 8 (a big-endian int64 mask) for stmk, 0 otherwise.
func FourLetterArgLen(cmd string) int {
	if cmd == "stmk" {
		return 8
	}
	return 0
}

// FourLetter runs a four-letter word and returns the text to write before
// closing the connection. stmk needs its argument: use FourLetterArg.
func FourLetter(cmd string, src Source, whitelist zkconfig.Whitelist) string {
	return FourLetterArg(cmd, nil, src, whitelist)
}

// FourLetterArg is FourLetter with the bytes that follow the word (the
// 8-byte mask of stmk).
func FourLetterArg(cmd string, arg []byte, src Source, whitelist zkconfig.Whitelist) string {
	if !fourLetterWords[cmd] {
		return ""
	}
	if !whitelist.Allows(cmd) {
		return cmd + " is not executed because it is not in the whitelist.\n"
	}
	serving := src.Serving()
	switch cmd {
	case "ruok":
		return "imok"
	case "envi":
		return enviText(src)
	case "gtmk":
		return strconv.FormatInt(src.TraceMask(), 10)
	case "stmk":
		if len(arg) < 8 {
			return "stmk needs an 8-byte trace mask"
		}
		src.SetTraceMask(int64(binary.BigEndian.Uint64(arg[:8])))
		return strconv.FormatInt(src.TraceMask(), 10)
	case "hash":
		if !serving {
			return NotServing // DigestCommand uses print, not println
		}
		return hashText(src)
	case "isro":
		if !serving {
			return "null"
		}
		if src.ServerStats().ReadOnly {
			return "ro"
		}
		return "rw"
	}
	if !serving {
		return NotServing + "\n"
	}
	switch cmd {
	case "srvr":
		return statText(src, false)
	case "stat":
		return statText(src, true)
	case "mntr":
		return mntrText(src)
	case "conf":
		return confText(src)
	case "cons":
		return consText(src)
	case "wchs":
		return wchsText(src)
	case "wchc":
		return wchcText(src)
	case "wchp":
		return wchpText(src)
	case "dump":
		return dumpText(src)
	case "dirs":
		st := src.ServerStats()
		return fmt.Sprintf("datadir_size: %d\nlogdir_size: %d\n", st.DataDirSize, st.LogDirSize)
	case "crst":
		src.ResetConnStats()
		return "Connection stats reset.\n"
	case "srst":
		resetStats(src)
		return "Server stats reset.\n"
	}
	return ""
}

// statText renders srvr, or stat with its Clients: section.
func statText(src Source, clients bool) string {
	st := src.ServerStats()
	var b strings.Builder
	fmt.Fprintf(&b, "Zookeeper version: %s\n", st.version())
	if st.ReadOnly {
		b.WriteString("READ-ONLY mode; serving only read-only clients\n")
	}
	if clients {
		b.WriteString("Clients:\n")
		for _, c := range src.Connections() {
			b.WriteString(connLine(c, true))
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Latency min/avg/max: %d/%s/%d\n", st.MinLatencyMs, javaDouble(round4(st.AvgLatencyMs)), st.MaxLatencyMs)
	fmt.Fprintf(&b, "Received: %d\n", st.PacketsReceived)
	fmt.Fprintf(&b, "Sent: %d\n", st.PacketsSent)
	fmt.Fprintf(&b, "Connections: %d\n", st.AliveConnections)
	fmt.Fprintf(&b, "Outstanding: %d\n", st.Outstanding)
	fmt.Fprintf(&b, "Zxid: 0x%s\n", javaHex(st.LastZxid))
	fmt.Fprintf(&b, "Mode: %s\n", st.Mode)
	fmt.Fprintf(&b, "Node count: %d\n", st.NodeCount)
	if st.Mode == ModeLeader {
		fmt.Fprintf(&b, "Proposal sizes last/min/max: %d/%d/%d\n", st.Proposal.Last, st.Proposal.Min, st.Proposal.Max)
	}
	return b.String()
}

// javaSocketAddress renders "host:port" as InetSocketAddress.toString:
// "/127.0.0.1:60674", "/[0:0:0:0:0:0:0:1]:42170".
func javaSocketAddress(addr string) string {
	return "/" + addr
}

// connLine is ServerCnxn.dumpConnectionInfo (brief for stat, full for cons).
func connLine(c ConnInfo, brief bool) string {
	var b strings.Builder
	ops := "0"
	if c.InterestOps != 0 {
		ops = strconv.FormatInt(int64(c.InterestOps), 16)
	}
	fmt.Fprintf(&b, " %s[%s](queued=%d,recved=%d,sent=%d", javaSocketAddress(c.RemoteAddr), ops,
		c.Outstanding, c.PacketsReceived, c.PacketsSent)
	if !brief && c.SessionID != 0 {
		lop := c.LastOp
		if lop == "" {
			lop = "NA"
		}
		fmt.Fprintf(&b, ",sid=0x%s,lop=%s", javaHex(c.SessionID), lop)
		if !c.Established.IsZero() {
			fmt.Fprintf(&b, ",est=%d", c.Established.UnixMilli())
		}
		fmt.Fprintf(&b, ",to=%d", c.SessionTimeoutMs)
		if c.LastCxid >= 0 {
			fmt.Fprintf(&b, ",lcxid=0x%s", javaHex(c.LastCxid))
		}
		fmt.Fprintf(&b, ",lzxid=0x%s,lresp=%d,llat=%d,minlat=%d,avglat=%d,maxlat=%d",
			javaHex(c.LastZxid), c.LastResponseMs, c.LastLatencyMs, c.MinLatencyMs, c.AvgLatencyMs, c.MaxLatencyMs)
	}
	b.WriteString(")")
	return b.String()
}

func consText(src Source) string {
	var b strings.Builder
	for _, c := range src.Connections() {
		b.WriteString(connLine(c, false))
		b.WriteString("\n")
	}
	b.WriteString("\n")
	return b.String()
}

func mntrText(src Source) string {
	var b strings.Builder
	for _, m := range monitorValues(src) {
		b.WriteString("zk_" + m.Key + "\t" + formatMetric(m.Value) + "\n")
	}
	return b.String()
}

func formatMetric(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return javaDouble(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// confText is ZooKeeperServer.dumpConf (+ QuorumZooKeeperServer.dumpConf).
func confText(src Source) string {
	cfg := src.Config()
	st := src.ServerStats()
	if cfg == nil {
		return NotServing + "\n"
	}
	var b strings.Builder
	port := func(p int) int {
		if p == 0 {
			return -1
		}
		return p
	}
	fmt.Fprintf(&b, "clientPort=%d\n", port(cfg.ClientPort))
	fmt.Fprintf(&b, "secureClientPort=%d\n", port(cfg.SecureClientPort))
	fmt.Fprintf(&b, "dataDir=%s\n", filepath.Join(absPath(cfg.DataDir), "version-2"))
	fmt.Fprintf(&b, "dataDirSize=%d\n", st.DataDirSize)
	fmt.Fprintf(&b, "dataLogDir=%s\n", filepath.Join(absPath(cfg.DataLogDir), "version-2"))
	fmt.Fprintf(&b, "dataLogSize=%d\n", st.LogDirSize)
	fmt.Fprintf(&b, "tickTime=%d\n", cfg.TickTime)
	fmt.Fprintf(&b, "maxClientCnxns=%d\n", cfg.MaxClientCnxns)
	fmt.Fprintf(&b, "minSessionTimeout=%d\n", cfg.MinSessionTimeoutMs())
	fmt.Fprintf(&b, "maxSessionTimeout=%d\n", cfg.MaxSessionTimeoutMs())
	fmt.Fprintf(&b, "clientPortListenBacklog=%d\n", cfg.ClientPortListenBacklog)
	fmt.Fprintf(&b, "serverId=%d\n", cfg.MyID)
	if !cfg.IsQuorum() {
		return b.String()
	}
	fmt.Fprintf(&b, "initLimit=%d\n", cfg.InitLimit)
	fmt.Fprintf(&b, "syncLimit=%d\n", cfg.SyncLimit)
	fmt.Fprintf(&b, "electionAlg=%d\n", cfg.ElectionAlg)
	var eports, qports []string
	if me, ok := cfg.Me(); ok {
		for _, a := range me.Addrs {
			eports = append(eports, strconv.Itoa(a.ElectionPort))
			qports = append(qports, strconv.Itoa(a.QuorumPort))
		}
	}
	fmt.Fprintf(&b, "electionPort=%s\n", strings.Join(eports, "|"))
	fmt.Fprintf(&b, "quorumPort=%s\n", strings.Join(qports, "|"))
	fmt.Fprintf(&b, "peerType=%d\n", int(cfg.LearnerType()))
	b.WriteString("membership: \n")
	b.WriteString(cfg.QuorumVerifierText())
	return b.String()
}

// watchIndex groups the data watches by session and by path, sorted.
type watchIndex struct {
	sessions []int64
	bySess   map[int64][]string
	paths    []string
	byPath   map[string][]int64
	total    int
}

func indexWatches(ws []Watch) watchIndex {
	ix := watchIndex{bySess: map[int64][]string{}, byPath: map[string][]int64{}, total: len(ws)}
	for _, w := range ws {
		if _, ok := ix.bySess[w.SessionID]; !ok {
			ix.sessions = append(ix.sessions, w.SessionID)
		}
		ix.bySess[w.SessionID] = append(ix.bySess[w.SessionID], w.Path)
		if _, ok := ix.byPath[w.Path]; !ok {
			ix.paths = append(ix.paths, w.Path)
		}
		ix.byPath[w.Path] = append(ix.byPath[w.Path], w.SessionID)
	}
	sort.Slice(ix.sessions, func(i, j int) bool { return ix.sessions[i] < ix.sessions[j] })
	sort.Strings(ix.paths)
	for _, p := range ix.bySess {
		sort.Strings(p)
	}
	for _, s := range ix.byPath {
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	}
	return ix
}

func wchsText(src Source) string {
	ix := indexWatches(src.Watches())
	return fmt.Sprintf("%d connections watching %d paths\nTotal watches:%d\n", len(ix.sessions), len(ix.paths), ix.total)
}

func wchcText(src Source) string {
	ix := indexWatches(src.Watches())
	var b strings.Builder
	for _, s := range ix.sessions {
		fmt.Fprintf(&b, "0x%s\n", javaHex(s))
		for _, p := range ix.bySess[s] {
			fmt.Fprintf(&b, "\t%s\n", p)
		}
	}
	b.WriteString("\n")
	return b.String()
}

func wchpText(src Source) string {
	ix := indexWatches(src.Watches())
	var b strings.Builder
	for _, p := range ix.paths {
		fmt.Fprintf(&b, "%s\n", p)
		for _, s := range ix.byPath[p] {
			fmt.Fprintf(&b, "\t0x%s\n", javaHex(s))
		}
	}
	b.WriteString("\n")
	return b.String()
}

// javaDate is java.util.Date.toString: "Tue Mar 05 10:15:30 UTC 2024".
func javaDate(t time.Time) string {
	return t.Format("Mon Jan 02 15:04:05 MST 2006")
}

// expiryBuckets groups sessions by expiry time, oldest first.
func expiryBuckets(ss []SessionInfo) ([]time.Time, map[time.Time][]int64) {
	byTime := map[time.Time][]int64{}
	var times []time.Time
	for _, s := range ss {
		t := s.ExpiresAt.Truncate(time.Millisecond)
		if _, ok := byTime[t]; !ok {
			times = append(times, t)
		}
		byTime[t] = append(byTime[t], s.ID)
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	for _, ids := range byTime {
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	}
	return times, byTime
}

// dumpText is DumpCommand: session tracker, ephemerals, connections.
func dumpText(src Source) string {
	st := src.ServerStats()
	sessions := src.Sessions()
	sort.Slice(sessions, func(i, j int) bool { return sessions[i].ID < sessions[j].ID })
	var b strings.Builder
	b.WriteString("SessionTracker dump:\n")
	if st.Mode == ModeFollower || st.Mode == ModeObserver {
		fmt.Fprintf(&b, "Global Sessions(%d):\n", len(sessions))
		for _, s := range sessions {
			fmt.Fprintf(&b, "0x%s\t%dms\n", javaHex(s.ID), s.TimeoutMs)
		}
	} else {
		times, byTime := expiryBuckets(sessions)
		fmt.Fprintf(&b, "Session Sets (%d)/(%d):\n", len(times), len(sessions))
		for _, t := range times {
			fmt.Fprintf(&b, "%d expire at %s:\n", len(byTime[t]), javaDate(t))
			for _, id := range byTime[t] {
				fmt.Fprintf(&b, "\t0x%s\n", javaHex(id))
			}
		}
	}
	b.WriteString("ephemeral nodes dump:\n")
	var withEph []SessionInfo
	for _, s := range sessions {
		if len(s.Ephemerals) > 0 {
			withEph = append(withEph, s)
		}
	}
	fmt.Fprintf(&b, "Sessions with Ephemerals (%d):\n", len(withEph))
	for _, s := range withEph {
		fmt.Fprintf(&b, "0x%s:\n", javaHex(s.ID))
		paths := append([]string(nil), s.Ephemerals...)
		sort.Strings(paths)
		for _, p := range paths {
			fmt.Fprintf(&b, "\t%s\n", p)
		}
	}
	b.WriteString("Connections dump:\n")
	// NB: ZooKeeper buckets connections by their own expiry; zkctl uses the
	// expiry of the connection's session, so sessionless connections
	// (4lw probes, handshakes) are not listed.
	expiry := map[int64]time.Time{}
	for _, s := range sessions {
		expiry[s.ID] = s.ExpiresAt.Truncate(time.Millisecond)
	}
	byTime := map[time.Time][]ConnInfo{}
	var times []time.Time
	n := 0
	for _, c := range src.Connections() {
		t, ok := expiry[c.SessionID]
		if c.SessionID == 0 || !ok {
			continue
		}
		if _, seen := byTime[t]; !seen {
			times = append(times, t)
		}
		byTime[t] = append(byTime[t], c)
		n++
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	fmt.Fprintf(&b, "Connections Sets (%d)/(%d):\n", len(times), n)
	for _, t := range times {
		fmt.Fprintf(&b, "%d expire at %s:\n", len(byTime[t]), javaDate(t))
		for _, c := range byTime[t] {
			fmt.Fprintf(&b, "\t%s\n", connLine(c, false))
		}
	}
	return b.String()
}

func enviText(src Source) string {
	var b strings.Builder
	b.WriteString("Environment:\n")
	for _, e := range environment(src) {
		b.WriteString(e.Key + "=" + e.Value + "\n")
	}
	return b.String()
}
