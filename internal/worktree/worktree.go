// Package worktree says which directory a file belongs to for portalctl: the git
// work tree that holds it, whose files portalctl reads and writes, and whether a
// path without links stays inside it. Reading (package schema), writing in place
// (package internal/atomicfile) and reading at a revision (package gitrev) draw
// the same line.
package worktree

import (
	"os"
	"path/filepath"
	"strings"
)

// Of is the directory whose files portalctl reads and writes for a file in dir:
// the root of the git work tree that holds dir, the nearest directory on the way
// up (dir included) that has a .git (a directory, or the file of a linked
// worktree or a submodule), as git and go-git look for one. The way up is the
// path as written: a directory link inside the repository does not move it to
// where the link leads. Outside any work tree, it is dir itself, and inRepo is
// false.
func Of(dir string) (root string, inRepo bool) {
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d, true
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir, false
		}
		d = parent
	}
}

// Outside says how real (a path without links) falls outside the work tree at
// realRoot (the real location of a root Of found): "outside the repository at",
// "inside the .git directory of the repository at", or, for a root that is no
// work tree (inRepo false), "outside the directory of the file (no git
// repository holds it),". It is "" when real is inside.
func Outside(realRoot, real string, inRepo bool) string {
	rel, err := filepath.Rel(realRoot, real)
	if err != nil || filepath.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		if !inRepo {
			return "outside the directory of the file (no git repository holds it),"
		}
		return "outside the repository at"
	}
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		// Case-insensitively: on macOS and Windows .GIT is .git.
		if strings.EqualFold(part, ".git") {
			return "inside the .git directory of the repository at"
		}
	}
	return ""
}
