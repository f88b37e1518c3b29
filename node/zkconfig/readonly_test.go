package zkconfig

import "testing"

// readonlymode.enabled comes from a zoo.cfg line or from the JVM flags
// 3.8's scripts pass (a zoo.cfg line wins, JVMFLAGS beats SERVER_JVMFLAGS);
// only "true" (any case) turns it on, as Java's Boolean.getBoolean.
func TestReadOnlyModeEnabled(t *testing.T) {
	for _, tc := range []struct {
		line, env, jvm string
		want           bool
	}{
		{"", "", "", false},
		{"true", "", "", true},
		{"TRUE", "", "", true},
		{"yes", "", "", false},
		{"false", "-Dreadonlymode.enabled=true", "", false},
		{"", "-Xmx1g -Dreadonlymode.enabled=true", "", true},
		{"", "", "-Dreadonlymode.enabled=true", true},
		{"", "-Dreadonlymode.enabled=false", "-Dreadonlymode.enabled=true", true},
		{"", "-Dreadonlymode.enabled=true", "-Dreadonlymode.enabled=false", false},
	} {
		cfg := base
		if tc.line != "" {
			cfg += "readonlymode.enabled=" + tc.line + "\n"
		}
		c, err := Parse("zoo.cfg", []byte(cfg), envOf(map[string]string{"SERVER_JVMFLAGS": tc.env, "JVMFLAGS": tc.jvm}))
		if err != nil {
			t.Fatalf("line %q SERVER_JVMFLAGS %q JVMFLAGS %q: %v", tc.line, tc.env, tc.jvm, err)
		}
		if c.ReadOnlyModeEnabled != tc.want {
			t.Errorf("line %q SERVER_JVMFLAGS %q JVMFLAGS %q: %v, want %v", tc.line, tc.env, tc.jvm, c.ReadOnlyModeEnabled, tc.want)
		}
	}
}

// localSessionsEnabled=true is accepted (read-only mode needs it) and never
// silently: zkctl keeps read-write sessions global, and says so at start.
func TestLocalSessionsEnabledWarns(t *testing.T) {
	c, err := Parse("zoo.cfg", []byte(base+"localSessionsEnabled=true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.LocalSessionsEnabled || len(c.Warnings) == 0 {
		t.Fatalf("localSessionsEnabled %v, warnings %q", c.LocalSessionsEnabled, c.Warnings)
	}
}

// With read-only mode on, isro is answered even when the whitelist does not
// name it (3.8's FourLetterCommands); otherwise the whitelist is as given.
func TestFourLetterWhitelistAddsIsro(t *testing.T) {
	c := Default(t.TempDir())
	if c.FourLetterWhitelist().Allows("isro") {
		t.Errorf("isro allowed by default without read-only mode")
	}
	c.ReadOnlyModeEnabled = true
	w := c.FourLetterWhitelist()
	if !w.Allows("isro") || !w.Allows("srvr") || w.Allows("stat") {
		t.Errorf("whitelist %v", w.Words())
	}
	if c.FourLetterWords.Allows("isro") {
		t.Errorf("the configured whitelist was changed")
	}
}
