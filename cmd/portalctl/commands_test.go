package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateExitCodesAndFormats(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	valid := write("valid.yaml", readTestdata(t, "portal.yaml"))
	lint := write("lint.yaml", "version: 1\nmembers:\n  - email: a@company.com\n    role: admin\nblueprints:\n  x:\n    domains: [gmail.com]\n")
	invalid := write("invalid.yaml", "version: 1\nmembers:\n  - email: a@company.com\n    role: owner\nblueprints:\n  x: {}\n")
	// A policy written as a float used to switch itself off: two open
	// blueprints passed `max_open_blueprints: 0.0`.
	float := write("float.yaml", "version: 1e0\npolicy:\n  max_open_blueprints: 0.0\nmembers:\n  - email: a@company.com\n    role: admin\nblueprints:\n  x:\n    access: open\n  y:\n    access: open\n")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{"valid", []string{"-f", valid}, 0, []string{"is valid"}},
		{"lint is a warning", []string{"-f", lint}, 0, []string{"warning:", "gmail.com", "is valid, with 1 warning"}},
		{"strict makes it an error", []string{"-f", lint, "--strict"}, 1, []string{"error:", "is invalid"}},
		{"invalid", []string{"-f", invalid}, 1, []string{"invalid.yaml:4:11: error:", "write `role: admin` or `role: user`", "invalid.yaml:6:3: error:"}},
		{"github annotations", []string{"-f", invalid, "-o", "github"}, 1, []string{"::error file=" + invalid + ",line=4,col=11,"}},
		{"json", []string{"-f", invalid, "-o", "json"}, 1, []string{`"valid": false`, `"line": 4`, `"column": 11`}},
		{"a float where an integer goes", []string{"-f", float}, 1, []string{
			"float.yaml:1:10: error: version must be a whole number, found a number 1e0", "hint: write 1, a whole number without an exponent",
			"float.yaml:3:24: error: policy max_open_blueprints must be a whole number, found a number 0.0", "hint: write 0, a whole number without a decimal point",
			"is invalid: 2 errors"}},
		{"missing file", []string{"-f", filepath.Join(dir, "nope.yaml")}, 1, []string{"nope.yaml"}},
		{"bad format", []string{"-f", valid, "-o", "xml"}, 1, []string{"unknown output format"}},
		{"stdin", []string{"-f", "-"}, 0, []string{"is valid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cli{env: map[string]string{}}
			if tt.name == "stdin" {
				c.stdin = readTestdata(t, "portal.yaml")
			}
			r := c.run(t, append([]string{"validate"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s%s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout+r.stderr, w) {
					t.Errorf("output lacks %q:\n%s%s", w, r.stdout, r.stderr)
				}
			}
		})
	}
}

func TestHelpShowsAnExample(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			r := cli{env: map[string]string{}}.run(t, c.name, "--help")
			if r.code != 0 || !strings.Contains(r.stdout, "Example:") || !strings.Contains(r.stdout, "portalctl "+c.name) {
				t.Errorf("--help: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
		})
	}
	if r := (cli{env: map[string]string{}}).run(t, "frobnicate"); r.code != 1 || !strings.Contains(r.stderr, "unknown command") {
		t.Errorf("unknown command: exit %d\n%s", r.code, r.stderr)
	}
}

