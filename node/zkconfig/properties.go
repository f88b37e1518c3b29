package zkconfig

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// property is one key/value pair of a Java properties document, in file order.
type property struct {
	Key   string
	Value string
	// Line is the 1-based line where the logical line starts.
	Line int
}

// parseProperties reads a Java properties document the way
// java.util.Properties.load does: natural lines end at \n, \r or \r\n; a
// line ending in an odd number of backslashes continues on the next one
// (whose leading white space is dropped); blank lines and lines whose first
// non-blank character is '#' or '!' are comments; the key ends at the first
// unescaped '=', ':' or white space; escapes \t \n \r \f \uXXXX are decoded
// and any other escaped character stands for itself.
//
// NB: Java reads the file as ISO-8859-1. zkctl reads valid UTF-8 as UTF-8
// (so non-ASCII paths work) and falls back to ISO-8859-1 byte by byte.
func parseProperties(data []byte) ([]property, error) {
	text := decodeText(data)
	var props []property
	lines := splitNaturalLines(text)
	for i := 0; i < len(lines); i++ {
		start := i + 1
		line := strings.TrimLeft(lines[i], " \t\f")
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		// Join continuation lines.
		for endsWithOddBackslashes(line) && i+1 < len(lines) {
			line = line[:len(line)-1] + strings.TrimLeft(lines[i+1], " \t\f")
			i++
		}
		if endsWithOddBackslashes(line) { // continuation at end of file: drop the backslash
			line = line[:len(line)-1]
		}
		key, value, err := splitKeyValue(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", start, err)
		}
		props = append(props, property{Key: key, Value: value, Line: start})
	}
	return props, nil
}

func decodeText(data []byte) string {
	if utf8.Valid(data) {
		return string(data)
	}
	var b strings.Builder
	for _, c := range data {
		b.WriteRune(rune(c))
	}
	return b.String()
}

func splitNaturalLines(s string) []string {
	var out []string
	for len(s) > 0 {
		j := strings.IndexAny(s, "\r\n")
		if j < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:j])
		if s[j] == '\r' && j+1 < len(s) && s[j+1] == '\n' {
			j++
		}
		s = s[j+1:]
	}
	return out
}

func endsWithOddBackslashes(s string) bool {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// splitKeyValue splits one logical line (leading white space removed) into
// its unescaped key and value.
func splitKeyValue(line string) (string, string, error) {
	keyEnd := len(line)
	valStart := len(line)
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == '\\' {
			i++ // skip the escaped character
			continue
		}
		if c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f' {
			keyEnd = i
			j := i
			for j < len(line) && (line[j] == ' ' || line[j] == '\t' || line[j] == '\f') {
				j++
			}
			if (c == ' ' || c == '\t' || c == '\f') && j < len(line) && (line[j] == '=' || line[j] == ':') {
				j++
			} else if c == '=' || c == ':' {
				j = i + 1
			}
			for j < len(line) && (line[j] == ' ' || line[j] == '\t' || line[j] == '\f') {
				j++
			}
			valStart = j
			break
		}
	}
	key, err := unescape(line[:keyEnd])
	if err != nil {
		return "", "", fmt.Errorf("key: %w", err)
	}
	value, err := unescape(line[valStart:])
	if err != nil {
		return "", "", fmt.Errorf("value of %q: %w", key, err)
	}
	return key, value, nil
}

// unescape decodes the backslash escapes of a properties key or value.
func unescape(s string) (string, error) {
	if !strings.Contains(s, "\\") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if i+5 > len(s) {
				return "", fmt.Errorf("malformed \\uxxxx encoding %q", s[i-1:])
			}
			v, err := strconv.ParseUint(s[i+1:i+5], 16, 16)
			if err != nil {
				return "", fmt.Errorf("malformed \\uxxxx encoding %q", s[i-1:i+5])
			}
			b.WriteRune(rune(v))
			i += 4
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}

// propertiesCodec lets viper read zoo.cfg: viper 1.20+ no longer ships a
// Java properties decoder, so zkctl registers its own under "properties".
// Keys stay flat ("server.1", "admin.serverPort"); viper lower-cases them.
type propertiesCodec struct{}

// Decode implements viper.Decoder.
func (propertiesCodec) Decode(b []byte, v map[string]any) error {
	props, err := parseProperties(b)
	if err != nil {
		return err
	}
	for _, p := range props {
		v[p.Key] = p.Value
	}
	return nil
}

// Encode implements viper.Encoder (used by viper.WriteConfig only).
func (propertiesCodec) Encode(v map[string]any) ([]byte, error) {
	var b strings.Builder
	for k, val := range v {
		fmt.Fprintf(&b, "%s=%v\n", k, val)
	}
	return []byte(b.String()), nil
}
