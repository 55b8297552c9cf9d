package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/prcomment"
	"github.com/qovery/portalctl/report"
)

// The expiry tests run on cliNow, 2026-11-23: in testdata/expiry-portal.yaml, bob
// expires that day, pend and old have expired, carol expires in 8 days, erin is
// invited until 2027-01-31; in the organization, bob and inv's invitation have
// expired.

func TestExpiryPlanGolden(t *testing.T) {
	p := startPortal(t, readTestdata(t, "expiry-seed.yaml"))
	file := filepath.Join("testdata", "expiry-portal.yaml")
	for _, format := range []string{"text", "markdown", "json"} {
		t.Run(format, func(t *testing.T) {
			r := cli{env: p.env}.run(t, "plan", "-f", file, "-o", format)
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			testkit.Golden(t, "testdata/expiry-plan."+format, scrub(r.stdout))
			for _, want := range map[string][]string{
				"text":     {"  - bob@company.com (user), loses access to 2 blueprints: expired on 2026-11-23\n", "  - pend@company.com (user), loses access to 1 blueprint: expired on 2026-11-01\n", "  + erin@company.com as user (expires 2027-01-31), will see 1 blueprint\n", "  - bob@company.com (Viewer): expired on 2026-11-20\n", "  - inv@company.com: the invitation cancelled (Viewer): expired on 2026-11-22\n"},
				"markdown": {"- `bob@company.com` (user), loses access to 2 blueprints: expired on 2026-11-23\n", "- `erin@company.com` as user (expires 2027-01-31), will see 1 blueprint\n"},
				"json":     {`"expired_on": "2026-11-23"`, `"expires": "2027-01-31"`},
			}[format] {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("%s plan lacks %q", format, want)
				}
			}
			if strings.Contains(r.stdout, "old@company.com") && format != "json" {
				t.Errorf("old, who expired before being invited, is in the %s plan", format)
			}
		})
	}
}

// TestExpiryApply: the rails count the removals for expiry; once allowed, apply
// shows the reason on each line, and the next plan has nothing to do.
func TestExpiryApply(t *testing.T) {
	p := startPortal(t, readTestdata(t, "expiry-seed.yaml"))
	file := filepath.Join("testdata", "expiry-portal.yaml")
	c := cli{env: p.env}
	r := c.run(t, "apply", "-f", file, "--auto-approve")
	if r.code != 1 || !strings.Contains(r.stderr, "removes 2 of 4 members (50%)") {
		t.Fatalf("the rails did not count the expired members: exit %d\n%s", r.code, r.stderr)
	}
	r = c.run(t, "apply", "-f", file, "--auto-approve", "--max-removals", "3", "--max-removal-percent", "100")
	if r.code != 1 || !strings.Contains(r.stderr, "removes 4 (2 members of the portal, 2 members or invitations of the organization), more than `--max-removals=3`") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	r = c.run(t, "apply", "-f", file, "--auto-approve", "--max-removal-percent", "100")
	if r.code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"] remove bob@company.com (user): expired on 2026-11-23\n",
		"] remove pend@company.com (user): expired on 2026-11-01\n",
		"] remove bob@company.com from the organization (Viewer): expired on 2026-11-20\n",
		"] cancel the organization invitation of inv@company.com (Viewer): expired on 2026-11-22\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("apply's progress lacks %q:\n%s", want, r.stdout)
		}
	}
	var emails []string
	for _, m := range p.emu.Members() {
		emails = append(emails, m.Email)
	}
	if strings.Join(emails, " ") != "alice@company.com carol@company.com erin@company.com" {
		t.Errorf("portal members after apply: %v", emails)
	}
	if r := c.run(t, "plan", "-f", file, "--detailed-exitcode"); r.code != 0 {
		t.Errorf("plan after apply: exit %d\n%s", r.code, r.stdout)
	}
	// Eight days later carol's access ends too.
	later := cli{env: p.env, now: cliNow.AddDate(0, 0, 8)}
	if r := later.run(t, "plan", "-f", file); !strings.Contains(r.stdout, "  - carol@company.com (user), loses access to 1 blueprint: expired on 2026-12-01\n") {
		t.Errorf("eight days later:\n%s", r.stdout)
	}
}

