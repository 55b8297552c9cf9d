package main

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/qovery/portalctl/report"
)

func TestRepoPath(t *testing.T) {
	j := filepath.Join
	tests := []struct {
		rootPath, root, name string
		want                 string
		ok                   bool
	}{
		{"portal.yaml", "portal.yaml", j("teams", "ml.yaml"), "teams/ml.yaml", true},
		{"config/portal.yaml", j("..", "config", "portal.yaml"), j("..", "config", "teams", "ml.yaml"), "config/teams/ml.yaml", true},
		{"config/portal.yaml", j("/", "r", "config", "portal.yaml"), j("/", "r", "config", "people", "a.yaml"), "config/people/a.yaml", true},
		{"config/portal.yaml", j("config", "portal.yaml"), j("config", "portal.yaml"), "config/portal.yaml", true},
		{"config/portal.yaml", j("config", "portal.yaml"), j("other", "x.yaml"), "", false},
	}
	for _, tt := range tests {
		got, ok := repoPath(tt.rootPath, tt.root, tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("repoPath(%q, %q, %q) = %q, %v; want %q, %v", tt.rootPath, tt.root, tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestChangedFiles(t *testing.T) {
	repo := func(name string) string { return filepath.ToSlash(name) }
	head := map[string]string{"portal.yaml": "r2", "a.yaml": "a", "b.yaml": "b2", "new.yaml": "n"}
	base := map[string]string{"portal.yaml": "r1", "a.yaml": "a", "b.yaml": "b1", "gone.yaml": "g"}
	want := []report.ChangedFile{{Path: "portal.yaml", Change: "changed"}, {Path: "b.yaml", Change: "changed"}, {Path: "gone.yaml", Change: "removed"}, {Path: "new.yaml", Change: "added"}}
	if got := changedFiles("portal.yaml", head, base, repo); !slices.Equal(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	// No base to compare with: every file of the head is added.
	want = []report.ChangedFile{{Path: "portal.yaml", Change: "added"}, {Path: "a.yaml", Change: "added"}, {Path: "b.yaml", Change: "added"}, {Path: "new.yaml", Change: "added"}}
	if got := changedFiles("portal.yaml", head, nil, repo); !slices.Equal(got, want) {
		t.Errorf("without a base: got %+v\nwant %+v", got, want)
	}
	if got := changedFiles("portal.yaml", base, base, repo); len(got) != 0 {
		t.Errorf("nothing changed: got %+v", got)
	}
}
