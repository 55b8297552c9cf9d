package codeowners

import (
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
)

func TestValidOwner(t *testing.T) {
	tests := []struct {
		owner, err string
	}{
		{"@octocat", ""},
		{"@Octo-Cat", ""},
		{"@alice_acme", ""}, // an enterprise managed user
		{"@acme/ml-platform", ""},
		{"@Acme/ML_platform", ""},
		{"alice@example.com", ""},
		{"o'neil+tag@eu.example.co", ""},
		{"first.last@xn--mnchen-3ya.de", ""},
		{"", "an empty owner"},
		{"octocat", "neither a user, a team nor an email address"},
		{"@", "login is empty"},
		{"@-octocat", "must start with a letter or digit"},
		{"@octo.cat", `holds '.'`},
		{"@" + strings.Repeat("a", 40), "longer than GitHub's 39"},
		{"@acme/", "slug is empty"},
		{"@/team", "organization is empty"},
		{"@acme/ml/x", `holds '/'`},
		{"@acme/ml platform", `holds ' '`},
		{"@@acme", "must start with a letter or digit"},
		{"@a#b", `holds '#'`},
		{"@alice@example.com", `holds '@'`},
		{"alice@", "has no dot"},
		{"@example.com", "login"},
		{"alice@example", "has no dot"},
		{"alice@@example.com", "two @"},
		{".alice@example.com", "starts or ends with a dot"},
		{"al..ice@example.com", "two in a row"},
		{"al ice@example.com", `holds ' '`},
		{"alice@bücher.de", "xn--"},
		{"alice@-x.com", "hyphen"},
		{"alice@example.123", "ends in a number"},
	}
	for _, tt := range tests {
		t.Run(tt.owner, func(t *testing.T) {
			err := ValidOwner(tt.owner)
			if testkit.WantErr(t, err, tt.err) && !strings.Contains(err.Error(), "write") && !strings.Contains(err.Error(), "ASCII") {
				t.Errorf("%v: says nothing of what to write instead", err)
			}
		})
	}
}
