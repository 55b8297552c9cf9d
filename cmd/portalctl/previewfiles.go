package main

import (
	"context"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/qovery/portalctl/gitrev"
	"github.com/qovery/portalctl/report"
	"github.com/qovery/portalctl/schema"
)

// workFiles is the working tree's side of a preview: the root file and the
// fragments the head's loader reads, through disk, each read once and kept, so
// that the base can take the bytes of a file that did not change instead of
// reading it from git (see baseFiles). It is a schema.Files.
type workFiles struct {
	disk schema.Disk
	mu   sync.Mutex
	// files are by clean name; head are the names the head's loader read.
	files map[string]*wtFile
	head  map[string]bool
}

// wtFile is one file of the working tree, read once by whichever side asks
// first.
type wtFile struct {
	once sync.Once
	data []byte
	hash string // gitrev.BlobHash of data
	err  error
}

func newWorkFiles(disk schema.Disk, root string, rootData []byte) *workFiles {
	w := &workFiles{disk: disk, files: map[string]*wtFile{}, head: map[string]bool{}}
	f := w.entry(root)
	f.once.Do(func() { f.data, f.hash = rootData, gitrev.BlobHash(rootData) })
	w.head[filepath.Clean(root)] = true
	return w
}

func (w *workFiles) entry(name string) *wtFile {
	w.mu.Lock()
	defer w.mu.Unlock()
	key := filepath.Clean(name)
	f, ok := w.files[key]
	if !ok {
		f = &wtFile{}
		w.files[key] = f
	}
	return f
}

// get reads name from disk, or returns what was read before.
func (w *workFiles) get(ctx context.Context, name string) *wtFile {
	f := w.entry(name)
	f.once.Do(func() {
		f.data, f.err = w.disk.ReadFile(ctx, name)
		if f.err == nil {
			f.hash = gitrev.BlobHash(f.data)
		}
	})
	return f
}

// ReadFile is the head's read of name: it counts among the head's files.
func (w *workFiles) ReadFile(ctx context.Context, name string) ([]byte, error) {
	f := w.get(ctx, name)
	if f.err != nil {
		return nil, f.err
	}
	w.mu.Lock()
	w.head[filepath.Clean(name)] = true
	w.mu.Unlock()
	return f.data, nil
}

// Glob lists the working tree's files, as Disk does.
func (w *workFiles) Glob(ctx context.Context, pattern string) ([]string, error) {
	return w.disk.Glob(ctx, pattern)
}

// headFiles are the clean names of the files the head read, with their blob
// hashes.
func (w *workFiles) headFiles() map[string]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]string, len(w.head))
	for name := range w.head {
		out[name] = w.files[name].hash
	}
	return out
}

// revision is a repository at a revision, as gitrev.Snapshot reads it.
type revision interface {
	schema.Files
	Hash(ctx context.Context, name string) (string, error)
}

// baseFiles is the base's side of a preview: the files at the base revision,
// read through one snapshot. A file whose working-tree bytes have the blob hash
// it has at the base is not read from git: the working tree's bytes are the
// same (a pull request that changes three fragments inflates those three).
// It is a schema.Files.
type baseFiles struct {
	rev revision
	wt  *workFiles
	mu  sync.Mutex
	// hashes are the blob hashes at the base of the files read, by clean name.
	hashes map[string]string
}

func newBaseFiles(rev revision, wt *workFiles) *baseFiles {
	return &baseFiles{rev: rev, wt: wt, hashes: map[string]string{}}
}

// ReadFile reads name as it is at the base. When name does not exist there,
// the error wraps gitrev.ErrFileNotFound.
func (b *baseFiles) ReadFile(ctx context.Context, name string) ([]byte, error) {
	h, err := b.rev.Hash(ctx, name)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.hashes[filepath.Clean(name)] = h
	b.mu.Unlock()
	if f := b.wt.get(ctx, name); f.err == nil && f.hash == h {
		return f.data, nil
	}
	return b.rev.ReadFile(ctx, name)
}

// Glob lists the files at the base.
func (b *baseFiles) Glob(ctx context.Context, pattern string) ([]string, error) {
	return b.rev.Glob(ctx, pattern)
}

// read are the clean names of the files read at the base, with their hashes.
func (b *baseFiles) read() map[string]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return maps.Clone(b.hashes)
}

// changedFiles are the files of either side whose bytes differ: in the head's
// layout only ("added"), in the base's only ("removed": deleted, or no longer
// included), or in both with other bytes ("changed"); the root first, then by
// name. base is nil when the base has no layout to compare with (no file, or
// an invalid one): every head file is added. repo spells a name for the
// reader.
func changedFiles(root string, head, base map[string]string, repo func(string) string) []report.ChangedFile {
	root = filepath.Clean(root)
	var out []report.ChangedFile
	for name, h := range head {
		switch bh, ok := base[name]; {
		case !ok:
			out = append(out, report.ChangedFile{Path: repo(name), Change: "added"})
		case bh != h:
			out = append(out, report.ChangedFile{Path: repo(name), Change: "changed"})
		}
	}
	for name := range base {
		if _, ok := head[name]; !ok {
			out = append(out, report.ChangedFile{Path: repo(name), Change: "removed"})
		}
	}
	rootPath := repo(root)
	slices.SortFunc(out, func(a, b report.ChangedFile) int {
		switch {
		case a.Path == rootPath && b.Path != rootPath:
			return -1
		case b.Path == rootPath && a.Path != rootPath:
			return 1
		}
		return strings.Compare(a.Path, b.Path)
	})
	return out
}

// repoPath is the slash-separated path in the repository of name, a file of the
// layout whose root is root, at rootPath in the repository: the root's
// directory joined with name's path from it. ok is false for a name outside
// the root's directory (the loader reads none).
func repoPath(rootPath, root, name string) (string, bool) {
	rel, err := filepath.Rel(filepath.Dir(root), name)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return path.Join(path.Dir(rootPath), filepath.ToSlash(rel)), true
}
