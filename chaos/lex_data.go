package chaos

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The tokens of the data commands (create, set, delete): quoted strings
// for znode data and bare znode paths.

// startsPath says whether the '/' at src[i] begins a znode path: it does
// unless it sits right after a word (the "/" of "load 200/s") or is a lone
// "/" followed by a space, which keeps every older line lexing as before.
func startsPath(src string, i int, toks []token) bool {
	if i > 0 && len(toks) > 0 {
		prev := toks[len(toks)-1]
		if prev.kind == tokWord && !strings.ContainsAny(src[i-1:i], " \t") {
			return false
		}
	}
	if i+1 >= len(src) || strings.ContainsRune(" \t\r\n;", rune(src[i+1])) {
		return false
	}
	return true
}

// lexPath reads a znode path: everything up to white space, ';' or the
// end of the line. ZooKeeper allows almost any character in a path; the
// server is the judge of the rest (see validPath).
func lexPath(src string, pos Pos) (token, int) {
	n := 0
	for n < len(src) {
		r, size := utf8.DecodeRuneInString(src[n:])
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == ';' {
			break
		}
		n += size
	}
	return token{tokPath, src[:n], pos}, n
}

// lexString reads a double-quoted string with Go's escapes (\n, \", \x00,
// \u00e9) and returns the unquoted value, so any bytes can be written.
func lexString(src string, pos Pos) (token, int, error) {
	esc := false
	for n := 1; n < len(src); n++ {
		c := src[n]
		switch {
		case esc:
			esc = false
		case c == '\\':
			esc = true
		case c == '\n':
			return token{}, 0, &ParseError{Pos: pos, Msg: "unterminated string", Expected: `a closing '"' on the same line`}
		case c == '"':
			v, err := strconv.Unquote(src[:n+1])
			if err != nil {
				return token{}, 0, &ParseError{Pos: pos, Msg: fmt.Sprintf("bad string %s", src[:n+1]), Expected: `a Go-style quoted string like "x" or "a\"b"`}
			}
			return token{tokString, v, pos}, n + 1, nil
		}
	}
	return token{}, 0, &ParseError{Pos: pos, Msg: "unterminated string", Expected: `a closing '"'`}
}
