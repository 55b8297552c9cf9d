package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/lint"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/schema"
)

// expiryToday is the fixed day the expiry fixtures are checked on.
var expiryToday = portal.Date{Year: 2026, Month: 11, Day: 20}

// expiryReport is testdata/expiry-base.yaml → expiry-head.yaml on expiryToday, as
// preview builds it: bob's access ends (removed, the date given), moved's date
// moves, old's expired entry is deleted, erin is invited with a date, the
// organization's viewer expired and a guest is invited until a date; the
// policy: section changes, and mallory breaks it.
func expiryReport(t testing.TB) *Report {
	t.Helper()
	read := func(name string, opts ...schema.Option) (*portal.Config, diag.List) {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		l, err := schema.New(append([]schema.Option{schema.Today(expiryToday)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		cfg, ds := l.Parse(name, data)
		for _, d := range ds {
			if d.Severity == "error" && !lint.IsPolicyViolation(d) {
				t.Fatalf("%s: %v", name, d)
			}
		}
		return cfg, ds
	}
	base, bds := read("expiry-base.yaml", schema.NoPolicy())
	head, hds := read("expiry-head.yaml")
	prov := &Provenance{File: "expiry-head.yaml", Path: "expiry-head.yaml", Base: Revision{Ref: "HEAD^1", Commit: strings.Repeat("a", 40)},
		Head: Revision{Ref: "HEAD", Commit: strings.Repeat("b", 40)}, RepositoryURL: "https://github.com/acme/portal"}
	return Compare(Change{Head: head, Base: base, HeadProblems: hds, BaseProblems: bds, Today: expiryToday,
		Rails: reconcile.Rails{MaxRemovals: reconcile.DefaultMaxRemovals, MaxRemovalPercent: reconcile.DefaultMaxRemovalPercent}},
		Options{Provenance: prov})
}

func TestExpiryReportGolden(t *testing.T) {
	r := expiryReport(t)
	testkit.Golden(t, "testdata/report-expiry.md", r.Markdown(MarkdownOptions{}))
	var txt, js bytes.Buffer
	if err := r.Text(&txt, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "testdata/report-expiry.txt", txt.String())
	if err := r.JSON(&js); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "testdata/report-expiry.json", js.String())

	md := r.Markdown(MarkdownOptions{})
	for _, want := range []string{
		"- `erin@partner.org` as user (expires 2026-12-31), will see 3 blueprints\n",
		"- `bob@company.com` (user), loses access to 2 blueprints: expired on 2026-11-15\n",
		"- `moved@partner.org`: expires 2027-01-15, was 2026-12-01\n",
		"- `old@partner.org`: entry deleted, expired on 2026-11-01 (no change of access)\n",
		"- `guest@partner.org` as `Viewer` (expires 2026-12-15)\n",
		"- `viewer@partner.org` (`Viewer`): expired on 2026-11-19\n",
		"> **The `policy:` section changes**: 1 loosened, 2 tightened (for its owners to review):\n>\n> - **loosened**: `max_open_blueprints` raised from 1 to 2\n> - tightened: `require_expiry_outside` set to `company.com`\n> - tightened: `max_expiry_days` set to 90\n",
		"member `mallory@gmail.com` is outside the allowed domains (company.com, partner.org): policy allowed\\_domains (line 3)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	// The policy's violations are what apply refuses, first of the alerts after
	// the summary; the rest still shows the access change.
	assertOrder(t, md, "### Access preview", "> **Apply will refuse this change**", "the file breaks its policy (2 violations)", "The `policy:` section changes", "**Invitations (2)**", "**Removals (1)**", "**Expiry dates (4)**", "#### Organization members")
}

// TestPolicyNeverShed: however small the room, the violations stay (capped with
// a count past what fits), and so does the call-out of a policy change.
func TestPolicyNeverShed(t *testing.T) {
	r := expiryReport(t)
	for _, n := range []int{3500, 4000} {
		md := r.Markdown(MarkdownOptions{MaxLen: n})
		if !strings.Contains(md, "> **Apply will refuse this change**") || !strings.Contains(md, "the file breaks its policy") || !strings.Contains(md, "The `policy:` section changes") {
			t.Errorf("at %d bytes the policy was shed:\n%s", n, md)
		}
	}
}
