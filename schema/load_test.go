package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/internal/guard"
	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
)

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
		fmt.Fprintf(&b, "member %s %s (line %d)%s\n", m.Email, m.Role, m.Pos.Line, expiresText(m.Expires, m.ExpiresPos))
	}
	if cfg.Org != nil {
		fmt.Fprintf(&b, "organization_members (line %d)\n", cfg.Org.Pos.Line)
		for _, m := range cfg.Org.Members {
			fmt.Fprintf(&b, "  org member %s role %q (line %d, role at %d:%d)%s\n", m.Email, m.Role, m.Pos.Line, m.RolePos.Line, m.RolePos.Col, expiresText(m.Expires, m.ExpiresPos))
		}
	}
	if p := cfg.Policy; p != nil {
		fmt.Fprintf(&b, "policy (line %d)\n", p.Pos.Line)
		for _, r := range portal.PolicyRules() {
			if !p.Has(r) {
				continue
			}
			switch r {
			case portal.PolicyAllowedDomains:
				fmt.Fprintf(&b, "  %s %v (line %d)\n", r, p.AllowedDomains, p.Set[r].Line)
			case portal.PolicyMaxOpenBlueprints:
				fmt.Fprintf(&b, "  %s %d (line %d)\n", r, p.MaxOpenBlueprints, p.Set[r].Line)
			case portal.PolicyRequireExpiryOutside:
				fmt.Fprintf(&b, "  %s %v (line %d)\n", r, p.RequireExpiryOutside, p.Set[r].Line)
			case portal.PolicyMaxExpiryDays:
				fmt.Fprintf(&b, "  %s %d (line %d)\n", r, p.MaxExpiryDays, p.Set[r].Line)
			case portal.PolicyReviewEveryDays:
				fmt.Fprintf(&b, "  %s %d (line %d)\n", r, p.ReviewEveryDays, p.Set[r].Line)
			case portal.PolicyMaxPendingDays:
				fmt.Fprintf(&b, "  %s %d (line %d)\n", r, p.MaxPendingDays, p.Set[r].Line)
			case portal.PolicyRequiredAdmins:
				fmt.Fprintf(&b, "  %s %v (line %d) at %s\n", r, p.RequiredAdmins, p.Set[r].Line, lines(p.RequiredAdminsPos))
			}
		}
	}
	for _, bp := range cfg.Blueprints {
		fmt.Fprintf(&b, "blueprint %s open=%v\n", bp.Name, bp.Open)
		if len(bp.Owners) > 0 {
			fmt.Fprintf(&b, "  owners %v at %s\n", bp.Owners, lines(bp.OwnersPos))
		}
		if !bp.Reviewed.IsZero() {
			fmt.Fprintf(&b, "  reviewed %s (at %d:%d)\n", bp.Reviewed, bp.ReviewedPos.Line, bp.ReviewedPos.Col)
		}
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

// lines writes positions as line:column, one after the other.
func lines(ps []portal.Pos) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = fmt.Sprintf("%d:%d", p.Line, p.Col)
	}
	return strings.Join(out, " ")
}

func expiresText(d portal.Date, pos portal.Pos) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf(" expires %s (at %d:%d)", d, pos.Line, pos.Col)
}

// day reads a YYYY-MM-DD date of a test.
func day(s string) portal.Date {
	d, err := portal.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// goldenToday is the day the golden cases are checked on: a fixed clock.
var goldenToday = portal.Date{Year: 2026, Month: time.November, Day: 20}

func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/cases/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test cases: %v", err)
	}
	l, err := New(Today(goldenToday))
	if err != nil {
		t.Fatal(err)
	}
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
			testkit.Golden(t, strings.TrimSuffix(file, ".yaml")+".golden", got)
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

