// Package gitrev reads files as they were at a git revision, offline, from the
// repository that contains them: one file, or a whole layout (a root file and
// the fragments its globs name) from one snapshot of the revision, opened once;
// it names the commits a comparison reads, and the commits that held the
// repository at given days (AsOf, for access reviews).
//
// It exists so that `portalctl preview --base REF` can compare the working tree with
// the base of a pull request without secrets, network or a git binary: everything is
// read from the local object store with go-git.
package gitrev

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/qovery/portalctl/internal/worktree"
)

// ErrFileNotFound reports that the revision exists but the file does not exist there.
// Callers treat it as "no file at the base" (the change adds the file).
var ErrFileNotFound = errors.New("file does not exist at this revision")

// MaxFileSize bounds what ReadFile loads into memory. It matches the 64 MiB limit on
// portal files, so a huge blob at the base is refused before it is read.
const MaxFileSize = 64 << 20

// maxSymlinkHops bounds how many in-repository symbolic links ReadFile follows.
const maxSymlinkHops = 8

// ReadFile returns the content of file (a path as the user typed it, relative to the
// current directory or absolute) as it is at revision rev of the git repository that
// contains it.
//
// rev is a branch, remote branch (origin/main), tag, full or short SHA or HEAD,
// optionally followed by ^N and ~N steps (HEAD^1, main~2). When the file does not exist
// at rev, the error wraps ErrFileNotFound.
func ReadFile(ctx context.Context, file, rev string) ([]byte, error) {
	snap, err := open(ctx, file, rev)
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", file, rev, err)
	}
	return snap.ReadFile(ctx, file)
}

// maxCachedObject is the largest object the store's cache keeps (see
// smallObjects).
const maxCachedObject = 256 << 10

// smallObjects is go-git's object cache for the objects of at most
// maxCachedObject bytes: commits, trees and small files, read again as a layout
// is walked. go-git puts in its cache every object it rebuilds from a chain of
// deltas, each step of the chain, and keys it by its hash, computed for the
// purpose; a portal file of megabytes stored as a chain of fifty deltas was
// hashed fifty times to be read once, and its versions then evicted each
// other. A large file is read once per snapshot, so it is not cached.
type smallObjects struct{ cache.Object }

// Put caches o when it is small.
func (c smallObjects) Put(o plumbing.EncodedObject) {
	if o.Size() <= maxCachedObject {
		c.Object.Put(o)
	}
}

// repository is the git repository that holds a file, and where it is.
type repository struct {
	repo *git.Repository
	// root is the work tree's root as the file's path spells it, realRoot its
	// real location.
	root, realRoot string
	// rel is the file's slash-separated path from root.
	rel string
}

// openRepository finds the repository containing file and the file's
// slash-separated path relative to the worktree root, as typed.
//
// Only the repository root's own location is resolved (a checkout reached
// through a link, macOS's /var -> /private/var); no link inside the repository
// is: the path is what the tree at a revision is asked for, and each side of a
// comparison follows its own links (the working tree through the file system,
// a revision through the links its tree records, see find). Resolving a
// directory link of the working tree here would read, at the base, the file the
// pull request's link leads to rather than the one the path named there: a
// pull request that turns config/ into a link to staging/ would compare
// staging with itself and show no change.
func openRepository(file string) (repository, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return repository{}, err
	}
	root, realRoot, err := repositoryRoot(filepath.Dir(abs))
	if err != nil {
		return repository{}, err
	}
	repo, err := git.PlainOpenWithOptions(realRoot, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if err != nil {
		return repository{}, fmt.Errorf("open git repository at %s: %w", root, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return repository{}, fmt.Errorf("open git worktree at %s: %w", root, err)
	}
	// The same store (the same directories, common directory and alternates),
	// with a cache that keeps the small objects only (see smallObjects).
	if st, ok := repo.Storer.(*filesystem.Storage); ok {
		if repo, err = git.Open(filesystem.NewStorage(st.Filesystem(), smallObjects{cache.NewObjectLRUDefault()}), wt.Filesystem); err != nil {
			return repository{}, fmt.Errorf("open git repository at %s: %w", root, err)
		}
	}
	if opened, err := filepath.EvalSymlinks(wt.Filesystem.Root()); err != nil || opened != realRoot {
		return repository{}, fmt.Errorf("open git worktree at %s: go-git opened %s instead", root, wt.Filesystem.Root())
	}
	rel, err := inside(root, abs)
	if err != nil {
		return repository{}, err
	}
	if rel == "." {
		return repository{}, fmt.Errorf("%s is not a file inside the repository at %s", file, root)
	}
	return repository{repo: repo, root: root, realRoot: realRoot, rel: rel}, nil
}

// inside is abs (absolute and clean) relative to root, slash-separated: "."
// for root itself. root is the work tree's root as abs spells it (see
// repositoryRoot), so the way from one to the other is lexical.
func inside(root, abs string) (string, error) {
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return "", err
	}
	if rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the repository at %s", abs, root)
	}
	return filepath.ToSlash(rel), nil
}

