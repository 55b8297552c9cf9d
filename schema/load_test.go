package schema

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func newLoader(t testing.TB) *Loader {
	t.Helper()
	l, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// render writes diagnostics and the model in a form a reviewer can read in a golden
// file.
func render(cfg *portal.Config, ds diag.List) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "%d:%d: %s %s: %s\n", d.Pos.Line, d.Pos.Col, d.Severity, d.Code, d.Message)
		if d.Hint != "" {
			fmt.Fprintf(&b, "    hint: %s\n", d.Hint)
		}
	}
	if cfg == nil {
		b.WriteString("-- no model --\n")
		return b.String()
	}
	fmt.Fprintf(&b, "-- model --\nversion %d organization %q\n", cfg.Version, cfg.Organization)
	for _, m := range cfg.Members {
		fmt.Fprintf(&b, "member %s %s (line %d)\n", m.Email, m.Role, m.Pos.Line)
	}
	for _, bp := range cfg.Blueprints {
		fmt.Fprintf(&b, "blueprint %s open=%v\n", bp.Name, bp.Open)
		for _, r := range bp.Rules {
			via := ""
			if r.Group != "" {
				via = " via group " + r.Group
			}
			fmt.Fprintf(&b, "  %s%s (line %d)\n", r, via, r.Pos.Line)
		}
	}
	return b.String()
}

func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/cases/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test cases: %v", err)
	}
	l := newLoader(t)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			cfg, ds := l.Parse(filepath.Base(file), data)
			for _, d := range ds {
				if d.Pos.Line < 1 || d.Pos.Col < 1 || d.Pos.File != filepath.Base(file) {
					t.Errorf("diagnostic without a position: %+v", d)
				}
				if d.Severity == diag.Error && d.Hint == "" {
					t.Errorf("error without a hint of what to write instead: %+v", d)
				}
			}
			got := render(cfg, ds)
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./schema -update)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run go test ./schema -update to accept):\n--- got\n%s--- want\n%s", golden, got, want)
			}
		})
	}
}

func TestDiagnosticsSortedByLine(t *testing.T) {
	data, err := os.ReadFile("testdata/cases/bad-values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, ds := newLoader(t).Parse("bad-values.yaml", data)
	if len(ds) < 5 {
		t.Fatalf("want many problems in one run, got %d", len(ds))
	}
	for i := 1; i < len(ds); i++ {
		a, b := ds[i-1].Pos, ds[i].Pos
		if a.Line > b.Line || a.Line == b.Line && a.Col > b.Col {
			t.Fatalf("not sorted: %v before %v", a, b)
		}
	}
}

func TestReadFileSizeLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: the limit must be enforced from its size, without reading it.
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = ReadFile(path, nil)
	if err == nil || !strings.Contains(err.Error(), "64 MiB") {
		t.Fatalf("want a size-limit error naming the limit, got %v", err)
	}
	_, err = ReadFile("-", strings.NewReader(strings.Repeat("#", MaxFileSize+10)))
	if err == nil || !strings.Contains(err.Error(), "64 MiB") {
		t.Fatalf("want a size-limit error for stdin, got %v", err)
	}
}

func TestStrict(t *testing.T) {
	data, err := os.ReadFile("testdata/cases/lints.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, ds := newLoader(t).Parse("lints.yaml", data)
	if ds.HasErrors() {
		t.Fatalf("lints alone must not make the file invalid: %v", ds)
	}
	if !ds.Strict().HasErrors() {
		t.Fatal("--strict must turn lints into errors")
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/cases/*.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err == nil {
			f.Add(data)
		}
	}
	l := newLoader(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, ds := l.Parse("fuzz.yaml", data)
		for _, d := range ds {
			if d.Pos.Line < 1 || d.Pos.File != "fuzz.yaml" || d.Message == "" {
				t.Fatalf("diagnostic without position or message: %+v", d)
			}
		}
		if cfg != nil && !ds.HasErrors() {
			for _, b := range cfg.Blueprints {
				if !b.Open && len(b.Rules) == 0 {
					t.Fatalf("valid config with a blueprint that has no rules and is not open: %+v", b)
				}
			}
		}
	})
}
