package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/schema"
)

// fixedNow stamps plans so that their golden files do not change.
var fixedNow = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

// parseConfig loads a portal.yaml through the real loader; warnings are fine, errors
// are a broken fixture.
func parseConfig(t testing.TB, name string, data []byte) *portal.Config {
	t.Helper()
	l, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg, ds := l.Parse(name, data)
	if ds.HasErrors() || cfg == nil {
		var b strings.Builder
		_ = Diagnostics(&b, Text, ds, DiagOptions{File: name})
		t.Fatalf("fixture %s does not load:\n%s", name, b.String())
	}
	return cfg
}

// parseLoose loads a file that may be invalid, for its diagnostics.
func parseLoose(t testing.TB, data string) (*portal.Config, diag.List) {
	t.Helper()
	l, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	return l.Parse("portal.yaml", []byte(data))
}

func loadConfig(t testing.TB, file string) *portal.Config {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	return parseConfig(t, file, data)
}

// diffOffline is what preview computes: head against base, both files.
func diffOffline(t testing.TB, head, base *portal.Config) *reconcile.Plan {
	t.Helper()
	p, ds := reconcile.Diff(head, base, reconcile.DiffOptions{Offline: true})
	if ds.HasErrors() {
		t.Fatalf("diff: %v", ds)
	}
	return p
}

// realisticPlan is testdata/base.yaml → testdata/head.yaml: invites, a promotion, a
// demotion, removals, ACL changes with a group, a blueprint becoming open, a newly
// managed one, an unmanaged open one, and domain-wide gains and losses of more than
// ten members.
func realisticPlan(t testing.TB) *reconcile.Plan {
	t.Helper()
	return diffOffline(t, loadConfig(t, "head.yaml"), loadConfig(t, "base.yaml"))
}

// planSource is what plan read, for the plan's report.
func planSource() *PlanSource {
	return &PlanSource{File: "portal.yaml", Organization: "0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10", APIURL: "https://api.qovery.com", At: fixedNow, Fingerprint: "sha256:5f2c0a9e41b7d3c8a6e0f19b2d4c7e8a"}
}

