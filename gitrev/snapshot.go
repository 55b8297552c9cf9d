package gitrev

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Snapshot is one repository at one revision, resolved once, to read a whole
// layout of files from: a root file and the fragments its globs name.
//
// It is safe for use by several goroutines at once, which take turns: go-git's
// object store is not safe for concurrent reads (the filesystem storage loads
// its pack indexes and decodes packed objects without a lock, and a decoded
// tree builds its lookup maps on first use), so every method holds one lock
// for as long as it reads the store.
type Snapshot struct {
	mu     sync.Mutex // held by every method for the whole of its read
	r      *resolver
	root   string // the work tree's root, as the file given to Open spells it
	real   string // its real location, which every name read must share
	commit *object.Commit
	tree   *object.Tree
}

// Open opens the git repository that contains file (a path as the user typed
// it, relative to the current directory or absolute) at revision rev, resolved
// once, for Snapshot's methods to read many files from. rev is written as for
// ReadFile. file need not exist at rev: it only says which repository.
func Open(ctx context.Context, file, rev string) (*Snapshot, error) {
	s, err := open(ctx, file, rev)
	if err != nil {
		return nil, fmt.Errorf("open the repository of %s at %s: %w", file, rev, err)
	}
	return s, nil
}

func open(ctx context.Context, file, rev string) (*Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(rev) == "" {
		return nil, errors.New("empty revision: use a branch, tag or SHA (e.g. origin/main)")
	}
	if file == "" {
		return nil, errors.New("empty file name")
	}
	repo, err := openRepository(file)
	if err != nil {
		return nil, err
	}
	r := newResolver(repo.repo, rev)
	commit, err := r.resolve()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, r.missing(fmt.Sprintf("tree of commit %s", commit.Hash), err)
	}
	return &Snapshot{r: r, root: repo.root, real: repo.realRoot, commit: commit, tree: tree}, nil
}

// Commit is the full SHA of the commit the snapshot's revision resolved to.
func (s *Snapshot) Commit() string {
	return s.commit.Hash.String()
}

// ReadFile returns the content of name (a path as the user typed it, relative
// to the current directory or absolute, inside the snapshot's repository) at
// the snapshot's revision. The links the revision's tree records are followed
// while they stay inside the repository and out of .git, and files over
// MaxFileSize are refused, as by the package's ReadFile. When name does not
// exist at the revision, the error wraps ErrFileNotFound.
func (s *Snapshot) ReadFile(ctx context.Context, name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, err := s.readFile(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", name, s.r.rev, err)
	}
	return data, nil
}

func (s *Snapshot) readFile(ctx context.Context, name string) ([]byte, error) {
	rel, err := s.file(ctx, name)
	if err != nil {
		return nil, err
	}
	return s.r.readBlob(ctx, s.tree, rel)
}

// Hash returns the git blob hash (hex) of the file name leads to at the
// snapshot's revision, through the same links as ReadFile, without reading the
// blob: a caller compares it with BlobHash of the working tree's bytes to know
// that the file did not change. When name does not exist at the revision, the
// error wraps ErrFileNotFound.
func (s *Snapshot) Hash(ctx context.Context, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, err := s.hash(ctx, name)
	if err != nil {
		return "", fmt.Errorf("hash %s at %s: %w", name, s.r.rev, err)
	}
	return h, nil
}

func (s *Snapshot) hash(ctx context.Context, name string) (string, error) {
	rel, err := s.file(ctx, name)
	if err != nil {
		return "", err
	}
	entry, _, err := s.r.lookup(ctx, s.tree, rel)
	if err != nil {
		return "", err
	}
	return entry.Hash.String(), nil
}

// BlobHash is the git blob hash (hex) of data: what Snapshot.Hash returns for a
// file with these bytes.
func BlobHash(data []byte) string {
	return plumbing.ComputeHash(plumbing.BlobObject, data).String()
}

// file is name's slash-separated path from the root of the snapshot's work
// tree. The root is found from name's own spelling, as for the file given to
// Open (see repositoryRoot), and must be the same repository.
func (s *Snapshot) file(ctx context.Context, name string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if name == "" {
		return "", errors.New("empty file name")
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return "", err
	}
	rel, err := s.dir(filepath.Dir(abs))
	if err != nil {
		return "", err
	}
	return path.Join(rel, filepath.Base(abs)), nil
}

// dir is the absolute, clean directory abs's slash-separated path from the root
// of the snapshot's work tree: "." for the root.
func (s *Snapshot) dir(abs string) (string, error) {
	root, real, err := repositoryRoot(abs)
	if err != nil {
		return "", err
	}
	if real != s.real {
		return "", fmt.Errorf("%s is in the repository at %s, not in the one at %s", abs, root, s.root)
	}
	return inside(root, abs)
}

// Glob returns the names of the files of the snapshot's revision that match
// pattern, sorted, as filepath.Glob would in a checkout of it: `*`, `?` and
// `[...]` match within one path segment (no `**`). pattern is relative to the
// current directory or absolute, and the names are spelled as it is: joined to
// its leading directories as typed, with its separators.
//
// Regular files and symbolic links match; a link is followed when it is read,
// not when it is globbed, and a directory or a submodule never matches. The
// directories on the way are those a checkout has: a directory link the tree
// records is followed, inside the repository only, as ReadFile does (a link
// out of it where the pattern needs a directory is an error: what it leads to
// is not in the revision; a dangling one is skipped). Only the
// directories the pattern's segments need are read. A malformed pattern is an
// error that wraps filepath.ErrBadPattern; no match is no error.
func (s *Snapshot) Glob(ctx context.Context, pattern string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names, err := s.glob(ctx, pattern)
	if err != nil {
		return nil, fmt.Errorf("glob %s at %s: %w", pattern, s.r.rev, err)
	}
	return names, nil
}

