package status

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// obj is a JSON object that keeps its key order, as Jackson writes a
// LinkedHashMap.
type obj []field

type field struct {
	K string
	V any
}

func (o *obj) put(k string, v any) { *o = append(*o, field{k, v}) }

// sortedStrMap turns a map into an obj with sorted keys.
func sortedMap[V any](m map[string]V) obj {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	o := make(obj, 0, len(keys))
	for _, k := range keys {
		o = append(o, field{k, m[k]})
	}
	return o
}

// jacksonJSON renders v as Jackson's DefaultPrettyPrinter does:
// `{\n  "key" : value,\n  …\n}`, arrays inline as `[ 1, 2 ]`, empty
// containers as `{ }` and `[ ]`, doubles as Java prints them.
func jacksonJSON(v any) string {
	var b strings.Builder
	writeJSON(&b, v, 0)
	return b.String()
}

func writeJSON(b *strings.Builder, v any, depth int) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case obj:
		if len(x) == 0 {
			b.WriteString("{ }")
			return
		}
		b.WriteString("{\n")
		for i, f := range x {
			b.WriteString(strings.Repeat("  ", depth+1))
			b.WriteString(quote(f.K))
			b.WriteString(" : ")
			writeJSON(b, f.V, depth+1)
			if i < len(x)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(strings.Repeat("  ", depth))
		b.WriteString("}")
	case []any:
		if len(x) == 0 {
			b.WriteString("[ ]")
			return
		}
		b.WriteString("[ ")
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJSON(b, e, depth)
		}
		b.WriteString(" ]")
	case []string:
		a := make([]any, len(x))
		for i := range x {
			a[i] = x[i]
		}
		writeJSON(b, a, depth)
	case []int64:
		a := make([]any, len(x))
		for i := range x {
			a[i] = x[i]
		}
		writeJSON(b, a, depth)
	case string:
		b.WriteString(quote(x))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(javaDouble(x))
	default:
		data, err := json.Marshal(x)
		if err != nil {
			b.WriteString(quote(fmt.Sprint(x)))
			return
		}
		b.Write(data)
	}
}

func quote(s string) string {
	data, err := json.Marshal(s)
	if err != nil {
		return `""`
	}
	return string(data)
}
