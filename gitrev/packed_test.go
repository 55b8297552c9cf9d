package gitrev

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"

	"github.com/qovery/portalctl/internal/testkit"
)

// deltaRepo is a repository where portal.yaml, a file of some hundred KiB, is
// committed n times with a line changed each time; it returns the file's path
// and the commits, oldest first.
func deltaRepo(t *testing.T, n int) (string, []string) {
	t.Helper()
	requireGit(t)
	dir := t.TempDir()
	testkit.Git(t, dir, "init", "-q", "-b", "main")
	var lines []string
	for i := range 5000 {
		lines = append(lines, fmt.Sprintf("  - email: member%d@company.com", i))
	}
	file := filepath.Join(dir, "portal.yaml")
	var commits []string
	for i := range n {
		lines[i*97%len(lines)] = fmt.Sprintf("  - email: joiner%d@company.com", i)
		testkit.WriteFile(t, file, "members:\n"+strings.Join(lines, "\n")+"\n", 0o644)
		testkit.Git(t, dir, "add", "portal.yaml")
		testkit.Git(t, dir, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", fmt.Sprint("commit ", i))
		commits = append(commits, testkit.Git(t, dir, "rev-parse", "HEAD"))
	}
	return file, commits
}

// blobAt is the hash of portal.yaml at commit c, and its content, as git says.
func blobAt(t *testing.T, dir, c string) (plumbing.Hash, string) {
	t.Helper()
	return plumbing.NewHash(testkit.Git(t, dir, "rev-parse", c+":portal.yaml")), testkit.Git(t, dir, "cat-file", "blob", c+":portal.yaml")
}

// TestReadPacked: a file stored as a chain of deltas in a pack is rebuilt by
// readPacked itself, version by version as git shows them, and Snapshot reads
// the same; a loose object is left to go-git, and read by it.
func TestReadPacked(t *testing.T) {
	ctx := context.Background()
	file, commits := deltaRepo(t, 30)
	dir := filepath.Dir(file)

	// Loose objects: not packed, read through go-git.
	snap, err := Open(ctx, file, commits[3])
	if err != nil {
		t.Fatal(err)
	}
	h, want := blobAt(t, dir, commits[3])
	if _, err := snap.r.readPacked(h); !errors.Is(err, errNotPacked) {
		t.Fatalf("a loose blob: %v, want errNotPacked", err)
	}
	if got, err := snap.ReadFile(ctx, file); err != nil || strings.TrimSuffix(string(got), "\n") != want {
		t.Fatalf("a loose blob read: %v", err)
	}

	testkit.Git(t, dir, "repack", "-q", "-a", "-d", "-f", "--depth=50", "--window=50")
	idx, err := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.idx"))
	if err != nil || len(idx) != 1 {
		t.Fatalf("packs: %v %v", idx, err)
	}
	chains := testkit.Git(t, dir, "verify-pack", "-v", idx[0])
	if !strings.Contains(chains, "chain length = 10:") {
		t.Fatalf("the repack made no chain of 10 deltas:\n%s", chains)
	}
	for i, c := range commits {
		snap, err := Open(ctx, file, c)
		if err != nil {
			t.Fatal(err)
		}
		h, want := blobAt(t, dir, c)
		got, err := snap.r.readPacked(h)
		if err != nil {
			t.Fatalf("commit %d: %v", i, err)
		}
		// testkit.Git trims the output's last newline.
		if strings.TrimSuffix(string(got), "\n") != want {
			t.Fatalf("commit %d: readPacked rebuilt another file", i)
		}
		if read, err := snap.ReadFile(ctx, file); err != nil || !bytes.Equal(read, got) {
			t.Fatalf("commit %d: ReadFile: %v", i, err)
		}
	}
	if _, err := snap.r.readPacked(plumbing.NewHash(strings.Repeat("ab", 20))); !errors.Is(err, errNotPacked) {
		t.Fatalf("a blob in no pack: %v, want errNotPacked", err)
	}
}

// TestApplyDelta: each way a delta can be wrong is refused.
func TestApplyDelta(t *testing.T) {
	src := []byte("hello, world")
	tests := []struct {
		name  string
		delta []byte
		want  string // "" for no error
	}{
		{"copy and insert", []byte{12, 8, 0x90, 5, 3, '!', '!', '!'}, ""},
		{"copy at an offset", []byte{12, 5, 0x91, 7, 5}, ""},
		{"no command, empty result", []byte{12, 0}, ""},
		{"wrong source size", []byte{11, 5, 0x90, 5}, "applies to 11 bytes"},
		{"copy past the source", []byte{12, 5, 0x91, 8, 5}, "copy out of bounds"},
		{"copy past the result", []byte{12, 4, 0x90, 5}, "copy out of bounds"},
		{"insert past the delta", []byte{12, 3, 3, 'a'}, "insert out of bounds"},
		{"insert past the result", []byte{12, 1, 2, 'a', 'b'}, "insert out of bounds"},
		{"short result", []byte{12, 6, 0x90, 5}, "makes 5 bytes, not 6"},
		{"command 0", []byte{12, 5, 0}, "command 0"},
		{"copy cut short", []byte{12, 5, 0x91}, "copy cut short"},
		{"size cut short", []byte{0x8c}, "unexpected EOF"},
		{"size over the limit", []byte{12, 0x80, 0x80, 0x80, 0x80, 0x01}, "a size over"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := applyDelta(nil, src, tt.delta)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want %q", err, tt.want)
			case tt.want == "" && len(tt.delta) > 2:
				if want, err := packfile.PatchDelta(src, tt.delta); err != nil || !bytes.Equal(got, want) {
					t.Fatalf("made %q, go-git %q (%v)", got, want, err)
				}
			}
		})
	}
}

// FuzzApplyDelta: whatever applyDelta makes of a delta, go-git's PatchDelta
// makes the same (applyDelta may refuse more: a refusal is left to go-git).
func FuzzApplyDelta(f *testing.F) {
	f.Add([]byte("hello, world"), []byte{12, 8, 0x90, 5, 3, '!', '!', '!'})
	f.Add([]byte("hello, world"), []byte{12, 5, 0x91, 7, 5})
	f.Add([]byte("abc"), []byte{3, 0x80, 0x01, 0x80})
	f.Fuzz(func(t *testing.T, src, delta []byte) {
		got, err := applyDelta(make([]byte, 0, 16), src, delta)
		if err != nil || len(src) == 0 {
			return // go-git refuses an empty source
		}
		want, err := packfile.PatchDelta(src, delta)
		if err != nil {
			t.Fatalf("applyDelta made %q, go-git refuses: %v", got, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("applyDelta made %q, go-git %q", got, want)
		}
	})
}
