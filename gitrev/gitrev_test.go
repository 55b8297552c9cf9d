package gitrev

import (
	"context"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/qovery/portalctl/internal/testkit"
)

// fixture is a repository with a known history:
//
//	c1 (tags v1, v1-annotated) portal.yaml=v1, sub/portal.yaml=sub1
//	c2                         portal.yaml=v2
//	c3 (main)                  portal.yaml=v3, new.yaml, link.yaml -> portal.yaml
//	c4 (feature, from c2)      portal.yaml=feature
//	m  (pr, HEAD)              merge of c3 (first parent) and c4: portal.yaml=merged
//
// m mirrors the merge commit actions/checkout makes for a pull request: HEAD^1 is the
// base branch.
type fixture struct {
	dir            string
	c1, c2, c3, c4 plumbing.Hash
	m              plumbing.Hash
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir()}
	repo, err := git.PlainInitWithOptions(f.dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
		Bare:        false,
	})
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	commit := func(msg string, files map[string]string, parents ...plumbing.Hash) plumbing.Hash {
		t.Helper()
		for name, content := range files {
			p := filepath.Join(f.dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if target, ok := strings.CutPrefix(content, "symlink:"); ok {
				_ = os.Remove(p)
				if err := os.Symlink(target, p); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := wt.Add(name); err != nil {
				t.Fatal(err)
			}
		}
		when = when.Add(time.Minute)
		h, err := wt.Commit(msg, &git.CommitOptions{
			Author:  &object.Signature{Name: "Test", Email: "test@example.com", When: when},
			Parents: parents,
		})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	branch := func(name string, h plumbing.Hash) {
		t.Helper()
		ref := plumbing.NewHashReference(plumbing.NewBranchReferenceName(name), h)
		if err := repo.Storer.SetReference(ref); err != nil {
			t.Fatal(err)
		}
	}
	checkout := func(name string) {
		t.Helper()
		if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(name), Force: true}); err != nil {
			t.Fatal(err)
		}
	}

	f.c1 = commit("c1", map[string]string{"portal.yaml": "v1", "sub/portal.yaml": "sub1"})
	if _, err := repo.CreateTag("v1", f.c1, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.CreateTag("v1-annotated", f.c1, &git.CreateTagOptions{
		Tagger:  &object.Signature{Name: "Test", Email: "test@example.com", When: when},
		Message: "release v1",
	}); err != nil {
		t.Fatal(err)
	}
	f.c2 = commit("c2", map[string]string{"portal.yaml": "v2"})
	f.c3 = commit("c3", map[string]string{
		"portal.yaml": "v3",
		"new.yaml":    "new",
		"link.yaml":   "symlink:portal.yaml",
		"escape.yaml": "symlink:../outside.yaml",
	})
	branch("feature", f.c2)
	checkout("feature")
	f.c4 = commit("c4", map[string]string{"portal.yaml": "feature"})
	branch("pr", f.c3)
	checkout("pr")
	f.m = commit("merge", map[string]string{"portal.yaml": "merged"}, f.c3, f.c4)
	return f
}

// readers are the two ways to read a file at a revision, which must give the
// same answers: the package's ReadFile, and a Snapshot's.
var readers = []struct {
	name string
	read func(ctx context.Context, file, rev string) ([]byte, error)
}{
	{name: "ReadFile", read: ReadFile},
	{name: "Snapshot", read: func(ctx context.Context, file, rev string) ([]byte, error) {
		s, err := Open(ctx, file, rev)
		if err != nil {
			return nil, err
		}
		return s.ReadFile(ctx, file)
	}},
}

func requireGit(t *testing.T) {
	t.Helper()
	// go-git's file:// transport runs git-upload-pack from the git installation.
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: go-git clones local repositories through git-upload-pack")
	}
}

