package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/internal/guard"
)

// TestHostileInput feeds files built to hurt a parser. Each must be answered with a
// clear error (or, for look-alikes, a warning) at a position: never a crash, a hang
// or an unbounded allocation. Any hang fails the run through go test's timeout.
func TestHostileInput(t *testing.T) {
	t.Parallel() // seconds of CPU each, independent: they share the cores at the end of make test
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i, prev := 0, "a"; i < 12; i++ {
		name := string(rune('b' + i))
		bomb += name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
		prev = name
	}
	tests := []struct {
		name     string
		data     string
		wantCode string
		wantSev  diag.Severity
	}{
		{"alias bomb", bomb + "version: 1\n", "too-complex", diag.Error},
		{"deep flow nesting", "version: 1\nblueprints: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n", "too-complex", diag.Error},
		{"deeper than the YAML parser allows", "version: 1\nx: " + strings.Repeat("[", 20000) + "\n", "too-complex", diag.Error},
		{"deep block nesting", "version: 1\nblueprints:\n" + deepBlock(200), "too-complex", diag.Error},
		{"self-referencing alias", "version: 1\nblueprints: &x\n  b: *x\n", "too-complex", diag.Error},
		{"control character in an email", "version: 1\nmembers:\n  - email: \"bob\\x07@company.com\"\n    role: admin\n", "invalid-email", diag.Error},
		{"escape sequence in a blueprint name", "version: 1\nmembers:\n  - email: a@company.com\n    role: admin\nblueprints:\n  \"\\e[31mred\":\n    domains: [company.com]\n", "", ""},
		{"NUL byte", "version: 1\nmembers:\n  - email: a\x00@company.com\n", "yaml-syntax", diag.Error},
		{"invalid UTF-8", "version: 1\nmembers:\n  - email: a\xff\xfe@company.com\n", "yaml-syntax", diag.Error},
		{"very long line", "version: 1\nmembers:\n  - email: " + strings.Repeat("a", 4<<20) + "@company.com\n    role: admin\n", "invalid-email", diag.Error},
		{"very long domain", "version: 1\nmembers:\n  - email: a@company.com\n    role: admin\nblueprints:\n  x:\n    domains: [" + strings.Repeat("a.", 1<<20) + "com]\n", "invalid-domain", diag.Error},
		{"cyrillic look-alike", "version: 1\nmembers:\n  - email: аlice@company.com\n    role: admin\n", "non-ascii", diag.Warning},
		{"mixed-script domain rule", "version: 1\nmembers:\n  - email: a@company.com\n    role: admin\nblueprints:\n  x:\n    domains: [gооgle.com]\n", "non-ascii", diag.Warning},
		{"many documents", strings.Repeat("---\nversion: 1\n", 1000), "multiple-documents", diag.Error},
		{"byte order mark", "\ufeffversion: 1\nmembers:\n  - email: a@company.com\n    role: admin\n", "", ""},
		{"a scalar instead of a file", "just a string", "wrong-type", diag.Error},
		{"tabs", "version: 1\nmembers:\n\t- email: a@company.com\n", "yaml-syntax", diag.Error},
		{"a hundred thousand keys", "version: 1\nblueprints:\n" + manyKeys(100_000), "no-rules", diag.Error},
		{"keys without values, too many for their bytes", "version: 1\nx-keys: {" + strings.Repeat("a, ", 1<<20) + "a}\n", "too-dense", diag.Error},
		{"a flow list of empty values", "version: 1\nx: [" + strings.Repeat("a,", 1<<20) + "a]\n", "too-dense", diag.Error},
		{"a group expanded a million times", "version: 1\ngroups:\n  g: [" + strings.Repeat("a@b.co, ", 2000) + "a@b.co]\nblueprints:\n" + manyGroupRefs(2000), "too-many-rules", diag.Error},
	}
	l := newLoader(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := l.Parse("hostile.yaml", []byte(tt.data))
			for _, d := range ds {
				if d.Pos.Line < 1 || d.Message == "" || d.Severity == diag.Error && d.Hint == "" {
					t.Errorf("unclear diagnostic: %+v", d)
				}
				if len(d.Message) > 2000 {
					t.Errorf("diagnostic echoes the whole input (%d bytes)", len(d.Message))
				}
			}
			if tt.wantCode == "" {
				if ds.HasErrors() {
					t.Errorf("want no error, got %v", ds[0])
				}
				return
			}
			for _, d := range ds {
				if d.Code == tt.wantCode && d.Severity == tt.wantSev {
					return
				}
			}
			t.Errorf("want a %s %s, got %+v", tt.wantSev, tt.wantCode, ds)
		})
	}
}

func deepBlock(depth int) string {
	var b strings.Builder
	for i := 0; i < depth; i++ {
		b.WriteString(strings.Repeat(" ", i+2) + "k:\n")
	}
	return b.String()
}

func manyGroupRefs(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  b%d: {groups: [g]}\n", i)
	}
	return b.String()
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString("  b")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(strings.Repeat("y", i%5))
		b.WriteString(": {}\n")
	}
	return b.String()
}

// TestHostileFileRefusedBeforeRead: a file over the limit is refused from its size;
// the sparse file below would take 64 MiB of memory to read.
func TestHostileFileRefusedBeforeRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "portal.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 40); err != nil { // a terabyte, sparse
		t.Skipf("cannot make a sparse file here: %v", err)
	}
	f.Close()
	if _, err := ReadFileMax(path, nil, guard.DefaultMaxFileSize); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("want a size-limit error, got %v", err)
	}
}
