package codeowners

import (
	"errors"
	"fmt"
	"io/fs"
)

// ErrNotFound is Locate's error when none of GitHub's locations holds a
// CODEOWNERS file.
var ErrNotFound = errors.New("no CODEOWNERS file in .github/, the root or docs/")

// Locate finds the CODEOWNERS file GitHub reads in fsys, a repository's root
// (os.DirFS, or a tree at a revision): the first of .github/CODEOWNERS,
// CODEOWNERS and docs/CODEOWNERS that exists. It returns ErrNotFound when none
// does, and refuses a location that exists but is not a regular file, since
// GitHub would not read it either and the next location would be wrong to use.
func Locate(fsys fs.FS) (string, error) {
	for _, p := range []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"} {
		info, err := fs.Stat(fsys, p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return "", fmt.Errorf("locate CODEOWNERS: %w", err)
		case !info.Mode().IsRegular():
			return "", fmt.Errorf("locate CODEOWNERS: %s is not a regular file (%s): make it one, or remove it", p, info.Mode().Type())
		}
		return p, nil
	}
	return "", ErrNotFound
}
