package tests

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// undocumented returns "file:line: name" for every exported top-level name
// of one parsed file that has no doc comment: funcs, methods on exported
// types, types, and consts and vars (a grouped spec may rely on its group's
// comment, as golint allows).
func undocumented(fset *token.FileSet, f *ast.File) []string {
	var out []string
	report := func(pos token.Pos, name string) {
		p := fset.Position(pos)
		out = append(out, p.Filename+":"+strconv.Itoa(p.Line)+": "+name)
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() || d.Doc != nil {
				continue
			}
			if d.Recv != nil {
				recv := receiverName(d.Recv.List[0].Type)
				if !ast.IsExported(recv) {
					continue
				}
				report(d.Pos(), recv+"."+d.Name.Name)
				continue
			}
			report(d.Pos(), d.Name.Name)
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
			grouped := d.Lparen.IsValid()
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() && s.Doc == nil && d.Doc == nil {
						report(s.Pos(), s.Name.Name)
					}
				case *ast.ValueSpec:
					if s.Doc != nil || d.Doc != nil || (grouped && s.Comment != nil) {
						continue
					}
					for _, n := range s.Names {
						if n.IsExported() {
							report(n.Pos(), n.Name)
						}
					}
				}
			}
		}
	}
	return out
}

// receiverName is the type name of a method receiver (T, *T, T[K], *T[K]).
func receiverName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// TestUndocumented_Fixture checks the checker on a small source.
func TestUndocumented_Fixture(t *testing.T) {
	src := `package p

// Good is documented.
func Good() {}
func Bad() {}
func unexported() {}

type t struct{}

// T is documented.
type T struct{}

func (t) Hidden() {}
func (*T) Missing() {}

// Present is documented.
func (T) Present() {}

const (
	// A is documented.
	A = 1
	B = 2 // B has a line comment.
	C = 3
)

// Group comment covers its specs.
var (
	X = 1
	Y = 2
)

var Z = 3
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	got := undocumented(fset, f)
	want := []string{"p.go:5: Bad", "p.go:14: T.Missing", "p.go:23: C", "p.go:32: Z"}
	if !slices.Equal(got, want) {
		t.Errorf("undocumented = %q, want %q", got, want)
	}
}

// TestDocComments_EveryExportedName walks the module's non-test Go files
// and fails for each exported top-level name without a doc comment (the
// style guide's rule, after R2).
func TestDocComments_EveryExportedName(t *testing.T) {
	fset := token.NewFileSet()
	var missing []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != ".." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" || ast.IsGenerated(f) {
			// A command's exported names are not an API; generated code
			// answers to its generator.
			return nil
		}
		missing = append(missing, undocumented(fset, f)...)
		return nil
	})
	if err != nil {
		t.Fatalf("walk module: %v", err)
	}
	if len(missing) > 0 {
		t.Errorf("%d exported names lack a doc comment:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}
