package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
)

// commentMax is what preview gives the comment: GitHub's limit less the marker.
const commentMax = 65536 - len("<!-- portalctl:preview -->\n")

func commentOptions() MarkdownOptions {
	return MarkdownOptions{MaxLen: commentMax, Limit: "GitHub's 65,536-character comment limit", Whole: "The job summary has the whole report."}
}

// smallReport is testdata/base.yaml → testdata/head.yaml as preview reports it.
func smallReport(t testing.TB) *Report {
	t.Helper()
	base := loadConfig(t, "base.yaml")
	return New(diffOffline(t, loadConfig(t, "head.yaml"), base), Options{Kind: KindPreview, Provenance: testProvenance()})
}

func wideReport(t testing.TB, s wideSpec) *Report {
	t.Helper()
	p, _ := widePlan(t, s)
	return New(p, Options{Kind: KindPreview, Provenance: testProvenance()})
}

// invalidReport is a file with errors and warnings, the warnings first in the file.
func invalidReport(t testing.TB) *Report {
	t.Helper()
	ds := sampleDiagnostics()
	for i := range ds {
		ds[i].Pos.File = "portal.yaml"
	}
	return NewInvalid("portal.yaml", ds, Options{Provenance: testProvenance()})
}

func textOf(t testing.TB, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.Text(&b, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func jsonOf(t testing.TB, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.JSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestReportGolden pins the reports of a small, a wide and an invalid pull request
// in every format (go test ./report -update rewrites them).
func TestReportGolden(t *testing.T) {
	small, wide, invalid := smallReport(t), wideReport(t, theWidePR), invalidReport(t)
	huge := wideReport(t, hugePR)
	tests := []struct {
		file string
		got  string
	}{
		{"report-small.md", small.Markdown(commentOptions())},
		{"report-small.txt", textOf(t, small)},
		{"report-small.json", jsonOf(t, small)},
		{"report-wide.md", wide.Markdown(commentOptions())},
		{"report-wide.txt", textOf(t, wide)},
		// A pull request far past GitHub's limit, cut to fit a comment, and the
		// same shortening on a smaller scale.
		{"report-huge-comment.md", huge.Markdown(commentOptions())},
		{"report-huge-fitted.md", huge.Markdown(MarkdownOptions{MaxLen: 8000, Limit: "8,000 bytes", Whole: "The job summary has the whole report."})},
		{"report-invalid.md", invalid.Markdown(commentOptions())},
		{"report-invalid.txt", textOf(t, invalid)},
		{"report-invalid.json", jsonOf(t, invalid)},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) { testkit.Golden(t, "testdata/"+tt.file, tt.got) })
	}
	// The wide pull request fits whole: nothing shortened, every removal named.
	if md := wide.Markdown(commentOptions()); md != wide.Markdown(MarkdownOptions{}) {
		t.Error("the wide pull request is shortened, though its report fits")
	}
}

// TestReportContent pins what the small report must say, so that accepting a broken
// golden file with -update does not go unnoticed.
func TestReportContent(t *testing.T) {
	r := smallReport(t)
	var order []string
	for _, row := range r.Index {
		order = append(order, row.Blueprint)
	}
	// Opened first, then by gain, then by loss.
	if want := []string{"legacy-app", "enterprise-suite", "data-science", "new-sandbox", "analytics", "gpu-sandbox"}; !slices.Equal(order, want) {
		t.Errorf("index order %v, want %v", order, want)
	}
	if !slices.Equal(r.Alerts.Opened, []string{"legacy-app"}) {
		t.Errorf("opened = %v", r.Alerts.Opened)
	}
	wantAdmins := []AdminChange{
		{Email: "bob@company.com", Scope: "portal", Change: "demoted", From: "admin", To: "user"},
		{Email: "dave@company.com", Scope: "portal", Change: "promoted", From: "user", To: "admin"},
		{Email: "hank@partner.org", Scope: "portal", Change: "invited", To: "admin"},
	}
	if !slices.Equal(r.Alerts.Admins, wantAdmins) {
		t.Errorf("admin changes = %+v, want %+v", r.Alerts.Admins, wantAdmins)
	}
	if len(r.Losses) != 1 || len(r.Losses[0].Emails) != 11 || !slices.Equal(r.Losses[0].Blueprints, []string{"analytics"}) || !slices.Equal(r.Losses[0].Had, []string{"domain bigcorp.com"}) {
		t.Errorf("losses = %+v", r.Losses)
	}
	if rm := r.Members.Removals; len(rm) != 2 || rm[0] != (Removal{Email: "erin@company.com", Role: "user", Loses: 4}) || rm[1] != (Removal{Email: "frank@oldvendor.io", Role: "user", Loses: 3}) {
		t.Errorf("removals = %+v", rm)
	}
	if len(r.Effects) != 5 || r.Effects[0].Email != "erin@company.com" || !slices.Equal(r.Effects[0].Blueprints, []string{"internal-tools", "python-starter"}) {
		t.Errorf("effects = %+v", r.Effects)
	}
	// Rule changes as written: the group, not its emails; the removal first.
	wantEdits := map[string][]RuleEdit{
		"data-science": {{Change: "added", Kind: "group", Value: "contractors", Members: 2}},
		"analytics":    {{Change: "removed", Kind: "domain", Value: "bigcorp.com", Members: 12}, {Change: "added", Kind: "email", Value: "u01@bigcorp.com", Members: 1}},
	}
	for _, row := range r.Index {
		if want, ok := wantEdits[row.Blueprint]; ok && !reflect.DeepEqual(row.Changes, want) {
			t.Errorf("%s: rule changes %+v, want %+v", row.Blueprint, row.Changes, want)
		}
	}

	md := r.Markdown(MarkdownOptions{})
	for _, want := range []string{
		"**18 members gain access · 13 lose access · 1 blueprint becomes open to everyone · rules change on 6 blueprints · 3 invitations · 1 promotion · 1 demotion · 2 removals**\n",
		"> [!CAUTION]\n> **1 blueprint becomes open to every member of the portal:**\n>\n> - `legacy-app`: 1 → all 19 members\n",
		"> [!WARNING]\n> **Admin changes (3):**\n>\n> - `bob@company.com` demoted in the portal: **admin** → user\n> - `dave@company.com` promoted in the portal: user → **admin**\n> - `hank@partner.org` invited to the portal as **admin**\n",
		"| ⚠️ `legacy-app` **opens to everyone** | **1\u00a0→\u00a0all\u00a019** | +18 |  | − email `dave@company.com`; **no rules left** |\n",
		"| `enterprise-suite` | 4\u00a0→\u00a016 | +13 | −1 | + domain `bigcorp.com` (12) |\n",
		"| `new-sandbox` | new\u00a0→\u00a01 | +1 |  | newly managed: + email `gina@company.com` |\n",
		"| `analytics` | 12\u00a0→\u00a01 |  | −11 | − domain `bigcorp.com` (12), + email `u01@bigcorp.com` |\n",
		"- **11 members** lose `analytics` (had domain `bigcorp.com`): `u02@bigcorp.com`, ",
		"- `hank@partner.org` as **admin**, will see 3 blueprints\n",
		"- `erin@company.com` (user), loses access to 4 blueprints\n",
		"- `gina@company.com` (invited) joins 2 blueprints through existing rules: `internal-tools`, `python-starter`\n",
		"Compared `portal.yaml` at `HEAD^1` ([`1a2b3c4`](<https://github.com/acme/portal-access/commit/1a2b3c4d5e6f708192a3b4c5d6e7f80912a3b4c5>)) with [`9f8e7d6`](<https://github.com/acme/portal-access/commit/9f8e7d6c5b4a39281706f5e4d3c2b1a098765432>) · [workflow run](<https://github.com/acme/portal-access/actions/runs/123456789>).\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	assertOrder(t, md, "**18 members", "[!CAUTION]", "[!WARNING]", "#### Blueprints whose rules change", "#### Who loses access",
		"#### Member changes", "**Invitations (3)**", "**Promotions (1)**", "**Demotions (1)**", "**Removals (2)**",
		"<details><summary>Effects of member changes", "<details><summary>Rule changes", "#### Blueprints the file leaves alone", "Compared ")

	text := textOf(t, r)
	assertOrder(t, text, "Access preview of portal.yaml: HEAD^1 → this change\n", "!! 1 blueprint becomes open to every member of the portal:\n",
		"!  Admin changes (3):\n", "Blueprints whose rules change (6)\n", "Who loses access through rule changes (11 members)\n", "Member changes\n",
		"Effects of member changes", "Rule changes (6 blueprints)\n", "Blueprints the file leaves alone (2)\n", "Compared portal.yaml at HEAD^1 (1a2b3c4) with 9f8e7d6 · workflow run\nhttps://")

	var back Report
	if err := json.Unmarshal([]byte(jsonOf(t, r)), &back); err != nil {
		t.Fatalf("the JSON report does not decode: %v", err)
	}
	if back.Version != ReportVersion || back.Index[0].Blueprint != "legacy-app" || *back.Index[0].After != 19 || back.Provenance.Head.Commit != testProvenance().Head.Commit {
		t.Errorf("the JSON report does not carry the report: %+v", back)
	}
}

// TestAudienceOracle checks the audience before and after of every index row
// against a brute-force count over members and rules.
func TestAudienceOracle(t *testing.T) {
	check := func(t *testing.T, before, after *portal.Config) {
		r := New(diffOffline(t, after, before), Options{})
		sees := func(c *portal.Config, name string) (int, bool) {
			b, ok := c.Blueprint(name)
			if !ok {
				return 0, false
			}
			return len(testkit.Audience(c, &b)), true
		}
		if len(r.Index) == 0 {
			t.Fatal("no index rows")
		}
		for _, row := range r.Index {
			a, _ := sees(after, row.Blueprint)
			if row.After == nil || *row.After != a {
				t.Errorf("%s: after = %v, want %d", row.Blueprint, row.After, a)
			}
			b, existed := sees(before, row.Blueprint)
			switch {
			case !existed && (row.Before != nil || !row.NewlyManaged):
				t.Errorf("%s: newly managed, before = %v", row.Blueprint, row.Before)
			case existed && (row.Before == nil || *row.Before != b):
				t.Errorf("%s: before = %v, want %d", row.Blueprint, row.Before, b)
			}
		}
	}
	t.Run("small", func(t *testing.T) { check(t, loadConfig(t, "base.yaml"), loadConfig(t, "head.yaml")) })
	t.Run("wide", func(t *testing.T) {
		before, after := wideConfigs(theWidePR)
		check(t, before, after)
	})
	t.Run("reverse", func(t *testing.T) {
		before, after := wideConfigs(theWidePR)
		check(t, after, before)
	})
}

// topBlocks describes the document's top-level blocks: their kind, and for a block
// quote the first line of its text.
func topBlocks(d *mdDoc) []string {
	var out []string
	for n := d.root.FirstChild(); n != nil; n = n.NextSibling() {
		s := n.Kind().String()
		switch n.Kind() {
		case ast.KindBlockquote:
			s += ":" + strings.SplitN(flatten(n.FirstChild(), d.src), "\n", 2)[0]
		case ast.KindHTMLBlock:
			s += ":" + strings.SplitN(strings.TrimSpace(string(n.Text(d.src))), "\n", 2)[0]
		case ast.KindHeading:
			s += ":" + flatten(n, d.src)
		}
		out = append(out, s)
	}
	return out
}

// ours lists what a report may hold besides text: its own <details> blocks and links
// to the repository.
func ours(d *mdDoc, repo string) []string {
	var out []string
	for _, p := range d.check(ourHTML(d)...) {
		if strings.HasPrefix(p, "link to "+repo+"/") {
			continue
		}
		out = append(out, p)
	}
	return out
}

// ourHTML are the HTML blocks a report writes: a <details> opening with a summary
// that holds no value (only words and counts), and its closing.
func ourHTML(d *mdDoc) []string {
	out := []string{"</details>"}
	summary := regexp.MustCompile(`^<details><summary>(Effects of member changes on blueprints whose rules stay|Rule changes) \([0-9,]+ (member|blueprint)s?\)</summary>$`)
	for _, h := range d.html {
		if summary.MatchString(h) || strings.HasPrefix(h, "<details><summary>Rule changes (") && strings.Contains(h, "</summary>\n") {
			out = append(out, h)
		}
	}
	return out
}

// TestMarkdownStructure renders reports as GitHub would parse them and checks their
// shape: the alert right after the summary, the index a table with one row per
// blueprint, collapsed sections as <details>, no HTML, link or mention from values.
func TestMarkdownStructure(t *testing.T) {
	repo := testProvenance().RepositoryURL
	for _, tt := range []struct {
		name string
		r    *Report
	}{{"small", smallReport(t)}, {"wide", wideReport(t, theWidePR)}} {
		t.Run(tt.name, func(t *testing.T) {
			md := tt.r.Markdown(commentOptions())
			d := parseMarkdown(md)
			for _, p := range ours(d, repo) {
				t.Errorf("markup from a value: %s", p)
			}
			blocks := topBlocks(d)
			if len(blocks) < 6 || !strings.HasPrefix(blocks[0], "Heading:Access preview of ") || blocks[1] != "Paragraph" ||
				!strings.HasPrefix(blocks[2], "Blockquote:[!CAUTION]") || !strings.HasPrefix(blocks[3], "Blockquote:[!WARNING]") ||
				!strings.HasPrefix(blocks[4], "Heading:Blueprints whose rules change") || blocks[5] != "Table" {
				t.Fatalf("want heading, summary, alert, warning, index heading, index table; got %q", blocks)
			}
			if len(d.tables) != 1 || d.tables[0].header != 5 || len(d.tables[0].rows) != len(tt.r.Index) {
				t.Errorf("index: %+v, want one table of 5 columns and %d rows", d.tables, len(tt.r.Index))
			}
			for i, cells := range d.tables[0].rows {
				if cells != 5 {
					t.Errorf("index row %d has %d cells", i, cells)
				}
			}
			// Collapsed sections: an opening <details> block, content, a closing one.
			var open []string
			for i, b := range blocks {
				if strings.HasPrefix(b, "HTMLBlock:<details><summary>") {
					open = append(open, b)
					if !slices.Contains(blocks[i+1:], "HTMLBlock:</details>") {
						t.Errorf("%s is never closed", b)
					}
				}
			}
			if len(open) != 2 || !strings.Contains(open[0], "Effects of member changes") || !strings.Contains(open[1], "Rule changes") {
				t.Errorf("collapsed sections %q, want the effects and the rule diff", open)
			}
			if d.kinds["FencedCodeBlock"] != 1 {
				t.Errorf("%d code blocks, want the rule diff", d.kinds["FencedCodeBlock"])
			}
			// Every removal is named in the warning's sample or the member list.
			for _, rm := range tt.r.Members.Removals {
				if !d.hasCodeSpan(rm.Email) {
					t.Errorf("removal %s not named", rm.Email)
				}
			}
			if strings.ContainsFunc(md, portal.HiddenControl) {
				t.Error("the markdown holds a zero-width or bidi character")
			}
		})
	}
	t.Run("invalid", func(t *testing.T) {
		r := invalidReport(t)
		d := parseMarkdown(r.Markdown(commentOptions()))
		for _, p := range ours(d, repo) {
			t.Errorf("markup from a value: %s", p)
		}
		blocks := topBlocks(d)
		want := []string{"Heading:❌ " + objectMark + " is invalid: nothing can be previewed until it is fixed", "Paragraph", "Paragraph", "List", "Paragraph", "List", "ThematicBreak", "Paragraph"}
		if !slices.Equal(blocks, want) {
			t.Fatalf("blocks %q, want %q", blocks, want)
		}
		errs, warns := slices.Index(d.blocks, "Errors"), slices.Index(d.blocks, "Warnings")
		if errs < 0 || warns < errs+1+r.Validation.Errors-1 {
			t.Errorf("errors do not come before warnings: %q", d.blocks)
		}
		for i, b := range d.blocks {
			if strings.Contains(b, " error") && i > warns && i > 0 {
				t.Errorf("an error after the warnings: %q", b)
			}
		}
		// Each problem starts with a link to its line at the head commit.
		links := 0
		_ = ast.Walk(d.root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if l, ok := n.(*ast.Link); ok && entering && strings.Contains(string(l.Destination), "/blob/"+testProvenance().Head.Commit+"/portal.yaml#L") {
				links++
			}
			return ast.WalkContinue, nil
		})
		if links != len(r.Validation.Problems) {
			t.Errorf("%d line links, want %d", links, len(r.Validation.Problems))
		}
		// Hints and quoted values are real code spans, and emails read as written.
		for _, want := range []string{"bob@@company.com", "alice@company.com", "email", "zoe@company.com", "**data-science**", "www.evil.com/[x](https://evil.com)"} {
			if !d.hasCodeSpan(want) {
				t.Errorf("%q is not a code span: %q", want, d.codeSpans)
			}
		}
		for _, b := range d.blocks {
			if strings.Contains(b, "`") || strings.ContainsFunc(b, portal.HiddenControl) {
				t.Errorf("literal backtick or zero-width character in %q", b)
			}
		}
	})
}

