//go:build unix

package schema

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/guard"
	"github.com/qovery/portalctl/internal/testkit"
)

// TestReadFileRefusesSpecialFiles: a FIFO is refused at once (reading one would
// wait for a writer forever), and so is a device, each by what it is.
func TestReadFileRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "portal.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	tests := []struct{ name, path, want string }{
		{"FIFO", fifo, "it is a named pipe (FIFO), not a regular file"},
		{"link to a FIFO", testkit.Symlink(t, "portal.yaml", filepath.Join(dir, "link.yaml")), "it is a symbolic link to a named pipe (FIFO)"},
		{"device", "/dev/null", "it is a device, not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := ReadFileMax(tt.path, nil, guard.DefaultMaxFileSize)
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
					t.Fatalf("err = %v, want %q naming %s", err, tt.want, tt.path)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("reading hangs")
			}
		})
	}
}

// TestReadFileWhileADirectoryIsSwapped: the checks are made on one resolution of
// the path and the file is opened through the repository's root, which no link
// leaves: a directory on the way swapped for a link out of the repository, over
// and over while the file is read, never gets the file outside read.
func TestReadFileWhileADirectoryIsSwapped(t *testing.T) {
	const secret = "https://x-access-token:ghs_secret@github.com\n"
	base := t.TempDir()
	repo, out := filepath.Join(base, "repo"), filepath.Join(base, "out")
	testkit.WriteFile(t, filepath.Join(repo, ".git", "HEAD"), "ref: refs/heads/main\n", 0o644)
	testkit.WriteFile(t, filepath.Join(repo, "d", "portal.yaml"), "version: 1\n", 0o644)
	testkit.WriteFile(t, filepath.Join(out, "portal.yaml"), secret, 0o644)
	testkit.Symlink(t, filepath.Join("..", "out"), filepath.Join(repo, "link"))
	d, real, link := filepath.Join(repo, "d"), filepath.Join(repo, "real"), filepath.Join(repo, "link")

	stop := make(chan struct{})
	swapped := make(chan error, 1)
	go func() {
		swap := func(steps ...[2]string) error {
			for _, s := range steps {
				if err := os.Rename(s[0], s[1]); err != nil {
					return err
				}
			}
			return nil
		}
		for {
			select {
			case <-stop:
				swapped <- nil
				return
			default:
			}
			// d becomes the link out, then the directory again.
			if err := swap([2]string{d, real}, [2]string{link, d}, [2]string{d, link}, [2]string{real, d}); err != nil {
				swapped <- err
				return
			}
		}
	}()
	file := filepath.Join(d, "portal.yaml")
	deadline := time.Now().Add(time.Second)
	read := 0
	for time.Now().Before(deadline) {
		data, err := ReadFileMax(file, nil, guard.DefaultMaxFileSize)
		if err == nil {
			read++
		}
		if strings.Contains(string(data), "ghs_secret") {
			close(stop)
			<-swapped
			t.Fatalf("after %d reads, the file outside the repository was read", read)
		}
	}
	close(stop)
	if err := <-swapped; err != nil {
		t.Fatal(err)
	}
	if read == 0 {
		t.Log("no read succeeded: the directory was never in place when looked at")
	}
}