// TestExpiryLastAdmin: an expiring admin is a removal like any other: apply
// refuses to leave the portal without an admin.
func TestExpiryLastAdmin(t *testing.T) {
	p := startPortal(t, readTestdata(t, "expiry-seed.yaml"))
	file := p.write(t, "portal.yaml", strings.Replace(readTestdata(t, "expiry-portal.yaml"), "    role: admin\n", "    role: admin\n    expires: 2026-11-23\n", 1))
	r := cli{env: p.env}.run(t, "apply", "-f", file, "--auto-approve", "--max-removals", "10", "--max-removal-percent", "100")
	if r.code != 1 || !strings.Contains(r.stderr, "no admin") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

// TestExpirySavedPlan: a plan saved on one day and applied on a day someone's
// access has ended since is refused, naming who and when; on its own day it is
// applied.
func TestExpirySavedPlan(t *testing.T) {
	p := startPortal(t, readTestdata(t, "expiry-seed.yaml"))
	file := filepath.Join("testdata", "expiry-portal.yaml")
	planFile := filepath.Join(p.dir, "portal.plan")
	c := cli{env: p.env}
	if r := c.run(t, "plan", "-f", file, "--out", planFile); r.code != 0 {
		t.Fatalf("plan: exit %d\n%s", r.code, r.stderr)
	}
	later := cli{env: p.env, now: time.Date(2026, 12, 1, 0, 0, 1, 0, time.UTC)}
	r := later.run(t, "apply", "--plan", planFile, "--auto-approve", "--max-removal-percent", "100")
	if r.code != 1 || !strings.Contains(r.stderr, "carol@company.com's access expired on 2026-12-01, after the plan was made, and the plan does not remove them; run plan again") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if len(p.emu.Members()) != 4 {
		t.Fatal("a refused plan changed the portal")
	}
	if r := c.run(t, "apply", "--plan", planFile, "--auto-approve", "--max-removal-percent", "100"); r.code != 0 {
		t.Fatalf("the same day: exit %d\n%s", r.code, r.stderr)
	}
}

func TestValidateExpiry(t *testing.T) {
	file := filepath.Join("testdata", "expiry-portal.yaml")
	for _, tc := range []struct {
		args     []string
		code     int
		want     []string
		wantNot  []string
		inStderr bool
	}{
		{args: nil, want: []string{
			"expiry-portal.yaml:7:14: warning: member bob@company.com expired on 2026-11-23: plan and apply remove this member",
			"expiry-portal.yaml:9:14: warning: member carol@company.com expires on 2026-12-01, in 8 days",
			"expiry-portal.yaml:21:14: warning: organization member bob@company.com expired on 2026-11-20",
		}},
		{args: []string{"--expiry-warning", "7"}, wantNot: []string{"carol@company.com expires"}},
		{args: []string{"--expiry-warning", "0"}, wantNot: []string{"carol@company.com expires"}, want: []string{"bob@company.com expired"}},
		{args: []string{"--strict"}, want: []string{"is valid, with"}},
		{args: []string{"--expiry-warning", "-1"}, code: 1, want: []string{"--expiry-warning -1 is negative"}, inStderr: true},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := cli{}.run(t, append([]string{"validate", "-f", file}, tc.args...)...)
			out := r.stdout
			if tc.inStderr {
				out = r.stderr
			}
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", r.code, tc.code, r.stdout, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

const expireFile = `version: 1
members:
  # the admin
  - email: alice@company.com
    role: admin

  # contractor, until the end of the audit
  - email: bob@partner.org
    expires: 2026-11-01   # ticket SEC-12

  - {email: carol@company.com, expires: 2027-01-01}
organization_members:
  - email: alice@company.com
    role: Owner
  - email: bob@partner.org
    role: Viewer
    expires: 2026-11-23
blueprints:
  data-science: {domains: [company.com], emails: [bob@partner.org]}
`

const expireWant = `version: 1
members:
  # the admin
  - email: alice@company.com
    role: admin

  - {email: carol@company.com, expires: 2027-01-01}
organization_members:
  - email: alice@company.com
    role: Owner
blueprints:
  data-science: {domains: [company.com], emails: [bob@partner.org]}
`

func TestExpireCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "portal.yaml")
	if err := os.WriteFile(file, []byte(expireFile), 0o664); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(file, 0o664); err != nil {
		t.Fatal(err)
	}
	listed := file + ":8:12: member bob@partner.org expired on 2026-11-01 (lines 7-10)\n" +
		file + ":15:12: organization member bob@partner.org expired on 2026-11-23 (lines 15-17)\n"

	// The dry run lists them, exits 2 and leaves the file alone.
	r := cli{}.run(t, "expire", "-f", file)
	if r.code != 2 || r.stdout != listed+"2 entries expired (today is 2026-11-23, UTC): plan and apply remove them; `portalctl expire --write` deletes them from "+file+".\n" {
		t.Fatalf("dry run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if got, _ := os.ReadFile(file); string(got) != expireFile {
		t.Fatal("the dry run changed the file")
	}
	// So does reading stdin.
	if r := (cli{stdin: expireFile}).run(t, "expire", "-f", "-"); r.code != 2 {
		t.Errorf("from stdin: exit %d\n%s", r.code, r.stderr)
	}
	if r := (cli{stdin: expireFile}).run(t, "expire", "-f", "-", "--write"); r.code != 1 || !strings.Contains(r.stderr, "give a path with -f") {
		t.Errorf("--write to stdin: exit %d\n%s", r.code, r.stderr)
	}

	// --write deletes them, keeping the rest and the file's mode, and exits 2.
	r = cli{}.run(t, "expire", "-f", file, "--write")
	if r.code != 2 || r.stdout != listed+"Deleted 2 entries from "+file+".\n"+file+" now has 1 warning (an email rule or a group entry that named someone deleted, say): `portalctl validate -f "+file+"` lists them.\n" {
		t.Fatalf("--write: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	got, _ := os.ReadFile(file)
	if string(got) != expireWant {
		t.Fatalf("the file written:\n%s\nwant:\n%s", got, expireWant)
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o664 {
		t.Errorf("mode %v, want 0664", st.Mode().Perm())
	}
	// Nothing more has expired: exit 0.
	if r := (cli{}).run(t, "expire", "-f", file); r.code != 0 || !strings.Contains(r.stdout, "No entry of "+file+" has expired (today is 2026-11-23, UTC).") {
		t.Errorf("again: exit %d\n%s", r.code, r.stdout)
	}
	// An invalid file, or one that breaks its policy, is an error: exit 1.
	for _, bad := range []string{
		"version: 1\nmembers:\n  - email: nope\nblueprints: {}\n",
		"version: 1\npolicy:\n  allowed_domains: [company.com]\nmembers:\n  - email: a@gmail.com\n    role: admin\n    expires: 2026-01-01\nblueprints: {}\n",
	} {
		if err := os.WriteFile(file, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if r := (cli{}).run(t, "expire", "-f", file, "--write"); r.code != 1 || !strings.Contains(r.stderr, "error") {
			t.Errorf("invalid file: exit %d\n%s", r.code, r.stderr)
		}
		if got, _ := os.ReadFile(file); string(got) != bad {
			t.Error("an invalid file was changed")
		}
	}
}

// TestPolicyEveryCommand: every command that reads the file refuses one that
// breaks its policy, at the line, naming the rule.
func TestPolicyEveryCommand(t *testing.T) {
	p := startPortal(t, readTestdata(t, "expiry-seed.yaml"))
	file := p.write(t, "portal.yaml", strings.Replace(readTestdata(t, "expiry-portal.yaml"), "version: 1\n", "version: 1\npolicy:\n  max_open_blueprints: 0\n  allowed_domains: [company.com]\n", 1)+
		"  open-one:\n    access: open\n")
	for _, args := range [][]string{
		{"validate"}, {"plan"}, {"apply", "--auto-approve"}, {"access", "alice@company.com"}, {"access", "--all"}, {"expire"},
	} {
		r := cli{env: p.env}.run(t, append(args, "-f", file)...)
		out := r.stdout + r.stderr
		if r.code != 1 || !strings.Contains(out, "portal.yaml:33:3: error: blueprint \"open-one\" has `access: open`: it is open blueprint number 1, and policy max_open_blueprints (line 4) allows 0") {
			t.Errorf("%v: exit %d\n%s", args, r.code, out)
		}
	}
}

// TestPreviewPolicy: a pull request that breaks the policy gets its access report
// all the same, the violations on top, and preview exits 1; a change of the
// policy: section is called out and labelled.
func TestPreviewPolicy(t *testing.T) {
	base := readTestdata(t, "expiry-portal.yaml")
	head := strings.Replace(base, "version: 1\n", "version: 1\npolicy:\n  require_expiry_outside: [company.com]\n  max_expiry_days: 90\n", 1)
	head = strings.Replace(head, "  - email: old@company.com\n", "  - email: frank@partner.org\n  - email: old@company.com\n", 1)
	head = strings.Replace(head, "    expires: 2026-12-01        # in 8 days\n", "    expires: 2027-02-01        # extended\n", 1)
	dir, baseSHA, headSHA := prCheckout(t, base, head)
	r := cli{env: map[string]string{"GITHUB_SERVER_URL": "https://github.example", "GITHUB_REPOSITORY": "acme/portal"}}.run(t, "preview", "--base", "HEAD^1", "-f", filepath.Join(dir, "portal.yaml"))
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	md := scrubSHAs(scrub(r.stdout, dir), map[string]string{baseSHA: "$BASE", headSHA: "$HEAD"})
	testkit.Golden(t, "testdata/preview-policy.markdown", md)
	// Apply refuses a file that breaks its policy: the first alert says so.
	assertOrder(t, md, "**No one gains or loses access", "> [!CAUTION]\n> **Apply will refuse this change**", "> - the file breaks its policy (1 violation)", "#### Member changes")
	for _, want := range []string{
		"`frank@partner.org`, outside company.com, has no `expires`: policy require\\_expiry\\_outside (line 4) requires one",
		"**The `policy:` section changes**",
		"- `frank@partner.org` as user, will see 0 blueprints\n",
		"- `carol@company.com`: expires 2027-02-01, was 2026-12-01\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	if !strings.Contains(r.stderr, "breaks its policy: `portalctl validate -f ") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

func TestPolicyLabel(t *testing.T) {
	r := &report.Report{Alerts: report.Alerts{Policy: []report.PolicyChange{{Rule: "max_open_blueprints", Change: "loosened", Action: "raised"}}}}
	if got := labelsOf(r); len(got) != 1 || got[0] != prcomment.LabelPolicy {
		t.Errorf("labels %v, want [%s]", got, prcomment.LabelPolicy)
	}
	if got := labelsOf(&report.Report{}); len(got) != 0 {
		t.Errorf("labels %v without a policy change", got)
	}
}

// TestAccessExpiry: from the file, a member whose access has expired is not a
// member (access shows what they would see once invited again); access --all
// gives each row's expiry and no row to the expired.
func TestAccessExpiry(t *testing.T) {
	file := filepath.Join("testdata", "expiry-portal.yaml")
	r := cli{}.run(t, "access", "bob@company.com", "-f", file)
	if r.code != 0 || !strings.Contains(r.stderr, "3 members of testdata/expiry-portal.yaml whose access has expired left out") || !strings.Contains(r.stdout, "not a member") {
		t.Errorf("access bob: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = cli{}.run(t, "access", "--all", "-f", file, "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		`{"email":"carol@company.com","role":"user","blueprint":"data-science","via":[{"rule":"domain:company.com"}],"expires":"2026-12-01"}`,
		`{"email":"alice@company.com","role":"admin","blueprint":"data-science","via":[{"rule":"domain:company.com"}]}`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("access --all lacks %s:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, `"bob@company.com"`) {
		t.Errorf("an expired member has rows:\n%s", r.stdout)
	}
	r = cli{}.run(t, "access", "--all", "-f", file)
	if !strings.Contains(r.stdout, "domain:company.com  (expires 2026-12-01)") {
		t.Errorf("text rows lack the expiry:\n%s", r.stdout)
	}
}

// assertOrder fails unless every part is in s, in order.
func assertOrder(t *testing.T, s string, parts ...string) {
	t.Helper()
	at := -1
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			t.Errorf("%q missing from:\n%s", p, s)
			continue
		}
		if i < at {
			t.Errorf("%q comes before what should precede it:\n%s", p, s)
		}
		at = i
	}
}