// hugePR is a pull request far past any comment limit.
var hugePR = wideSpec{Blueprints: 2000, Changed: 1990, DomainGain: 5000, Opened: 30, LoseDomain: 40, Removals: 40, Invites: 60, Promotions: 5}

// TestFitHuge: a report well past the limit keeps the summary, the alert naming
// every blueprint opened, the warning, the index and every removal; the note says
// exactly what was shortened.
func TestFitHuge(t *testing.T) {
	r := wideReport(t, hugePR)
	full := r.Markdown(MarkdownOptions{})
	if len(full) < 3*commentMax {
		t.Fatalf("the fixture is only %d bytes", len(full))
	}
	for _, max := range []int{commentMax, 30000, 12000} {
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			out, m := r.fitMarkdown(MarkdownOptions{MaxLen: max, Limit: "the limit"})
			if len(out) > max {
				t.Fatalf("%d bytes, limit %d", len(out), max)
			}
			d := parseMarkdown(out)
			for _, p := range ours(d, testProvenance().RepositoryURL) {
				t.Errorf("markup from a value: %s", p)
			}
			blocks := topBlocks(d)
			if !strings.HasPrefix(blocks[2], "Blockquote:[!CAUTION]") || !strings.HasPrefix(blocks[3], "Blockquote:[!WARNING]") || blocks[5] != "Table" {
				t.Fatalf("blocks %q", blocks)
			}
			for _, name := range r.Alerts.Opened {
				if !d.hasCodeSpan(name) {
					t.Errorf("opened blueprint %s not named", name)
				}
			}
			// Removals are capped after the other member changes, and say so.
			if !strings.Contains(out, fmt.Sprintf("**Removals (%d)**", len(r.Members.Removals))) || !d.hasCodeSpan(r.Members.Removals[0].Email) {
				t.Errorf("the removals are gone")
			}
			checkNote(t, r, m, d, out)
		})
	}
}

