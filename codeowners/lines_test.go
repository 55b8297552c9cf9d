package codeowners

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/qovery/portalctl/internal/testkit"
)

func TestLinesGolden(t *testing.T) {
	got, err := Lines([]Entry{
		{Path: "portal.yaml", Owners: []string{"@acme/platform"}},
		{Path: "config/teams/ml.yaml", Owners: []string{"@acme/ml-platform", "alice@example.com", "@Acme/ML-Platform"}},
		{Path: "config/teams/data science.yaml", Owners: []string{"@bob"}},
		{Path: "config/teams/ünïcödé (eu)+1.yaml", Owners: []string{"@acme/eu"}},
		{Path: "config/legacy.yaml"},
	})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "testdata/lines.golden", got)
}

func TestLinesRefuses(t *testing.T) {
	tests := []struct {
		name    string
		entries []Entry
		err     string
	}{
		{"empty path", []Entry{{Path: ""}}, "an empty path"},
		{"absolute", []Entry{{Path: "/portal.yaml"}}, `"/portal.yaml": the path is absolute`},
		{"dot dot", []Entry{{Path: "teams/../portal.yaml"}}, "an empty, . or .. part"},
		{"double slash", []Entry{{Path: "teams//ml.yaml"}}, "an empty, . or .. part"},
		{"trailing slash", []Entry{{Path: "teams/"}}, "an empty, . or .. part"},
		{"hash at the start", []Entry{{Path: "#ml.yaml"}}, `"#ml.yaml": CODEOWNERS cannot name a file with "#"`},
		{"hash inside", []Entry{{Path: "teams/m#l.yaml"}}, `cannot name a file with "#"`},
		{"star", []Entry{{Path: "teams/*.yaml"}}, `with '*'`},
		{"question mark", []Entry{{Path: "teams/ml?.yaml"}}, `with '?'`},
		{"bracket", []Entry{{Path: "teams/ml[1].yaml"}}, `with '['`},
		{"backslash", []Entry{{Path: `teams\ml.yaml`}}, `with '\\'`},
		{"tab", []Entry{{Path: "teams/m\tl.yaml"}}, "U+0009"},
		{"no-break space", []Entry{{Path: "teams/m\u00a0l.yaml"}}, "U+00A0"},
		{"bidi control", []Entry{{Path: "teams/m\u202el.yaml"}}, "U+202E"},
		{"invalid UTF-8", []Entry{{Path: "teams/m\xffl.yaml"}}, "not valid UTF-8"},
		{"bad owner", []Entry{{Path: "teams/ml.yaml", Owners: []string{"acme/ml"}}}, `teams/ml.yaml: owner "acme/ml"`},
		{"twice", []Entry{{Path: "teams/ml.yaml"}, {Path: "teams/ml.yaml"}}, "teams/ml.yaml is given twice"},
		{"a file inside a file", []Entry{{Path: "teams"}, {Path: "teams/ml.yaml"}}, "teams is a file, and teams/ml.yaml would be inside it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Lines(tt.entries)
			testkit.WantErr(t, err, tt.err)
			if out != nil {
				t.Errorf("wrote %q with an error", out)
			}
		})
	}
}

func TestLocate(t *testing.T) {
	tests := []struct {
		name  string
		files fstest.MapFS
		want  string
		err   string
	}{
		{"none", fstest.MapFS{"portal.yaml": {}}, "", ErrNotFound.Error()},
		{".github first", fstest.MapFS{"CODEOWNERS": {}, ".github/CODEOWNERS": {}, "docs/CODEOWNERS": {}}, ".github/CODEOWNERS", ""},
		{"root before docs", fstest.MapFS{"CODEOWNERS": {}, "docs/CODEOWNERS": {}}, "CODEOWNERS", ""},
		{"docs", fstest.MapFS{"docs/CODEOWNERS": {}}, "docs/CODEOWNERS", ""},
		{"a directory", fstest.MapFS{".github/CODEOWNERS/x": {}, "CODEOWNERS": {}}, "", ".github/CODEOWNERS is not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Locate(tt.files)
			if testkit.WantErr(t, err, tt.err) {
				return
			}
			if got != tt.want {
				t.Errorf("Locate = %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := Locate(fstest.MapFS{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}