func TestReadFile(t *testing.T) {
	f := newFixture(t)
	portal := filepath.Join(f.dir, "portal.yaml")

	tests := []struct {
		name    string
		file    string
		rev     string
		want    string
		wantErr string // substring; "" means success
		notFile bool   // the error wraps ErrFileNotFound
	}{
		{name: "HEAD", file: portal, rev: "HEAD", want: "merged"},
		{name: "at shorthand", file: portal, rev: "@", want: "merged"},
		{name: "first parent of merge", file: portal, rev: "HEAD^1", want: "v3"},
		{name: "bare caret", file: portal, rev: "HEAD^", want: "v3"},
		{name: "second parent of merge", file: portal, rev: "HEAD^2", want: "feature"},
		{name: "caret zero", file: portal, rev: "HEAD^0", want: "merged"},
		{name: "tilde", file: portal, rev: "HEAD~2", want: "v2"},
		{name: "tilde three", file: portal, rev: "HEAD~3", want: "v1"},
		{name: "chained", file: portal, rev: "HEAD^2~1", want: "v2"},
		{name: "chained twice", file: portal, rev: "HEAD^1^1~1", want: "v1"},
		{name: "at caret", file: portal, rev: "@^1", want: "v3"},
		{name: "local branch", file: portal, rev: "main", want: "v3"},
		{name: "branch parent", file: portal, rev: "main^1", want: "v2"},
		{name: "branch tilde", file: portal, rev: "main~2", want: "v1"},
		{name: "full branch ref", file: portal, rev: "refs/heads/feature", want: "feature"},
		{name: "heads prefix", file: portal, rev: "heads/main", want: "v3"},
		{name: "lightweight tag", file: portal, rev: "v1", want: "v1"},
		{name: "annotated tag", file: portal, rev: "v1-annotated", want: "v1"},
		{name: "annotated tag peeled", file: portal, rev: "v1-annotated^{}", want: "v1"},
		{name: "annotated tag commit", file: portal, rev: "v1-annotated^{commit}", want: "v1"},
		{name: "full tag ref", file: portal, rev: "refs/tags/v1-annotated", want: "v1"},
		{name: "full sha", file: portal, rev: f.c2.String(), want: "v2"},
		{name: "short sha", file: portal, rev: f.c2.String()[:7], want: "v2"},
		{name: "odd short sha", file: portal, rev: f.c2.String()[:9], want: "v2"},
		{name: "sha with parent", file: portal, rev: f.c3.String() + "~1", want: "v2"},
		{name: "subdirectory", file: filepath.Join(f.dir, "sub", "portal.yaml"), rev: "v1", want: "sub1"},
		{name: "symlink in tree", file: filepath.Join(f.dir, "link.yaml"), rev: "main", want: "v3"},
		{name: "file added later", file: filepath.Join(f.dir, "new.yaml"), rev: "v1", notFile: true, wantErr: "does not exist"},
		{name: "file never existed", file: filepath.Join(f.dir, "nothing.yaml"), rev: "HEAD", notFile: true, wantErr: "nothing.yaml"},
		{name: "directory missing at rev", file: filepath.Join(f.dir, "nodir", "portal.yaml"), rev: "HEAD", notFile: true, wantErr: "nodir/portal.yaml"},
		{name: "path is a directory", file: filepath.Join(f.dir, "sub"), rev: "HEAD", wantErr: "sub is a directory at HEAD"},
		{name: "symlink outside repo", file: filepath.Join(f.dir, "escape.yaml"), rev: "main", wantErr: "outside the repository"},
		{name: "unknown branch", file: portal, rev: "nope", wantErr: "unknown revision `nope`: use a branch, tag or SHA (e.g. origin/main)"},
		{name: "unknown remote branch", file: portal, rev: "origin/main", wantErr: "unknown revision `origin/main`"},
		{name: "unknown sha", file: portal, rev: strings.Repeat("ab", 20), wantErr: "unknown revision"},
		{name: "too many parents", file: portal, rev: "HEAD^3", wantErr: "has 2 parent(s), not 3"},
		{name: "before root", file: portal, rev: "v1~1", wantErr: "has 0 parent(s), not 1"},
		{name: "path syntax refused", file: portal, rev: "HEAD:portal.yaml", wantErr: "unsupported revision"},
		{name: "reflog syntax refused", file: portal, rev: "main@{upstream}", wantErr: "unsupported revision"},
		{name: "message search refused", file: portal, rev: "HEAD^{/c1}", wantErr: "unsupported revision"},
		{name: "empty revision", file: portal, rev: " ", wantErr: "empty revision"},
		{name: "outside the repository", file: filepath.Join(f.dir, "..", "x.yaml"), rev: "HEAD", wantErr: "not inside a git repository"},
	}
	for _, rd := range readers {
		for _, tt := range tests {
			t.Run(rd.name+"/"+tt.name, func(t *testing.T) {
				got, err := rd.read(context.Background(), tt.file, tt.rev)
				if tt.wantErr == "" {
					if err != nil {
						t.Fatalf("ReadFile(%s, %s): %v", tt.file, tt.rev, err)
					}
					if string(got) != tt.want {
						t.Fatalf("ReadFile(%s, %s) = %q, want %q", tt.file, tt.rev, got, tt.want)
					}
					return
				}
				if err == nil {
					t.Fatalf("ReadFile(%s, %s) = %q, want an error containing %q", tt.file, tt.rev, got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not contain %q", err, tt.wantErr)
				}
				if errors.Is(err, ErrFileNotFound) != tt.notFile {
					t.Errorf("errors.Is(%q, ErrFileNotFound) = %v, want %v", err, !tt.notFile, tt.notFile)
				}
			})
		}
	}
}

func TestReadFileRelativePaths(t *testing.T) {
	f := newFixture(t)
	t.Chdir(filepath.Join(f.dir, "sub"))

	tests := []struct {
		name, file, rev, want string
	}{
		{name: "cwd file", file: "portal.yaml", rev: "v1", want: "sub1"},
		{name: "dot slash", file: "./portal.yaml", rev: "v1", want: "sub1"},
		{name: "parent dir", file: "../portal.yaml", rev: "HEAD^1", want: "v3"},
		{name: "through the root", file: "../sub/portal.yaml", rev: "main", want: "sub1"},
	}
	for _, rd := range readers {
		for _, tt := range tests {
			t.Run(rd.name+"/"+tt.name, func(t *testing.T) {
				got, err := rd.read(context.Background(), tt.file, tt.rev)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != tt.want {
					t.Fatalf("got %q, want %q", got, tt.want)
				}
			})
		}
	}
}

func TestReadFileThroughSymlinkedDir(t *testing.T) {
	f := newFixture(t)
	link := filepath.Join(t.TempDir(), "checkout")
	if err := os.Symlink(f.dir, link); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
	got, err := ReadFile(context.Background(), filepath.Join(link, "sub", "portal.yaml"), "v1")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "sub1" {
		t.Fatalf("got %q, want sub1", got)
	}

	t.Chdir(link)
	got, err = ReadFile(context.Background(), "portal.yaml", "HEAD^1")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "v3" {
		t.Fatalf("got %q, want v3", got)
	}
}

func TestReadFileDeletedDirectoryInWorktree(t *testing.T) {
	f := newFixture(t)
	// The change deletes sub/: the base still has the file.
	if err := os.RemoveAll(filepath.Join(f.dir, "sub")); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(context.Background(), filepath.Join(f.dir, "sub", "portal.yaml"), "HEAD^1")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "sub1" {
		t.Fatalf("got %q, want sub1", got)
	}
}

func TestReadFileNotARepository(t *testing.T) {
	dir := t.TempDir()
	_, err := ReadFile(context.Background(), filepath.Join(dir, "portal.yaml"), "HEAD")
	if err == nil || !strings.Contains(err.Error(), "is not inside a git repository") {
		t.Fatalf("err = %v, want 'is not inside a git repository'", err)
	}
}

func TestReadFileCanceled(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ReadFile(ctx, filepath.Join(f.dir, "portal.yaml"), "HEAD")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestReadFileRemoteTrackingBranches(t *testing.T) {
	requireGit(t)
	src := newFixture(t)
	dir := t.TempDir()
	repo, err := git.PlainClone(dir, false, &git.CloneOptions{URL: src.dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Reference(plumbing.NewRemoteReferenceName("origin", "main"), false); err != nil {
		t.Fatalf("clone has no origin/main: %v", err)
	}
	portal := filepath.Join(dir, "portal.yaml")

	tests := []struct {
		name, rev, want, wantErr string
	}{
		{name: "remote branch", rev: "origin/main", want: "v3"},
		{name: "remote branch parent", rev: "origin/main^1", want: "v2"},
		{name: "full remote ref", rev: "refs/remotes/origin/feature", want: "feature"},
		{name: "remotes prefix", rev: "remotes/origin/main", want: "v3"},
		{name: "merge first parent", rev: "HEAD^1", want: "v3"},
		{name: "tag fetched by clone", rev: "v1-annotated", want: "v1"},
		{name: "short sha in packfile", rev: src.c2.String()[:8], want: "v2"},
		{name: "local branch absent from clone", rev: "feature", wantErr: "unknown revision `feature`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadFile(context.Background(), portal, tt.rev)
			if testkit.WantErr(t, err, tt.wantErr) {
				return
			}
			if string(got) != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadFileShallowClone(t *testing.T) {
	requireGit(t)
	src := newFixture(t)
	const shallowMsg = "is not in this shallow clone: set `fetch-depth: 0` on actions/checkout"

	tests := []struct {
		name    string
		depth   int
		rev     string
		want    string
		wantErr string
	}{
		{name: "head is there", depth: 1, rev: "HEAD", want: "merged"},
		{name: "first parent cut off", depth: 1, rev: "HEAD^1", wantErr: "`HEAD^1` " + shallowMsg},
		{name: "ancestor cut off", depth: 1, rev: "HEAD~2", wantErr: "`HEAD~2` " + shallowMsg},
		{name: "branch not fetched", depth: 1, rev: "origin/main", wantErr: "`origin/main` " + shallowMsg},
		{name: "sha not fetched", depth: 1, rev: src.c1.String(), wantErr: shallowMsg},
		{name: "short sha not fetched", depth: 1, rev: src.c1.String()[:7], wantErr: shallowMsg},
		{name: "depth 2 has the base", depth: 2, rev: "HEAD^1", want: "v3"},
		{name: "depth 2 lacks the grandparent", depth: 2, rev: "HEAD~2", wantErr: shallowMsg},
	}
	clones := map[int]string{}
	for _, depth := range []int{1, 2} {
		dir := t.TempDir()
		_, err := git.PlainClone(dir, false, &git.CloneOptions{
			URL:           "file://" + filepath.ToSlash(src.dir),
			Depth:         depth,
			SingleBranch:  true,
			ReferenceName: plumbing.NewBranchReferenceName("pr"),
			Tags:          git.NoTags,
		})
		if err != nil {
			t.Fatalf("shallow clone, depth %d: %v", depth, err)
		}
		clones[depth] = dir
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := clones[tt.depth]
			got, err := ReadFile(context.Background(), filepath.Join(dir, "portal.yaml"), tt.rev)
			if testkit.WantErr(t, err, tt.wantErr) {
				return
			}
			if string(got) != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestReadFileShallowFetchOfPR mirrors actions/checkout on a pull_request: a shallow
// fetch of the merge ref only, checked out detached, where the base branch was never
// fetched.
func TestReadFileShallowFetchOfPR(t *testing.T) {
	requireGit(t)
	src := newFixture(t)
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{"file://" + filepath.ToSlash(src.dir)}}); err != nil {
		t.Fatal(err)
	}
	err = repo.Fetch(&git.FetchOptions{
		RefSpecs: []config.RefSpec{"+refs/heads/pr:refs/remotes/pull/1/merge"},
		Depth:    1,
		Tags:     git.NoTags,
	})
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.Checkout(&git.CheckoutOptions{Hash: src.m}); err != nil {
		t.Fatal(err)
	}
	portal := filepath.Join(dir, "portal.yaml")
	if got, err := ReadFile(context.Background(), portal, "HEAD"); err != nil || string(got) != "merged" {
		t.Fatalf("HEAD: got %q, %v", got, err)
	}
	for _, rev := range []string{"HEAD^1", "origin/main", "main"} {
		_, err := ReadFile(context.Background(), portal, rev)
		if err == nil || !strings.Contains(err.Error(), "`"+rev+"` is not in this shallow clone") {
			t.Errorf("%s: err = %v, want the shallow clone advice", rev, err)
		}
	}
}

func TestParseRev(t *testing.T) {
	tests := []struct {
		rev   string
		base  string
		steps []step
		bad   bool
	}{
		{rev: "HEAD", base: "HEAD"},
		{rev: "@", base: "HEAD"},
		{rev: "HEAD^", base: "HEAD", steps: []step{{n: 1}}},
		{rev: "HEAD^12", base: "HEAD", steps: []step{{n: 12}}},
		{rev: "main~", base: "main", steps: []step{{tilde: true, n: 1}}},
		{rev: "main~3^2", base: "main", steps: []step{{tilde: true, n: 3}, {n: 2}}},
		{rev: "v1^{}", base: "v1"},
		{rev: "origin/main", base: "origin/main"},
		{rev: "^1", bad: true},
		{rev: "HEAD^{tree}", bad: true},
		{rev: "HEAD^{", bad: true},
		{rev: "HEAD~x", bad: true},
		{rev: "HEAD@{1}", bad: true},
		{rev: "HEAD:a", bad: true},
		{rev: "HEAD^99999999999999999999", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.rev, func(t *testing.T) {
			base, steps, err := parseRev(tt.rev)
			if tt.bad {
				if err == nil {
					t.Fatalf("parseRev(%q) = %q, %v; want an error", tt.rev, base, steps)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if base != tt.base || len(steps) != len(tt.steps) {
				t.Fatalf("parseRev(%q) = %q, %v; want %q, %v", tt.rev, base, steps, tt.base, tt.steps)
			}
			for i := range steps {
				if steps[i] != tt.steps[i] {
					t.Fatalf("parseRev(%q) steps = %v, want %v", tt.rev, steps, tt.steps)
				}
			}
		})
	}
}

// TestReadFileLinkedWorktree covers `git worktree add`, whose .git is a file pointing
// into the main repository's common directory.
func TestReadFileLinkedWorktree(t *testing.T) {
	requireGit(t)
	src := newFixture(t)
	wtDir := filepath.Join(t.TempDir(), "wt")
	cmd := exec.Command("git", "-C", src.dir, "worktree", "add", "--detach", wtDir, "main")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git worktree add: %v\n%s", err, out)
	}
	tests := []struct{ rev, want string }{
		{rev: "HEAD", want: "v3"},
		{rev: "HEAD^1", want: "v2"},
		{rev: "feature", want: "feature"},
		{rev: "v1-annotated", want: "v1"},
	}
	for _, tt := range tests {
		t.Run(tt.rev, func(t *testing.T) {
			got, err := ReadFile(context.Background(), filepath.Join(wtDir, "portal.yaml"), tt.rev)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// writeTree makes files in dir: a content "symlink:T" makes a link to T, "" removes
// the path (a directory with all it holds).
func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	names := slices.Sorted(maps.Keys(files))
	for _, name := range names { // removals first
		if err := os.RemoveAll(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range names {
		p, content := filepath.Join(dir, filepath.FromSlash(name)), files[name]
		if content == "" {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "symlink:"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Skipf("symlinks unavailable: %v", err)
			}
		} else if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReadFileEachSideItsOwnLinks: the base is read through the links its own
// tree records, from the path as typed, never through the working tree's: a pull
// request that only changes what the path leads to (a directory turned into a
// link, a link retargeted) shows the change, and Describe agrees.
func TestReadFileEachSideItsOwnLinks(t *testing.T) {
	requireGit(t)
	tests := []struct {
		name       string
		base, pr   map[string]string // committed on main, then on the pull request's branch
		file       string            // as typed, relative to the root
		want       string            // read at main
		wantErr    string
		notFile    bool
		describeAs string // the working tree's content, for Describe: committed in the pull request
	}{
		{name: "a directory replaced by a link to another",
			base: map[string]string{"config/portal.yaml": "config at the base", "staging/portal.yaml": "staging"},
			pr:   map[string]string{"config": "symlink:staging"},
			file: "config/portal.yaml", want: "config at the base", describeAs: "staging"},
		{name: "a directory replaced by a link to the root",
			base: map[string]string{"config/portal.yaml": "config at the base", "portal.yaml": "root"},
			pr:   map[string]string{"config": "symlink:."},
			file: "config/portal.yaml", want: "config at the base", describeAs: "root"},
		{name: "a deeper directory replaced by a link to the root",
			base: map[string]string{"x/y/portal.yaml": "x/y at the base", "portal.yaml": "root"},
			pr:   map[string]string{"x/y": "symlink:.."},
			file: "x/y/portal.yaml", want: "x/y at the base", describeAs: "root"},
		{name: "a directory link retargeted",
			base: map[string]string{"envs/prod/portal.yaml": "prod", "envs/staging/portal.yaml": "staging", "current": "symlink:envs/prod"},
			pr:   map[string]string{"current": "symlink:envs/staging"},
			file: "current/portal.yaml", want: "prod", describeAs: "staging"},
		{name: "a file link through a directory link",
			base: map[string]string{"envs/prod/portal.yaml": "prod", "current": "symlink:envs/prod", "portal.yaml": "symlink:current/portal.yaml"},
			pr:   map[string]string{"current": "symlink:envs/staging", "envs/staging/portal.yaml": "staging"},
			file: "portal.yaml", want: "prod", describeAs: "staging"},
		{name: "a link the pull request adds: the base had a directory",
			base: map[string]string{"current/portal.yaml": "plain"},
			pr:   map[string]string{"current": "symlink:envs/prod", "envs/prod/portal.yaml": "prod"},
			file: "current/portal.yaml", want: "plain", describeAs: "prod"},
		{name: "a directory link at the base, the file not there",
			base: map[string]string{"envs/prod/other.yaml": "x", "current": "symlink:envs/prod"},
			pr:   map[string]string{"envs/prod/portal.yaml": "new"},
			file: "current/portal.yaml", notFile: true, wantErr: "does not exist", describeAs: "new"},
		{name: "a directory link out of the repository at the base",
			base: map[string]string{"current": "symlink:../elsewhere"},
			pr:   map[string]string{"current": "", "current/portal.yaml": "new"},
			file: "current/portal.yaml", wantErr: "current is a symbolic link to ../elsewhere at main, outside the repository", describeAs: "new"},
		{name: "an absolute directory link at the base",
			base: map[string]string{"current": "symlink:/etc"},
			pr:   map[string]string{"current": "", "current/portal.yaml": "new"},
			file: "current/portal.yaml", wantErr: "current is a symbolic link to /etc at main, outside the repository", describeAs: "new"},
		{name: "a directory link into .git at the base",
			base: map[string]string{"g": "symlink:.git", "x": "y"},
			pr:   map[string]string{"g": "", "g/config": "new"},
			file: "g/config", wantErr: "leads into the .git directory", describeAs: "new"},
		{name: "directory links in a loop at the base",
			base: map[string]string{"a": "symlink:b", "b": "symlink:a"},
			pr:   map[string]string{"a": "", "b": "", "a/portal.yaml": "new"},
			file: "a/portal.yaml", wantErr: "too many levels of symbolic links", describeAs: "new"},
		{name: "a file where the base has a directory on the way",
			base: map[string]string{"config": "a file"},
			pr:   map[string]string{"config": "", "config/portal.yaml": "new"},
			file: "config/portal.yaml", notFile: true, wantErr: "does not exist", describeAs: "new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			testkit.Git(t, dir, "init", "-q", "-b", "main")
			writeTree(t, dir, tt.base)
			testkit.Git(t, dir, "add", "-A")
			testkit.Git(t, dir, "commit", "-q", "-m", "base")
			base := testkit.Git(t, dir, "rev-parse", "HEAD")
			testkit.Git(t, dir, "checkout", "-q", "-b", "pr")
			writeTree(t, dir, tt.pr)
			testkit.Git(t, dir, "add", "-A")
			testkit.Git(t, dir, "commit", "-q", "-m", "the change")
			head := testkit.Git(t, dir, "rev-parse", "HEAD")
			t.Chdir(dir)

			for _, rd := range readers {
				got, err := rd.read(context.Background(), tt.file, "main")
				switch {
				case tt.wantErr == "" && err != nil:
					t.Fatalf("%s: %v", rd.name, err)
				case tt.wantErr == "" && string(got) != tt.want:
					t.Fatalf("%s = %q, want %q", rd.name, got, tt.want)
				case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
					t.Fatalf("%s = %q, %v; want an error containing %q", rd.name, got, err, tt.wantErr)
				case errors.Is(err, ErrFileNotFound) != tt.notFile:
					t.Fatalf("%s: errors.Is(%v, ErrFileNotFound) = %v, want %v", rd.name, err, !tt.notFile, tt.notFile)
				}
			}

			working, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(tt.file)))
			if err != nil || string(working) != tt.describeAs {
				t.Fatalf("the working tree's file is %q (%v), want %q", working, err, tt.describeAs)
			}
			revs, err := Describe(context.Background(), tt.file, "main", working)
			if err != nil {
				t.Fatal(err)
			}
			if want := (Revisions{Path: tt.file, Base: base, Head: head}); revs != want {
				t.Errorf("Describe = %+v\nwant       %+v", revs, want)
			}
		})
	}
}