var (
	noteRE  = regexp.MustCompile(`(?m)^> Shortened to fit the limit: (.*)\.$`)
	shownRE = regexp.MustCompile(`(the index|who loses access|the rule diff|the list of (?:invitations|promotions|demotions|removals|expiry dates|admin changes|blueprints opened|refusals|problems introduced|policy changes|errors|warnings)|the effects of member changes|the list of blueprints left alone) shows ([0-9,]+) of ([0-9,]+)`)
)

// checkNote checks that the note names exactly what is missing: every section left
// out and no other, and for every list capped, the items the output shows.
func checkNote(t *testing.T, r *Report, m *view, d *mdDoc, out string) {
	t.Helper()
	match := noteRE.FindStringSubmatch(out)
	if match == nil {
		t.Fatalf("no note in a shortened report:\n%s", out)
	}
	note := match[1]
	for _, sec := range []struct {
		text, present string
		items         int
	}{
		{"the effects of member changes", "<details><summary>Effects of member changes", len(r.Effects)},
		{"the rule diff", "<details><summary>Rule changes", len(r.Index)},
		{"the list of blueprints left alone", "#### Blueprints the file leaves alone", len(r.Unmanaged)},
	} {
		mentioned, present := strings.Contains(note, sec.text+" ("), strings.Contains(out, sec.present)
		if present != (sec.items > 0 && !mentioned) || mentioned && sec.items == 0 {
			t.Errorf("the note and the report disagree on %q (present %v, %d items):\n%s", sec.text, present, sec.items, note)
		}
	}
	counted := map[string]int{
		"the index":               d.tables[0].rowsCount(),
		"the list of removals":    countItems(out, "**Removals ("),
		"the list of invitations": countItems(out, "**Invitations ("),
		"who loses access":        countItems(out, "#### Who loses access"),
		"the list of promotions":  countItems(out, "**Promotions ("),
	}
	claims := shownRE.FindAllStringSubmatch(note, -1)
	capped := 0
	for _, c := range m.cut {
		if c[0] > 0 {
			capped++
		}
	}
	if len(claims) != capped {
		t.Errorf("the note claims %d lists shortened, %d were: %s", len(claims), len(m.cut), note)
	}
	for _, c := range claims {
		shown := atoi(c[2])
		if n, ok := counted[c[1]]; ok && n != shown {
			t.Errorf("the note says %s shows %d, it shows %d", c[1], shown, n)
		}
	}
	if want := m.sampleCut; strings.Contains(note, "lists of names show at most") != want {
		t.Errorf("the note and the samples disagree: %s", note)
	}
}

