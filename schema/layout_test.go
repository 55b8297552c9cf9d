package schema

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
)

// memFiles are a layout's files in memory (testkit.Files).
type memFiles = testkit.Files

// readArchive reads a test layout: a comment, then files, each after a line
// "-- name --".
func readArchive(t *testing.T, file string) (comment string, files memFiles) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	files = memFiles{}
	name := ""
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if n, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "-- "); ok && strings.HasSuffix(n, " --") {
			name = strings.TrimSuffix(n, " --")
			files[name] = []byte{}
			continue
		}
		if name == "" {
			comment += line
			continue
		}
		files[name] = append(files[name], line...)
	}
	return comment, files
}

// renderLayout is a golden file of a layout loaded: its diagnostics, each at
// its file, then the layout and the model.
func renderLayout(cfg *portal.Config, ds diag.List) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "%s: %s %s: %s\n", d.Pos, d.Severity, d.Code, d.Message)
		if d.Hint != "" {
			fmt.Fprintf(&b, "    hint: %s\n", d.Hint)
		}
	}
	if cfg == nil {
		b.WriteString("-- no model --\n")
		return b.String()
	}
	b.WriteString("-- files --\n")
	for _, f := range cfg.Layout.Files {
		fmt.Fprintf(&b, "%s owners=%v\n", f.Name, cfg.Layout.Owners(f))
	}
	b.WriteString("-- model --\n")
	for _, m := range cfg.Members {
		fmt.Fprintf(&b, "member %s %s at %s\n", m.Email, m.Role, m.Pos)
	}
	for _, bp := range cfg.Blueprints {
		fmt.Fprintf(&b, "blueprint %s open=%v rules=%v at %s\n", bp.Name, bp.Open, bp.Rules, bp.Pos)
	}
	return b.String()
}

// TestLayoutGolden loads each testdata/layouts case (a root file portal.yaml
// and the files it includes) and compares the diagnostics and the merged model
// with its golden file (go test -run TestLayoutGolden -update).
func TestLayoutGolden(t *testing.T) {
	cases, err := filepath.Glob("testdata/layouts/*.txt")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	l := newLoader(t)
	for _, c := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(c), ".txt"), func(t *testing.T) {
			_, files := readArchive(t, c)
			cfg, ds := l.Load(context.Background(), "portal.yaml", files["portal.yaml"], files)
			testkit.Golden(t, strings.TrimSuffix(c, ".txt")+".golden", renderLayout(cfg, ds))
		})
	}
}

