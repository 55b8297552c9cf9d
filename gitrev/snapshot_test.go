package gitrev

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/qovery/portalctl/internal/testkit"
)

// layout is a repository of a root file and fragments, committed on main (the
// base) then changed on the branch pr, which is checked out, with one more
// file only in the working tree. It returns the repository's directory.
func layout(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	testkit.Git(t, dir, "init", "-q", "-b", "main")
	writeTree(t, dir, map[string]string{
		"portal.yaml":           "root",
		"teams/a.yaml":          "a",
		"teams/b.yaml":          "b",
		"teams/c.yml":           "c",
		"teams/notes.txt":       "notes",
		"teams/deleted.yaml":    "deleted at head",
		"teams/x.yaml/f.yaml":   "a directory named x.yaml",
		"teams/link.yaml":       "symlink:../shared/l.yaml",
		"teams/escape.yaml":     "symlink:../../outside.yaml",
		"shared/l.yaml":         "shared",
		"current":               "symlink:teams",
		"sub/teams/d.yaml":      "d",
		"sub/portal.yaml":       "sub root",
		"dangling":              "symlink:nothing",
		"deep/er/est/one.yaml":  "one",
		"deep/er/est/two.yaml":  "two",
		"deep/other/three.yaml": "three",
	})
	testkit.Git(t, dir, "add", "-A")
	testkit.Git(t, dir, "commit", "-q", "-m", "base")
	testkit.Git(t, dir, "checkout", "-q", "-b", "pr")
	writeTree(t, dir, map[string]string{"teams/deleted.yaml": "", "teams/a.yaml": "a changed", "teams/head.yaml": "committed at head"})
	testkit.Git(t, dir, "add", "-A")
	testkit.Git(t, dir, "commit", "-q", "-m", "the change")
	writeTree(t, dir, map[string]string{"teams/new.yaml": "only in the working tree"})
	return dir
}

