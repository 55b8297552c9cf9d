package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/schema"
)

// copySplit copies examples/split into a new repository and returns its root
// file's path.
func copySplit(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	testkit.Git(t, dir, "init", "-q")
	src := filepath.Join("..", "..", "examples", "split")
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		testkit.WriteFile(t, filepath.Join(dir, rel), string(data), 0o644)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "portal.yaml")
}

// single is the layout rooted at root written as one file, by the project's
// marshaller.
func single(t *testing.T, root string) string {
	t.Helper()
	l, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(root)
	if err != nil {
		t.Fatal(err)
	}
	cfg, ds := l.Load(t.Context(), root, data, schema.Disk{MaxSize: 1 << 20, Root: root})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	out, err := schema.Marshal(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	return testkit.WriteFile(t, filepath.Join(t.TempDir(), "single.yaml"), string(out), 0o644)
}

// TestSplitPlansAsOneFile: the worked example of docs/large-organizations.md
// validates, and plans against the emulator exactly as the same content in one
// file does; after apply, neither has anything to do.
func TestSplitPlansAsOneFile(t *testing.T) {
	root := copySplit(t)
	p := startPortal(t, "members:\n  - email: alice@company.com\n    role: admin\nblueprints:\n  handbook:\n  ml-training:\n  gpu-training:\n  data-lake:\n  data-sandbox:\n")
	c := cli{env: p.env}
	if r := c.run(t, "validate", "-f", root); r.code != 0 {
		t.Fatalf("validate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	one := single(t, root)
	split := c.run(t, "plan", "-f", root, "-o", "json")
	whole := c.run(t, "plan", "-f", one, "-o", "json")
	if split.code != 0 || whole.code != 0 {
		t.Fatalf("plan: exit %d and %d\n%s\n%s", split.code, whole.code, split.stderr, whole.stderr)
	}
	norm := func(s, file string) string { return strings.ReplaceAll(s, file, "FILE") }
	if a, b := norm(split.stdout, root), norm(whole.stdout, one); a != b {
		t.Fatalf("the split layout plans otherwise than one file:\n%s\n---\n%s", a, b)
	}
	// A saved plan holds the merged configuration: apply --plan needs none of
	// the files.
	saved := filepath.Join(t.TempDir(), "portal.plan")
	if r := c.run(t, "plan", "-f", root, "--out", saved); r.code != 0 {
		t.Fatalf("plan --out: exit %d\n%s", r.code, r.stderr)
	}
	if r := c.run(t, "apply", "--plan", saved, "--auto-approve"); r.code != 0 {
		t.Fatalf("apply --plan: exit %d\n%s", r.code, r.stderr)
	}
	for _, f := range []string{root, one} {
		if r := c.run(t, "plan", "-f", f, "--detailed-exitcode"); r.code != 0 {
			t.Fatalf("plan after apply of %s: exit %d\n%s%s", f, r.code, r.stdout, r.stderr)
		}
	}
}

// TestSplitErrorsNameTheirFile: a problem in a fragment is reported at the
// fragment's line by validate, and stops plan before any request.
func TestSplitErrorsNameTheirFile(t *testing.T) {
	root := copySplit(t)
	ml := filepath.Join(filepath.Dir(root), "teams", "ml.yaml")
	testkit.WriteFile(t, ml, "blueprints:\n  ml-training:\n    groups: [ml-engineers]\n  handbook-copy:\n    access: open\n", 0o644)
	c := cli{}
	r := c.run(t, "validate", "-f", root)
	if r.code != 1 || !strings.Contains(r.stdout, ml+":4:3: error: blueprint \"handbook-copy\" is outside the scope of "+ml) {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = c.run(t, "plan", "-f", root)
	r.refused(t, ml+":4:3")
}

// TestCodeownersCommand prints the lines of the worked example and checks a
// CODEOWNERS file against them: the example's own passes, one where a broader
// line comes last fails, naming the file and the line to write.
func TestCodeownersCommand(t *testing.T) {
	root := copySplit(t)
	dir := filepath.Dir(root)
	c := cli{}
	r := c.run(t, "codeowners", "-f", root)
	want, err := os.ReadFile(filepath.Join(dir, "CODEOWNERS"))
	if err != nil {
		t.Fatal(err)
	}
	// The example sits at examples/split in this repository, at the root of
	// the copy.
	if got := strings.ReplaceAll(string(want), "/examples/split/", "/"); r.code != 0 || r.stdout != got {
		t.Fatalf("exit %d\n%s\nwant\n%s%s", r.code, r.stdout, got, r.stderr)
	}
	good := testkit.WriteFile(t, filepath.Join(dir, ".github", "CODEOWNERS"), "* @acme/everyone\n"+r.stdout, 0o644)
	if r := c.run(t, "codeowners", "-f", root, "--check", good); r.code != 0 {
		t.Fatalf("--check of the printed lines: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The repository's root: GitHub reads .github/CODEOWNERS before the
	// example's own CODEOWNERS at the root.
	if r := c.run(t, "codeowners", "-f", root, "--check", dir); r.code != 0 || !strings.Contains(r.stdout, filepath.Join(dir, ".github", "CODEOWNERS")+" gives each") {
		t.Fatalf("--check of the repository: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A device is refused, not read without end.
	if _, err := os.Stat("/dev/zero"); err == nil {
		r := c.run(t, "codeowners", "-f", root, "--check", "/dev/zero")
		r.refused(t, "read the CODEOWNERS file /dev/zero: it is not a regular file")
	}
	bad := testkit.WriteFile(t, filepath.Join(dir, "CODEOWNERS.bad"), r.stdout+"/teams/ @acme/everyone\n", 0o644)
	r = c.run(t, "codeowners", "-f", root, "--check", bad)
	r.refused(t, "teams/ml.yaml is owned by @acme/everyone", "/teams/ml.yaml @acme/ml-platform", "teams/data.yaml")
}

// TestExpireSplit deletes each expired entry from the fragment that holds it,
// leaving the other files byte for byte.
func TestExpireSplit(t *testing.T) {
	root := copySplit(t)
	dir := filepath.Dir(root)
	contractors := filepath.Join(dir, "people", "contractors.yaml")
	testkit.WriteFile(t, contractors, "members:\n  - email: erin@partner.org\n    expires: 2026-11-01   # ended\n  - email: frank@partner.org\n    expires: 2027-03-31\ngroups:\n  contractors: [erin@partner.org, frank@partner.org]\n", 0o644)
	before := map[string][]byte{}
	for _, f := range []string{root, filepath.Join(dir, "people", "employees.yaml"), filepath.Join(dir, "teams", "ml.yaml"), filepath.Join(dir, "teams", "data.yaml")} {
		before[f], _ = os.ReadFile(f)
	}
	c := cli{}
	r := c.run(t, "expire", "-f", root)
	if r.code != 2 || !strings.Contains(r.stdout, contractors+":2:12: member erin@partner.org expired on 2026-11-01") ||
		!strings.Contains(r.stdout, "`portalctl expire --write` deletes them from the file that holds each.") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = c.run(t, "expire", "-f", root, "--write")
	if r.code != 2 || !strings.Contains(r.stdout, "Deleted 1 entry from "+contractors+".") {
		t.Fatalf("--write: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	got, _ := os.ReadFile(contractors)
	if want := "members:\n  - email: frank@partner.org\n    expires: 2027-03-31\ngroups:\n  contractors: [erin@partner.org, frank@partner.org]\n"; string(got) != want {
		t.Fatalf("contractors.yaml:\n%s\nwant\n%s", got, want)
	}
	for f, data := range before {
		if now, _ := os.ReadFile(f); string(now) != string(data) {
			t.Errorf("%s changed", f)
		}
	}
	if r := c.run(t, "validate", "-f", root); r.code != 0 {
		t.Fatalf("validate after expire --write: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestCodeownersAnchor: the lines are anchored at the root file's repository
// for every file, whatever directory a fragment sits in: with no repository
// (the root's directory anchors them then) and with a fragment's directory
// that looks like a repository of its own (a nested checkout).
func TestCodeownersAnchor(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"no repository", func(t *testing.T, dir string) {
			if err := os.RemoveAll(filepath.Join(dir, ".git")); err != nil {
				t.Fatal(err)
			}
		}},
		{"a nested repository", func(t *testing.T, dir string) {
			if err := os.Mkdir(filepath.Join(dir, "teams", ".git"), 0o755); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := copySplit(t)
			dir := filepath.Dir(root)
			tt.setup(t, dir)
			want, err := os.ReadFile(filepath.Join(dir, "CODEOWNERS"))
			if err != nil {
				t.Fatal(err)
			}
			r := cli{}.run(t, "codeowners", "-f", root)
			if got := strings.ReplaceAll(string(want), "/examples/split/", "/"); r.code != 0 || r.stdout != got {
				t.Fatalf("exit %d\n%s\nwant\n%s%s", r.code, r.stdout, got, r.stderr)
			}
		})
	}
}
