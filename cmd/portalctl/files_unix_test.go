//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFIFORefused: a FIFO given as the file is refused at once by every command
// that reads it, naming it; reading one would wait for a writer forever.
func TestFIFORefused(t *testing.T) {
	dir := gitRepo(t, readTestdata(t, "portal.yaml"))
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, args := range [][]string{
		{"validate", "-f", fifo},
		{"plan", "-f", fifo},
		{"apply", "-f", fifo, "--auto-approve"},
		{"expire", "-f", fifo, "--write"},
		{"access", "-f", fifo, "bob@company.com"},
		{"preview", "--base", "HEAD", "-f", fifo},
	} {
		t.Run(args[0], func(t *testing.T) {
			done := make(chan result, 1)
			go func() { done <- cli{}.run(t, args...) }()
			select {
			case r := <-done:
				if r.code != 1 || !strings.Contains(r.stderr, "read "+fifo+": it is a named pipe (FIFO), not a regular file") {
					t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("hangs on the FIFO")
			}
		})
	}
}