func TestGlob(t *testing.T) {
	dir := layout(t)
	tests := []struct {
		name    string
		cwd     string // relative to the repository; "" for its root
		pattern string
		rev     string // "" for main
		want    []string
		wantErr string
		badPat  bool // the error wraps filepath.ErrBadPattern
	}{
		{name: "matches, sorted, links included, directory and working tree's file not",
			pattern: "teams/*.yaml", want: []string{"teams/a.yaml", "teams/b.yaml", "teams/deleted.yaml", "teams/escape.yaml", "teams/link.yaml"}},
		{name: "a file deleted at head is seen at the base, one added at head is not",
			pattern: "teams/[dh]*.yaml", want: []string{"teams/deleted.yaml"}},
		{name: "at head: the deleted file gone, the committed one there",
			pattern: "teams/[dh]*.yaml", rev: "pr", want: []string{"teams/head.yaml"}},
		{name: "no match", pattern: "teams/*.json", want: nil},
		{name: "no such directory", pattern: "nowhere/*.yaml", want: nil},
		{name: "a file where a directory should be", pattern: "portal.yaml/*", want: nil},
		{name: "question mark", pattern: "teams/?.yaml", want: []string{"teams/a.yaml", "teams/b.yaml"}},
		{name: "class", pattern: "teams/[bc].y*", want: []string{"teams/b.yaml", "teams/c.yml"}},
		{name: "in a subdirectory", pattern: "sub/*/*.yaml", want: []string{"sub/teams/d.yaml"}},
		{name: "wildcard directory, literal segments after it",
			pattern: "deep/*/est/*.yaml", want: []string{"deep/er/est/one.yaml", "deep/er/est/two.yaml"}},
		{name: "wildcard at the root", pattern: "*", want: []string{"current", "dangling", "portal.yaml"}},
		{name: "wildcard directories, links to directories followed, dangling skipped",
			pattern: "*/?.yaml", want: []string{"current/a.yaml", "current/b.yaml", "shared/l.yaml", "teams/a.yaml", "teams/b.yaml"}},
		{name: "a directory link in the prefix", pattern: "current/*.yml", want: []string{"current/c.yml"}},
		{name: "a directory named like the pattern never matches", pattern: "teams/x.yaml", want: nil},
		{name: "inside a directory named x.yaml", pattern: "teams/x.yaml/*", want: []string{"teams/x.yaml/f.yaml"}},
		{name: "a literal file", pattern: "./teams/a.yaml", want: []string{"teams/a.yaml"}},
		{name: "a literal file absent at the base", pattern: "teams/new.yaml", want: nil},
		{name: "a trailing separator names directories only", pattern: "teams/*/", want: nil},
		{name: "relative to the current directory", cwd: "sub", pattern: "../teams/[ab].yaml", want: []string{"../teams/a.yaml", "../teams/b.yaml"}},
		{name: "the current directory", cwd: "sub", pattern: "*.yaml", want: []string{"portal.yaml"}},
		{name: "a deleted working-tree directory", cwd: "teams", pattern: "x.yaml/*", want: []string{"x.yaml/f.yaml"}},
		{name: "bad pattern", pattern: "teams/[", badPat: true, wantErr: "syntax error in pattern"},
		{name: "bad pattern in a directory", pattern: "te[ams/*.yaml", badPat: true, wantErr: "syntax error in pattern"},
		{name: "a class cut by a separator", pattern: "teams/[/]", badPat: true, wantErr: "syntax error in pattern"},
		{name: "dot dot after a wildcard", pattern: "teams/*/../a.yaml", badPat: true, wantErr: ".. after a wildcard"},
		{name: "out of the repository", pattern: "../*.yaml", wantErr: "not inside a git repository"},
		{name: "a literal directory by ..", pattern: "teams/..", want: nil},
		{name: "a link out of the repository where a directory is needed",
			pattern: "teams/*/f.yaml", wantErr: "teams/escape.yaml is a symbolic link to ../../outside.yaml at main, outside the repository"},
		{name: "into .git", pattern: ".git/*", wantErr: "leads into the .git directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(filepath.Join(dir, filepath.FromSlash(tt.cwd)))
			if tt.cwd == "teams" {
				if err := os.RemoveAll("x.yaml"); err != nil {
					t.Fatal(err)
				}
			}
			rev := tt.rev
			if rev == "" {
				rev = "main"
			}
			s, err := Open(context.Background(), filepath.Join(dir, "portal.yaml"), rev)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Glob(context.Background(), tt.pattern)
			if errors.Is(err, filepath.ErrBadPattern) != tt.badPat {
				t.Errorf("errors.Is(%v, filepath.ErrBadPattern) = %v, want %v", err, !tt.badPat, tt.badPat)
			}
			if testkit.WantErr(t, err, tt.wantErr) {
				return
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Glob(%q) = %q, want %q", tt.pattern, got, tt.want)
			}
		})
	}
}

