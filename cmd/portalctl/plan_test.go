package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/qovery"
)

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestPlanGolden(t *testing.T) {
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	file := filepath.Join("testdata", "portal.yaml")
	for _, format := range []string{"text", "markdown", "json"} {
		t.Run(format, func(t *testing.T) {
			r := cli{env: p.env}.run(t, "plan", "-f", file, "-o", format)
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			testkit.Golden(t, "testdata/plan."+format, scrub(r.stdout))
		})
	}
}

func TestPlanApplyConverges(t *testing.T) {
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	file := filepath.Join("testdata", "portal.yaml")
	c := cli{env: p.env}

	r := c.run(t, "plan", "-f", file, "--detailed-exitcode")
	if r.code != 2 {
		t.Fatalf("plan with changes and --detailed-exitcode: exit %d, want 2\n%s", r.code, r.stderr)
	}
	planFile := filepath.Join(p.dir, "portal.plan")
	if r := c.run(t, "plan", "-f", file, "--out", planFile); r.code != 0 {
		t.Fatalf("plan --out: exit %d\n%s", r.code, r.stderr)
	}
	p.emu.ResetStats()
	r = c.run(t, "apply", "--plan", planFile, "--auto-approve")
	if r.code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	testkit.Golden(t, "testdata/apply.text", scrub(r.stdout))
	// Reading the live state again costs 1 + 1 + 5 requests; then one per change.
	const reads, changes = 1 + 1 + 5, 10
	if got := p.emu.Stats().Total; got != reads+changes {
		t.Errorf("apply made %d requests, want %d (reads) + %d (one per change)", got, reads, changes)
	}
	r = c.run(t, "plan", "-f", file, "--detailed-exitcode")
	if r.code != 0 || !strings.Contains(r.stdout, "No changes") {
		t.Fatalf("plan after apply: exit %d, want 0 and no changes\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = c.run(t, "apply", "-f", file)
	if r.code != 0 || !strings.Contains(r.stdout, "Nothing to do") {
		t.Fatalf("apply with nothing to do: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The portal now holds exactly the file's members, pending ones included.
	got := map[string]qovery.Role{}
	for _, m := range p.emu.Members() {
		got[m.Email] = m.Role
	}
	want := map[string]qovery.Role{
		"alice@company.com": qovery.RoleAdmin, "bob@company.com": qovery.RoleUser, "carol@company.com": qovery.RoleUser,
		"dave@company.com": qovery.RoleAdmin, "grace@company.com": qovery.RoleUser, "heidi@company.com": qovery.RoleUser,
		"ivan@company.com": qovery.RoleUser, "judy@company.com": qovery.RoleUser, "erin@partner.org": qovery.RoleUser,
		"freelancer@gmail.com": qovery.RoleUser,
	}
	if len(got) != len(want) {
		t.Fatalf("members after apply: %v, want %v", got, want)
	}
	for e, role := range want {
		if got[e] != role {
			t.Errorf("member %s: role %q, want %q", e, got[e], role)
		}
	}
}

func TestApplyRails(t *testing.T) {
	seed := readTestdata(t, "seed.yaml")
	tests := []struct {
		name     string
		file     string
		args     []string
		cli      cli
		wantCode int
		wantOut  []string // in stderr
	}{
		{
			name:     "not a terminal, no auto-approve",
			file:     readTestdata(t, "portal.yaml"),
			wantCode: 1,
			wantOut:  []string{"not on a terminal", "--auto-approve"},
		},
		{
			name:     "confirmation declined",
			file:     readTestdata(t, "portal.yaml"),
			cli:      cli{answer: "no"},
			wantCode: 1,
			wantOut:  []string{"cancelled", "nothing was changed"},
		},
		{
			name: "too many removals",
			file: "version: 1\nmembers:\n  - email: alice@company.com\n    role: admin\n" +
				"  - email: bob@company.com\n  - email: carol@company.com\n  - email: dave@company.com\n" +
				"blueprints:\n  python-starter:\n    domains: [company.com]\n",
			args:     []string{"--auto-approve", "--max-removal-percent", "100"},
			wantCode: 1,
			wantOut:  []string{"removes 6 members", "--max-removals=5", "--max-removals=6"},
		},
		{
			name: "too large a share of the members",
			file: strings.Replace(readTestdata(t, "portal.yaml"), "  - email: judy@company.com\n", "", 1) +
				"",
			args:     []string{"--auto-approve", "--max-removal-percent", "10"},
			wantCode: 1,
			wantOut:  []string{"3 of 10 members (30%)", "--max-removal-percent=10", "--max-removal-percent=30"},
		},
		{
			name:     "no admin left",
			file:     strings.ReplaceAll(readTestdata(t, "portal.yaml"), "    role: admin\n", ""),
			args:     []string{"--auto-approve"},
			wantCode: 1,
			wantOut:  []string{"no admin"},
		},
		{
			name:     "unknown blueprint names the closest",
			file:     strings.Replace(readTestdata(t, "portal.yaml"), "  gpu-training:", "  gpu-trainig:", 1),
			args:     []string{"--auto-approve"},
			wantCode: 1,
			wantOut:  []string{`blueprint "gpu-trainig" is not in the portal`, `"gpu-training"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startPortal(t, seed)
			file := p.write(t, "portal.yaml", tt.file)
			before := len(p.emu.Members())
			c := tt.cli
			c.env = p.env
			r := c.run(t, append([]string{"apply", "-f", file}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(r.stderr+r.stdout, w) {
					t.Errorf("output lacks %q:\n%s\n%s", w, r.stdout, r.stderr)
				}
			}
			if got := len(p.emu.Members()); got != before {
				t.Errorf("a refused apply changed the portal: %d members, was %d", got, before)
			}
		})
	}
}

func TestApplyConfirmed(t *testing.T) {
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	r := cli{env: p.env, answer: "yes"}.run(t, "apply", "-f", filepath.Join("testdata", "portal.yaml"))
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "Only 'yes' is accepted") || !strings.Contains(r.stdout, "10 done, 0 failed") {
		t.Errorf("confirmation or summary missing:\n%s", r.stdout)
	}
}

func TestApplyStalePlan(t *testing.T) {
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	c := cli{env: p.env}
	planFile := filepath.Join(p.dir, "portal.plan")
	if r := c.run(t, "plan", "-f", filepath.Join("testdata", "portal.yaml"), "--out", planFile); r.code != 0 {
		t.Fatalf("plan: exit %d\n%s", r.code, r.stderr)
	}
	// Someone edits an ACL in the portal after the plan was saved.
	p.emu.SetACL("gpu-training", []qovery.Rule{{Type: qovery.RuleDomain, Value: "company.com"}})
	before, _ := p.emu.ACL("gpu-training")
	r := c.run(t, "apply", "--plan", planFile, "--auto-approve")
	if r.code != 1 || !strings.Contains(r.stderr, "stale") || !strings.Contains(r.stderr, "-f") {
		t.Fatalf("stale plan: exit %d, want 1 with a message naming -f\n%s", r.code, r.stderr)
	}
	after, _ := p.emu.ACL("gpu-training")
	if after.ETag != before.ETag || len(p.emu.Members()) != 10 {
		t.Error("a stale plan changed the portal")
	}
	if r := c.run(t, "apply", "--plan", planFile, "-f", "portal.yaml", "--auto-approve"); r.code != 1 || !strings.Contains(r.stderr, "exclude each other") {
		t.Errorf("--plan with -f: exit %d\n%s", r.code, r.stderr)
	}
}

func TestExportRoundTrip(t *testing.T) {
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	c := cli{env: p.env}
	r := c.run(t, "export")
	if r.code != 0 {
		t.Fatalf("export: exit %d\n%s", r.code, r.stderr)
	}
	testkit.Golden(t, "testdata/export.yaml", scrub(r.stdout))
	file := p.write(t, "exported.yaml", r.stdout)
	if r := c.run(t, "validate", "-f", file); r.code != 0 {
		t.Fatalf("exported file is not valid:\n%s", r.stdout)
	}
	if r := c.run(t, "plan", "-f", file, "--detailed-exitcode"); r.code != 0 {
		t.Fatalf("plan of the exported file shows changes (exit %d):\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestPlanWarnsOfRefusalAndLints: plan says on stderr when apply would refuse the
// plan, and summarises lint warnings in one line instead of listing them.
func TestPlanWarnsOfRefusalAndLints(t *testing.T) {
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	file := p.write(t, "portal.yaml", "version: 1\nmembers:\n  - email: alice@company.com\n    role: admin\n"+
		"blueprints:\n  python-starter:\n    domains: [gmail.com]\n")
	r := cli{env: p.env}.run(t, "plan", "-f", file)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"apply would stop here", "--max-removals", "1 lint warning;", "portalctl validate -f"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "gmail.com opens") {
		t.Errorf("plan listed the lint instead of summarising it:\n%s", r.stderr)
	}
}
