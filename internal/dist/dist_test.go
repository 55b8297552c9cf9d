package dist

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/testkit"
)

var mtime = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func files(names ...string) []File {
	var fs []File
	for _, n := range names {
		fs = append(fs, File{Name: n, Exec: n == "portalctl" || n == "portalctl.exe", Data: []byte("contents of " + n + "\n")})
	}
	return fs
}

type writer func(io.Writer, []File, time.Time) error

var formats = []struct {
	name  string
	write writer
	read  func(t *testing.T, data []byte) []entry
}{
	{"tar.gz", WriteTarGz, readTarGz},
	{"zip", WriteZip, readZip},
}

// entry is what an archive says of one file.
type entry struct {
	name         string
	mode         os.FileMode
	mtime        time.Time
	uid, gid     int
	uname, gname string
	data         string
}

func readTarGz(t *testing.T, data []byte) []entry {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if gz.Name != "" || !gz.ModTime.IsZero() {
		t.Errorf("gzip header carries name %q and time %v; want neither", gz.Name, gz.ModTime)
	}
	var es []entry
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, entry{h.Name, h.FileInfo().Mode(), h.ModTime.UTC(), h.Uid, h.Gid, h.Uname, h.Gname, string(body)})
	}
	return es
}

func readZip(t *testing.T, data []byte) []entry {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var es []entry
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, entry{name: f.Name, mode: f.Mode(), mtime: f.Modified.UTC(), data: string(body)})
	}
	return es
}