// TestTokenNeverPrinted runs every command with a recognisable token, against a
// portal that accepts it and one that rejects it, with debug logging on, and with a
// plan key set, and checks that neither the token nor the key is in any output or
// file.
func TestTokenNeverPrinted(t *testing.T) {
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	file := filepath.Join("testdata", "portal.yaml")
	planFile := filepath.Join(p.dir, "portal.plan")
	wrong := map[string]string{}
	for k, v := range p.env {
		wrong[k] = v
	}
	wrong["QOVERY_API_TOKEN"] = testToken + "-wrong"
	runs := [][]string{
		{"validate", "-f", file},
		{"plan", "-f", file, "--debug", "--out", planFile},
		{"plan", "-f", file, "-o", "json", "--debug"},
		{"access", "--live", "bob@company.com", "-f", file, "--debug"},
		{"export", "--debug"},
		{"apply", "--plan", planFile, "--auto-approve", "--debug"},
	}
	keyed := map[string]string{"PORTALCTL_PLAN_KEY": testPlanKey}
	for k, v := range p.env {
		keyed[k] = v
	}
	for _, env := range []map[string]string{wrong, keyed, p.env} {
		for _, args := range runs {
			r := cli{env: env}.run(t, args...)
			if strings.Contains(r.stdout+r.stderr, testToken) {
				t.Errorf("%v printed the token:\n%s%s", args, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, testPlanKey) {
				t.Errorf("%v printed the plan key:\n%s%s", args, r.stdout, r.stderr)
			}
			if env["QOVERY_API_TOKEN"] != testToken && args[0] != "validate" && r.code == 0 {
				t.Errorf("%v succeeded with a wrong token", args)
			}
			if env["QOVERY_API_TOKEN"] != testToken && args[0] == "plan" && !strings.Contains(r.stderr, "401") {
				t.Errorf("%v: the 401 is not reported:\n%s", args, r.stderr)
			}
		}
	}
	data, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), testToken) || strings.Contains(string(data), testPlanKey) {
		t.Error("the plan file holds the token or the plan key")
	}
}

func TestTransportRules(t *testing.T) {
	env := map[string]string{"QOVERY_API_TOKEN": testToken, "QOVERY_ORGANIZATION_ID": testOrg}
	file := filepath.Join("testdata", "portal.yaml")
	r := cli{env: env}.run(t, "plan", "-f", file, "--api-url", "http://portal.example.com")
	if r.code != 1 || !strings.Contains(r.stderr, "http") || strings.Contains(r.stderr, testToken) {
		t.Errorf("plain HTTP off loopback: exit %d\n%s", r.code, r.stderr)
	}
	r = cli{env: map[string]string{"QOVERY_ORGANIZATION_ID": testOrg}}.run(t, "plan", "-f", file)
	if r.code != 1 || !strings.Contains(r.stderr, "QOVERY_API_TOKEN is not set") {
		t.Errorf("no token: exit %d\n%s", r.code, r.stderr)
	}
}

func TestAccess(t *testing.T) {
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	file := filepath.Join("testdata", "portal.yaml")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{"member", []string{"erin@partner.org"}, 0, []string{"sees 3 blueprints", "data-science  via group contractors", "partner-sandbox  via domain partner.org", "python-starter  via open access"}},
		{"case-insensitive", []string{"Erin@Partner.ORG"}, 0, []string{"erin@partner.org"}},
		{"not a member", []string{"zoe@company.com"}, 0, []string{"not a member", "data-science  via domain company.com"}},
		{"blueprint", []string{"--blueprint", "partner-sandbox"}, 0, []string{"seen by 2 members", "bob@company.com  via email bob@company.com", "erin@partner.org  via domain partner.org"}},
		{"unknown blueprint", []string{"--blueprint", "partner-sandbx"}, 1, []string{"did you mean", "partner-sandbox"}},
		{"live", []string{"--live", "--blueprint", "gpu-training"}, 0, []string{"the live portal", "mallory@company.com"}},
		{"json", []string{"-o", "json", "bob@company.com"}, 0, []string{`"email": "bob@company.com"`, `"member": true`}},
		{"bad email", []string{"bob"}, 1, []string{"not an email"}},
		{"nothing asked", nil, 1, []string{"give one EMAIL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli{env: p.env}.run(t, append([]string{"access", "-f", file}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s%s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout+r.stderr, w) {
					t.Errorf("output lacks %q:\n%s%s", w, r.stdout, r.stderr)
				}
			}
		})
	}
}