// TestSizeLimit: a file over the limit is refused from its size, before it is
// read, with a message that says what the limit is and how to raise it; a raised
// limit admits it.
func TestSizeLimit(t *testing.T) {
	t.Parallel() // seconds of CPU each, independent: they share the cores at the end of make test
	path := filepath.Join(t.TempDir(), "huge.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: the limit must be enforced from its size, without reading it.
	if err := f.Truncate(guard.DefaultMaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tests := []struct {
		name string
		read func() ([]byte, error)
		want []string
	}{
		{"file", func() ([]byte, error) { return ReadFileMax(path, nil, guard.DefaultMaxFileSize) },
			[]string{"huge.yaml", "the file is 48.0 MiB, over the 48 MiB limit", "--max-file-size 49MiB", "40 times its size"}},
		{"stdin", func() ([]byte, error) {
			return ReadFileMax("-", strings.NewReader(strings.Repeat("#", guard.DefaultMaxFileSize+10)), guard.DefaultMaxFileSize)
		}, []string{"the input is over the 48 MiB limit", "--max-file-size 97MiB"}},
		{"lowered limit", func() ([]byte, error) {
			return ReadFileMax("-", strings.NewReader(strings.Repeat("#", 3<<20)), 1<<20)
		}, []string{"over the 1 MiB limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.read()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	if data, err := ReadFileMax("-", strings.NewReader("version: 1\n"), 11); err != nil || len(data) != 11 {
		t.Fatalf("a file of exactly the limit is refused: %v", err)
	}
	// Parse enforces the loader's limit too (bytes from git are not read by ReadFile).
	l, err := New(MaxFileSize(100))
	if err != nil {
		t.Fatal(err)
	}
	_, ds := l.Parse("big.yaml", []byte("version: 1\n"+strings.Repeat("# padding\n", 20)))
	if len(ds) != 1 || ds[0].Code != "too-large" || !strings.Contains(ds[0].Hint, "--max-file-size") {
		t.Fatalf("want one too-large error with a hint, got %+v", ds)
	}
}

// TestProblemsCappedWhileCollected: a file with a hundred thousand duplicate
// members yields the first problems and a count of the rest, not a hundred
// thousand diagnostics.
func TestProblemsCappedWhileCollected(t *testing.T) {
	t.Parallel() // seconds of CPU each, independent: they share the cores at the end of make test
	const n = 100_000
	var b strings.Builder
	b.WriteString("version: 1\nmembers:\n  - email: alice@company.com\n    role: admin\n")
	for i := 0; i < n; i++ {
		b.WriteString("  - email: Alice@Company.com\n")
	}
	l, err := New(MaxProblems(20))
	if err != nil {
		t.Fatal(err)
	}
	cfg, ds := l.Parse("dups.yaml", []byte(b.String()))
	if cfg == nil || len(cfg.Members) != 1 {
		t.Fatalf("want the one member, got %v", cfg)
	}
	if len(ds) != 21 {
		t.Fatalf("want 20 problems and a summary, got %d", len(ds))
	}
	if errs, _ := ds.Counts(); errs != n {
		t.Errorf("counted %d errors, want %d", errs, n)
	}
	last := ds[len(ds)-1]
	if last.Code != "more-problems" || last.Pos.Line != 25 || !strings.Contains(last.Message, "99980 more errors") {
		t.Errorf("want the summary from line 25 on: %+v", last)
	}
	if ds[0].Code != "duplicate-member" || ds[0].Pos.Line != 5 || !strings.Contains(ds[0].Message, "already listed at line 3") {
		t.Errorf("want the first duplicate first: %+v", ds[0])
	}
}

func TestNoLints(t *testing.T) {
	data, err := os.ReadFile("testdata/cases/lints.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(NoLints())
	if err != nil {
		t.Fatal(err)
	}
	cfg, ds := l.Parse("lints.yaml", data)
	if len(ds) != 0 || cfg == nil || len(cfg.Members) != 8 {
		t.Fatalf("want the model and no warnings, got %d members and %+v", len(cfg.Members), ds)
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

// TestLoaderWith: a loader made With other options shares the compiled schema
// (preview compiles it once for both revisions), applies its options without
// changing the loader it came from, compiles another format's schema when asked
// for one, and parses at the same time as its parent (run with -race).
func TestLoaderWith(t *testing.T) {
	l, err := New()
	if err != nil {
		t.Fatal(err)
	}
	loose, err := l.With(NoPolicy())
	if err != nil {
		t.Fatal(err)
	}
	if loose.schema != l.schema || loose.fast != l.fast {
		t.Error("With compiled the schema again")
	}
	if !loose.noPolicy || l.noPolicy {
		t.Errorf("noPolicy: With's %v, the parent's %v; want true, false", loose.noPolicy, l.noPolicy)
	}
	seed, err := l.With(Seed())
	if err != nil {
		t.Fatal(err)
	}
	if seed.schema == l.schema || !seed.format.seed {
		t.Error("With(Seed()) kept the portal's schema")
	}
	src := []byte("version: 1\npolicy:\n  allowed_domains: [company.com]\nmembers:\n  - email: alice@company.com\n    role: admin\n  - email: bob@other.org\nblueprints: {}\n")
	var wg sync.WaitGroup
	results := make([]int, 2)
	for i, ld := range []*Loader{l, loose} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ds := ld.Parse("portal.yaml", src)
			results[i], _ = ds.Counts()
		}()
	}
	wg.Wait()
	if results[0] == 0 || results[1] != 0 {
		t.Errorf("errors: with the policy %d, without %d; want some, then none", results[0], results[1])
	}
}
