package gitrev

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/qovery/portalctl/internal/testkit"
)

func TestAsOf(t *testing.T) {
	f := newFixture(t)
	// The fixture commits one a minute from 2025-01-01T00:00Z: c1 at 00:01,
	// c2 at 00:02, c3 at 00:03, c4 (a side branch merged into m) at 00:04, m
	// (HEAD) at 00:05.
	at := func(min, sec int) time.Time { return time.Date(2025, 1, 1, 0, min, sec, 0, time.UTC) }
	before := []time.Time{
		at(9, 0),    // after every commit: HEAD
		at(5, 0),    // m itself is not before its own instant: c3
		at(4, 30),   // c4 is newer but off the first-parent line: c3
		at(2, 30),   // c2
		at(1, 0),    // c1 is not before 00:01: nothing
		at(3, 0),    // the dates need not be in order
		at(1, 1),    // c1
		at(2, 30),   // twice the same instant, the same commit
		time.Time{}, // the zero time is before everything
	}
	got, err := AsOf(context.Background(), filepath.Join(f.dir, "portal.yaml"), before)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{f.m.String(), f.c3.String(), f.c3.String(), f.c2.String(), "", f.c2.String(), f.c1.String(), f.c2.String(), ""}
	if !slices.Equal(got, want) {
		t.Fatalf("AsOf:\n got %q\nwant %q", got, want)
	}
	none, err := AsOf(context.Background(), filepath.Join(f.dir, "portal.yaml"), nil)
	if err != nil || len(none) != 0 {
		t.Fatalf("AsOf of no instant = %q, %v; want nothing", none, err)
	}
}

func TestAsOfErrors(t *testing.T) {
	requireGit(t)
	src := newFixture(t)
	dir := t.TempDir()
	if _, err := git.PlainClone(dir, false, &git.CloneOptions{
		URL: "file://" + filepath.ToSlash(src.dir), Depth: 1, SingleBranch: true,
		ReferenceName: plumbing.NewBranchReferenceName("pr"), Tags: git.NoTags,
	}); err != nil {
		t.Fatal(err)
	}
	late := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	early := time.Date(2025, 1, 1, 0, 2, 30, 0, time.UTC)
	ctx := context.Background()
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		file    string
		before  []time.Time
		wantErr string
	}{
		{name: "HEAD is in a shallow clone", ctx: ctx, file: filepath.Join(dir, "portal.yaml"), before: []time.Time{late}},
		{name: "older history is not", ctx: ctx, file: filepath.Join(dir, "portal.yaml"), before: []time.Time{late, early},
			wantErr: "is not in this shallow clone, and a review date is older: set `fetch-depth: 0`"},
		{name: "not a repository", ctx: ctx, file: filepath.Join(t.TempDir(), "portal.yaml"), before: []time.Time{late}, wantErr: "is not inside a git repository"},
		{name: "canceled", ctx: canceled, file: filepath.Join(dir, "portal.yaml"), before: []time.Time{late}, wantErr: "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AsOf(tt.ctx, tt.file, tt.before)
			if testkit.WantErr(t, err, tt.wantErr) {
				return
			}
			if len(got) != 1 || got[0] == "" {
				t.Fatalf("AsOf = %q, want HEAD", got)
			}
		})
	}
}

// TestAsOfOutOfOrder: a commit cannot have reached the branch before its
// parent did, so a commit whose committer date is older than its parent's (a
// backdated or rebased commit) is not the file as of an instant its parent is
// not before: the answer is the newest commit that is, with every commit
// before it on the line, older than the instant. Else a commit backdated to
// before a review day would hide from the review every change made after it.
func TestAsOfOutOfOrder(t *testing.T) {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 12, 0, 0, 0, time.UTC) }
	var hashes []plumbing.Hash
	for i, when := range []time.Time{day(2, 1), day(4, 1), day(2, 15), day(5, 1)} {
		if err := os.WriteFile(filepath.Join(dir, "portal.yaml"), []byte(fmt.Sprintf("v%d\n", i)), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := wt.Add("portal.yaml"); err != nil {
			t.Fatal(err)
		}
		sig := &object.Signature{Name: "Test", Email: "test@example.com", When: when}
		h, err := wt.Commit(fmt.Sprintf("c%d", i+1), &git.CommitOptions{Author: sig, Committer: sig})
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	c1, c2, c4 := hashes[0], hashes[1], hashes[3]
	before := []time.Time{
		day(3, 2),  // c3 (Feb 15) follows c2 (Apr 1): c1, not c3
		day(2, 16), // the same: c3 is dated before, its parent is not
		day(4, 2),  // c2, and c3 after it, are before: c3
		day(6, 1),  // everything: c4
		day(1, 1),  // nothing
	}
	got, err := AsOf(context.Background(), filepath.Join(dir, "portal.yaml"), before)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{c1.String(), c1.String(), hashes[2].String(), c4.String(), ""}
	if !slices.Equal(got, want) {
		t.Fatalf("AsOf:\n got %q\nwant %q (c1 %s, c2 %s)", got, want, c1, c2)
	}
}
