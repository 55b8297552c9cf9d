package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/report"
)

// syncLayout is a split layout, as examples/split: people in people/*.yaml,
// the ML team's blueprints in teams/ml.yaml, the shared ones in the root.
var syncLayout = map[string]string{
	"portal.yaml": `version: 1
include:
  - path: people/*.yaml
    members: true
  - path: teams/ml.yaml
    blueprints: ["ml-*"]
blueprints:
  handbook:          # shared
    access: open
`,
	"people/employees.yaml": "# employees\r\nmembers:\r\n  - email: alice@company.com\r\n    role: admin\r\n  - email: bob@company.com\r\n  - email: carol@company.com   # leaves in December\r\n",
	"teams/ml.yaml": `blueprints:
  ml-train:
    domains: [company.com]
`,
}

// syncPortal is the portal once changed in its UI: dan added, carol removed,
// bob made an admin, dan@partner.org given ml-train, ml-serve created.
const syncPortal = `members:
  - {email: alice@company.com, role: admin}
  - {email: bob@company.com, role: admin}
  - {email: dan@partner.org, status: pending}
blueprints:
  handbook: {}
  ml-train:
    domains: [company.com]
    emails: [dan@partner.org]
  ml-serve:
    domains: [company.com]
  finance:
    emails: [alice@company.com]
`

func writeLayout(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for name, content := range files {
		testkit.WriteFile(t, filepath.Join(dir, name), content, 0o644)
	}
	return filepath.Join(dir, "portal.yaml")
}

