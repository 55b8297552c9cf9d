package schema

import (
	"fmt"
	"strings"
	"testing"
)

// TestHiddenControls: a bidirectional or invisible control character in any key
// or value is an error at the character itself, naming it
// (docs/file-format.md#hidden-characters), and the value is not checked further (no second error about the
// same text).
func TestHiddenControls(t *testing.T) {
	head := "version: 1\nmembers:\n  - email: admin@company.com\n    role: admin\n"
	cases := []struct {
		name, src, at, char string
	}{
		{"right-to-left override in an email", head + "  - email: ali\u202Ece@company.com\n", "5:15", "U+202E RIGHT-TO-LEFT OVERRIDE"},
		{"in a quoted email", head + "  - email: \"bob\u200B@company.com\"\n", "5:16", "U+200B ZERO WIDTH SPACE"},
		{"written as an escape", head + "  - email: \"bob\\u200e@company.com\"\n", "5:12", "U+200E LEFT-TO-RIGHT MARK"},
		{"in a blueprint name", head + "blueprints:\n  data\u2067science:\n    access: open\n", "6:7", "U+2067 RIGHT-TO-LEFT ISOLATE"},
		{"in a domain rule", head + "blueprints:\n  ds:\n    domains: [company.com, evil\u202Bcorp.com]\n", "7:32", "U+202B RIGHT-TO-LEFT EMBEDDING"},
		{"in a group name", head + "groups:\n  te\uFEFFam: [admin@company.com]\n", "6:5", "U+FEFF ZERO WIDTH NO-BREAK SPACE"},
		{"in a group entry", head + "groups:\n  team: [admin@company.com, x\u200D@company.com]\n", "6:30", "U+200D ZERO WIDTH JOINER"},
		{"in an unknown key", head + "blueprints:\n  ds:\n    access: open\n    note\u2069: x\n", "8:9", "U+2069 POP DIRECTIONAL ISOLATE"},
		{"in an organization member's email", head + "organization_members:\n  - email: own\u202Eer@company.com\n    role: Owner\n", "6:15", "U+202E RIGHT-TO-LEFT OVERRIDE"},
		{"in an organization role", head + "organization_members:\n  - email: owner@company.com\n    role: Own\u200Ber\n", "7:14", "U+200B ZERO WIDTH SPACE"},
		{"after non-ASCII letters", head + "  - email: jürgen\u202A@company.com\n", "5:18", "U+202A LEFT-TO-RIGHT EMBEDDING"},
		{"on a later line of a multi-line value", head + "blueprints:\n  ds:\n    access: open\nx-note: \"first line\n  second \u202D line\"\n", "9:10", "U+202D LEFT-TO-RIGHT OVERRIDE"},
	}
	l := newLoader(t)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := l.Parse("hidden.yaml", []byte(tt.src))
			var found int
			for _, d := range ds {
				if d.Code != "hidden-control" {
					if d.Severity == "error" && d.Code != "unknown-key" {
						t.Errorf("another error besides the hidden control: %+v", d)
					}
					continue
				}
				found++
				if got := fmt.Sprintf("%d:%d", d.Pos.Line, d.Pos.Col); got != tt.at {
					t.Errorf("at %s, want %s", got, tt.at)
				}
				if !strings.Contains(d.Message, tt.char) || d.Severity != "error" || d.Hint == "" {
					t.Errorf("want an error naming %s, with a hint: %+v", tt.char, d)
				}
				if strings.ContainsAny(d.Message, "\u200B\u200C\u200D\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\uFEFF") {
					t.Errorf("the message carries the control character raw: %q", d.Message)
				}
			}
			if found != 1 {
				t.Errorf("want one hidden-control error, got %d: %+v", found, ds)
			}
		})
	}
}
