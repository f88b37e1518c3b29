package znode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-zookeeper/zk"
)

// Data display modes.
const (
	ModeAuto = "auto" // JSON when it parses, text when printable UTF-8, else hex
	ModeText = "text"
	ModeJSON = "json"
	ModeHex  = "hex"
)

// Modes is the order the toggle key cycles through.
var Modes = []string{ModeAuto, ModeText, ModeJSON, ModeHex}

// MaxShown bounds the bytes of data rendered; larger data is cut and its
// full size said, so a 1 MiB znode does not stall the screen.
const MaxShown = 16 << 10

// FormatData renders data in mode and says which mode it used (auto picks
// one; json falls back to text with a note when the data does not parse;
// text falls back to hex for invalid UTF-8 or control bytes).
func FormatData(data []byte, mode string) (lines []string, used string) {
	if len(data) == 0 {
		return []string{"(empty)"}, mode
	}
	shown, note := data, ""
	if len(data) > MaxShown {
		shown = data[:MaxShown]
		note = fmt.Sprintf("… %d of %d bytes shown", MaxShown, len(data))
	}
	finish := func(ls []string, used string) ([]string, string) {
		if note != "" {
			ls = append(ls, note)
		}
		return ls, used
	}
	printable := isPrintable(shown)
	switch mode {
	case ModeHex:
		return finish(hexDump(shown), ModeHex)
	case ModeText:
		if !printable {
			return finish(append([]string{"(not printable UTF-8: shown as hex)"}, hexDump(shown)...), ModeHex)
		}
		return finish(strings.Split(string(shown), "\n"), ModeText)
	case ModeJSON:
		if ls, ok := prettyJSON(data); ok && note == "" {
			return ls, ModeJSON
		}
		if !printable {
			return finish(append([]string{"(not JSON: shown as hex)"}, hexDump(shown)...), ModeHex)
		}
		return finish(append([]string{"(not JSON: shown as text)"}, strings.Split(string(shown), "\n")...), ModeText)
	default:
		if note == "" {
			if t := bytes.TrimSpace(data); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
				if ls, ok := prettyJSON(data); ok {
					return ls, ModeJSON
				}
			}
		}
		if printable {
			return finish(strings.Split(string(shown), "\n"), ModeText)
		}
		return finish(hexDump(shown), ModeHex)
	}
}

func prettyJSON(data []byte) ([]string, bool) {
	if !json.Valid(data) {
		return nil, false
	}
	var b bytes.Buffer
	if err := json.Indent(&b, bytes.TrimSpace(data), "", "  "); err != nil {
		return nil, false
	}
	return strings.Split(b.String(), "\n"), true
}

// isPrintable says whether b is valid UTF-8 without control characters
// other than tab, newline and carriage return (the latter are shown as is).
func isPrintable(b []byte) bool {
	// A multi-byte rune cut by MaxShown is not a reason for hex.
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return !utf8.FullRune(b) // only a rune cut at the end is fine
		}
		if r != '\n' && r != '\t' && r != '\r' && !unicode.IsPrint(r) && !unicode.IsSpace(r) {
			return false
		}
		b = b[size:]
	}
	return true
}

// hexDump renders 16 bytes a line: offset, hex, ASCII.
func hexDump(b []byte) []string {
	var out []string
	for off := 0; off < len(b); off += 16 {
		end := min(off+16, len(b))
		var hx, asc strings.Builder
		for i := off; i < off+16; i++ {
			if i < end {
				fmt.Fprintf(&hx, "%02x ", b[i])
				c := b[i]
				if c < 0x20 || c >= 0x7f {
					c = '.'
				}
				asc.WriteByte(c)
			} else {
				hx.WriteString("   ")
			}
			if i-off == 7 {
				hx.WriteByte(' ')
			}
		}
		out = append(out, fmt.Sprintf("%06x  %s %s", off, hx.String(), asc.String()))
	}
	return out
}

// FormatStat renders a Stat as ZooKeeper's stat command names its fields,
// zxids in hex and times as dates in loc.
func FormatStat(st *zk.Stat, loc *time.Location) []string {
	if st == nil {
		return []string{"(no stat)"}
	}
	date := func(ms int64) string {
		if ms == 0 {
			return "0"
		}
		return time.UnixMilli(ms).In(loc).Format("2006-01-02 15:04:05.000 MST")
	}
	owner := "0x0"
	if st.EphemeralOwner != 0 {
		owner = fmt.Sprintf("0x%x (ephemeral)", uint64(st.EphemeralOwner))
	}
	return []string{
		fmt.Sprintf("cZxid          0x%x", uint64(st.Czxid)),
		fmt.Sprintf("ctime          %s", date(st.Ctime)),
		fmt.Sprintf("mZxid          0x%x", uint64(st.Mzxid)),
		fmt.Sprintf("mtime          %s", date(st.Mtime)),
		fmt.Sprintf("pZxid          0x%x", uint64(st.Pzxid)),
		fmt.Sprintf("cversion       %d", st.Cversion),
		fmt.Sprintf("dataVersion    %d", st.Version),
		fmt.Sprintf("aclVersion     %d", st.Aversion),
		fmt.Sprintf("ephemeralOwner %s", owner),
		fmt.Sprintf("dataLength     %d", st.DataLength),
		fmt.Sprintf("numChildren    %d", st.NumChildren),
	}
}

// FormatACL renders each ACL entry as scheme:id perms (cdrwa letters).
func FormatACL(acl []zk.ACL) []string {
	if len(acl) == 0 {
		return []string{"(none read)"}
	}
	out := make([]string, 0, len(acl))
	for _, a := range acl {
		out = append(out, fmt.Sprintf("%s:%s %s", a.Scheme, a.ID, Perms(a.Perms)))
	}
	return out
}

// Perms renders ACL permission bits as zkCli.sh does: cdrwa.
func Perms(p int32) string {
	var b strings.Builder
	for _, x := range []struct {
		bit int32
		c   byte
	}{{zk.PermCreate, 'c'}, {zk.PermDelete, 'd'}, {zk.PermRead, 'r'}, {zk.PermWrite, 'w'}, {zk.PermAdmin, 'a'}} {
		if p&x.bit != 0 {
			b.WriteByte(x.c)
		}
	}
	if b.Len() == 0 {
		return "-"
	}
	return b.String()
}
