package zkconfig

import "testing"

// readonlymode.enabled comes from a zoo.cfg line or from the JVM flags
// 3.8's scripts pass; only "true" (any case) turns it on.
func TestReadOnlyModeEnabled(t *testing.T) {
	for _, tc := range []struct {
		extra, env, jvm string
		want            bool
	}{
		{"", "", "", false},
		{"true", "", "", true},
		{"TRUE", "", "", true},
		{"yes", "", "", false},
		{"false", "-Dreadonlymode.enabled=true", "", false},
		{"", "-Xmx1g -Dreadonlymode.enabled=true", "", true},
		{"", "", "-Dreadonlymode.enabled=true", true},
		{"", "-Dreadonlymode.enabled=false", "-Dreadonlymode.enabled=true", false},
	} {
		t.Setenv("SERVER_JVMFLAGS", tc.env)
		t.Setenv("JVMFLAGS", tc.jvm)
		c := Default(t.TempDir())
		if tc.extra != "" {
			c.Extra["readonlymode.enabled"] = tc.extra
		}
		if got := c.ReadOnlyModeEnabled(); got != tc.want {
			t.Errorf("extra %q SERVER_JVMFLAGS %q JVMFLAGS %q: %v, want %v", tc.extra, tc.env, tc.jvm, got, tc.want)
		}
	}
}

// With read-only mode on, isro is answered even when the whitelist does not
// name it (3.8's FourLetterCommands); otherwise the whitelist is as given.
func TestFourLetterWhitelistAddsIsro(t *testing.T) {
	t.Setenv("SERVER_JVMFLAGS", "")
	t.Setenv("JVMFLAGS", "")
	c := Default(t.TempDir())
	if c.FourLetterWhitelist().Allows("isro") {
		t.Errorf("isro allowed by default without read-only mode")
	}
	c.Extra["readonlymode.enabled"] = "true"
	w := c.FourLetterWhitelist()
	if !w.Allows("isro") || !w.Allows("srvr") || w.Allows("stat") {
		t.Errorf("whitelist %v", w.Words())
	}
	if c.FourLetterWords.Allows("isro") {
		t.Errorf("the configured whitelist was changed")
	}
}
