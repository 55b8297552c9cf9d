package gitrev

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

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