// renderPlan renders the report of plan p as plan does.
func renderPlan(t testing.TB, f Format, p *reconcile.Plan, o TextOptions) string {
	t.Helper()
	r := New(p, Options{Kind: KindPlan, Plan: planSource(), Operations: f == JSON})
	var b bytes.Buffer
	switch f {
	case JSON:
		if err := r.JSON(&b); err != nil {
			t.Fatal(err)
		}
	case Markdown:
		b.WriteString(r.Markdown(MarkdownOptions{Sample: o.Sample}))
	default:
		if err := r.Text(&b, o); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func TestPlanGolden(t *testing.T) {
	p := realisticPlan(t)
	tests := []struct {
		file   string
		format Format
		opts   TextOptions
	}{
		{"plan.txt", Text, TextOptions{}},
		{"plan-color.txt", Text, TextOptions{Color: true}},
		{"plan.md", Markdown, TextOptions{}},
		{"plan.json", JSON, TextOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			testkit.Golden(t, "testdata/"+tt.file, renderPlan(t, tt.format, p, tt.opts))
		})
	}
}

// TestPlanContent pins what the golden files must show, so that accepting a broken
// rendering with -update does not go unnoticed.
func TestPlanContent(t *testing.T) {
	p := realisticPlan(t)
	for _, want := range []reconcile.Action{reconcile.Invite, reconcile.Promote, reconcile.Demote, reconcile.Remove, reconcile.UpdateACL} {
		if p.Count(want) == 0 {
			t.Fatalf("fixture plan has no %s: %+v", want, p.Ops)
		}
	}

	text := renderPlan(t, Text, p, TextOptions{})
	color := renderPlan(t, Text, p, TextOptions{Color: true})
	md := renderPlan(t, Markdown, p, TextOptions{})
	js := renderPlan(t, JSON, p, TextOptions{})

	if strings.Contains(text, "\x1b") {
		t.Error("text without colour holds an escape sequence")
	}
	if !strings.Contains(color, "\x1b[1;31mopen\x1b[0m") {
		t.Error("colour output does not flag the blueprint opened in bold red")
	}
	if got := stripSGR(color); got != text {
		t.Errorf("colour output is not the text output plus colours:\n%s\n---\n%s", got, text)
	}
	for _, want := range []string{
		"Plan for organization 0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10\n",
		"!! 1 blueprint becomes open to every member of the portal:\n   - legacy-app: 1 → all 19 members\n",
		"  + freelancer@gmail.com as user, will see 4 blueprints\n",
		"  ~ dave@company.com: user → admin\n",
		"  - frank@oldvendor.io (user), loses access to 3 blueprints\n",
		"+ group contractors (2)",
		"newly managed: + email gina@company.com",
		"  - internal-tools !! open to every member\n  - old-reports\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text plan lacks %q", want)
		}
	}
	assertOrder(t, text, "!! 1 blueprint", "!  Admin changes", "Blueprints whose rules change", "Who loses access", "Member changes", "Invitations (3)", "Removals (2)", "Blueprints the file leaves alone", "Planned portal.yaml")

	// plan -o markdown is the reviewer's report, audiences included.
	for _, want := range []string{
		"### Plan for organization `0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10`\n",
		"> [!CAUTION]\n> **1 blueprint becomes open to every member of the portal:**\n>\n> - `legacy-app`: 1 → all 19 members\n",
		"| Blueprint | Audience | Gain | Loss | Rule changes |\n",
		"| ⚠️ `legacy-app` **opens to everyone** | **1\u00a0→\u00a0all\u00a019** | +18 |  | − email `dave@company.com`; **no rules left** |\n",
		"| `new-sandbox` | new\u00a0→\u00a01 | +1 |  | newly managed: + email `gina@company.com` |\n",
		"| `data-science` | 4\u00a0→\u00a06 | +3 | −1 | + group `contractors` (2) |\n",
		"- `dave@company.com`: user → **admin**\n",
		"- `hank@partner.org` as **admin**, will see 3 blueprints\n",
		"- `frank@oldvendor.io` (user), loses access to 3 blueprints\n",
		"- `internal-tools` ⚠️ **open to every member**\n- `old-reports`\n",
		"<details><summary>Rule changes (6 blueprints)</summary>\n\n```diff\n",
		"+   (no rules: open to every member)\n",
		"Planned `portal.yaml` against organization `0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10` at `https://api.qovery.com` on 2025-03-14 15:09 UTC; live state `sha256:5f2c0a9e41b7`…",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown plan lacks %q", want)
		}
	}
	assertOrder(t, md, "[!CAUTION]", "| ⚠️ `legacy-app`", "| `enterprise-suite`", "#### Member changes", "**Invitations (3)**", "**Promotions (1)**", "**Demotions (1)**", "**Removals (2)**", "<details>", "#### Blueprints the file leaves alone", "Planned ")

	var back Report
	if err := json.Unmarshal([]byte(js), &back); err != nil {
		t.Fatalf("JSON report does not decode: %v", err)
	}
	if back.Kind != KindPlan || back.Summary.Invitations != 3 || back.Summary.Removals != 2 || len(back.Alerts.Opened) != 1 ||
		back.Alerts.Opened[0] != "legacy-app" || len(back.Unmanaged) != 2 || len(back.Operations) != len(p.Ops) || back.Plan.Organization == "" {
		t.Errorf("JSON report does not carry the plan: %+v", back.Summary)
	}
}

// TestSample: a list of names shows Sample of them, then counts the others.
func TestSample(t *testing.T) {
	p := realisticPlan(t)
	md := renderPlan(t, Markdown, p, TextOptions{Sample: 3})
	if want := "- **11 members** lose `analytics` (had domain `bigcorp.com`): `u02@bigcorp.com`, `u03@bigcorp.com`, `u04@bigcorp.com` and 8 more\n"; !strings.Contains(md, want) {
		t.Errorf("markdown lacks %q:\n%s", want, md)
	}
	text := renderPlan(t, Text, p, TextOptions{Sample: 3, Width: 200})
	if want := "  - 11 members lose analytics (had domain bigcorp.com): u02@bigcorp.com, u03@bigcorp.com, u04@bigcorp.com and 8 more\n"; !strings.Contains(text, want) {
		t.Errorf("text lacks %q:\n%s", want, text)
	}
}

