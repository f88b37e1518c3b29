package status

import (
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/zkctl/zkctl/jute"
)

// ZooKeeperVersion is the ZooKeeper release whose formats zkctl follows.
const ZooKeeperVersion = "3.8.0"

// Version returns the full version string srvr, mntr and envi print:
// "3.8.0-zkctl, built on <yyyy-MM-dd HH:mm> UTC", the build time being the
// VCS commit time when the binary carries one, else the executable's
// modification time.
func Version() string {
	built := time.Unix(0, 0)
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.time" {
				if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
					built = t
				}
			}
		}
	}
	if built.Unix() == 0 {
		if exe, err := os.Executable(); err == nil {
			if fi, err := os.Stat(exe); err == nil {
				built = fi.ModTime()
			}
		}
	}
	return ZooKeeperVersion + "-zkctl, built on " + built.UTC().Format("2006-01-02 15:04") + " UTC"
}

func (s ServerStats) version() string {
	if s.Version != "" {
		return s.Version
	}
	return Version()
}

// javaHex is Java's Long.toHexString: lowercase, unpadded, two's complement.
func javaHex(v int64) string {
	return strconv.FormatUint(uint64(v), 16)
}

// javaDouble renders f as Java's Double.toString does for the values a
// server prints: "0.0", "0.2837", "12.5", "1.0E7".
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	a := math.Abs(f)
	if a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 1E+07, 1.5E-05
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	exp = strings.TrimPrefix(exp, "+")
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(strings.TrimPrefix(exp, "-"), "0")
	if neg {
		exp = "-" + exp
	}
	return mant + "E" + exp
}

// round4 rounds to 4 decimals, as ServerStats.getAvgLatency does.
func round4(f float64) float64 {
	return math.Round(f*10000) / 10000
}

// OpName returns ZooKeeper's four-letter abbreviation of an operation as
// cons prints it in lop= (Request.op2String): "CREA", "GETD", "PING", …
func OpName(op jute.Op) string {
	switch op {
	case jute.OpNotification:
		return "notification"
	case jute.OpCreate, jute.OpCreate2, jute.OpCreateTTL, jute.OpCreateContainer:
		return "CREA"
	case jute.OpDelete, jute.OpDeleteContainer:
		return "DELE"
	case jute.OpExists:
		return "EXIS"
	case jute.OpGetData:
		return "GETD"
	case jute.OpSetData:
		return "SETD"
	case jute.OpGetACL:
		return "GETA"
	case jute.OpSetACL:
		return "SETA"
	case jute.OpGetChildren, jute.OpGetChildren2:
		return "GETC"
	case jute.OpSync:
		return "SYNC"
	case jute.OpPing:
		return "PING"
	case jute.OpCheck:
		return "CHEC"
	case jute.OpMulti:
		return "MULT"
	case jute.OpMultiRead:
		return "MLTR"
	case jute.OpReconfig:
		return "RECO"
	case jute.OpCheckWatches:
		return "CHKW"
	case jute.OpRemoveWatches:
		return "REMW"
	case jute.OpCreateSession:
		return "SESS"
	case jute.OpCloseSession:
		return "CLOS"
	case jute.OpSetWatches:
		return "SETW"
	case jute.OpSetWatches2:
		return "STW2"
	case jute.OpAddWatch:
		return "ADDW"
	case jute.OpGetEphemerals:
		return "GETE"
	case jute.OpGetAllChildrenNumber:
		return "GETACN"
	case jute.OpWhoAmI:
		return "HOMI"
	case jute.OpAuth:
		return "AUTH"
	case jute.OpSASL:
		return "SASL"
	case jute.OpError:
		return "ERROR"
	}
	return "UNKNOWN"
}