// TestLayoutOnDisk reads a layout from a repository on disk: a fragment that
// is a symbolic link out of the repository is refused at the include that
// names it, unread; a directory a glob matches is not a fragment; a link to a
// file inside is read.
func TestLayoutOnDisk(t *testing.T) {
	repo := t.TempDir()
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	outside := testkit.WriteFile(t, filepath.Join(t.TempDir(), "secret.yaml"), "blueprints:\n  ml-secret: {access: open}\n", 0o644)
	root := testkit.WriteFile(t, filepath.Join(repo, "portal.yaml"), "version: 1\ninclude:\n  - path: teams/*.yaml\n    blueprints: [\"*\"]\nmembers:\n  - {email: alice@company.com, role: admin}\n", 0o644)
	testkit.WriteFile(t, filepath.Join(repo, "teams", "ml.yaml"), "blueprints:\n  ml: {domains: [company.com]}\n", 0o644)
	testkit.WriteFile(t, filepath.Join(repo, "shared", "data.yaml"), "blueprints:\n  data: {domains: [company.com]}\n", 0o644)
	testkit.Symlink(t, "../shared/data.yaml", filepath.Join(repo, "teams", "data.yaml"))
	if err := os.MkdirAll(filepath.Join(repo, "teams", "dir.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	l := newLoader(t)
	load := func() (*portal.Config, diag.List) {
		data, err := os.ReadFile(root)
		if err != nil {
			t.Fatal(err)
		}
		return l.Load(context.Background(), root, data, Disk{MaxSize: 1 << 20, Root: root})
	}
	cfg, ds := load()
	if ds.HasErrors() {
		t.Fatalf("a link inside the repository and a directory: %v", ds)
	}
	if got := len(cfg.Layout.Files); got != 3 || len(cfg.Blueprints) != 2 {
		t.Fatalf("files %v, blueprints %v: want the root, ml and data, and two blueprints", cfg.Layout.Files, cfg.Blueprints)
	}
	testkit.Symlink(t, outside, filepath.Join(repo, "teams", "secret.yaml"))
	cfg, ds = load()
	if cfg != nil || len(ds) != 1 || ds[0].Code != "unreadable-fragment" || ds[0].Pos.Line != 3 ||
		!strings.Contains(ds[0].Message, "secret.yaml") || !strings.Contains(ds[0].Message, "outside") || strings.Contains(ds[0].Message, "ml-secret") {
		t.Fatalf("a link out of the repository: %v", ds)
	}
}

// TestLayoutFromStandardInput: a root read where its includes cannot be (no
// Files, as standard input or a saved plan) is an error at its include, never
// a configuration without them.
func TestLayoutFromStandardInput(t *testing.T) {
	cfg, ds := newLoader(t).Parse("-", []byte("version: 1\ninclude:\n  - path: teams/*.yaml\nmembers:\n  - {email: alice@company.com, role: admin}\n"))
	if cfg != nil || len(ds) != 1 || ds[0].Code != "include-not-read" || ds[0].Pos.Line != 3 {
		t.Fatalf("got %v", ds)
	}
}

// FuzzLayout loads a root that includes two fragments, all three fuzzed: it
// never panics, and each diagnostic names one of the three files, at a line
// of it.
func FuzzLayout(f *testing.F) {
	f.Add([]byte("version: 1\ninclude:\n  - path: teams/*.yaml\n    blueprints: [\"*\"]\n    members: true\nmembers:\n  - {email: a@b.co, role: admin}\n"),
		[]byte("blueprints:\n  x: {domains: [b.co]}\n"), []byte("members:\n  - email: c@b.co\ngroups:\n  g: [c@b.co]\n"))
	f.Add([]byte("version: 1\ninclude: [{path: teams/a.yaml}, {path: teams/*.yaml}]\n"), []byte("policy: {}\n"), []byte("# nothing yet\n"))
	l := newLoader(f)
	f.Fuzz(func(t *testing.T, root, a, b []byte) {
		files := memFiles{"portal.yaml": root, "teams/a.yaml": a, "teams/b.yaml": b}
		cfg, ds := l.Load(context.Background(), "portal.yaml", root, files)
		if cfg == nil && !ds.HasErrors() {
			t.Fatalf("no model and no error")
		}
		for _, d := range ds {
			data, ok := files[d.Pos.File]
			if !ok || d.Pos.Line > 2+bytes.Count(data, []byte("\n"))+bytes.Count(data, []byte("\r")) {
				t.Fatalf("a diagnostic names %s, not a line of the files: %v", d.Pos, d)
			}
		}
	})
}

// TestLayoutDirectoryLinkOut: a directory on a fragment's way that is a link
// out of the root file's repository is refused at the include, unread, even
// when where it leads is another git repository (which a fragment's own
// directory would otherwise be taken for), or when no repository holds the
// root (its directory bounds the fragments then).
func TestLayoutDirectoryLinkOut(t *testing.T) {
	for _, tt := range []struct {
		name              string
		rootRepo, outRepo bool
	}{
		{"into another repository", true, true},
		{"into a plain directory", true, false},
		{"no repository, into a plain directory", false, false},
		{"no repository, into a repository", false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			repo, out := filepath.Join(base, "repo"), filepath.Join(base, "out")
			for dir, git := range map[string]bool{repo: tt.rootRepo, out: tt.outRepo} {
				if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
					t.Fatal(err)
				}
				if git {
					if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
						t.Fatal(err)
					}
				}
			}
			testkit.WriteFile(t, filepath.Join(out, "ml.yaml"), "blueprints:\n  ml-secret: {access: open}\n", 0o644)
			root := testkit.WriteFile(t, filepath.Join(repo, "portal.yaml"), "version: 1\ninclude:\n  - path: teams/*.yaml\n    blueprints: [\"*\"]\nmembers:\n  - {email: alice@company.com, role: admin}\n", 0o644)
			testkit.Symlink(t, out, filepath.Join(repo, "teams"))
			data, err := os.ReadFile(root)
			if err != nil {
				t.Fatal(err)
			}
			cfg, ds := newLoader(t).Load(context.Background(), root, data, Disk{MaxSize: 1 << 20, Root: root})
			if cfg != nil || len(ds) != 1 || ds[0].Code != "unreadable-fragment" || ds[0].Pos.Line != 3 ||
				!strings.Contains(ds[0].Message, "outside") || strings.Contains(ds[0].Message, "ml-secret") {
				t.Fatalf("got %v", ds)
			}
		})
	}
}

