package status

import (
	"net/http"
	"strconv"
	"strings"
)

// ZxidDigest is one entry of a server's digest history: the tree digest
// after txn Zxid (3.8 DataTree.ZxidDigest).
type ZxidDigest struct {
	Zxid          int64
	DigestVersion int32
	Digest        int64
}

// DigestSource is implemented by sources that keep 3.8's digest history
// (store.DataTree.DigestLog). It is separate from Source so that sources
// without a data tree need not implement it: they answer `hash` with
// nothing, like a 3.8 server that has not yet reached the 128th txn.
type DigestSource interface {
	// DigestLog returns the history, oldest first.
	DigestLog() []ZxidDigest
}

// digestLog returns src's digest history, or nil.
func digestLog(src Source) []ZxidDigest {
	if d, ok := src.(DigestSource); ok {
		return d.DigestLog()
	}
	return nil
}

// hashText renders the `hash` four-letter word as 3.8's DigestCommand:
// one "<hex zxid>: <decimal digest>" line per entry.
func hashText(src Source) string {
	var b strings.Builder
	for _, d := range digestLog(src) {
		b.WriteString(javaHex(d.Zxid))
		b.WriteString(": ")
		b.WriteString(strconv.FormatInt(d.Digest, 10))
		b.WriteString("\n")
	}
	return b.String()
}

// cmdHash is the `hash` admin command (3.8 Commands.DigestCommand): the
// history as a "digests" list of {zxid, digest, digest_version} objects, as
// the AdminServer's snake-case Jackson mapper writes DataTree.ZxidDigest.
func cmdHash(src Source, _ *http.Request) obj {
	l := digestLog(src)
	out := make([]any, 0, len(l))
	for _, d := range l {
		out = append(out, obj{{"zxid", d.Zxid}, {"digest", d.Digest}, {"digest_version", int(d.DigestVersion)}})
	}
	return obj{{"digests", out}}
}