func TestArchiveEntries(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := f.write(&buf, files("README.md", "portalctl"), mtime); err != nil {
				t.Fatal(err)
			}
			got := f.read(t, buf.Bytes())
			want := []entry{
				{name: "README.md", mode: 0o644, mtime: mtime, data: "contents of README.md\n"},
				{name: "portalctl", mode: 0o755, mtime: mtime, data: "contents of portalctl\n"},
			}
			if !slices.Equal(got, want) {
				t.Errorf("entries:\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestArchivesAreReproducible(t *testing.T) {
	cases := []struct {
		name  string
		a, b  []File
		mtime time.Time // of the second archive
		same  bool
	}{
		{"same files", files("portalctl", "README.md"), files("portalctl", "README.md"), mtime, true},
		{"files in another order", files("portalctl", "README.md"), files("README.md", "portalctl"), mtime, true},
		{"another time zone", files("portalctl"), files("portalctl"), mtime.In(time.FixedZone("CET", 3600)), true},
		{"another date", files("portalctl"), files("portalctl"), mtime.Add(time.Hour), false},
		{"another file", files("portalctl"), files("portalctl", "README.md"), mtime, false},
	}
	for _, f := range formats {
		for _, tt := range cases {
			t.Run(f.name+"/"+tt.name, func(t *testing.T) {
				var a, b bytes.Buffer
				if err := f.write(&a, tt.a, mtime); err != nil {
					t.Fatal(err)
				}
				if err := f.write(&b, tt.b, tt.mtime); err != nil {
					t.Fatal(err)
				}
				if same := bytes.Equal(a.Bytes(), b.Bytes()); same != tt.same {
					t.Errorf("identical archives: %v, want %v", same, tt.same)
				}
			})
		}
		t.Run(f.name+"/duplicate name", func(t *testing.T) {
			if err := f.write(io.Discard, files("portalctl", "portalctl"), mtime); err == nil || !strings.Contains(err.Error(), "twice") {
				t.Errorf("err = %v, want a duplicate refused", err)
			}
		})
	}
}

func TestWriteChecksums(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for _, name := range []string{"b.tar.gz", "a.zip"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	var buf bytes.Buffer
	if err := WriteChecksums(&buf, paths); err != nil {
		t.Fatal(err)
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	want := sum("a.zip") + "  a.zip\n" + sum("b.tar.gz") + "  b.tar.gz\n"
	if buf.String() != want {
		t.Errorf("checksums:\n%s\nwant\n%s", buf.String(), want)
	}
}

// goCommand is the go command of the toolchain running the tests.
func goCommand(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

func sh(t *testing.T, dir string, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// module creates a git repository holding a tiny main package, committed and tagged
// v1.2.3, and returns its directory.
func module(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	for name, content := range map[string]string{
		"go.mod":  "module example.com/tools/hello\n\ngo 1.22\n",
		"main.go": "package main\n\nfunc main() { println(\"hello\") }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := []string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}
	sh(t, dir, nil, "git", "init", "-q")
	sh(t, dir, nil, "git", append(git, "add", ".")...)
	sh(t, dir, []string{"GIT_COMMITTER_DATE=2026-11-23T12:00:00Z", "GIT_AUTHOR_DATE=2026-11-23T12:00:00Z"}, "git", append(git, "commit", "-q", "-m", "hello")...)
	sh(t, dir, nil, "git", append(git, "tag", "v1.2.3")...)
	return dir
}

// build builds the module for the host platform into out.
func build(t *testing.T, dir, out, buildvcs string) string {
	t.Helper()
	bin := filepath.Join(out, "hello")
	sh(t, dir, []string{"GOWORK=off"}, goCommand(t), "build", "-buildvcs="+buildvcs, "-o", bin, ".")
	return bin
}

func TestRelease(t *testing.T) {
	dir := module(t)
	tagged := build(t, dir, t.TempDir(), "true")
	// The test binary itself: go test stamps no version into it.
	unstamped, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	platform := runtime.GOOS + "_" + runtime.GOARCH
	archive := "hello_v1.2.3_" + platform + ".tar.gz"
	if runtime.GOOS == "windows" {
		archive = "hello_v1.2.3_" + platform + ".zip"
	}
	readme := filepath.Join(dir, "README.md")
	if err := os.WriteFile(readme, []byte("# hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		r       Release
		want    []string
		wantErr string
	}{
		{"tagged build", Release{Binaries: []string{tagged}, Extra: []string{readme}}, []string{archive, "hello_v1.2.3_checksums.txt"}, ""},
		{"the version expected", Release{Binaries: []string{tagged}, Version: "v1.2.3"}, []string{archive, "hello_v1.2.3_checksums.txt"}, ""},
		{"another version expected", Release{Binaries: []string{tagged}, Version: "v1.3.0"}, nil, "is version v1.2.3, not v1.3.0"},
		{"no version stamped", Release{Binaries: []string{unstamped}}, nil, "carries no version"},
		{"one platform twice", Release{Binaries: []string{tagged, tagged}}, nil, "two binaries for"},
		{"nothing to archive", Release{}, nil, "no binaries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.r.Out = t.TempDir()
			written, err := tt.r.Write()
			if testkit.WantErr(t, err, tt.wantErr) {
				return
			}
			var names []string
			for _, p := range written {
				names = append(names, filepath.Base(p))
			}
			if !slices.Equal(names, tt.want) {
				t.Fatalf("wrote %q, want %q", names, tt.want)
			}
			data, err := os.ReadFile(written[0])
			if err != nil {
				t.Fatal(err)
			}
			var es []entry
			if strings.HasSuffix(written[0], ".zip") {
				es = readZip(t, data)
			} else {
				es = readTarGz(t, data)
			}
			commit := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
			for _, e := range es {
				if !e.mtime.Equal(commit) {
					t.Errorf("%s is dated %v, want the commit time %v", e.name, e.mtime, commit)
				}
			}
			sums, err := os.ReadFile(written[1])
			if err != nil {
				t.Fatal(err)
			}
			h := sha256.Sum256(data)
			if want := hex.EncodeToString(h[:]) + "  " + names[0] + "\n"; string(sums) != want {
				t.Errorf("checksums file:\n%s\nwant\n%s", sums, want)
			}
		})
	}
}

// TestReleaseExtraFolders checks that an extra file named by a relative path inside
// the working directory keeps its folders in the archive (docs/commands.md, so
// that the README's links resolve there), and one named by an absolute path is
// archived by its name.
func TestReleaseExtraFolders(t *testing.T) {
	dir := module(t)
	bin := build(t, dir, t.TempDir(), "true")
	t.Chdir(dir)
	for name, data := range map[string]string{"README.md": "# hello\n", "docs/commands.md": "# commands\n", "notes/x.md": "x\n"} {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := Release{Binaries: []string{bin}, Extra: []string{"README.md", "docs/commands.md", filepath.Join(dir, "notes/x.md")}, Out: t.TempDir()}
	written, err := r.Write()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(written[0])
	if err != nil {
		t.Fatal(err)
	}
	var es []entry
	if strings.HasSuffix(written[0], ".zip") {
		es = readZip(t, data)
	} else {
		es = readTarGz(t, data)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.name)
	}
	if want := []string{"README.md", "docs/commands.md", "hello", "x.md"}; !slices.Equal(names, want) {
		t.Errorf("archive holds %q, want %q", names, want)
	}
}
