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
	"os"
	"path/filepath"
	"syscall"
)

// Write writes data to a temporary file in path's directory (mode 0600: plan files
// describe who may access what), syncs it, renames it over path and syncs the
// directory so the rename survives a crash where the OS supports it.
func Write(path string, data []byte) error {
	return WriteFrom(path, copyOf(data))
}

// Replace writes data over the existing file at path as Write does, keeping the
// file's permissions: for a file people edit, such as portal.yaml, rather than
// one portalctl creates. When path is a symbolic link, the file it leads to is
// written and the link stays a link.
func Replace(path string, data []byte) error {
	target, st, err := resolve(path)
	if err != nil {
		return err
	}
	return writeFrom(target, st.Mode().Perm(), copyOf(data), nil)
}

// ErrChanged says that a file changed between the moment it was read and the
// moment it would have been replaced: nothing was written.
var ErrChanged = errors.New("the file changed since it was read")

// ReplaceIfUnchanged is Replace for an edit of what was read: it writes data over
// the file at path only when the file still holds old, the content the edit was
// made from, and otherwise writes nothing and returns ErrChanged, so that an edit
// made meanwhile (by a person, or another run) is never lost. A symbolic link is
// resolved first: its target is compared and written, atomically and keeping its
// mode, and the link stays a link. The comparison is made once the new content
// is written beside the target and synced, just before the rename, to keep the
// window in which a change could still be lost as short as it can be.
func ReplaceIfUnchanged(path string, old, data []byte) error {
	target, st, err := resolve(path)
	if err != nil {
		return err
	}
	unchanged := func() error {
		cur, err := readRegular(target, int64(len(old)))
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
	return writeFrom(target, st.Mode().Perm(), copyOf(data), unchanged)
}

// resolve follows path's symbolic links to the regular file they lead to.
func resolve(path string) (string, os.FileInfo, error) {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", nil, err
	}
	st, err := os.Stat(target)
	if err != nil {
		return "", nil, err
	}
	if !st.Mode().IsRegular() {
		return "", nil, fmt.Errorf("%s is not a regular file", target)
	}
	return target, st, nil
}

// readRegular reads the regular file at path, refusing anything else without
// waiting on it (a FIFO swapped in), and at most n+1 bytes: a file longer than
// n bytes is not the one of n bytes it is compared with.
func readRegular(path string, n int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
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

// writeFrom writes through a temporary file given perm (0: CreateTemp's 0600).
// check, when set, is called once the temporary file is complete, just before
// it is renamed over path; its error leaves path as it was.
func writeFrom(path string, perm os.FileMode, write func(w io.Writer) error, check func() error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if perm != 0 {
		if err := tmp.Chmod(perm); err != nil {
			tmp.Close()
			return err
		}
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
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