// globDir is a directory a glob has reached: its name as the pattern spells
// it, its tree and its path without links.
type globDir struct {
	name string
	tree *object.Tree
	at   string
}

func (s *Snapshot) glob(ctx context.Context, pattern string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if _, err := filepath.Match(pattern, ""); err != nil {
		return nil, err
	}
	prefix, segs := splitPattern(pattern)
	for i, seg := range segs {
		if _, err := filepath.Match(seg, ""); err != nil {
			return nil, err // a class cut by a separator, [/]
		}
		if seg == ".." && i == 0 {
			return nil, nil // a pattern without wildcards that names a directory
		}
		if seg == ".." {
			return nil, fmt.Errorf("%w: .. after a wildcard: write the directory without it", filepath.ErrBadPattern)
		}
	}
	if len(segs) == 0 || segs[len(segs)-1] == "" {
		return nil, nil // "" or a trailing separator: only directories could match
	}

	abs, err := filepath.Abs(prefix)
	if err != nil {
		return nil, err
	}
	rel, err := s.dir(abs)
	if err != nil {
		return nil, err
	}
	start, err := s.r.find(ctx, s.tree, rel)
	switch {
	case errors.Is(err, ErrFileNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	case start.dir == nil:
		return nil, nil // a file where the pattern needs a directory
	}

	dirs := []globDir{{name: prefix, tree: start.dir, at: start.at}}
	var names []string
	for i, seg := range segs {
		last := i == len(segs)-1
		if seg == "" || seg == "." {
			continue
		}
		var next []globDir
		for _, d := range dirs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			entries, err := matching(d.tree, seg)
			if err != nil {
				return nil, err
			}
			for _, e := range entries {
				at := path.Join(d.at, e.Name)
				name := filepath.Join(d.name, e.Name)
				if strings.EqualFold(e.Name, ".git") {
					return nil, fmt.Errorf("%s leads into the .git directory at %s: refused", at, s.r.rev)
				}
				if last {
					switch {
					case e.Mode == filemode.Symlink || e.Mode.IsFile():
						names = append(names, name)
					case e.Mode != filemode.Dir && e.Mode != filemode.Submodule:
						return nil, fmt.Errorf("%s has the unknown mode %s at %s", at, e.Mode, s.r.rev)
					}
					continue
				}
				sub, err := s.subdir(ctx, e, at)
				if err != nil {
					return nil, err
				}
				if sub.dir != nil {
					next = append(next, globDir{name: name, tree: sub.dir, at: sub.at})
				}
			}
		}
		dirs = next
	}
	if filepath.Separator != '/' && !strings.ContainsRune(pattern, filepath.Separator) {
		for i := range names {
			names[i] = filepath.ToSlash(names[i])
		}
	}
	slices.Sort(names)
	return names, nil
}

// subdir is the directory that the entry e, at at, leads to, for a glob to go
// on into: a directory's tree, or where a link leads (found, with
// dir nil when that is no directory or nothing). A submodule is refused: its
// files are not in this repository.
func (s *Snapshot) subdir(ctx context.Context, e object.TreeEntry, at string) (found, error) {
	switch {
	case e.Mode == filemode.Dir:
		t, err := s.r.tree(e.Hash)
		if err != nil {
			return found{}, s.r.missing("directory "+at, err)
		}
		return found{dir: t, at: at}, nil
	case e.Mode == filemode.Submodule:
		return found{}, fmt.Errorf("%s is a git submodule at %s: its files are not in this repository", at, s.r.rev)
	case e.Mode == filemode.Symlink:
		f, err := s.r.find(ctx, s.tree, at)
		if errors.Is(err, ErrFileNotFound) {
			return found{}, nil // a dangling link, as filepath.Glob skips it
		}
		return f, err
	case e.Mode.IsFile():
		return found{}, nil
	default:
		return found{}, fmt.Errorf("%s has the unknown mode %s at %s", at, e.Mode, s.r.rev)
	}
}

// matching is the entries of tree that the pattern segment seg matches: the
// one it names when it has no wildcard (compared as is: go-git's lookup by name
// refuses some names a checkout would merely not have).
func matching(tree *object.Tree, seg string) ([]object.TreeEntry, error) {
	var out []object.TreeEntry
	for _, e := range tree.Entries {
		ok := e.Name == seg
		if hasMeta(seg) {
			var err error
			if ok, err = filepath.Match(seg, e.Name); err != nil {
				return nil, err
			}
		}
		if ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// splitPattern cuts pattern at the separator before its first segment with a
// wildcard (its last segment when it has none): the directory before, as typed
// ("" for the current directory), and the segments after.
func splitPattern(pattern string) (prefix string, segs []string) {
	vol := filepath.VolumeName(pattern)
	rest := pattern[len(vol):]
	start := 0 // of the current segment, in rest
	var starts []int
	for i := 0; i <= len(rest); i++ {
		if i == len(rest) || os.IsPathSeparator(rest[i]) {
			starts = append(starts, start)
			segs = append(segs, rest[start:i])
			start = i + 1
		}
	}
	first := len(segs) - 1
	for i, seg := range segs {
		if hasMeta(seg) {
			first = i
			break
		}
	}
	return vol + rest[:starts[first]], segs[first:]
}

// hasMeta reports whether seg has a character filepath.Match gives a meaning
// to, as filepath.Glob decides.
func hasMeta(seg string) bool {
	magic := `*?[`
	if runtime.GOOS != "windows" {
		magic = `*?[\`
	}
	return strings.ContainsAny(seg, magic)
}