// countingFiles is memFiles that counts the fragments read.
type countingFiles struct {
	memFiles
	reads atomic.Int64
}

func (c *countingFiles) ReadFile(ctx context.Context, name string) ([]byte, error) {
	c.reads.Add(1)
	return c.memFiles.ReadFile(ctx, name)
}

// TestLayoutOverTheTotalSize: fragments each within --max-file-size but over
// it together are refused at the first include, counting the root, and the
// loader stops reading them once over: a hundred files of the limit's size
// must not all be read and parsed to say so.
func TestLayoutOverTheTotalSize(t *testing.T) {
	const size, n = 1000, 100
	root := "version: 1\ninclude:\n  - path: teams/*.yaml\n    blueprints: [\"*\"]\nmembers:\n  - {email: alice@company.com, role: admin}\n"
	for _, tt := range []struct {
		name     string
		max      int64
		tooLarge bool
	}{
		{"all within the limit", int64(len(root) + n*size), false},
		{"the root tips them over", int64(n*size + 10), true},
		{"ten times over", 10 * size, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			files := &countingFiles{memFiles: memFiles{}}
			for i := range n {
				body := fmt.Sprintf("blueprints:\n  b%03d: {domains: [company.com]}\n", i)
				files.memFiles[fmt.Sprintf("teams/t%03d.yaml", i)] = []byte(body + "#" + strings.Repeat("x", size-len(body)-2) + "\n")
			}
			l, err := New(MaxFileSize(tt.max))
			if err != nil {
				t.Fatal(err)
			}
			cfg, ds := l.Load(context.Background(), "portal.yaml", []byte(root), files)
			if !tt.tooLarge {
				if ds.HasErrors() || len(cfg.Blueprints) != n {
					t.Fatalf("got %v", ds)
				}
				return
			}
			if cfg != nil || len(ds) != 1 || ds[0].Code != "too-large" || ds[0].Pos.File != "portal.yaml" || ds[0].Pos.Line != 3 {
				t.Fatalf("got %v", ds)
			}
			if most := tt.max/size + 1 + int64(runtime.GOMAXPROCS(0)); files.reads.Load() > most {
				t.Fatalf("read %d fragments, want at most %d: it goes on reading once over the limit", files.reads.Load(), most)
			}
		})
	}
}

// TestEmptyFragment: a fragment with nothing in it yet adds nothing, however
// its editor saved it (a byte order mark, CRLF line ends); one with something
// that is not a mapping is still an error at it.
func TestEmptyFragment(t *testing.T) {
	root := "version: 1\ninclude:\n  - path: teams/a.yaml\n    blueprints: [\"*\"]\nmembers:\n  - {email: alice@company.com, role: admin}\n"
	for _, tt := range []struct {
		name, data string
		ok         bool
	}{
		{"empty", "", true},
		{"comments", "# the ML team's blueprints\n\n", true},
		{"CRLF comments", "# the ML team's blueprints\r\n\r\n", true},
		{"byte order mark", "\ufeff", true},
		{"byte order mark and a comment", "\ufeff# the ML team's blueprints\r\n", true},
		{"a scalar", "\ufeffhello\n", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, ds := newLoader(t).Load(context.Background(), "portal.yaml", []byte(root), memFiles{"portal.yaml": []byte(root), "teams/a.yaml": []byte(tt.data)})
			if tt.ok != !ds.HasErrors() {
				t.Fatalf("got %v", ds)
			}
			if tt.ok && (len(cfg.Blueprints) != 0 || len(cfg.Layout.Files) != 2) {
				t.Fatalf("blueprints %v, files %v", cfg.Blueprints, cfg.Layout.Files)
			}
			if !tt.ok && (len(ds) == 0 || ds[0].Pos.File != "teams/a.yaml") {
				t.Fatalf("got %v", ds)
			}
		})
	}
}
