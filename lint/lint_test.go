package lint_test

import (
	"strings"
	"testing"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/schema"
)

// The lints are tested through schema's loader, which runs them on the model it
// builds: the positions they report are the file's, as validate shows them.

func newLoader(t testing.TB) *schema.Loader {
	t.Helper()
	l, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestLookalikeNamesTheCharacters: an email or a domain written with characters
// that normalise to ASCII (a Kelvin sign, full-width letters) is read as plain
// ASCII, yet the warning names the characters as written, never an empty list.
func TestLookalikeNamesTheCharacters(t *testing.T) {
	const head = "version: 1\nmembers:\n  - email: alice@company.com\n    role: admin\n"
	for _, tc := range []struct {
		name string
		file string
		want string // the warning's message
		hint string
	}{
		{
			name: "Kelvin sign in a domain rule",
			file: head + "blueprints:\n  a:\n    domains: [\u212Aelvin.org]\n",
			want: `domain rule "` + "\u212A" + `elvin.org" contains non-ASCII characters (` + "\u212A" + ` U+212A KELVIN SIGN); it reads as kelvin.org`,
			hint: "write kelvin.org: portalctl reads it so, a reviewer or another tool may not",
		},
		{
			name: "Kelvin sign in a member's address",
			file: "version: 1\nmembers:\n  - email: \u212Aate@company.com\n    role: admin\n",
			want: `member email "` + "\u212A" + `ate@company.com" contains non-ASCII characters (` + "\u212A" + ` U+212A KELVIN SIGN); it reads as kate@company.com`,
		},
		{
			name: "full-width letters in a group's entry",
			file: head + "groups:\n  g: [alice@\uff43\uff4fmpany.com]\nblueprints:\n  a:\n    groups: [g]\n",
			want: `group email "alice@` + "\uff43\uff4f" + `mpany.com" contains non-ASCII characters (` + "\uff43" + ` U+FF43 FULLWIDTH LATIN SMALL LETTER C, ` + "\uff4f" + ` U+FF4F FULLWIDTH LATIN SMALL LETTER O); it reads as alice@company.com`,
		},
		{
			name: "full-width letters and a Cyrillic one: the written ones are all named",
			file: head + "blueprints:\n  a:\n    domains: [\uff43\u043empany.com]\n",
			want: `domain rule "c` + "\u043e" + `mpany.com" contains non-ASCII characters (` + "\uff43" + ` U+FF43 FULLWIDTH LATIN SMALL LETTER C, ` + "\u043e" + ` U+043E CYRILLIC SMALL LETTER O); it mixes Latin and Cyrillic letters, a classic look-alike`,
			hint: "retype it in plain ASCII if that was meant; a look-alike address grants access to someone else",
		},
		{
			name: "an organization member",
			file: head + "organization_members:\n  - email: owner@\u212Aelvin.org\n    role: Owner\n",
			want: `organization member email "owner@` + "\u212A" + `elvin.org" contains non-ASCII characters (` + "\u212A" + ` U+212A KELVIN SIGN); it reads as owner@kelvin.org`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ds := newLoader(t).Parse("portal.yaml", []byte(tc.file))
			var got []diag.Diagnostic
			for _, d := range ds {
				if d.Code == "non-ascii" {
					got = append(got, d)
				}
			}
			if len(got) != 1 {
				t.Fatalf("%d non-ascii warnings, want 1: %v", len(got), ds)
			}
			if got[0].Message != tc.want {
				t.Errorf("message\n%s\nwant\n%s", got[0].Message, tc.want)
			}
			if strings.Contains(got[0].Message, "()") {
				t.Errorf("an empty list of characters: %s", got[0].Message)
			}
			if tc.hint != "" && got[0].Hint != tc.hint {
				t.Errorf("hint %q, want %q", got[0].Hint, tc.hint)
			}
		})
	}
}
