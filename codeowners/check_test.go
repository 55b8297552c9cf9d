package codeowners

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// summary is what a table case expects of a problem: "line:col path" (the
// path empty for a line at fault).
func summary(ps []Problem) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%d:%d %s", p.Pos.Line, p.Pos.Col, p.Path))
	}
	return out
}

func TestCheck(t *testing.T) {
	ml := func(owners ...string) []Entry { return []Entry{{Path: "teams/ml.yaml", Owners: owners}} }
	tests := []struct {
		name, file string
		entries    []Entry
		want       []string // summaries
		message    string   // a part of the first problem's String
	}{
		{"anchored", "/teams/ml.yaml @acme/ml", ml("@acme/ml"), nil, ""},
		{"owners ignore case and order", "/teams/ml.yaml @Bob @ACME/ML bob@Example.com", ml("@acme/ml", "BOB@example.com", "@bob"), nil, ""},
		{"owners repeated", "/teams/ml.yaml @bob @Bob", ml("@bob"), nil, ""},
		{"an owner missing", "/teams/ml.yaml @bob", ml("@bob", "@acme/ml"), []string{"1:1 teams/ml.yaml"}, "owned by @bob from line 1"},
		{"an owner too many", "/teams/ml.yaml @bob @eve", ml("@bob"), []string{"1:1 teams/ml.yaml"}, "`/teams/ml.yaml @bob` after line 1"},
		{"unanchored name", "ml.yaml @a", ml("@a"), nil, ""},
		{"unanchored directory", "teams @a", ml("@a"), nil, ""},
		{"a / inside anchors", "ml/teams/ml.yaml @a\nteams/ml.yaml @b", ml("@b"), nil, ""},
		{"anchored elsewhere", "/ml.yaml @a", ml("@a"), []string{"0:0 teams/ml.yaml"}, "no line matches teams/ml.yaml"},
		{"star", "* @a", ml("@a"), nil, ""},
		{"star in a name", "/teams/*.yaml @a", ml("@a"), nil, ""},
		{"directory star is not deeper", "/teams/* @a", []Entry{{Path: "teams/x/ml.yaml", Owners: []string{"@a"}}}, []string{"0:0 teams/x/ml.yaml"}, ""},
		{"double star", "/**/ml.yaml @a", ml("@a"), nil, ""},
		{"double star inside", "/teams/**/ml.yaml @a", ml("@a"), nil, ""},
		{"trailing slash", "/teams/ @a", ml("@a"), nil, ""},
		{"trailing slash is not a file", "/teams/ml.yaml/ @a", ml("@a"), []string{"0:0 teams/ml.yaml"}, ""},
		{"the later specific line wins", "/teams/ @a\n/teams/ml.yaml @b", ml("@b"), nil, ""},
		{"a later broader line overrides", "/teams/ml.yaml @b\n/teams/ @a\n", ml("@b"), []string{"2:1 teams/ml.yaml"}, "owned by @a from line 2 (`/teams/`)"},
		{"no owner clears", "* @a\n/teams/ml.yaml", ml(), nil, ""},
		{"no owner, but owned", "* @a\n", ml(), []string{"1:1 teams/ml.yaml"}, "a line with no owner clears"},
		{"cleared, but declared", "* @a\n/teams/", ml("@a"), []string{"2:1 teams/ml.yaml"}, "owned by no owner from line 2"},
		{"no line, no owner", "/portal.yaml @a", ml(), nil, ""},
		{"no line", "", ml("@a"), []string{"0:0 teams/ml.yaml"}, "CODEOWNERS: no line matches"},
		{"comments and blanks", "# owners\n\n   # indented\n\t\n/teams/ml.yaml @a", ml("@a"), nil, ""},
		{"inline comment", "/teams/ml.yaml @a # @b is away", ml("@a"), nil, ""},
		{"inline comment without owners", "* @b\n/teams/ml.yaml #@b", ml(), nil, ""},
		{"tabs", "/teams/ml.yaml\t@a\t\t@b", ml("@a", "@b"), nil, ""},
		{"escaped space", `/my\ team/ml\ .yaml @a`, []Entry{{Path: "my team/ml .yaml", Owners: []string{"@a"}}}, nil, ""},
		{"CRLF", "# owners\r\n/teams/ml.yaml @a\r\n/portal.yaml @b\r\n", append(ml("@a"), Entry{Path: "portal.yaml", Owners: []string{"@b"}}), nil, ""},
		{"BOM", "\uFEFF/teams/ml.yaml @a", ml("@a"), nil, ""},
		{"BOM before a comment", "\uFEFF# owners\n/teams/ml.yaml @a", ml("@a"), nil, ""},
		{"negation skipped", "* @a\n!/teams/ml.yaml @b", ml("@a"), []string{"2:1 "}, "negating"},
		{"range skipped", "* @a\n/teams/[m]l.yaml @b", ml("@a"), []string{"2:8 "}, "character ranges"},
		{"escaped range skipped", `* @a` + "\n" + `/teams/\[m\]l.yaml @b`, ml("@a"), []string{"2:9 "}, "character ranges"},
		{"escaped hash skipped", "* @a\n\\#ml.yaml @b", ml("@a"), []string{"2:1 "}, "escaping a leading #"},
		{"hash in a pattern", "* @a\n/teams/m#l.yaml @b", ml("@a"), []string{"2:9 "}, "may start a comment"},
		{"an invalid owner skips its line", "* @a\n/teams/ml.yaml @b nobody", ml("@a"), []string{"2:19 "}, `owner "nobody"`},
		{"an owner with a hash", "* @a\n/teams/ml.yaml @b#c", ml("@a"), []string{"2:16 "}, `holds '#'`},
		{"columns count characters", "* @a\n/é/ü.yaml  @ü", ml("@a"), []string{"2:12 "}, ""},
		{"invalid UTF-8", "* @a\n/teams/ml\xff.yaml @b", ml("@a"), []string{"2:10 "}, "not valid UTF-8"},
		{"trailing backslash", "* @a\n/teams/ml.yaml\\", ml("@a"), []string{"2:15 "}, "escapes nothing"},
		{"escaped slash", "* @a\n/teams\\/ml.yaml @b", ml("@a"), []string{"2:7 "}, "cannot be escaped"},
		{"root only", "* @a\n/ @b", ml("@a"), []string{"2:1 "}, "matches no file"},
		{"problems of lines, then of entries", "/teams/ml.yaml @b\n!x @a\n", ml("@a"), []string{"2:1 ", "1:1 teams/ml.yaml"}, ""},
		{"case-sensitive paths", "/Teams/ml.yaml @a", ml("@a"), []string{"0:0 teams/ml.yaml"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := Check("CODEOWNERS", []byte(tt.file), tt.entries)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(ps); !slices.Equal(got, append([]string{}, tt.want...)) {
				t.Fatalf("problems %q, want %q:\n%v", got, tt.want, ps)
			}
			if tt.message != "" && !strings.Contains(ps[0].String(), tt.message) {
				t.Errorf("%s\ndoes not say %q", ps[0], tt.message)
			}
			for _, p := range ps {
				if p.Hint == "" || p.Message == "" {
					t.Errorf("%+v: no message or no hint", p)
				}
				if p.Path != "" && p.Want == "" {
					t.Errorf("%+v: names a file but not the line to write", p)
				}
			}
		})
	}
}

func TestCheckTooBig(t *testing.T) {
	data := []byte(strings.Repeat("/teams/ml.yaml @a\n", MaxSize/18+1))
	ps, err := Check(".github/CODEOWNERS", data, []Entry{{Path: "teams/ml.yaml", Owners: []string{"@a"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || !strings.Contains(ps[0].String(), ".github/CODEOWNERS: the file has") {
		t.Fatalf("got %v, want one problem: GitHub ignores the file", ps)
	}
	ps, err = Check(".github/CODEOWNERS", data[:MaxSize-18], []Entry{{Path: "teams/ml.yaml", Owners: []string{"@a"}}})
	if err != nil || len(ps) != 0 {
		t.Fatalf("just under the limit: %v, %v", ps, err)
	}
}

func TestCheckRefusesEntries(t *testing.T) {
	_, err := Check("CODEOWNERS", []byte("* @a"), []Entry{{Path: "teams/m#l.yaml"}})
	if err == nil || !strings.Contains(err.Error(), "teams/m#l.yaml") {
		t.Fatalf("err = %v, want one naming the file", err)
	}
}
