// Package dist writes reproducible release archives and their checksums file: the
// same binaries give byte-identical archives, whatever the files' times, owners and
// permissions on disk and whatever order they are given in.
package dist

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// File is one entry of an archive.
type File struct {
	Name string // its name in the archive
	Exec bool   // mode 0755 instead of 0644
	Data []byte
}

func (f File) mode() fs.FileMode {
	if f.Exec {
		return 0o755
	}
	return 0o644
}

// sorted returns the files ordered by name, refusing duplicates.
func sorted(files []File) ([]File, error) {
	s := slices.Clone(files)
	slices.SortFunc(s, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	for i := 1; i < len(s); i++ {
		if s[i].Name == s[i-1].Name {
			return nil, fmt.Errorf("%s is in the archive twice", s[i].Name)
		}
	}
	return s, nil
}

// WriteTarGz writes files as a gzipped tar: entries sorted by name, owned by 0:0
// without user or group names, dated mtime, and a gzip header without name or time.
func WriteTarGz(w io.Writer, files []File, mtime time.Time) error {
	files, err := sorted(files)
	if err != nil {
		return err
	}
	gz, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	for _, f := range files {
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     f.Name,
			Mode:     int64(f.mode()),
			Size:     int64(len(f.Data)),
			ModTime:  mtime.UTC().Truncate(time.Second),
			Format:   tar.FormatUSTAR,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("tar %s: %w", f.Name, err)
		}
		if _, err := tw.Write(f.Data); err != nil {
			return fmt.Errorf("tar %s: %w", f.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// WriteZip writes files as a zip: entries sorted by name, dated mtime (in UTC), with
// Unix permissions and no other extra fields.
func WriteZip(w io.Writer, files []File, mtime time.Time) error {
	files, err := sorted(files)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, f := range files {
		hdr := &zip.FileHeader{
			Name:     f.Name,
			Method:   zip.Deflate,
			Modified: mtime.UTC().Truncate(time.Second),
		}
		hdr.SetMode(f.mode())
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return fmt.Errorf("zip %s: %w", f.Name, err)
		}
		if _, err := fw.Write(f.Data); err != nil {
			return fmt.Errorf("zip %s: %w", f.Name, err)
		}
	}
	return zw.Close()
}

// WriteChecksums writes "SHA-256  name" lines, sorted by name, as sha256sum does, for
// the files at paths (named by their base name).
func WriteChecksums(w io.Writer, paths []string) error {
	type sum struct{ name, hex string }
	var sums []sum
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		h := sha256.Sum256(data)
		sums = append(sums, sum{filepath.Base(p), hex.EncodeToString(h[:])})
	}
	slices.SortFunc(sums, func(a, b sum) int { return strings.Compare(a.name, b.name) })
	var b bytes.Buffer
	for _, s := range sums {
		fmt.Fprintf(&b, "%s  %s\n", s.hex, s.name)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// Binary is a program built for one platform, as its build information describes it.
type Binary struct {
	Path     string
	Name     string // the program's name: the last element of its package path
	Version  string // the main module's version, stamped by the Go toolchain
	GOOS     string
	GOARCH   string
	Modified bool      // built from a checkout with uncommitted changes
	Time     time.Time // the commit time, when known
}

// ReadBinary reads a program's build information. A binary whose version was not
// stamped (built outside a git checkout, or with -buildvcs=false) is an error: its
// archive could not say which version it holds.
func ReadBinary(path string) (Binary, error) {
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return Binary{}, fmt.Errorf("read the build information of %s: %w", path, err)
	}
	b := Binary{Path: path, Name: bi.Path[strings.LastIndexByte(bi.Path, '/')+1:], Version: bi.Main.Version}
	for _, s := range bi.Settings {
		switch s.Key {
		case "GOOS":
			b.GOOS = s.Value
		case "GOARCH":
			b.GOARCH = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		case "vcs.time":
			if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
				b.Time = t
			}
		}
	}
	switch {
	case b.Version == "" || b.Version == "(devel)":
		return Binary{}, fmt.Errorf("%s carries no version: build it in a git checkout with -buildvcs=true", path)
	case b.GOOS == "" || b.GOARCH == "":
		return Binary{}, fmt.Errorf("%s does not say which platform it was built for", path)
	}
	return b, nil
}

// ArchiveName is the release archive of b: name_version_os_arch.tar.gz, or .zip for
// Windows.
func (b Binary) ArchiveName() string {
	ext := ".tar.gz"
	if b.GOOS == "windows" {
		ext = ".zip"
	}
	return fmt.Sprintf("%s_%s_%s_%s%s", b.Name, b.Version, b.GOOS, b.GOARCH, ext)
}

// ChecksumsName is the checksums file of a release.
func ChecksumsName(name, version string) string {
	return fmt.Sprintf("%s_%s_checksums.txt", name, version)
}

// Release describes the archives to write.
type Release struct {
	Binaries []string  // paths of the programs, one per platform
	Extra    []string  // files added to every archive, e.g. README.md; a relative path keeps its folders
	Out      string    // directory the archives and checksums go to
	Version  string    // when set, every binary must carry this version
	Mtime    time.Time // the entries' date; zero means the commit time of the build
}

// Write writes one archive per binary and the checksums file, and returns their paths.
func (r Release) Write() ([]string, error) {
	if len(r.Binaries) == 0 {
		return nil, errors.New("no binaries to archive")
	}
	var bins []Binary
	platforms := map[string]bool{}
	for _, p := range r.Binaries {
		b, err := ReadBinary(p)
		if err != nil {
			return nil, err
		}
		if platforms[b.GOOS+"/"+b.GOARCH] {
			return nil, fmt.Errorf("two binaries for %s/%s", b.GOOS, b.GOARCH)
		}
		platforms[b.GOOS+"/"+b.GOARCH] = true
		if r.Version != "" && b.Version != r.Version {
			return nil, fmt.Errorf("%s is version %s, not %s: tag the commit %s and commit every change before building", p, b.Version, r.Version, r.Version)
		}
		if len(bins) > 0 && (b.Version != bins[0].Version || b.Name != bins[0].Name) {
			return nil, fmt.Errorf("%s is %s %s but %s is %s %s", p, b.Name, b.Version, bins[0].Path, bins[0].Name, bins[0].Version)
		}
		bins = append(bins, b)
	}
	mtime := r.Mtime
	if mtime.IsZero() {
		mtime = bins[0].Time
	}
	if mtime.IsZero() {
		return nil, errors.New("no date for the archive entries: the binaries carry no commit time; set SOURCE_DATE_EPOCH")
	}
	var extra []File
	for _, p := range r.Extra {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		// A relative path inside the working directory keeps its folders
		// (docs/commands.md), so that the README's links work in the archive;
		// any other path is archived by its name.
		name := filepath.Base(p)
		if filepath.IsLocal(p) {
			name = filepath.ToSlash(filepath.Clean(p))
		}
		extra = append(extra, File{Name: name, Data: data})
	}
	if err := os.MkdirAll(r.Out, 0o755); err != nil {
		return nil, err
	}
	var written []string
	for _, b := range bins {
		data, err := os.ReadFile(b.Path)
		if err != nil {
			return nil, err
		}
		name := b.Name
		if b.GOOS == "windows" {
			name += ".exe"
		}
		files := append([]File{{Name: name, Exec: true, Data: data}}, extra...)
		var buf bytes.Buffer
		if b.GOOS == "windows" {
			err = WriteZip(&buf, files, mtime)
		} else {
			err = WriteTarGz(&buf, files, mtime)
		}
		if err != nil {
			return nil, fmt.Errorf("archive %s: %w", b.Path, err)
		}
		path := filepath.Join(r.Out, b.ArchiveName())
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return nil, err
		}
		written = append(written, path)
		slices.Sort(written)
	}
	var sums bytes.Buffer
	if err := WriteChecksums(&sums, written); err != nil {
		return nil, err
	}
	path := filepath.Join(r.Out, ChecksumsName(bins[0].Name, bins[0].Version))
	if err := os.WriteFile(path, sums.Bytes(), 0o644); err != nil {
		return nil, err
	}
	return append(written, path), nil
}
