package status

import (
	"testing"

	"github.com/zkctl/zkctl/node/zkconfig"
)

// digestFake is a fakeSource with a digest history.
type digestFake struct {
	*fakeSource
	log []ZxidDigest
}

func (d digestFake) DigestLog() []ZxidDigest { return d.log }

// TestHash_FourLetterAndAdmin: the 4lw and admin renderings of 3.8's
// DigestCommands, byte for byte (the values are those Apache 3.8 printed
// in TestDifferential_Hash's layout), and their answers while not serving
// or without a history.
func TestHash_FourLetterAndAdmin(t *testing.T) {
	src := digestFake{standaloneFake(t), []ZxidDigest{{Zxid: 128, DigestVersion: 2, Digest: 161423910526}, {Zxid: 0x100000100, DigestVersion: 2, Digest: -5}}}
	if got := FourLetter("hash", src, all()); got != "80: 161423910526\n100000100: -5\n" {
		t.Errorf("hash %q", got)
	}
	_, body := get(t, NewAdminHandler(src, nil), "/commands/hash")
	want := "{\n  \"digests\" : [ {\n    \"zxid\" : 128,\n    \"digest\" : 161423910526,\n    \"digest_version\" : 2\n  }, {\n" +
		"    \"zxid\" : 4294967552,\n    \"digest\" : -5,\n    \"digest_version\" : 2\n  } ],\n  \"command\" : \"hash\",\n  \"error\" : null\n}"
	if body != want {
		t.Errorf("/commands/hash\n%s\nwant\n%s", body, want)
	}
	bare := standaloneFake(t)
	if got := FourLetter("hash", bare, all()); got != "" {
		t.Errorf("hash without history %q", got)
	}
	if _, body := get(t, NewAdminHandler(bare, nil), "/commands/hash"); body != "{\n  \"digests\" : [ ],\n  \"command\" : \"hash\",\n  \"error\" : null\n}" {
		t.Errorf("/commands/hash without history %q", body)
	}
	src.serving = false
	if got := FourLetter("hash", src, all()); got != NotServing {
		t.Errorf("hash while not serving %q", got)
	}
	if got := FourLetter("hash", src, zkconfig.ParseWhitelist("srvr")); got != "hash is not executed because it is not in the whitelist.\n" {
		t.Errorf("hash not whitelisted %q", got)
	}
}
