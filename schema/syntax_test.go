package schema

import (
	"fmt"
	"strings"
	"testing"
)

// TestSyntaxPositions: a broken file is reported where the fix goes, line and
// column, with what to write instead.
func TestSyntaxPositions(t *testing.T) {
	tests := []struct {
		name string
		src  string
		at   string // line:column
		code string
		msg  string // part of the message
	}{
		{"list item indented less than its siblings", "version: 1\nmembers:\n  - email: a@b.co\n    role: admin\n - email: c@d.co\n", "5:2", "yaml-syntax", "did not find expected key"},
		{"tab in indentation", "version: 1\nmembers:\n  - email: a@b.co\n    role: admin\n\t- email: c@d.co\n", "5:1", "yaml-syntax", "tab character"},
		{"tab before a key", "version: 1\nmembers:\n  - email: alice@company.com\n\trole: admin\n", "4:1", "yaml-syntax", "tab character"},
		{"unclosed [ with more lines after it", "version: 1\nblueprints:\n  x:\n    domains: [a.com, b.com\n  y:\n    access: open\n", "4:14", "yaml-syntax", "this `[` is never closed with `]`"},
		{"unclosed [ at the end", "version: 1\nblueprints:\n  x:\n    domains: [a.com, b.com\n", "4:14", "yaml-syntax", "never closed"},
		{"unclosed {", "version: 1\nmembers:\n  - {email: a@b.co, role: admin\n  - email: c@d.co\n", "3:5", "yaml-syntax", "this `{` is never closed with `}`"},
		{"undefined alias", "version: 1\nmembers:\n  - email: a@b.co\nblueprints:\n  x: *nope\n", "5:6", "yaml-syntax", "unknown anchor 'nope'"},
		{"anchor without a name", "version: 1\nmembers: &\n  - email: a@b.co\n", "2:10", "yaml-syntax", "alphabetic or numeric"},
		{"second document", "version: 1\n---\nversion: 1\n", "2:1", "multiple-documents", "more than one YAML document"},
		{"unclosed quote", "version: 1\nmembers:\n  - email: \"a@b.co\n    role: admin\n", "3:12", "yaml-syntax", "quoted string is never closed"},
		{"NUL byte", "version: 1\nmembers:\n  - email: a\x00@company.com\n", "3:13", "yaml-syntax", "control characters"},
		{"invalid UTF-8", "version: 1\nmembers:\n  - email: é\xff@company.com\n", "3:13", "yaml-syntax", "UTF-8"},
		{"': ' inside a plain value", "version: 1\nmembers:\n  - email: a: b\n", "3:13", "yaml-syntax", "mapping values are not allowed"},
		{"key indented less than its siblings", "version: 1\nblueprints:\n  x:\n    domains: [a.com]\n   emails: [b@c.de]\n", "5:4", "yaml-syntax", "did not find expected key"},
		{"entry of a list written as a key", "version: 1\nmembers:\n  - email: a@b.co\n  role: admin\n", "4:3", "yaml-syntax", "'-' indicator"},
		{"nesting deeper than allowed", "version: 1\nx: " + strings.Repeat("[", 70) + strings.Repeat("]", 70) + "\n", "2:68", "too-complex", "nested deeper than 64 levels"},
		{"only comments", "# nothing yet\n", "1:1", "empty-file", "no YAML document"},
	}
	l := newLoader(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, ds := l.Parse("broken.yaml", []byte(tt.src))
			if cfg != nil {
				t.Errorf("a broken file gave a model")
			}
			if len(ds) != 1 {
				t.Fatalf("want one diagnostic, got %d: %+v", len(ds), ds)
			}
			d := ds[0]
			if got := fmt.Sprintf("%d:%d", d.Pos.Line, d.Pos.Col); got != tt.at || d.Code != tt.code || !strings.Contains(d.Message, tt.msg) {
				t.Errorf("got %s %s %q, want %s %s containing %q", got, d.Code, d.Message, tt.at, tt.code, tt.msg)
			}
			if d.Hint == "" {
				t.Errorf("no hint of what to write instead: %+v", d)
			}
		})
	}
}