// TestGlobAbsolute: an absolute pattern gives absolute names.
func TestGlobAbsolute(t *testing.T) {
	dir := layout(t)
	s, err := Open(context.Background(), filepath.Join(dir, "portal.yaml"), "main")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Glob(context.Background(), filepath.Join(dir, "teams", "[ab].yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "teams", "a.yaml"), filepath.Join(dir, "teams", "b.yaml")}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestGlobThenRead: what a glob names is read at the same revision, links
// followed then, and refused when they leave the repository.
func TestGlobThenRead(t *testing.T) {
	dir := layout(t)
	t.Chdir(dir)
	s, err := Open(context.Background(), "portal.yaml", "main")
	if err != nil {
		t.Fatal(err)
	}
	names, err := s.Glob(context.Background(), "teams/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"teams/a.yaml":       "a",
		"teams/b.yaml":       "b",
		"teams/deleted.yaml": "deleted at head",
		"teams/escape.yaml":  "error: teams/escape.yaml is a symbolic link to ../../outside.yaml at main, outside the repository",
		"teams/link.yaml":    "shared",
	}
	got := map[string]string{}
	for _, name := range names {
		data, err := s.ReadFile(context.Background(), name)
		if err != nil {
			got[name] = "error: " + strings.TrimPrefix(err.Error(), "read "+name+" at main: ")
			continue
		}
		got[name] = string(data)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("read the glob's names:\n got %v\nwant %v", got, want)
	}
}

func TestSnapshotHash(t *testing.T) {
	dir := layout(t)
	t.Chdir(dir)
	base, err := Open(context.Background(), "portal.yaml", "main")
	if err != nil {
		t.Fatal(err)
	}
	head, err := Open(context.Background(), "portal.yaml", "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := base.Commit(), testkit.Git(t, dir, "rev-parse", "main"); got != want {
		t.Errorf("Commit() = %s, want %s", got, want)
	}
	hash := func(s *Snapshot, name string) string {
		t.Helper()
		h, err := s.Hash(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	for _, name := range []string{"teams/a.yaml", "teams/b.yaml", "teams/link.yaml", "current/c.yml"} {
		data, err := base.ReadFile(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if h := hash(base, name); h != BlobHash(data) {
			t.Errorf("Hash(%s) = %s, BlobHash of its bytes %s", name, h, BlobHash(data))
		}
	}
	if hash(base, "teams/link.yaml") != hash(base, "shared/l.yaml") {
		t.Error("a link's hash is not its target's")
	}
	if hash(base, "teams/b.yaml") != hash(head, "teams/b.yaml") {
		t.Error("an unchanged file's hash changed")
	}
	if hash(base, "teams/a.yaml") == hash(head, "teams/a.yaml") {
		t.Error("a changed file's hash did not change")
	}
	// The working tree's file is committed at head: the same hash, as git says.
	working, err := os.ReadFile("teams/a.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := BlobHash(working), testkit.Git(t, dir, "hash-object", "teams/a.yaml"); got != want || got != hash(head, "teams/a.yaml") {
		t.Errorf("BlobHash = %s, git hash-object %s, Hash at head %s", got, want, hash(head, "teams/a.yaml"))
	}
	for _, tt := range []struct{ name, wantErr string }{
		{name: "teams/new.yaml", wantErr: "does not exist at this revision"},
		{name: "teams/escape.yaml", wantErr: "outside the repository"},
		{name: "teams", wantErr: "teams is a directory at main, not a file"},
	} {
		_, err := base.Hash(context.Background(), tt.name)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Hash(%s): err = %v, want %q", tt.name, err, tt.wantErr)
		}
		if errors.Is(err, ErrFileNotFound) != (tt.name == "teams/new.yaml") {
			t.Errorf("Hash(%s): errors.Is(%v, ErrFileNotFound) is wrong", tt.name, err)
		}
	}
}

// TestSnapshotOtherRepository: a snapshot reads its own repository only, by
// whatever path the name takes to it.
func TestSnapshotOtherRepository(t *testing.T) {
	dir, other := layout(t), layout(t)
	s, err := Open(context.Background(), filepath.Join(dir, "portal.yaml"), "main")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.ReadFile(context.Background(), filepath.Join(other, "portal.yaml"))
	testkit.WantErr(t, err, "not in the one at "+dir)
	_, err = s.Glob(context.Background(), filepath.Join(other, "teams", "*.yaml"))
	testkit.WantErr(t, err, "not in the one at "+dir)

	link := testkit.Symlink(t, dir, filepath.Join(t.TempDir(), "checkout"))
	data, err := s.ReadFile(context.Background(), filepath.Join(link, "teams", "b.yaml"))
	if err != nil || string(data) != "b" {
		t.Fatalf("through a link to the checkout: %q, %v", data, err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := layout(t)
	for _, tt := range []struct{ file, rev, wantErr string }{
		{file: filepath.Join(dir, "portal.yaml"), rev: "nope", wantErr: "open the repository of " + filepath.Join(dir, "portal.yaml") + " at nope: unknown revision `nope`"},
		{file: filepath.Join(dir, "portal.yaml"), rev: "", wantErr: "empty revision"},
		{file: filepath.Join(t.TempDir(), "portal.yaml"), rev: "main", wantErr: "not inside a git repository"},
	} {
		_, err := Open(context.Background(), tt.file, tt.rev)
		testkit.WantErr(t, err, tt.wantErr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Open(ctx, filepath.Join(dir, "portal.yaml"), "main")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := s.Glob(ctx, filepath.Join(dir, "teams", "*")); !errors.Is(err, context.Canceled) {
		t.Errorf("Glob after cancel: %v", err)
	}
	if _, err := s.ReadFile(ctx, filepath.Join(dir, "portal.yaml")); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadFile after cancel: %v", err)
	}
}

// countingObjects counts the tree objects read from the store, by hash.
type countingObjects struct {
	storer.EncodedObjectStorer
	trees map[plumbing.Hash]int
}

func (c *countingObjects) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	o, err := c.EncodedObjectStorer.EncodedObject(t, h)
	if err == nil && o.Type() == plumbing.TreeObject {
		c.trees[h]++
	}
	return o, err
}

// manyDirectories is a repository whose main holds portal.yaml, teams/a.yaml,
// teams/b.yaml and n other directories of one file each (different, so that
// each is a tree of its own). They are imported in one stream, never checked
// out: the snapshot reads the objects only.
func manyDirectories(tb testing.TB, n int) string {
	tb.Helper()
	dir := tb.TempDir()
	testkit.Git(tb, dir, "init", "-q", "-b", "main")
	var stream strings.Builder
	file := func(name, content string) {
		fmt.Fprintf(&stream, "M 100644 inline %s\ndata %d\n%s\n", name, len(content), content)
	}
	stream.WriteString("commit refs/heads/main\ncommitter t <t@example.com> 0 +0000\ndata 4\nmany\n")
	for i := range n {
		file(fmt.Sprintf("d%05d/portal.yaml", i), fmt.Sprint(i))
	}
	file("portal.yaml", "root")
	file("teams/a.yaml", "a")
	file("teams/b.yaml", "b")
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir, cmd.Stdin = dir, strings.NewReader(stream.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("git fast-import: %v\n%s", err, out)
	}
	return dir
}

// TestGlobReadsOnlyWhatItNeeds: globbing teams/*.yaml and reading the matches
// reads one tree, teams, of a repository of 2,000 directories; a glob that does
// need them all reads them all (the count is real).
func TestGlobReadsOnlyWhatItNeeds(t *testing.T) {
	const n = 2000
	dir := manyDirectories(t, n)
	t.Chdir(dir)
	count := func(s *Snapshot) *countingObjects {
		c := &countingObjects{EncodedObjectStorer: s.r.objects, trees: map[plumbing.Hash]int{}}
		s.r.objects = c
		return c
	}

	s, err := Open(context.Background(), "portal.yaml", "main")
	if err != nil {
		t.Fatal(err)
	}
	c := count(s)
	names, err := s.Glob(context.Background(), "teams/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if _, err := s.ReadFile(context.Background(), name); err != nil {
			t.Fatal(err)
		}
	}
	teams := plumbing.NewHash(testkit.Git(t, dir, "rev-parse", "main:teams"))
	if want := map[plumbing.Hash]int{teams: 1}; !maps.Equal(c.trees, want) {
		t.Errorf("trees read: %v, want only teams (%s) once", c.trees, teams)
	}
	if !slices.Equal(names, []string{"teams/a.yaml", "teams/b.yaml"}) {
		t.Errorf("Glob = %q", names)
	}

	s, err = Open(context.Background(), "portal.yaml", "main")
	if err != nil {
		t.Fatal(err)
	}
	c = count(s)
	names, err = s.Glob(context.Background(), "*/portal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != n || len(c.trees) != n+1 {
		t.Errorf("*/portal.yaml: %d names, %d trees read; want %d and %d", len(names), len(c.trees), n, n+1)
	}
}

// BenchmarkGlob globs and reads the two fragments of a repository of 2,000
// other directories, from a snapshot opened once.
func BenchmarkGlob(b *testing.B) {
	dir := manyDirectories(b, 2000)
	b.Chdir(dir)
	s, err := Open(context.Background(), "portal.yaml", "main")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		names, err := s.Glob(context.Background(), "teams/*.yaml")
		if err != nil || len(names) != 2 {
			b.Fatal(names, err)
		}
		for _, name := range names {
			if _, err := s.ReadFile(context.Background(), name); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestSnapshotConcurrent: goroutines sharing a snapshot of a packed repository
// get the same answers as one alone (and the race detector, under make test,
// sees no race in go-git's store).
func TestSnapshotConcurrent(t *testing.T) {
	dir := layout(t)
	testkit.Git(t, dir, "gc", "-q")
	t.Chdir(dir)
	s, err := Open(context.Background(), "portal.yaml", "main")
	if err != nil {
		t.Fatal(err)
	}
	const workers = 8
	results := make([]string, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			var out strings.Builder
			for _, pattern := range []string{"teams/*.yaml", "*/?.yaml", "deep/*/*/*.yaml", "sub/*/*"} {
				names, err := s.Glob(context.Background(), pattern)
				fmt.Fprintln(&out, pattern, names, err)
				for _, name := range names {
					data, err := s.ReadFile(context.Background(), name)
					h, herr := s.Hash(context.Background(), name)
					fmt.Fprintln(&out, name, string(data), err, h, herr)
				}
			}
			results[i] = out.String()
		})
	}
	wg.Wait()
	for i := 1; i < workers; i++ {
		if results[i] != results[0] {
			t.Fatalf("worker %d read:\n%s\nworker 0 read:\n%s", i, results[i], results[0])
		}
	}
	if !strings.Contains(results[0], "deep/er/est/two.yaml two <nil>") {
		t.Errorf("the workers read:\n%s", results[0])
	}
}

// FuzzGlobAgreesWithCheckout holds Glob at HEAD to filepath.Glob in a clean
// checkout of HEAD, less the directories (which never match) and .git: the
// same names, or a malformed pattern.
func FuzzGlobAgreesWithCheckout(f *testing.F) {
	dir := f.TempDir()
	testkit.Git(f, dir, "init", "-q", "-b", "main")
	writeTree(f, dir, map[string]string{
		"portal.yaml": "root", "teams/a.yaml": "a", "teams/b.yml": "b", "teams/x.yaml/f.yaml": "f",
		"teams/l.yaml": "symlink:../shared/s.yaml", "shared/s.yaml": "s", "cur": "symlink:teams",
		"deep/er/est/one.yaml": "one", "[x]/y.yaml": "y", "dangling": "symlink:nothing",
	})
	testkit.Git(f, dir, "add", "-A")
	testkit.Git(f, dir, "commit", "-q", "-m", "c")
	for _, seed := range []string{"teams/*.yaml", "*/*", "*", "cur/?.y*", "deep/*/*/*.yaml", "[[]x]/*", "teams/[", `\[x]/*`, "teams//a.yaml", "./*/a*", "*/x.yaml/*"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		if filepath.IsAbs(pattern) || strings.Contains(strings.ToLower(pattern), ".git") ||
			slices.Contains(strings.Split(filepath.ToSlash(pattern), "/"), "..") {
			t.Skip("leaves the checkout")
		}
		if strings.Contains(filepath.ToSlash(pattern), "//") {
			t.Skip("filepath.Glob finds nothing under */ followed by a separator; Glob reads it as one")
		}
		if strings.ContainsFunc(pattern, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Skip("go-git refuses to look up a name with a control character: an error, where a checkout has no match")
		}
		t.Chdir(dir)
		matches, globErr := filepath.Glob(pattern)
		var want []string
		for _, m := range matches {
			if strings.HasPrefix(strings.ToLower(filepath.ToSlash(filepath.Clean(m))), ".git/") {
				continue // a checkout's own; no tree has it
			}
			if st, err := os.Lstat(m); err == nil && !st.IsDir() {
				want = append(want, filepath.Clean(m))
			}
		}
		s, err := Open(context.Background(), "portal.yaml", "HEAD")
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Glob(context.Background(), pattern)
		if globErr != nil || err != nil {
			// filepath.Glob lets a malformed pattern pass when a directory
			// before the error does not exist (0/*[); Glob refuses it always.
			if !errors.Is(err, filepath.ErrBadPattern) {
				t.Fatalf("Glob(%q): %v; filepath.Glob: %v", pattern, err, globErr)
			}
			return
		}
		for i := range got {
			got[i] = filepath.Clean(got[i])
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("Glob(%q) = %q, a checkout has %q", pattern, got, want)
		}
	})
}
