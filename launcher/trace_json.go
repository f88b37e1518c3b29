package launcher

import (
	"encoding/base64"
	"encoding/json"
	"sort"
	"strconv"
	"unicode/utf8"
)

// appendJSON appends m as encoding/json (without HTML escaping) writes it,
// keys of Fields sorted, but without reflection: the decoder writes every
// message the proxies forward to the jsonl file, and reflection was most of
// its cost.
func (m *Message) appendJSON(b []byte) []byte {
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, m.Seq, 10)
	b = append(b, `,"time_ns":`...)
	b = strconv.AppendInt(b, m.TimeNs, 10)
	b = append(b, `,"link":`...)
	b = appendJSONString(b, m.Link)
	b = append(b, `,"conn":`...)
	b = strconv.AppendUint(b, m.Conn, 10)
	b = append(b, `,"direction":`...)
	b = appendJSONString(b, m.Direction)
	b = append(b, `,"from":`...)
	b = strconv.AppendInt(b, int64(m.From), 10)
	b = append(b, `,"to":`...)
	b = strconv.AppendInt(b, int64(m.To), 10)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, m.Kind)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, m.Type)
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, int64(m.Size), 10)
	if m.Fault != "" {
		b = append(b, `,"fault":`...)
		b = appendJSONString(b, m.Fault)
	}
	if len(m.Fields) > 0 {
		b = append(b, `,"fields":{`...)
		keys := make([]string, 0, len(m.Fields))
		for k := range m.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			switch v := m.Fields[k].(type) {
			case string:
				b = appendJSONString(b, v)
			case int:
				b = strconv.AppendInt(b, int64(v), 10)
			case int32:
				b = strconv.AppendInt(b, int64(v), 10)
			case int64:
				b = strconv.AppendInt(b, v, 10)
			default:
				j, err := json.Marshal(v)
				if err != nil {
					j = []byte("null")
				}
				b = append(b, j...)
			}
		}
		b = append(b, '}')
	}
	b = append(b, `,"summary":`...)
	b = appendJSONString(b, m.Summary)
	if len(m.Raw) > 0 {
		b = append(b, `,"raw":"`...)
		b = base64.StdEncoding.AppendEncode(b, m.Raw)
		b = append(b, '"')
	}
	return append(b, '}')
}

// appendJSONString appends s quoted as encoding/json does without HTML
// escaping; text that is not valid UTF-8 goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		j, _ := json.Marshal(s)
		return append(b, j...)
	}
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		case c == 0xe2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xa8 || s[i+2] == 0xa9):
			// encoding/json escapes U+2028 and U+2029 too.
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[s[i+2]&0xf])
			i += 2
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
