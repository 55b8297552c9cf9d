package schema

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
)

var reviewDay = portal.Date{Year: 2026, Month: 12, Day: 7}

// TestMarkReviewed sets reviewed: in place: the value replaced (its quoting
// kept) or the key added at the end of the blueprint, every other byte as it
// was, with LF and CRLF line endings alike.
func TestMarkReviewed(t *testing.T) {
	const head = "version: 1\nmembers:\n  - email: alice@company.com # the owner\n"
	tests := []struct {
		name    string
		in      string
		names   []string
		want    string // "" when the file does not change
		wantErr string
	}{
		{
			name:  "replaces the date, keeps comments",
			in:    head + "blueprints:\n  # data\n  ds:\n    domains: [company.com]\n    reviewed: 2026-08-01 # last quarter\n  other:\n    emails: [alice@company.com]\n",
			names: []string{"ds"},
			want:  head + "blueprints:\n  # data\n  ds:\n    domains: [company.com]\n    reviewed: 2026-12-07 # last quarter\n  other:\n    emails: [alice@company.com]\n",
		},
		{
			name:  "keeps quotes",
			in:    head + "blueprints:\n  ds:\n    reviewed: '2026-08-01'\n    domains: [company.com]\n",
			names: []string{"ds"},
			want:  head + "blueprints:\n  ds:\n    reviewed: '2026-12-07'\n    domains: [company.com]\n",
		},
		{
			name:  "adds the key after the last entry",
			in:    head + "blueprints:\n  ds:\n    domains: [company.com]\n    owners: [alice@company.com]\n  # next\n  other:\n    emails: [alice@company.com]\n",
			names: []string{"ds", "other"},
			want:  head + "blueprints:\n  ds:\n    domains: [company.com]\n    owners: [alice@company.com]\n    reviewed: 2026-12-07\n  # next\n  other:\n    emails: [alice@company.com]\n    reviewed: 2026-12-07\n",
		},
		{
			name:  "flow mapping",
			in:    head + "blueprints:\n  ds: {domains: [company.com]}\n",
			names: []string{"ds"},
			want:  head + "blueprints:\n  ds: {domains: [company.com], reviewed: 2026-12-07}\n",
		},
		{
			name:  "already today",
			in:    head + "blueprints:\n  ds:\n    domains: [company.com]\n    reviewed: 2026-12-07\n",
			names: []string{"ds"},
		},
		{
			name:    "no such blueprint",
			in:      head + "blueprints:\n  ds:\n    domains: [company.com]\n",
			names:   []string{"dz"},
			wantErr: `no blueprint "dz" in portal.yaml`,
		},
		{
			name:    "an alias",
			in:      head + "blueprints:\n  ds: &x\n    domains: [company.com]\n  copy: *x\n",
			names:   []string{"copy"},
			wantErr: `portal.yaml:7:9: blueprint "copy" is the alias *x`,
		},
		{
			name:    "a merge key",
			in:      head + "blueprints:\n  ds: &x\n    domains: [company.com]\n  merged:\n    <<: *x\n    emails: [alice@company.com]\n",
			names:   []string{"merged"},
			wantErr: `portal.yaml:8:5: the mapping merges another (<<): edit it by hand (blueprint "merged")`,
		},
		{
			name:    "the date inside an anchor another blueprint uses",
			in:      head + "blueprints:\n  ds:\n    domains: [company.com]\n    reviewed: &d 2026-08-01\n  other:\n    domains: [company.com]\n    reviewed: *d\n",
			names:   []string{"ds"},
			wantErr: `portal.yaml:7:15: inside the anchor &d (7:15), which line 10 uses (*d): the edit would change it there too (blueprint "ds")`,
		},
	}
	l := testkit.Must(New(Today(reviewDay)))
	for _, tt := range tests {
		for _, eol := range []string{"\n", "\r\n"} {
			name := tt.name
			if eol != "\n" {
				name += " (CRLF)"
			}
			t.Run(name, func(t *testing.T) {
				in := strings.ReplaceAll(tt.in, "\n", eol)
				files, ds, err := l.MarkReviewed(context.Background(), "portal.yaml", []byte(in), nil, tt.names, reviewDay)
				if testkit.WantErr(t, err, tt.wantErr) {
					return
				}
				if ds.HasErrors() {
					t.Fatal(ds)
				}
				if tt.want == "" {
					if len(files) != 0 {
						t.Fatalf("changed a file that needs no change:\n%s", files[0].After)
					}
					return
				}
				if len(files) != 1 || files[0].Name != "portal.yaml" || string(files[0].Before) != in {
					t.Fatalf("files = %+v", files)
				}
				if got, want := string(files[0].After), strings.ReplaceAll(tt.want, "\n", eol); got != want {
					t.Fatalf("got\n%q\nwant\n%q", got, want)
				}
			})
		}
	}
}

// TestMarkReviewedSplit edits the fragment that holds the blueprint, not the root.
func TestMarkReviewedSplit(t *testing.T) {
	dir := t.TempDir()
	root := testkit.WriteFile(t, filepath.Join(dir, "portal.yaml"), "version: 1\ninclude:\n  - path: teams/ml.yaml\n    blueprints: [ml-*]\nmembers:\n  - email: alice@company.com\nblueprints:\n  root-bp:\n    domains: [company.com]\n", 0o644)
	frag := "# the ML team's\nblueprints:\n  ml-train:\n    domains: [company.com] # everyone\n"
	testkit.WriteFile(t, filepath.Join(dir, "teams", "ml.yaml"), frag, 0o644)
	l := testkit.Must(New(Today(reviewDay)))
	data := testkit.Must(os.ReadFile(root))
	files, ds, err := l.MarkReviewed(context.Background(), root, data, Disk{Root: root, MaxSize: 1 << 20}, []string{"ml-train"}, reviewDay)
	if err != nil || ds.HasErrors() {
		t.Fatal(err, ds)
	}
	if len(files) != 1 || files[0].Name != filepath.Join(dir, "teams", "ml.yaml") {
		t.Fatalf("files = %+v", files)
	}
	if got, want := string(files[0].After), frag+"    reviewed: 2026-12-07\n"; got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}