func (tb mdTable) rowsCount() int { return len(tb.rows) }

// countItems counts the list items that follow heading, up to the list's "… and N
// more" line.
func countItems(s, heading string) int {
	i := strings.Index(s, heading)
	if i < 0 {
		return 0
	}
	n := 0
	for _, line := range strings.Split(s[i:], "\n")[1:] {
		switch {
		case strings.HasPrefix(line, "- … and "):
			return n
		case strings.HasPrefix(line, "- "):
			n++
		case n > 0 && line == "":
			return n
		}
	}
	return n
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c >= '0' && c <= '9' {
			n = n*10 + int(c-'0')
		}
	}
	return n
}

// TestFitSweep tries every limit on the small report: the output stays within it, is
// whole when it fits, and otherwise keeps the summary, the alert, the warning, the
// index and the removals, with a note.
func TestFitSweep(t *testing.T) {
	r := smallReport(t)
	full := r.Markdown(MarkdownOptions{})
	seen := map[string]bool{}
	fitted := false // once a limit is met without a hard cut, every larger one is
	for max := 200; max <= len(full)+10; max += 7 {
		out, m := r.fitMarkdown(MarkdownOptions{MaxLen: max, Limit: "the limit"})
		if len(out) > max {
			t.Fatalf("MaxLen %d: %d bytes", max, len(out))
		}
		if strings.Contains(out, "This report was cut at a line") {
			if fitted {
				t.Fatalf("MaxLen %d: cut at a line, though a smaller limit was met", max)
			}
			continue
		}
		fitted = true
		if max >= len(full) {
			if out != full {
				t.Fatalf("MaxLen %d: shortened though the report (%d bytes) fits", max, len(full))
			}
			continue
		}
		if seen[out] {
			continue
		}
		seen[out] = true
		d := parseMarkdown(out)
		for _, p := range ours(d, testProvenance().RepositoryURL) {
			t.Errorf("MaxLen %d: markup from a value: %s", max, p)
		}
		for _, want := range []string{"**18 members gain access", "> [!CAUTION]", "> [!WARNING]", "#### Blueprints whose rules change (6)", "**Removals (2)**", "`erin@company.com`", "Compared `portal.yaml`"} {
			if !strings.Contains(out, want) {
				t.Errorf("MaxLen %d: %q is gone:\n%s", max, want, out)
			}
		}
		if len(d.tables) != 1 {
			t.Errorf("MaxLen %d: no index table", max)
		}
		if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
			t.Errorf("MaxLen %d: unbalanced <details>", max)
		}
		checkNote(t, r, m, d, out)
	}
}

