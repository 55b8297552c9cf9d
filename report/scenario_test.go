package report

import (
	"fmt"
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

// The reviewer's report of realistic pull requests, as preview builds it (Compare),
// pinned in every format: testdata/scenarios/NAME.md, .txt (80 columns) and .json.
// go test ./report -update rewrites them; look at the markdown rendered as GitHub
// does before accepting a change.

// scenarioToday is the day the scenarios are judged on.
var scenarioToday = portal.Date{Year: 2026, Month: 12, Day: 7}

// scenario is a pull request: portal.yaml at the base and at the head.
type scenario struct {
	name       string
	base, head string
	// maxLen bounds the markdown as the comment is bounded (0: commentMax).
	maxLen int
}

// parseScenario loads a file the way preview does: problems kept, the base's
// policy not enforced.
func parseScenario(t testing.TB, name, data string, base bool) (*portal.Config, diag.List) {
	t.Helper()
	opts := []schema.Option{schema.Today(scenarioToday)}
	if base {
		opts = append(opts, schema.NoPolicy())
	}
	l, err := schema.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	cfg, ds := l.Parse(name, []byte(data))
	for _, d := range ds {
		if d.Severity == diag.Error && !lint.IsPolicyViolation(d) {
			t.Fatalf("scenario file %s: %s: %s", name, d.Pos, d.Message)
		}
	}
	return cfg, ds
}

func (s scenario) report(t testing.TB) *Report {
	t.Helper()
	head, hds := parseScenario(t, "portal.yaml", s.head, false)
	base, bds := parseScenario(t, "portal.yaml@HEAD^1", s.base, true)
	return Compare(Change{
		Head: head, Base: base, HeadProblems: hds, BaseProblems: bds, Today: scenarioToday,
		Rails: reconcile.Rails{MaxRemovals: reconcile.DefaultMaxRemovals, MaxRemovalPercent: reconcile.DefaultMaxRemovalPercent},
	}, Options{Provenance: testProvenance()})
}

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// members writes n members of domain, named prefix01…, as a members: list.
func members(prefix, domain string, n int, role string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  - email: %s%03d@%s\n", prefix, i, domain)
		if role != "" {
			fmt.Fprintf(&b, "    role: %s\n", role)
		}
	}
	return b.String()
}

// group writes a group of n members of domain, named prefix01….
func group(name, prefix, domain string, n int) string {
	var es []string
	for i := 1; i <= n; i++ {
		es = append(es, fmt.Sprintf("%s%03d@%s", prefix, i, domain))
	}
	return fmt.Sprintf("  %s: [%s]\n", name, strings.Join(es, ", "))
}

const scenarioHead = "version: 1\norganization: 0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10\n"

// lockdownFiles: data-science moves from the whole company.com (300 people) to the
// security and sre groups.
func lockdownFiles() (base, head string) {
	people := "members:\n  - email: alice@company.com\n    role: admin\n" + members("eng", "company.com", 299, "")
	groups := "groups:\n" + group("security", "eng", "company.com", 12) + group("sre", "eng", "company.com", 31)
	base = scenarioHead + people + groups + "blueprints:\n  data-science:\n    domains: [company.com]\n  python-starter:\n    access: open\n"
	head = scenarioHead + people + groups + "blueprints:\n  data-science:\n    groups: [security, sre]\n  python-starter:\n    access: open\n"
	return base, head
}

// reorgFiles: a team reorganisation: eight blueprints move from named people and
// a domain to groups, one group changes.
func reorgFiles() (base, head string) {
	people := "members:\n  - email: alice@company.com\n    role: admin\n" + members("eng", "company.com", 80, "") + members("ds", "labs.company.com", 40, "")
	baseGroups := "groups:\n" + group("sre", "eng", "company.com", 20) + group("ml", "ds", "labs.company.com", 15)
	headGroups := "groups:\n" + group("sre", "eng", "company.com", 24) + group("ml", "ds", "labs.company.com", 15) + group("data", "ds", "labs.company.com", 40)
	var bb, hb strings.Builder
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&bb, "  service-%d:\n    emails: [eng%03d@company.com, eng%03d@company.com, eng%03d@company.com]\n", i, i, i+10, i+30)
		fmt.Fprintf(&hb, "  service-%d:\n    groups: [sre]\n", i)
	}
	bb.WriteString("  notebooks:\n    domains: [labs.company.com]\n  gpu-training:\n    groups: [ml]\n")
	hb.WriteString("  notebooks:\n    groups: [data]\n  gpu-training:\n    groups: [ml, sre]\n")
	base = scenarioHead + people + baseGroups + "blueprints:\n" + bb.String()
	head = scenarioHead + people + headGroups + "blueprints:\n" + hb.String()
	return base, head
}

