package zkconfig

import "maps"

// FourLetterWhitelist is the whitelist a server applies:
// 4lw.commands.whitelist plus, as 3.8's FourLetterCommands adds it, isro
// when read-only mode is enabled, because read-only clients (kazoo, the
// Java client) probe with isro for a read-write server to move to.
func (c *Config) FourLetterWhitelist() Whitelist {
	w := c.FourLetterWords
	if w.all || w.words["isro"] || !c.ReadOnlyModeEnabled {
		return w
	}
	words := maps.Clone(w.words)
	if words == nil {
		words = map[string]bool{}
	}
	words["isro"] = true
	return Whitelist{words: words}
}
