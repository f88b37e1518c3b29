package zkconfig

import (
	"maps"
	"os"
	"strings"
)

// ReadOnlyModeEnabled reports 3.8's readonlymode.enabled system property:
// whether an ensemble member without a quorum serves read-only clients
// (docs/readonly.md). zkctl takes it from a zoo.cfg line
// `readonlymode.enabled=true` or, as 3.8's scripts pass it, from
// -Dreadonlymode.enabled=true in SERVER_JVMFLAGS or JVMFLAGS. Like Java's
// Boolean.getBoolean, only "true" (any case) enables it.
func (c *Config) ReadOnlyModeEnabled() bool {
	for k, v := range c.Extra {
		if strings.EqualFold(k, "readonlymode.enabled") {
			return strings.EqualFold(strings.TrimSpace(v), "true")
		}
	}
	for _, env := range []string{"SERVER_JVMFLAGS", "JVMFLAGS"} {
		for _, f := range strings.Fields(os.Getenv(env)) {
			if v, ok := strings.CutPrefix(f, "-Dreadonlymode.enabled="); ok {
				return strings.EqualFold(v, "true")
			}
		}
	}
	return false
}

// FourLetterWhitelist is the whitelist a server applies:
// 4lw.commands.whitelist plus, as 3.8's FourLetterCommands adds it, isro
// when read-only mode is enabled, because read-only clients (kazoo, the
// Java client) probe with isro for a read-write server to move to.
func (c *Config) FourLetterWhitelist() Whitelist {
	w := c.FourLetterWords
	if w.all || w.words["isro"] || !c.ReadOnlyModeEnabled() {
		return w
	}
	words := maps.Clone(w.words)
	if words == nil {
		words = map[string]bool{}
	}
	words["isro"] = true
	return Whitelist{words: words}
}
