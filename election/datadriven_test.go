package election

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/*.txt with the actual output")

// testCase is one datadriven block: a command line, "----", the expected
// output (no blank lines; a blank line or EOF ends it).
type testCase struct {
	pos      string // file:line of the command
	comments []string
	cmd      string
	expected string
}

func parseDataDriven(t *testing.T, path string) []testCase {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	var out []testCase
	var comments []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.TrimSpace(l) == "":
			continue
		case strings.HasPrefix(l, "#"):
			comments = append(comments, l)
			continue
		}
		tc := testCase{pos: fmt.Sprintf("%s:%d", path, i+1), comments: comments, cmd: strings.TrimSpace(l)}
		comments = nil
		if i+1 >= len(lines) || lines[i+1] != "----" {
			t.Fatalf("%s: expected ---- after command %q", tc.pos, tc.cmd)
		}
		i += 2
		var exp []string
		for ; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
			exp = append(exp, lines[i])
		}
		tc.expected = strings.Join(exp, "\n")
		out = append(out, tc)
	}
	return out
}

// runDataDriven runs every testdata file through a fresh handler made by
// newHandler; with -rewrite it writes the actual outputs back.
func runDataDriven(t *testing.T, glob string, newHandler func(t *testing.T) func(cmd string) string) {
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		t.Fatalf("no files match %s (%v)", glob, err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cases := parseDataDriven(t, path)
			h := newHandler(t)
			var buf strings.Builder
			for i, tc := range cases {
				got := strings.TrimRight(h(tc.cmd), "\n")
				if got == "" {
					got = "ok"
				}
				if *rewrite {
					if i > 0 {
						buf.WriteString("\n")
					}
					for _, c := range tc.comments {
						buf.WriteString(c + "\n")
					}
					fmt.Fprintf(&buf, "%s\n----\n%s\n", tc.cmd, got)
					continue
				}
				if got != tc.expected {
					t.Errorf("%s: %s\n--- got:\n%s\n--- want:\n%s", tc.pos, tc.cmd, got, tc.expected)
				}
			}
			if *rewrite {
				if err := os.WriteFile(path, []byte(buf.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
