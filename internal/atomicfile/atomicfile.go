// Package atomicfile writes files so that a reader sees the old content or the new,
// never a torn one: plan files and the emulator's state.
package atomicfile

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
)

// Write writes data to a temporary file in path's directory (mode 0600: plan files
// describe who may access what), syncs it, renames it over path and syncs the
// directory so the rename survives a crash where the OS supports it.
func Write(path string, data []byte) error {
	return WriteFrom(path, func(w io.Writer) error {
		_, err := io.Copy(w, bytes.NewReader(data))
		return err
	})
}

// Replace writes data over the existing file at path as Write does, keeping the
// file's permissions: for a file people edit, such as portal.yaml, rather than
// one portalctl creates.
func Replace(path string, data []byte) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	return writeFrom(path, st.Mode().Perm(), func(w io.Writer) error {
		_, err := io.Copy(w, bytes.NewReader(data))
		return err
	})
}

// WriteFrom is Write for content produced as a stream: write writes it to the
// temporary file. When write fails, path is left as it was and the temporary file
// is removed.
func WriteFrom(path string, write func(w io.Writer) error) error {
	return writeFrom(path, 0, write)
}

// writeFrom writes through a temporary file given perm (0: CreateTemp's 0600).
func writeFrom(path string, perm os.FileMode, write func(w io.Writer) error) error {
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
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