func assertOrder(t *testing.T, s string, parts ...string) {
	t.Helper()
	at := -1
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			t.Errorf("%q missing", p)
			continue
		}
		if i < at {
			t.Errorf("%q comes before what should precede it", p)
		}
		at = i
	}
}

var sgr = regexp.MustCompile(`\x1b\[(?:0|1|2|31|32|33|1;31|1;33)m`)

func stripSGR(s string) string { return sgr.ReplaceAllString(s, "") }

func TestEmptyPlanGolden(t *testing.T) {
	head := loadConfig(t, "head.yaml")
	p := diffOffline(t, head, loadConfig(t, "head.yaml"))
	if !p.Empty() || len(p.Impact.Blueprints) != 0 {
		t.Fatalf("a file against itself gives a plan: %+v", p)
	}
	tests := []struct {
		file   string
		format Format
		want   string
	}{
		{"empty.txt", Text, "No changes: the portal matches the file."},
		{"empty.md", Markdown, "**No changes: the portal matches the file.**\n"},
		{"empty.json", JSON, `"no_changes": true`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := renderPlan(t, tt.format, p, TextOptions{})
			if !strings.Contains(got, tt.want) {
				t.Errorf("empty plan lacks %q:\n%s", tt.want, got)
			}
			testkit.Golden(t, "testdata/"+tt.file, got)
		})
	}
}

// sampleDiagnostics holds errors and warnings whose messages carry the characters
// each format must escape.
func sampleDiagnostics() diag.List {
	f := "config/portal.yaml"
	return diag.List{
		{Pos: portal.Pos{File: f, Line: 4, Col: 12}, Severity: diag.Error, Code: "invalid-email",
			Message: `invalid email "bob@@company.com" in members: an email needs a domain after the "@"`,
			Hint:    "write an address like alice@company.com; to match a whole domain use domains:"},
		{Pos: portal.Pos{File: f, Line: 9, Col: 3}, Severity: diag.Error, Code: "unknown-key",
			Message: `unknown key "emial" in members[3]`, Hint: `did you mean "email"?`},
		{Pos: portal.Pos{File: f, Line: 17, Col: 14}, Severity: diag.Warning, Code: "public-provider",
			Message: `domain rule "gmail.com" opens blueprint "gpu-sandbox" to 100% of gmail.com users, worldwide`,
			Hint:    "name the people with emails: instead"},
		{Pos: portal.Pos{File: f, Line: 21, Col: 5}, Severity: diag.Warning, Code: "dormant-rule",
			Message: "email rule \"zoe@company.com\" in blueprint \"**data-science**\" names no member\nit has no effect until they are invited"},
		{Pos: portal.Pos{File: f, Line: 30, Col: 3}, Severity: diag.Error, Code: "unknown-blueprint",
			Message: `blueprint "<img src=x onerror=alert(1)>" is not in the portal`,
			Hint:    `did you mean "www.evil.com/[x](https://evil.com)"? (the portal has no such blueprint)`},
	}
}

