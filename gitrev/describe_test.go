package gitrev

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/qovery/portalctl/internal/testkit"
)

// mergeAgain commits, on top of the fixture, the merge of c3 and c4 that keeps c4's
// portal.yaml: what actions/checkout gives a pull request whose base branch did not
// touch the file.
func mergeAgain(t *testing.T, f *fixture) plumbing.Hash {
	t.Helper()
	repo, err := git.PlainOpen(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.dir, "portal.yaml"), []byte("feature"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add("portal.yaml"); err != nil {
		t.Fatal(err)
	}
	h, err := wt.Commit("merge again", &git.CommitOptions{
		Author:  &object.Signature{Name: "Test", Email: "test@example.com", When: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)},
		Parents: []plumbing.Hash{f.c3, f.c4},
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestDescribe(t *testing.T) {
	f := newFixture(t)
	portal := filepath.Join(f.dir, "portal.yaml")
	m2 := mergeAgain(t, f)
	tests := []struct {
		name    string
		file    string
		rev     string
		working string
		want    Revisions
		wantErr string
	}{
		{name: "pull request merge: the pull request's commit", file: portal, rev: "HEAD^1", working: "feature",
			want: Revisions{Path: "portal.yaml", Base: f.c3.String(), Head: f.c4.String()}},
		{name: "merge compared with another base: the merge itself", file: portal, rev: "v1", working: "feature",
			want: Revisions{Path: "portal.yaml", Base: f.c1.String(), Head: m2.String()}},
		{name: "uncommitted change", file: portal, rev: "HEAD^1", working: "edited",
			want: Revisions{Path: "portal.yaml", Base: f.c3.String(), Head: m2.String(), Uncommitted: true}},
		{name: "file in a subdirectory, the same in the pull request", file: filepath.Join(f.dir, "sub", "portal.yaml"), rev: "main", working: "sub1",
			want: Revisions{Path: "sub/portal.yaml", Base: f.c3.String(), Head: f.c4.String()}},
		{name: "file not in HEAD", file: filepath.Join(f.dir, "other.yaml"), rev: "main", working: "x",
			want: Revisions{Path: "other.yaml", Base: f.c3.String(), Head: m2.String(), Uncommitted: true}},
		{name: "unknown base", file: portal, rev: "nope", wantErr: "unknown revision `nope`"},
		{name: "outside a repository", file: filepath.Join(t.TempDir(), "portal.yaml"), rev: "main", wantErr: "not inside a git repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Describe(context.Background(), tt.file, tt.rev, []byte(tt.working))
			if testkit.WantErr(t, err, tt.wantErr) {
				return
			}
			if got != tt.want {
				t.Errorf("Describe = %+v\nwant       %+v", got, tt.want)
			}
		})
	}
}

// TestDescribeMergeOfAnotherFile: when the merge's file is not the pull request's
// (the base branch changed it too), the merge commit is the one compared.
func TestDescribeMergeOfAnotherFile(t *testing.T) {
	f := newFixture(t)
	got, err := Describe(context.Background(), filepath.Join(f.dir, "portal.yaml"), "HEAD^1", []byte("merged"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Revisions{Path: "portal.yaml", Base: f.c3.String(), Head: f.m.String()}); got != want {
		t.Errorf("Describe = %+v, want %+v", got, want)
	}
}

func TestDescribeCanceled(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Describe(ctx, filepath.Join(f.dir, "portal.yaml"), "HEAD", nil); err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("err = %v", err)
	}
}
