//go:build unix

package schema

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
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
		{"link to a FIFO", symlink(t, "portal.yaml", filepath.Join(dir, "link.yaml")), "it is a symbolic link to a named pipe (FIFO)"},
		{"device", "/dev/null", "it is a device, not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := ReadFile(tt.path, nil)
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