// TestSyncThenPlan: sync lists what changed in the portal and writes nothing;
// sync --write writes it into the file each entry belongs in, keeping the
// line endings and comments; then plan shows no change, and sync nothing.
func TestSyncThenPlan(t *testing.T) {
	p := startPortal(t, syncPortal)
	root := writeLayout(t, p.dir, syncLayout)
	c := cli{env: p.env}
	r := c.run(t, "sync", "-f", root)
	if r.code != 2 {
		t.Fatalf("sync: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	people, ml := filepath.Join(p.dir, "people/employees.yaml"), filepath.Join(p.dir, "teams/ml.yaml")
	for _, want := range []string{
		people + "\n  2: + member dan@partner.org (user)\n  5: ~ role of bob@company.com: user → admin\n  6: - member carol@company.com (user)\n" +
			ml + "\n  1: + blueprint ml-serve (domain company.com)\n  2: + rule email dan@partner.org to blueprint ml-train\n",
		"note: blueprint finance is not managed by the files (no include claims it)",
		"5 changes to 2 files, 1 removed.\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("sync's output lacks %q:\n%s", want, r.stdout)
		}
	}
	if got := string(testkit.Must(os.ReadFile(people))); got != syncLayout["people/employees.yaml"] {
		t.Fatalf("sync without --write wrote %s:\n%s", people, got)
	}
	if r := c.run(t, "plan", "-f", root, "--detailed-exitcode"); r.code != 2 {
		t.Fatalf("plan before sync: exit %d\n%s", r.code, r.stderr)
	}

	r = c.run(t, "sync", "-f", root, "--write")
	if r.code != 2 || !strings.Contains(r.stdout, "Wrote "+people+", "+ml+".\n") {
		t.Fatalf("sync --write: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	want := "# employees\r\nmembers:\r\n  - email: alice@company.com\r\n    role: admin\r\n  - email: bob@company.com\r\n    role: admin\r\n  - email: dan@partner.org\r\n"
	if got := string(testkit.Must(os.ReadFile(people))); got != want {
		t.Errorf("%s:\n%q\nwant\n%q", people, got, want)
	}
	if r := c.run(t, "plan", "-f", root, "--detailed-exitcode"); r.code != 0 {
		t.Fatalf("plan after sync --write: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := c.run(t, "sync", "-f", root); r.code != 0 || !strings.Contains(r.stdout, "nothing to sync") {
		t.Fatalf("sync after sync --write: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestSyncAdoption: a root whose includes and scopes are written, its
// fragments still empty, is filled from the portal, each entry where its scope
// puts it; the result validates and plans no change.
func TestSyncAdoption(t *testing.T) {
	p := startPortal(t, syncPortal)
	root := writeLayout(t, p.dir, map[string]string{
		"portal.yaml": `version: 1
include:
  - path: people.yaml
    members: true
  - path: teams/ml.yaml
    blueprints: ["ml-*"]
  - path: teams/finance.yaml
    blueprints: [finance, handbook]
`,
		"people.yaml":        "# filled by portalctl sync\n",
		"teams/ml.yaml":      "",
		"teams/finance.yaml": "# the finance team\n",
	})
	c := cli{env: p.env}
	r := c.run(t, "sync", "-f", root, "--write")
	if r.code != 2 {
		t.Fatalf("sync --write: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for name, want := range map[string]string{
		"people.yaml":        "# filled by portalctl sync\nmembers:\n  - email: alice@company.com\n    role: admin\n  - email: bob@company.com\n    role: admin\n  - email: dan@partner.org\n",
		"teams/ml.yaml":      "blueprints:\n  ml-serve:\n    domains: [company.com]\n  ml-train:\n    domains: [company.com]\n    emails: [dan@partner.org]\n",
		"teams/finance.yaml": "# the finance team\nblueprints:\n  finance:\n    emails: [alice@company.com]\n  handbook:\n    access: open\n",
	} {
		if got := string(testkit.Must(os.ReadFile(filepath.Join(p.dir, name)))); got != want {
			t.Errorf("%s:\n%s\nwant\n%s", name, got, want)
		}
	}
	if r := c.run(t, "validate", "-f", root); r.code != 0 {
		t.Fatalf("validate: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := c.run(t, "plan", "-f", root, "--detailed-exitcode"); r.code != 0 {
		t.Fatalf("plan: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestSyncWarnsAndRefuses: deleting admins and more entries than
// --max-removals is said, not refused; what cannot be edited safely stops
// sync before anything is written.
func TestSyncWarnsAndRefuses(t *testing.T) {
	p := startPortal(t, `members:
  - {email: alice@company.com, role: admin}
blueprints:
  infra:
    emails: [alice@company.com]
`)
	root := p.write(t, "portal.yaml", `version: 1
members:
  - {email: alice@company.com, role: admin}
  - {email: bob@company.com, role: admin}
  - {email: carol@company.com}
blueprints:
  infra:
    emails: [alice@company.com, bob@company.com]
`)
	c := cli{env: p.env}
	r := c.run(t, "sync", "-f", root, "--max-removals", "2")
	for _, want := range []string{
		"warning: sync deletes or demotes the admin bob@company.com, whom the portal no longer has as an admin",
		"warning: sync removes 3 entries from the files, more than --max-removals=2",
	} {
		if r.code != 2 || !strings.Contains(r.stdout, want) {
			t.Errorf("exit %d, output lacks %q:\n%s\n%s", r.code, want, r.stdout, r.stderr)
		}
	}

	grouped := p.write(t, "grouped.yaml", `version: 1
members:
  - {email: alice@company.com, role: admin}
groups:
  ops: [alice@company.com, bob@company.com]
blueprints:
  infra:
    groups: [ops]
`)
	before := testkit.Must(os.ReadFile(grouped))
	r = c.run(t, "sync", "-f", grouped, "--write")
	if r.code != 1 || !strings.Contains(r.stderr, "grouped.yaml:7: blueprint infra: the portal no longer grants bob@company.com, whom group ops gives it") || !strings.Contains(r.stderr, "nothing was written") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if after := testkit.Must(os.ReadFile(grouped)); string(after) != string(before) {
		t.Errorf("a refused sync wrote the file:\n%s", after)
	}
}

// TestWrapWords: sync's and review's lines break at spaces within the width, an email or a
// file name longer than the width is never cut, and the continuation lines
// take their indent.
func TestWrapWords(t *testing.T) {
	for _, c := range []struct {
		name, text string
		width      int
		want       string
	}{
		{"fits", "a b c", 80, "> a b c\n"},
		{"breaks at spaces", "aaa bbb ccc", 9, "> aaa bbb\n  ccc\n"},
		{"a long word stays whole", "x " + strings.Repeat("e", 12) + "@company.com y", 10, "> x\n  eeeeeeeeeeee@company.com\n  y\n"},
		{"exact width", "aa bb", 7, "> aa bb\n"},
		{"two spaces kept when it fits", "a  b", 80, "> a  b\n"},
		{"two spaces kept when it breaks", "aa  bb cc", 8, "> aa  bb\n  cc\n"},
		{"no width: one line", "aaa bbb ccc", 0, "> aaa bbb ccc\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := report.WrapWords(c.text, c.width, "> ", "  "); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
