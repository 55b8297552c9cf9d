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

// TestApplyPlanFIFORefused: apply --plan reads a regular file only: a FIFO given
// as the plan is refused at once, not waited on.
func TestApplyPlanFIFORefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "portal.plan")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan result, 1)
	go func() {
		done <- cli{env: map[string]string{"QOVERY_API_TOKEN": "t", "QOVERY_ORGANIZATION_ID": "0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10"}}.run(t, "apply", "--plan", fifo, "--auto-approve")
	}()
	select {
	case r := <-done:
		if r.code != 1 || !strings.Contains(r.stderr, fifo+" is not a regular file") {
			t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("hangs on the FIFO")
	}
}
