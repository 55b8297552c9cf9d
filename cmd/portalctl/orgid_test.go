package main

import (
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
)

// TestOrganizationIdConflict: an organization given by the flag or the
// environment and another in the file is refused, naming both, before any
// request; the same one (in any case), or an empty QOVERY_ORGANIZATION_ID, is
// fine.
func TestOrganizationIdConflict(t *testing.T) {
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	file := filepath.Join("testdata", "portal.yaml") // organization: testOrg
	const other = "11111111-2222-3333-4444-555555555555"
	env := func(org string) map[string]string {
		e := maps.Clone(p.env)
		e["QOVERY_ORGANIZATION_ID"] = org
		return e
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		// want is what the refusal says; none: the command runs.
		want []string
		// agrees: only no conflict is expected (the emulator knows its
		// organization's id in lower case only).
		agrees bool
	}{
		{name: "plan, the environment against the file", env: env(other), args: []string{"plan", "-f", file},
			want: []string{"QOVERY_ORGANIZATION_ID=" + other + " and `organization: " + testOrg + "` in the file name different organizations"}},
		{name: "plan, the flag against the file", env: env(""), args: []string{"plan", "-f", file, "--organization", other},
			want: []string{"--organization " + other + " and `organization: " + testOrg + "` in the file name different organizations", "leave one out"}},
		{name: "apply, the environment against the file", env: env(other), args: []string{"apply", "-f", file, "--auto-approve"},
			want: []string{"QOVERY_ORGANIZATION_ID=" + other, "`organization: " + testOrg + "`"}},
		{name: "apply, the flag against the file", env: env(testOrg), args: []string{"apply", "-f", file, "--auto-approve", "--organization", other},
			want: []string{"--organization " + other, "`organization: " + testOrg + "`"}},
		{name: "the flag overrides the environment, and agrees with the file", env: env(other), args: []string{"plan", "-f", file, "--organization", testOrg}},
		{name: "the same organization in upper case", env: env(strings.ToUpper(testOrg)), args: []string{"plan", "-f", file}, agrees: true},
		{name: "an empty QOVERY_ORGANIZATION_ID is unset", env: env(""), args: []string{"plan", "-f", file}},
		{name: "export reads no file", env: env(testOrg), args: []string{"export"}},
		{name: "access --live reads no file when the organization is given", env: env(testOrg), args: []string{"access", "--live", "-f", file, "bob@company.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.emu.ResetStats()
			r := cli{env: tt.env}.run(t, tt.args...)
			if tt.agrees {
				if strings.Contains(r.stderr, "different organizations") {
					t.Fatalf("refused as a conflict:\n%s", r.stderr)
				}
				return
			}
			if len(tt.want) == 0 {
				if r.code != 0 {
					t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
				}
				return
			}
			r.refused(t, tt.want...)
			if n := p.emu.Stats().Total; n != 0 {
				t.Errorf("%d requests before the refusal", n)
			}
		})
	}
}

// TestPreviewOrganizationChange: a pull request that changes only the file's
// organization: is an alert in every format, never "No changes".
func TestPreviewOrganizationChange(t *testing.T) {
	base := readTestdata(t, "portal.yaml")
	const other = "11111111-2222-3333-4444-555555555555"
	head := strings.Replace(base, "organization: "+testOrg, "organization: "+other, 1)
	dir, baseSHA, headSHA := prCheckout(t, base, head)
	file := filepath.Join(dir, "portal.yaml")
	shas := map[string]string{baseSHA: "$BASE", headSHA: "$HEAD"}
	for _, format := range []string{"markdown", "text", "json"} {
		t.Run(format, func(t *testing.T) {
			r := cli{env: map[string]string{}}.run(t, "preview", "--base", "HEAD^1", "-f", file, "-o", format)
			if r.code != 0 {
				t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout, "No changes") || strings.Contains(r.stdout, `"no_changes": true`) {
				t.Errorf("the change reads as none:\n%s", r.stdout)
			}
			// scrub names the test organization $ORG, and any other id $UUID.
			testkit.Golden(t, "testdata/preview-organization."+format, scrubSHAs(scrub(r.stdout, dir), shas))
		})
	}

	noOrg := strings.Replace(base, "organization: "+testOrg+"\n", "", 1)
	tests := []struct {
		name, base, head string
		// want is the alert; none: no change at all.
		want string
	}{
		{"named by a file that named none", noOrg, base, "The file now names the organization `" + testOrg + "`: apply will act on it."},
		{"no longer named", base, noOrg, "The file no longer names the organization `" + testOrg + "`: apply will act on whichever organization `--organization` or `QOVERY_ORGANIZATION_ID` names."},
		{"the same in another case", base, strings.Replace(base, testOrg, strings.ToUpper(testOrg), 1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, _, _ := prCheckout(t, tt.base, tt.head)
			r := cli{env: map[string]string{}}.run(t, "preview", "--base", "HEAD^1", "-f", filepath.Join(dir, "portal.yaml"))
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			if tt.want == "" {
				if !strings.Contains(r.stdout, "No changes") || strings.Contains(r.stdout, "organization changes") {
					t.Errorf("want no change:\n%s", r.stdout)
				}
				return
			}
			if !strings.Contains(r.stdout, "> [!CAUTION]\n> **"+tt.want+"**") {
				t.Errorf("no alert %q:\n%s", tt.want, r.stdout)
			}
		})
	}
}
