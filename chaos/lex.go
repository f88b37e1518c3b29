package chaos

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// tokKind classifies a token.
type tokKind int

const (
	tokEOF tokKind = iota
	tokWord
	tokNewline // also produced by ';'
	tokComma
	tokBar
	tokSlash
	tokLBrace
	tokRBrace
	tokArrow
	tokEq
	tokNe
	tokString // "quoted", Go escapes; text is the unquoted value
	tokPath   // /a/b: a znode path, a '/' that does not follow a word
)

func (k tokKind) String() string {
	switch k {
	case tokEOF:
		return "end of input"
	case tokWord:
		return "word"
	case tokNewline:
		return "end of command"
	case tokComma:
		return `","`
	case tokBar:
		return `"|"`
	case tokSlash:
		return `"/"`
	case tokLBrace:
		return `"{"`
	case tokRBrace:
		return `"}"`
	case tokArrow:
		return `"->"`
	case tokEq:
		return `"=="`
	case tokNe:
		return `"!="`
	case tokString:
		return "quoted string"
	case tokPath:
		return "path"
	}
	return "token"
}

type token struct {
	kind tokKind
	text string
	pos  Pos
}

func (t token) describe() string {
	switch t.kind {
	case tokWord, tokPath:
		return fmt.Sprintf("%q", t.text)
	case tokString:
		return "quoted string " + strconv.Quote(t.text)
	case tokNewline:
		if t.text == ";" {
			return `";"`
		}
		return "end of line"
	}
	return t.kind.String()
}

func isWordByte(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		r == '.' || r == '_' || r == 'µ' || r == '-' || r == '+'
}

// lex splits src into tokens. Comments run from '#' to the end of the line.
// punct maps the one-character tokens to their kinds (tokEOF, the zero
// kind, means "not punctuation"); ';' separates commands like a newline.
var punct = map[rune]tokKind{';': tokNewline, ',': tokComma, '|': tokBar, '/': tokSlash, '{': tokLBrace, '}': tokRBrace}

func lex(src string) ([]token, error) {
	var toks []token
	line, col := 1, 1
	i := 0
	for i < len(src) {
		r, size := utf8.DecodeRuneInString(src[i:])
		pos := Pos{Line: line, Col: col}
		adv := func(n int) {
			i += n
			col++
		}
		switch {
		case r == utf8.RuneError && size == 1:
			return nil, &ParseError{Pos: pos, Msg: "invalid UTF-8 byte"}
		case r == '\n':
			toks = append(toks, token{tokNewline, "\n", pos})
			i++
			line++
			col = 1
		case r == ' ' || r == '\t' || r == '\r':
			adv(1)
		case r == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case r == '"':
			t, n, err := lexString(src[i:], pos)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i += n
			col += utf8.RuneCountInString(src[i-n : i])
		case r == '/' && startsPath(src, i, toks):
			t, n := lexPath(src[i:], pos)
			toks = append(toks, t)
			i += n
			col += utf8.RuneCountInString(t.text)
		case punct[r] != 0:
			toks = append(toks, token{punct[r], string(r), pos})
			adv(1)
		case r == '-' && i+1 < len(src) && src[i+1] == '>':
			toks = append(toks, token{tokArrow, "->", pos})
			i += 2
			col += 2
		case r == '=' && i+1 < len(src) && src[i+1] == '=':
			toks = append(toks, token{tokEq, "==", pos})
			i += 2
			col += 2
		case r == '!' && i+1 < len(src) && src[i+1] == '=':
			toks = append(toks, token{tokNe, "!=", pos})
			i += 2
			col += 2
		case isWordByte(r):
			start := i
			for i < len(src) {
				r2, s2 := utf8.DecodeRuneInString(src[i:])
				if !isWordByte(r2) || (r2 == '-' && i+1 < len(src) && src[i+1] == '>') {
					break
				}
				i += s2
				col++
			}
			toks = append(toks, token{tokWord, src[start:i], pos})
		default:
			return nil, &ParseError{Pos: pos, Msg: fmt.Sprintf("unexpected character %q", r)}
		}
	}
	toks = append(toks, token{tokEOF, "", Pos{Line: line, Col: col}})
	return toks, nil
}
