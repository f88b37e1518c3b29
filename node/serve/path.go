package serve

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// ValidatePath checks a znode path against ZooKeeper 3.8's PathUtils rules:
// non-empty, absolute, no trailing slash (except "/"), no empty, "." or ".."
// segment, and no forbidden characters. Writes reject violations with
// BadArguments.
func ValidatePath(path string) error {
	if path == "" {
		return fmt.Errorf("node: path must not be empty")
	}
	if path[0] != '/' {
		return fmt.Errorf("node: path %q must start with /", path)
	}
	if len(path) == 1 {
		return nil
	}
	if path[len(path)-1] == '/' {
		return fmt.Errorf("node: path %q must not end with /", path)
	}
	if !utf8.ValidString(path) {
		return fmt.Errorf("node: path %q is not valid UTF-8", path)
	}
	for _, seg := range strings.Split(path[1:], "/") {
		switch seg {
		case "":
			return fmt.Errorf("node: path %q has an empty segment", path)
		case ".", "..":
			return fmt.Errorf("node: path %q has a relative segment %q", path, seg)
		}
	}
	for i, r := range path {
		if forbiddenPathRune(r) {
			return fmt.Errorf("node: path %q has an invalid character %U at %d", path, r, i)
		}
	}
	return nil
}

// forbiddenPathRune reports the characters PathUtils rejects.
func forbiddenPathRune(r rune) bool {
	switch {
	case r == 0:
		return true
	case r > 0 && r < 0x20:
		return true
	case r >= 0x7f && r <= 0x9f:
		return true
	case r >= 0xd800 && r <= 0xf8ff:
		return true
	case r >= 0xfff0 && r <= 0xffff:
		return true
	}
	return false
}

// parentPath returns the parent of an absolute path ("/" for top-level nodes)
// and false when the path has no parent.
func parentPath(path string) (string, bool) {
	i := strings.LastIndexByte(path, '/')
	if i < 0 || path == "/" {
		return "", false
	}
	if i == 0 {
		return "/", true
	}
	return path[:i], true
}

// sortStrings sorts in place (tiny helper to keep imports local).
func sortStrings(s []string) { sort.Strings(s) }