// repositoryRoot finds the work tree that holds dir (an absolute, clean path, as
// typed), as worktree.Of does: the nearest directory on the way up, dir
// included, with a .git. It returns that root as the path spells it, and its
// real location.
//
// Of the directories on the path that are the root, the first one is the root
// as typed: a link inside the repository that leads back to the root (config ->
// ., or x/y -> ..) would make a deeper one look like a root too, and the path
// after it, read at a revision, would name another file.
func repositoryRoot(dir string) (root, realRoot string, err error) {
	nearest, inRepo := worktree.Of(dir)
	if !inRepo {
		return "", "", fmt.Errorf("%s is not inside a git repository (preview --base needs the checkout's history)", dir)
	}
	realRoot, err = filepath.EvalSymlinks(nearest)
	if err != nil {
		return "", "", err
	}
	var above []string // nearest, then each directory above it
	for d := nearest; ; d = filepath.Dir(d) {
		above = append(above, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	for i := len(above) - 1; i > 0; i-- {
		if r, err := filepath.EvalSymlinks(above[i]); err == nil && r == realRoot {
			return above[i], realRoot, nil
		}
	}
	return nearest, realRoot, nil
}

// resolver turns one revision string into a commit, walks the trees of
// commits, and explains failures. It is not safe for concurrent use (its tree
// cache, and go-git's object store under it, are not; see Snapshot).
type resolver struct {
	repo *git.Repository
	rev  string
	// objects is where trees and blobs are read: the repository's store, or,
	// in tests, a wrapper that counts the reads.
	objects storer.EncodedObjectStorer
	// trees holds the trees already decoded, by hash: reading the fragments of
	// one directory decodes it once.
	trees map[plumbing.Hash]*object.Tree
	// packs are the repository's packs, their indexes decoded on the first
	// readPacked.
	packs []pack
}

func newResolver(repo *git.Repository, rev string) *resolver {
	return &resolver{repo: repo, rev: rev, objects: repo.Storer, trees: map[plumbing.Hash]*object.Tree{}}
}

// tree is the tree object h, decoded once.
func (r *resolver) tree(h plumbing.Hash) (*object.Tree, error) {
	if t, ok := r.trees[h]; ok {
		return t, nil
	}
	t, err := object.GetTree(r.objects, h)
	if err != nil {
		return nil, err
	}
	r.trees[h] = t
	return t, nil
}

// step is one ^N (parent N, 0 = the commit itself) or ~N (N first parents) suffix.
type step struct {
	tilde bool
	n     int
}

// resolve evaluates rev. go-git's ResolveRevision resolves refs and hashes well, but
// takes ^N for N > 2 as ^2 and silently ignores syntax it parses but does not implement
// (main@{upstream}, HEAD:path). So the suffix walk is done here, and only the base name
// goes to go-git.
func (r *resolver) resolve() (*object.Commit, error) {
	base, steps, err := parseRev(r.rev)
	if err != nil {
		return nil, err
	}
	hash, err := r.repo.ResolveRevision(plumbing.Revision(base))
	if err != nil {
		if errors.Is(err, plumbing.ErrReferenceNotFound) || errors.Is(err, plumbing.ErrObjectNotFound) {
			return nil, r.unknown()
		}
		return nil, fmt.Errorf("resolve revision %q: %w", r.rev, err)
	}
	commit, err := r.repo.CommitObject(*hash)
	if err != nil {
		return nil, r.missing("commit "+hash.String(), err)
	}
	for _, s := range steps {
		n, parent := s.n, s.n
		if s.tilde {
			parent = 1
		} else {
			n = 1
			if parent == 0 {
				continue
			}
		}
		for range n {
			if parent > commit.NumParents() {
				if r.shallow() && commit.NumParents() == 0 {
					return nil, r.shallowErr()
				}
				return nil, fmt.Errorf("revision %q: commit %s has %d parent(s), not %d", r.rev, commit.Hash, commit.NumParents(), parent)
			}
			h := commit.ParentHashes[parent-1]
			c, err := r.repo.CommitObject(h)
			if err != nil {
				return nil, r.missing("commit "+h.String(), err)
			}
			commit = c
		}
	}
	return commit, nil
}

// parseRev splits rev into a name go-git resolves (ref, tag, hash, HEAD) and the ^N/~N
// steps that follow it.
func parseRev(rev string) (string, []step, error) {
	unsupported := func() error {
		return fmt.Errorf("unsupported revision %q: use a branch, tag or SHA, optionally followed by ^N or ~N (e.g. origin/main, HEAD^1, v1.2~2)", rev)
	}
	i := strings.IndexAny(rev, "^~")
	if i < 0 {
		i = len(rev)
	}
	base, rest := rev[:i], rev[i:]
	switch {
	case base == "" || strings.ContainsAny(base, ": \t\n") || strings.Contains(base, "@{"):
		return "", nil, unsupported()
	case base == "@": // git's shorthand for HEAD
		base = "HEAD"
	}

	var steps []step
	for rest != "" {
		op := rest[0]
		rest = rest[1:]
		if op == '^' && strings.HasPrefix(rest, "{") {
			// ^{} and ^{commit} peel to a commit, which resolving always does.
			end := strings.IndexByte(rest, '}')
			if end < 0 {
				return "", nil, unsupported()
			}
			if kind := rest[1:end]; kind != "" && kind != "commit" {
				return "", nil, unsupported()
			}
			rest = rest[end+1:]
			continue
		}
		if op != '^' && op != '~' {
			return "", nil, unsupported()
		}
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		n := 1
		if j > 0 {
			v, err := strconv.Atoi(rest[:j])
			if err != nil || v > 1<<20 {
				return "", nil, unsupported()
			}
			n = v
		}
		rest = rest[j:]
		steps = append(steps, step{tilde: op == '~', n: n})
	}
	return base, steps, nil
}

// maxLinkTarget bounds the target of a symbolic link read from a tree, as the
// file systems' PATH_MAX does.
const maxLinkTarget = 4096

// readBlob reads the regular file at rel in tree (see lookup).
func (r *resolver) readBlob(ctx context.Context, tree *object.Tree, rel string) ([]byte, error) {
	entry, at, err := r.lookup(ctx, tree, rel)
	if err != nil {
		return nil, err
	}
	if data, err := r.readPacked(entry.Hash); err == nil {
		return data, nil
	}
	blob, err := object.GetBlob(r.objects, entry.Hash)
	if err != nil {
		return nil, r.missing("file "+at, err)
	}
	if blob.Size > MaxFileSize {
		return nil, fmt.Errorf("%s is %d bytes at %s: files over %d MiB are refused", at, blob.Size, r.rev, MaxFileSize>>20)
	}
	rd, err := blob.Reader()
	if err != nil {
		return nil, r.missing("file "+at, err)
	}
	defer rd.Close()
	data, err := io.ReadAll(io.LimitReader(rd, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", at, err)
	}
	return data, nil
}

// lookup finds the regular file that rel (slash-separated, relative to the root)
// names in tree, as a checkout of that revision would reach it (see find). It
// returns the file's entry and its path without links.
func (r *resolver) lookup(ctx context.Context, root *object.Tree, rel string) (object.TreeEntry, string, error) {
	f, err := r.find(ctx, root, rel)
	if err != nil {
		return object.TreeEntry{}, "", err
	}
	if f.dir != nil {
		at := f.at
		if at == "" {
			at = rel
		}
		return object.TreeEntry{}, "", fmt.Errorf("%s is a directory at %s, not a file", at, r.rev)
	}
	return f.entry, f.at, nil
}

// found is what a path leads to in a tree: a regular file's entry, or a
// directory's tree.
type found struct {
	entry object.TreeEntry // the file's entry, when dir is nil
	dir   *object.Tree     // the directory's tree, or nil for a file
	at    string           // the path without links; "" for the root
}

// find walks rel (slash-separated, relative to the root) in tree as a checkout
// of that revision would reach it: the symbolic links the tree records are
// followed, those of directories on the way as well as the last one, at most
// maxSymlinkHops of them, and only while they lead inside the repository; a
// .git directory or a submodule on the way is refused. It finds a regular file
// or a directory (the root for "" or ".").
func (r *resolver) find(ctx context.Context, root *object.Tree, rel string) (found, error) {
	parts := strings.Split(rel, "/")
	var done []string // the directories walked, without links
	tree := root
	for hops := 0; len(parts) > 0; {
		if err := ctx.Err(); err != nil {
			return found{}, err
		}
		name := parts[0]
		parts = parts[1:]
		at := path.Join(append(done, name)...)
		switch {
		case name == "" || name == ".":
			continue
		case name == "..":
			// Only a link's target has these: where it leads is checked below.
			return found{}, fmt.Errorf("%s leads outside the repository at %s", rel, r.rev)
		case strings.EqualFold(name, ".git"):
			return found{}, fmt.Errorf("%s leads into the .git directory at %s: refused", rel, r.rev)
		}
		entry, err := tree.FindEntry(name)
		switch {
		case errors.Is(err, object.ErrEntryNotFound), errors.Is(err, object.ErrDirectoryNotFound):
			return found{}, fmt.Errorf("%s: %w", rel, ErrFileNotFound)
		case err != nil:
			return found{}, fmt.Errorf("%s: %w", at, err)
		}
		switch entry.Mode {
		case filemode.Dir:
			sub, err := r.tree(entry.Hash)
			if err != nil {
				return found{}, r.missing("directory "+at, err)
			}
			tree, done = sub, append(done, name)
		case filemode.Submodule:
			return found{}, fmt.Errorf("%s is a git submodule at %s, not a file", at, r.rev)
		case filemode.Symlink:
			if hops++; hops > maxSymlinkHops {
				return found{}, fmt.Errorf("%s: too many levels of symbolic links at %s", rel, r.rev)
			}
			target, err := r.linkTarget(entry, at)
			if err != nil {
				return found{}, err
			}
			next := path.Join(path.Join(done...), target)
			if path.IsAbs(target) || filepath.IsAbs(target) || next == ".." || strings.HasPrefix(next, "../") {
				return found{}, fmt.Errorf("%s is a symbolic link to %s at %s, outside the repository", at, target, r.rev)
			}
			// The rest of the path continues from where the link leads,
			// walked again from the root.
			parts = append(strings.Split(next, "/"), parts...)
			tree, done = root, nil
		default:
			if !entry.Mode.IsFile() {
				return found{}, fmt.Errorf("%s has the unknown mode %s at %s", at, entry.Mode, r.rev)
			}
			if len(parts) > 0 {
				// A file where a directory should be: nothing there.
				return found{}, fmt.Errorf("%s: %w", rel, ErrFileNotFound)
			}
			return found{entry: *entry, at: at}, nil
		}
	}
	return found{dir: tree, at: path.Join(done...)}, nil
}

// linkTarget reads the target of the symbolic link entry at at.
func (r *resolver) linkTarget(entry *object.TreeEntry, at string) (string, error) {
	blob, err := object.GetBlob(r.objects, entry.Hash)
	if err != nil {
		return "", r.missing("symbolic link "+at, err)
	}
	if blob.Size > maxLinkTarget {
		return "", fmt.Errorf("%s is a symbolic link of %d bytes at %s: not a path", at, blob.Size, r.rev)
	}
	rd, err := blob.Reader()
	if err != nil {
		return "", r.missing("symbolic link "+at, err)
	}
	defer rd.Close()
	data, err := io.ReadAll(io.LimitReader(rd, maxLinkTarget+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", at, err)
	}
	if len(data) == 0 || bytes.IndexByte(data, 0) >= 0 {
		return "", fmt.Errorf("%s is a symbolic link to %q at %s: not a path", at, data, r.rev)
	}
	return string(data), nil
}

// shallow reports whether the repository is a shallow clone.
func (r *resolver) shallow() bool {
	hashes, err := r.repo.Storer.Shallow()
	return err == nil && len(hashes) > 0
}

func (r *resolver) shallowErr() error {
	return fmt.Errorf("`%s` is not in this shallow clone: set `fetch-depth: 0` on actions/checkout "+
		"(or at least `fetch-depth: 2` for `HEAD^1` on a pull_request merge commit), "+
		"or `GIT_DEPTH: 0` on GitLab CI", r.rev)
}

func (r *resolver) unknown() error {
	if r.shallow() {
		return r.shallowErr()
	}
	return fmt.Errorf("unknown revision `%s`: use a branch, tag or SHA (e.g. origin/main)", r.rev)
}

// missing explains an object that could not be loaded: in a shallow clone that is the
// history cut-off; otherwise the repository is incomplete or damaged.
func (r *resolver) missing(what string, err error) error {
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		if r.shallow() {
			return r.shallowErr()
		}
		return fmt.Errorf("%s is missing from the repository (partial clone or damaged object store): %w", what, err)
	}
	return fmt.Errorf("load %s: %w", what, err)
}

// Revisions says which commits a comparison of file between a base revision and the
// working tree reads, for a reviewer to check that a report is up to date.
type Revisions struct {
	// Path is the file's slash-separated path in the repository.
	Path string
	// Base is the full SHA of the base revision.
	Base string
	// Head is the full SHA of the commit that holds the working tree's file: HEAD,
	// or, when HEAD is the merge commit actions/checkout makes for a pull request
	// (base as first parent) and the file is the same in both, the pull request's
	// own commit (the second parent), which is the one a reviewer sees.
	Head string
	// Uncommitted says the working tree's file differs from HEAD's (or HEAD has
	// none): it is not in any commit, and Head is HEAD.
	Uncommitted bool
}

// Describe resolves the commits that comparing file at rev with its working-tree
// content working reads. It reads nothing over the network.
func Describe(ctx context.Context, file, rev string, working []byte) (Revisions, error) {
	out, err := describe(ctx, file, rev, working)
	if err != nil {
		return Revisions{}, fmt.Errorf("describe %s at %s and HEAD: %w", file, rev, err)
	}
	return out, nil
}

func describe(ctx context.Context, file, rev string, working []byte) (Revisions, error) {
	if err := ctx.Err(); err != nil {
		return Revisions{}, err
	}
	opened, err := openRepository(file)
	if err != nil {
		return Revisions{}, err
	}
	repo, rel := opened.repo, opened.rel
	base, err := newResolver(repo, rev).resolve()
	if err != nil {
		return Revisions{}, err
	}
	hr := newResolver(repo, "HEAD")
	head, err := hr.resolve()
	if err != nil {
		return Revisions{}, err
	}
	out := Revisions{Path: rel, Base: base.Hash.String(), Head: head.Hash.String()}
	// A commit holds the working tree's file when the file the path leads to in
	// that commit's tree, through the links the tree records (as ReadFile reads
	// it), has the same blob hash: no need to read and inflate a file of
	// megabytes to compare it.
	workingHash := BlobHash(working)
	same := func(c *object.Commit) bool {
		tree, err := c.Tree()
		if err != nil {
			return false
		}
		entry, _, err := hr.lookup(ctx, tree, rel)
		return err == nil && entry.Hash.String() == workingHash
	}
	if !same(head) {
		out.Uncommitted = true
		return out, nil
	}
	if head.NumParents() == 2 && head.ParentHashes[0] == base.Hash {
		if pr, err := repo.CommitObject(head.ParentHashes[1]); err == nil && same(pr) {
			out.Head = pr.Hash.String()
		}
	}
	return out, ctx.Err()
}