// TestHiddenControls: bidi and invisible controls in values from the portal reach no
// output raw: markdown and text show them as \uXXXX, JSON escapes them and still
// decodes to the same values.
func TestHiddenControls(t *testing.T) {
	values := []string{"evil\u202egnp.exe", "a\u200bb", "\ufeffbom", "iso\u2066late\u2069", "rlm\u200f"}
	p := hostilePlan(values, "opened\u202e")
	r := New(p, Options{Title: "title \u202e", Provenance: &Provenance{File: "portal\u200b.yaml", Base: Revision{Ref: "main\u2067"}}})
	md := r.Markdown(MarkdownOptions{})
	text := textOf(t, r)
	js := jsonOf(t, r)
	for name, out := range map[string]string{"markdown": md, "text": text, "json": js} {
		if i := strings.IndexFunc(out, portal.HiddenControl); i >= 0 {
			t.Errorf("%s holds %U raw at byte %d", name, []rune(out[i:])[0], i)
		}
	}
	for _, want := range []string{"`evil\\u202egnp.exe`", "`a\\u200bb`", "`\\ufeffbom`", "`opened\\u202e`"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %s", want)
		}
	}
	if !strings.Contains(md, "evil\\u202egnp.exe\n") {
		t.Error("the rule diff does not show the override escaped")
	}
	if !strings.Contains(text, `evil\u202egnp.exe`) {
		t.Error("text does not show the override escaped")
	}
	var back Report
	if err := json.Unmarshal([]byte(js), &back); err != nil {
		t.Fatal(err)
	}
	if back.Alerts.Opened[0] != "opened\u202e" || back.Title != "title \u202e" {
		t.Errorf("JSON does not decode to the values: %q %q", back.Alerts.Opened, back.Title)
	}
	// The same through reconcile's types in access answers.
	var buf bytes.Buffer
	b := &portal.Blueprint{Name: values[0], Rules: []portal.Rule{{Kind: portal.RuleEmail, Value: values[1]}}}
	if err := Audience(&buf, JSON, b, []access.Viewer{{Email: values[2]}}, "portal.yaml"); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsFunc(buf.String(), portal.HiddenControl) || !strings.Contains(buf.String(), `evil\u202egnp.exe`) {
		t.Errorf("access JSON: %s", buf.String())
	}
	// And in the tree walked by GitHub's parser, every table keeps its cells.
	for _, tb := range parseMarkdown(md).tables {
		for _, cells := range tb.rows {
			if cells != tb.header {
				t.Errorf("a table row has %d cells, the header %d", cells, tb.header)
			}
		}
	}
}

// TestSummaryLineAgreement checks the verbs and nouns of the summary line at one
// and many, and the thousands separators.
func TestSummaryLineAgreement(t *testing.T) {
	for _, c := range []struct {
		s    Summary
		want string
	}{
		{Summary{Gain: 1, Lose: 1, Removals: 1}, "**1 member gains access · 1 loses access · 1 removal**"},
		{Summary{Gain: 2, Lose: 0, Invitations: 2}, "**2 members gain access · 0 lose access · 2 invitations**"},
		{Summary{Gain: 0, Lose: 3, Opened: 1}, "**0 members gain access · 3 lose access · 1 blueprint becomes open to everyone**"},
		{Summary{Gain: 12345, Lose: 2, Opened: 2}, "**12,345 members gain access · 2 lose access · 2 blueprints become open to everyone**"},
	} {
		md := (&Report{Summary: c.s}).Markdown(MarkdownOptions{})
		if first, _, _ := strings.Cut(md, "\n"); first != c.want {
			t.Errorf("summary %+v: first line %q, want %q", c.s, first, c.want)
		}
	}
}