// adminFiles: one admin removed, one demoted, one promoted, one invited as admin;
// in the organization an Admin removed and a Viewer made Admin.
func adminFiles() (base, head string) {
	org := func(lines ...string) string { return "organization_members:\n" + strings.Join(lines, "") }
	owner := "  - email: owner@company.com\n    role: Owner\n"
	base = scenarioHead + "members:\n  - email: alice@company.com\n    role: admin\n  - email: bob@company.com\n    role: admin\n  - email: carol@company.com\n    role: admin\n  - email: dave@company.com\n" +
		org(owner, "  - email: erin@company.com\n    role: Admin\n", "  - email: frank@company.com\n    role: Viewer\n") +
		"blueprints:\n  data-science:\n    domains: [company.com]\n"
	head = scenarioHead + "members:\n  - email: alice@company.com\n    role: admin\n  - email: carol@company.com\n  - email: dave@company.com\n    role: admin\n  - email: gina@company.com\n    role: admin\n" +
		org(owner, "  - email: frank@company.com\n    role: Admin\n") +
		"blueprints:\n  data-science:\n    domains: [company.com]\n"
	return base, head
}

// refusalFiles: a vendor's twelve people removed at once (the limit is five).
func refusalFiles() (base, head string) {
	people := "members:\n  - email: alice@company.com\n    role: admin\n" + members("eng", "company.com", 30, "")
	base = scenarioHead + people + members("c", "vendor.io", 12, "") + "blueprints:\n  data-science:\n    domains: [company.com, vendor.io]\n"
	head = scenarioHead + people + "blueprints:\n  data-science:\n    domains: [company.com]\n"
	return base, head
}

// lintFiles: a public mail domain and a Cyrillic look-alike come in; the file's
// older warning (a dormant rule) is not the change's.
func lintFiles() (base, head string) {
	people := "members:\n  - email: alice@company.com\n    role: admin\n  - email: bob@company.com\n"
	base = scenarioHead + people + "blueprints:\n  data-science:\n    domains: [company.com]\n    emails: [zoe@company.com]\n"
	head = scenarioHead + people + "  - email: alice@c\u043empany.com\n" +
		"blueprints:\n  data-science:\n    domains: [company.com, gmail.com]\n    emails: [zoe@company.com]\n"
	return base, head
}

// policyFiles: the policy is weakened: yahoo.com allowed, the expiry requirement
// dropped, one more open blueprint allowed.
func policyFiles() (base, head string) {
	people := "members:\n  - email: alice@company.com\n    role: admin\n  - email: bob@company.com\n"
	bps := "blueprints:\n  data-science:\n    domains: [company.com]\n  python-starter:\n    access: open\n"
	base = scenarioHead + "policy:\n  allowed_domains: [company.com, partner.org]\n  max_open_blueprints: 1\n  require_expiry_outside: [company.com]\n  max_expiry_days: 90\n" + people + bps
	head = scenarioHead + "policy:\n  allowed_domains: [company.com, partner.org, yahoo.com]\n  max_open_blueprints: 2\n" + people + bps
	return base, head
}

// orgFiles: the pull request points the file at another organization.
func orgFiles() (base, head string) {
	rest := "members:\n  - email: alice@company.com\n    role: admin\nblueprints:\n  data-science:\n    domains: [company.com]\n"
	return scenarioHead + rest, "version: 1\norganization: 7c1f0b9e-2d4a-4e61-8f3b-5a9d0c2e1f47\n" + rest
}

func scenarios(t testing.TB) []scenario {
	lb, lh := lockdownFiles()
	rb, rh := reorgFiles()
	ab, ah := adminFiles()
	fb, fh := refusalFiles()
	pb, ph := lintFiles()
	yb, yh := policyFiles()
	ob, oh := orgFiles()
	return []scenario{
		{name: "small", base: readTestdata(t, "base.yaml"), head: readTestdata(t, "head.yaml")},
		{name: "lockdown", base: lb, head: lh},
		{name: "reorg", base: rb, head: rh},
		{name: "admins", base: ab, head: ah},
		{name: "refusal", base: fb, head: fh},
		{name: "lints", base: pb, head: ph},
		{name: "policy", base: yb, head: yh},
		{name: "organization", base: ob, head: oh},
	}
}

func TestScenarioGolden(t *testing.T) {
	for _, s := range scenarios(t) {
		t.Run(s.name, func(t *testing.T) {
			r := s.report(t)
			testkit.Golden(t, "testdata/scenarios/"+s.name+".md", r.Markdown(commentOptions()))
			var b strings.Builder
			if err := r.Text(&b, TextOptions{Width: 80}); err != nil {
				t.Fatal(err)
			}
			testkit.Golden(t, "testdata/scenarios/"+s.name+".txt", b.String())
			testkit.Golden(t, "testdata/scenarios/"+s.name+".json", jsonOf(t, r))
		})
	}
}