func renderDiag(t testing.TB, f Format, ds diag.List, o DiagOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := Diagnostics(&b, f, ds, o); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestDiagnosticsGolden(t *testing.T) {
	ds := sampleDiagnostics()
	warnOnly := diag.List{ds[2]}
	tests := []struct {
		file   string
		format Format
		ds     diag.List
		opts   DiagOptions
		want   []string
	}{
		{"diag.txt", Text, ds, DiagOptions{File: "portal.yaml"}, []string{
			"config/portal.yaml:4:12: error: invalid email",
			"    hint: write an address like",
			"portal.yaml is invalid: 3 errors, 2 warnings\n",
		}},
		{"diag-color.txt", Text, ds, DiagOptions{File: "portal.yaml", Color: true}, []string{
			"config/portal.yaml:4:12: \x1b[1;31merror\x1b[0m: ",
			"config/portal.yaml:17:14: \x1b[1;33mwarning\x1b[0m: ",
		}},
		{"diag-capped.txt", Text, ds, DiagOptions{Max: 2}, []string{
			"… and 3 more problems not shown (1 error, 2 warnings)\n",
			"the file is invalid: 3 errors, 2 warnings\n",
		}},
		{"diag-warnings.txt", Text, warnOnly, DiagOptions{File: "portal.yaml"}, []string{
			"portal.yaml is valid, with 1 warning\n",
		}},
		{"diag-clean.txt", Text, nil, DiagOptions{File: "portal.yaml"}, []string{
			"portal.yaml is valid\n",
		}},
		{"diag.json", JSON, ds, DiagOptions{}, []string{`"valid": false`, `"errors": 3`, `"omitted": 0`, `"hint": "did you mean \"email\"?"`}},
		{"diag-capped.json", JSON, ds, DiagOptions{Max: 2}, []string{`"omitted": 3`}},
		{"diag-clean.json", JSON, nil, DiagOptions{}, []string{`"valid": true`, `"diagnostics": []`}},
		{"diag.github", GitHub, ds, DiagOptions{File: "portal.yaml"}, []string{
			"::error file=config/portal.yaml,line=4,col=12,title=portalctl invalid-email::invalid email",
			"to 100%25 of gmail.com users, worldwide",
			"names no member%0Ait has no effect",
		}},
		{"diag-capped.github", GitHub, ds, DiagOptions{Max: 2}, []string{
			"::warning::… and 3 more problems not shown (1 error, 2 warnings)\n",
		}},
		{"diag.md", Markdown, ds, DiagOptions{File: "portal.yaml"}, []string{
			"**portal.yaml is invalid: 3 errors, 2 warnings**\n\n",
			"- `config/portal.yaml:4:12` **error**: ",
		}},
		{"diag-capped.md", Markdown, ds, DiagOptions{Max: 2}, []string{
			"- … and 3 more problems not shown (1 error, 2 warnings)\n",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := renderDiag(t, tt.format, tt.ds, tt.opts)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			testkit.Golden(t, "testdata/"+tt.file, got)
		})
	}
}

// TestDiagnosticsCap checks the cap in every format against the count of problems
// shown, for every Max.
func TestDiagnosticsCap(t *testing.T) {
	ds := sampleDiagnostics()
	for max := 1; max <= len(ds)+1; max++ {
		shown := min(max, len(ds))
		rest := len(ds) - shown
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			text := renderDiag(t, Text, ds, DiagOptions{Max: max})
			if got := strings.Count(text, ": error: ") + strings.Count(text, ": warning: "); got != shown {
				t.Errorf("text shows %d problems, want %d", got, shown)
			}
			if has := strings.Contains(text, fmt.Sprintf("… and %d more problem", rest)); has != (rest > 0) {
				t.Errorf("text: omitted note present=%v with %d omitted:\n%s", has, rest, text)
			}
			gh := renderDiag(t, GitHub, ds, DiagOptions{Max: max})
			if got := strings.Count(gh, "::error file=") + strings.Count(gh, "::warning file="); got != shown {
				t.Errorf("github shows %d annotations, want %d", got, shown)
			}
			if lines := strings.Count(gh, "\n"); lines != shown+1+min(rest, 1) {
				t.Errorf("github output has %d lines, want one per annotation, one for the omitted note and the summary:\n%s", lines, gh)
			}
			var v ValidationJSON
			if err := json.Unmarshal([]byte(renderDiag(t, JSON, ds, DiagOptions{Max: max})), &v); err != nil {
				t.Fatal(err)
			}
			if len(v.Diagnostics) != shown || v.Omitted != rest || v.Errors != 3 || v.Warnings != 2 || v.Valid {
				t.Errorf("json = %+v", v)
			}
			md := renderDiag(t, Markdown, ds, DiagOptions{Max: max})
			if got := strings.Count(md, "\n- "); got != shown+min(rest, 1) {
				t.Errorf("markdown has %d items, want %d:\n%s", got, shown+min(rest, 1), md)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	if f, err := ParseFormat("markdown", Text, JSON, Markdown); err != nil || f != Markdown {
		t.Errorf("ParseFormat(markdown) = %q, %v", f, err)
	}
	_, err := ParseFormat("github", Text, JSON)
	if err == nil || !strings.Contains(err.Error(), "text, json") {
		t.Errorf("ParseFormat(github) with text, json allowed: err = %v", err)
	}
}

func TestAccessGolden(t *testing.T) {
	cfg := loadConfig(t, "head.yaml")
	ix := access.NewIndex(cfg)
	var text, js strings.Builder
	for _, name := range []string{"data-science", "python-starter", "new-sandbox"} {
		b, ok := ix.Blueprint(name)
		if !ok {
			t.Fatalf("no blueprint %s in the fixture", name)
		}
		viewers := ix.Viewers(b)
		fmt.Fprintf(&text, "== access --blueprint %s\n", name)
		fmt.Fprintf(&js, "== access --blueprint %s\n", name)
		for _, out := range []struct {
			w *strings.Builder
			f Format
		}{{&text, Text}, {&js, JSON}} {
			if err := Audience(out.w, out.f, b, viewers, "portal.yaml"); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, email := range []string{"freelancer@gmail.com", "zoe@company.com"} {
		seen := ix.Visible(email)
		fmt.Fprintf(&text, "== access %s\n", email)
		fmt.Fprintf(&js, "== access %s\n", email)
		for _, out := range []struct {
			w *strings.Builder
			f Format
		}{{&text, Text}, {&js, JSON}} {
			if err := Visibility(out.w, out.f, email, ix.IsMember(email), seen, "live portal"); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := text.String()
	for _, want := range []string{
		"Blueprint data-science (portal.yaml): seen by 6 members\n",
		"  freelancer@gmail.com  via group contractors\n",
		"  carol@partner.org  via group contractors\n",
		"Blueprint python-starter (portal.yaml): seen by 19 members\n  open access: every member sees it\n",
		"Blueprint new-sandbox (portal.yaml): seen by 1 member\n  gina@company.com  via email gina@company.com\n",
		"freelancer@gmail.com (live portal) sees 3 blueprints\n",
		"zoe@company.com (live portal) sees 4 blueprints\n  not a member: these apply once they are invited\n",
		"  data-science  via domain company.com\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("access text lacks %q:\n%s", want, got)
		}
	}
	testkit.Golden(t, "testdata/access.txt", got)
	testkit.Golden(t, "testdata/access.json", js.String())

	// Each JSON answer decodes into the documented shape.
	for _, doc := range strings.Split(js.String(), "== ")[1:] {
		body := doc[strings.IndexByte(doc, '\n')+1:]
		var v map[string]any
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Errorf("answer %q is not JSON: %v", doc, err)
		}
	}
	b, _ := ix.Blueprint("python-starter")
	var a AudienceJSON
	if err := json.Unmarshal([]byte(renderAudience(t, JSON, b, ix.Viewers(b))), &a); err != nil {
		t.Fatal(err)
	}
	if !a.Open || len(a.Rules) != 0 || a.Rules == nil || len(a.Members) != 19 || a.Members[0].Via[0] != "open access" {
		t.Errorf("audience JSON of an open blueprint = %+v", a)
	}
	var v VisibilityJSON
	var buf bytes.Buffer
	if err := Visibility(&buf, JSON, "nobody@nowhere.org", false, nil, "portal.yaml"); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(buf.Bytes(), &v); err != nil || v.Member || v.Blueprints == nil || len(v.Blueprints) != 0 {
		t.Errorf("visibility JSON of a stranger = %s (%v)", buf.String(), err)
	}
}

func renderAudience(t testing.TB, f Format, b *portal.Blueprint, viewers []access.Viewer) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Audience(&buf, f, b, viewers, "portal.yaml"); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}
