// Package atomicfile writes files so that a reader sees the old content or the new,
// never a torn one: plan files, the emulator's state, and in-place edits of
// portal.yaml, which write a symbolic link's target and never lose an edit made
// since the file was read.
package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/qovery/portalctl/internal/worktree"
)

// Write writes data to a temporary file in path's directory (mode 0600: plan files
// describe who may access what), syncs it, renames it over path and syncs the
// directory so the rename survives a crash where the OS supports it.
func Write(path string, data []byte) error {
	return WriteFrom(path, copyOf(data))
}

// ErrChanged says that a file changed between the moment it was read and the
// moment it would have been replaced: nothing was written.
var ErrChanged = errors.New("the file changed since it was read")

// ReplaceIfUnchanged writes data over the existing file at path as Write does,
// keeping the file's permissions, for an edit of what was read in a file people
// edit, such as portal.yaml: only when the file still holds old, the content the
// edit was made from, and otherwise it writes nothing and returns ErrChanged, so
// that an edit made meanwhile (by a person, or another run) is never lost. A
// symbolic link is resolved first: its target, which must be inside the
// repository that holds path (see resolve), is compared and written, atomically
// and keeping its mode, and the link stays a link. The comparison is made once
// the new content is written beside the target and synced, just before the
// rename, to keep the window in which a change could still be lost as short as
// it can be.
func ReplaceIfUnchanged(path string, old, data []byte) error {
	t, err := resolve(path)
	if err != nil {
		return err
	}
	unchanged := func() error {
		cur, err := t.read(int64(len(old)))
		if err != nil {
			return err
		}
		if !bytes.Equal(cur, old) {
			return ErrChanged
		}
		return nil
	}
	if err := unchanged(); err != nil {
		return err
	}
	return t.write(copyOf(data), unchanged)
}

// target is the regular file an in-place edit writes: rel inside the directory
// root, a path without links as resolve found it.
type target struct {
	root string
	rel  string
	mode os.FileMode
}

// resolve follows path's symbolic links to the regular file they lead to, and
// refuses one outside the repository that holds path (worktree.Of: the file's
// own directory outside any repository), or inside its .git directory, as
// portalctl refuses to read one: an edit of portal.yaml must not write, through
// a link a pull request committed, a runner's ~/.bashrc. The edit is then made
// through an os.Root of the repository, which no link leaves whatever is swapped
// between this resolution and the write.
func resolve(path string) (target, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return target{}, err
	}
	root, inRepo := worktree.Of(filepath.Dir(abs))
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return target{}, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return target{}, err
	}
	if where := worktree.Outside(realRoot, real, inRepo); where != "" {
		return target{}, fmt.Errorf("it leads to %s, %s %s: refused, nothing written; edit the file itself", real, where, root)
	}
	st, err := os.Stat(real)
	if err != nil {
		return target{}, err
	}
	if !st.Mode().IsRegular() {
		return target{}, fmt.Errorf("%s is not a regular file", real)
	}
	rel, err := filepath.Rel(realRoot, real)
	if err != nil {
		return target{}, err
	}
	return target{root: realRoot, rel: rel, mode: st.Mode().Perm()}, nil
}

// read reads the target as readRegular does, through the root.
func (t target) read(n int64) ([]byte, error) {
	root, err := os.OpenRoot(t.root)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, err := root.OpenFile(t.rel, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	return readRegular(f, n)
}

// write writes the target through the root, keeping its mode (see writeIn).
func (t target) write(write func(w io.Writer) error, check func() error) error {
	root, err := os.OpenRoot(t.root)
	if err != nil {
		return err
	}
	defer root.Close()
	return writeIn(root, t.rel, t.mode, write, check)
}

// readRegular reads f, refusing anything but a regular file without waiting on
// it (a FIFO swapped in, opened without blocking), and at most n+1 bytes: a file
// longer than n bytes is not the one of n bytes it is compared with. It closes f.
func readRegular(f *os.File, n int64) ([]byte, error) {
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, ErrChanged
	}
	return io.ReadAll(io.LimitReader(f, n+1))
}

func copyOf(data []byte) func(w io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.Copy(w, bytes.NewReader(data))
		return err
	}
}

// WriteFrom is Write for content produced as a stream: write writes it to the
// temporary file. When write fails, path is left as it was and the temporary file
// is removed.
func WriteFrom(path string, write func(w io.Writer) error) error {
	return writeFrom(path, 0, write, nil)
}

// writeFrom writes path through a temporary file given perm (0: 0600), in an
// os.Root of path's directory (see writeIn).
func writeFrom(path string, perm os.FileMode, write func(w io.Writer) error, check func() error) error {
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer root.Close()
	return writeIn(root, filepath.Base(path), perm, write, check)
}

// writeIn writes rel, inside root, through a temporary file beside it given perm
// (0: 0600), synced, then renamed over rel, and syncs the directory so the rename
// survives a crash where the OS supports it. check, when set, is called once the
// temporary file is complete, just before it is renamed over rel; its error
// leaves rel as it was. Every step goes through root: a directory on the way
// replaced meanwhile by a link out of it is not followed.
func writeIn(root *os.Root, rel string, perm os.FileMode, write func(w io.Writer) error, check func() error) error {
	if perm == 0 {
		perm = 0o600
	}
	dir := filepath.Dir(rel)
	tmp, name, err := createTemp(root, filepath.Join(dir, "."+filepath.Base(rel)+".tmp-"))
	if err != nil {
		return err
	}
	defer root.Remove(name) // nothing left to remove after a successful rename
	// The mode is set past the umask.
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if check != nil {
		if err := check(); err != nil {
			return err
		}
	}
	if err := root.Rename(name, rel); err != nil {
		return err
	}
	if d, err := root.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// createTemp creates a new file named prefix and a random number inside root, as
// os.CreateTemp does in a directory.
func createTemp(root *os.Root, prefix string) (*os.File, string, error) {
	for range 1000 {
		name := prefix + strconv.FormatUint(uint64(rand.Uint32()), 10)
		f, err := root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, name, err
	}
	return nil, "", fmt.Errorf("create a temporary file beside %s: too many tries", prefix)
}

// Edit is one file of an edit of several: as it was read, and as edited.
type Edit struct {
	Name          string
	Before, After []byte
}

// ReplaceAll replaces each file with ReplaceIfUnchanged, in order, and stops at
// the first it cannot replace: each file is written whole or not at all, but
// not the set, so the error says which were written before it and that the
// rest were not. written names the files written.
func ReplaceAll(edits []Edit) (written []string, err error) {
	for _, e := range edits {
		err := ReplaceIfUnchanged(e.Name, e.Before, e.After)
		if err == nil {
			written = append(written, e.Name)
			continue
		}
		done := "nothing was written"
		if len(written) > 0 {
			done = "written before it: " + strings.Join(written, ", ") + "; the files after it were not written"
		}
		if errors.Is(err, ErrChanged) {
			return written, changed(fmt.Sprintf("write %s: it changed since it was read, so %s (the other edit is kept)", e.Name, done))
		}
		return written, fmt.Errorf("write %s: %w (%s)", e.Name, err, done)
	}
	return written, nil
}

// changed is an error that says so in its own words and is ErrChanged.
type changed string

func (c changed) Error() string { return string(c) }
func (c changed) Unwrap() error { return ErrChanged }
