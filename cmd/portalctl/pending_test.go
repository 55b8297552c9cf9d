package main

import (
	"os"
	"strings"
	"testing"
)

// The invitations pending longer than max_pending_days, judged on the API's
// created_at (the seed's invited: days, on cliNow, 2026-11-23): plan and apply
// note them, expire --live lists their entries (exit 2), expire --live --write
// deletes them from the file, keeping the rest, and the next plan notes none.
func TestPendingInvitations(t *testing.T) {
	const seed = `members:
  - email: alice@company.com
    role: admin
  - email: old@company.com
    status: pending
    invited: 2026-09-01
  - email: fresh@company.com
    status: pending
    invited: 2026-11-01
organization_members:
  - email: owner@company.com
    role: Owner
  - email: stale@company.com
    role: Viewer
    status: pending
    invited: 2026-10-01
blueprints:
  data-science:
    domains: [company.com]
`
	const file = `version: 1
organization: 0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10
policy:
  max_pending_days: 30
members:
  - email: alice@company.com
    role: admin
  # invited long ago
  - email: old@company.com
  - email: fresh@company.com
organization_members:
  - email: owner@company.com
    role: Owner
  - email: stale@company.com
    role: Viewer
blueprints:
  data-science:
    domains: [company.com]
`
	p := startPortal(t, seed)
	path := p.write(t, "portal.yaml", file)
	r := cli{env: p.env}.run(t, "plan", "-f", path)
	for _, want := range []string{
		"note: 2 invitations pending for more than 30 days (policy max_pending_days):",
		"portal invitation of old@company.com, sent on 2026-09-01, 83 days ago",
		"organization invitation of stale@company.com, sent on 2026-10-01, 53 days ago",
	} {
		if r.code != 0 || !strings.Contains(r.stderr, want) {
			t.Fatalf("plan: exit %d, stderr lacks %q\n%s", r.code, want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "fresh@company.com") {
		t.Errorf("plan notes an invitation of 22 days:\n%s", r.stderr)
	}
	if r := (cli{env: p.env}).run(t, "apply", "-f", path, "--auto-approve"); r.code != 0 || !strings.Contains(r.stderr, "old@company.com, sent on 2026-09-01") {
		t.Fatalf("apply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = cli{env: p.env}.run(t, "expire", "-f", path, "--live")
	if r.code != 2 || !strings.Contains(r.stdout, path+":9:12: member old@company.com invited on 2026-09-01, 83 days ago, still pending (lines 8-9)") ||
		!strings.Contains(r.stdout, path+":14:12: organization member stale@company.com invited on 2026-10-01") {
		t.Fatalf("expire --live: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := (cli{env: p.env}).run(t, "expire", "-f", path); r.code != 0 {
		t.Fatalf("expire without --live lists what has not expired: exit %d\n%s", r.code, r.stdout)
	}
	p.emu.ResetStats()
	r = cli{env: p.env}.run(t, "expire", "-f", path, "--live", "--write")
	if r.code != 2 || writes(p) != 0 {
		t.Fatalf("expire --live --write: exit %d, %d writes to the portal\n%s%s", r.code, writes(p), r.stdout, r.stderr)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(strings.Replace(file, "  # invited long ago\n  - email: old@company.com\n", "", 1), "  - email: stale@company.com\n    role: Viewer\n", "", 1)
	if string(got) != want {
		t.Fatalf("the file after expire --live --write:\n%s\nwant:\n%s", got, want)
	}
	if r := (cli{env: p.env}).run(t, "apply", "-f", path, "--auto-approve", "--max-removal-percent", "100"); r.code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := (cli{env: p.env}).run(t, "plan", "-f", path); r.code != 0 || strings.Contains(r.stderr, "note:") {
		t.Fatalf("the next plan: exit %d\n%s", r.code, r.stderr)
	}
}
