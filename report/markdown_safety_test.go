package report

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
)

// checkPlanMarkdown renders p and checks, with a GitHub-flavoured parser, that no
// value became markup: no link, image or HTML of its own, no mention, one index table
// with a row per blueprint whose rules change, every value shown whole in a code
// span, and the same document structure as the same plan with plain names.
func checkPlanMarkdown(t *testing.T, p *reconcile.Plan, o Options) *mdDoc {
	t.Helper()
	md := New(p, o).Markdown(MarkdownOptions{})
	d := parseMarkdown(md)
	for _, problem := range d.check(ourHTML(d)...) {
		t.Errorf("markdown lets a value through: %s", problem)
	}
	r := New(p, Options{})
	wantHTML := 0
	if len(r.Effects) > 0 {
		wantHTML += 2
	}
	if len(r.Index) > 0 {
		wantHTML += 2
	}
	if len(d.html) != wantHTML {
		t.Errorf("%d HTML blocks, want %d: %q", len(d.html), wantHTML, d.html)
	}
	if len(d.tables) != 1 || len(d.tables[0].rows) != len(r.Index) || d.tables[0].header != 5 {
		t.Errorf("tables %+v, want one index of 5 columns and %d rows", d.tables, len(r.Index))
	}
	for _, tb := range d.tables {
		for j, cells := range tb.rows {
			if cells != tb.header {
				t.Errorf("index row %d has %d cells, want %d", j, cells, tb.header)
			}
		}
	}
	for _, v := range planValues(p) {
		if !d.hasCodeSpan(visible(v)) {
			t.Errorf("value %q is not shown whole in a code span", v)
		}
	}

	// Only names differ from the plain plan: the structure must not.
	plain := parseMarkdown(New(mapPlan(p, benign()), o).Markdown(MarkdownOptions{}))
	if !reflect.DeepEqual(d.shape, plain.shape) {
		t.Errorf("values change the document structure:\n got %v\nwant %v", d.shape, plain.shape)
	}
	for _, k := range []string{"CodeSpan", "Emphasis", "Strikethrough", "Blockquote", "List", "ListItem", "Heading", "ThematicBreak"} {
		if d.kinds[k] != plain.kinds[k] {
			t.Errorf("%d %s nodes, %d with plain names", d.kinds[k], k, plain.kinds[k])
		}
	}
	if t.Failed() {
		t.Logf("markdown:\n%s", md)
	}
	return d
}

func TestPlanMarkdownHostileFile(t *testing.T) {
	head, base := loadConfig(t, "hostile-head.yaml"), loadConfig(t, "hostile-base.yaml")
	p := diffOffline(t, head, base)
	if len(p.Unmanaged) == 0 || p.Count(reconcile.Invite) == 0 || p.Count(reconcile.Remove) == 0 {
		t.Fatalf("fixture plan lacks unmanaged blueprints, invites or removals: %+v", p)
	}
	if _, _, opened := p.Impact.Counts(); len(opened) != 1 {
		t.Fatalf("fixture plan should open one blueprint, opens %q", opened)
	}
	d := checkPlanMarkdown(t, p, Options{Title: "portal.yaml: HEAD^1 → working tree"})
	// Every member invited, promoted, demoted or removed is shown as written.
	for _, op := range p.Ops {
		if op.Email != "" && !d.hasCodeSpan(op.Email) {
			t.Errorf("email %q is not shown as a code span", op.Email)
		}
	}
}

func TestPlanMarkdownHostileValues(t *testing.T) {
	t.Run("all", func(t *testing.T) {
		checkPlanMarkdown(t, hostilePlan(hostile, hostile[1]), Options{})
	})
	// Each value alone, so that one cannot hide another's damage.
	for _, v := range hostile {
		t.Run(fmt.Sprintf("%q", v), func(t *testing.T) {
			checkPlanMarkdown(t, hostilePlan([]string{v}, v), Options{})
		})
	}
}

// TestCodeAllSpaces: a blueprint may be named " " (the schema only asks for one
// character). CommonMark strips the padding space of a code span only when the span
// is not all spaces, so the padding Code adds is shown.
func TestCodeAllSpaces(t *testing.T) {
	for _, s := range []string{" ", "  ", "   "} {
		d := parseMarkdown("x " + Code(s) + " y")
		if len(d.codeSpans) != 1 || d.codeSpans[0] != s {
			t.Errorf("Code(%q) reads %q", s, d.codeSpans)
		}
	}
}

// hostileDiagnostics are problems whose messages, hints and files embed crafted
// values, quoted the way the loader quotes them and raw.
func hostileDiagnostics() diag.List {
	var ds diag.List
	for i, v := range hostile {
		sev := diag.Error
		if i%2 == 1 {
			sev = diag.Warning
		}
		ds.Add(portal.Pos{File: "portal.yaml", Line: i + 1, Col: 3}, sev, "hostile",
			fmt.Sprintf("blueprint %q is not in the portal; raw: %s", v, v),
			fmt.Sprintf("did you mean %s? or %q", v, v+"@evil.com"))
	}
	ds.Add(portal.Pos{File: "dir/<b>|`x`@me\n.yaml", Line: 1, Col: 1}, diag.Error, "file", "file name", "")
	return ds
}

// checkDiagMarkdown checks that every problem is one list item of one paragraph,
// whose position is a code span and whose message reads as written.
func checkDiagMarkdown(t *testing.T, ds diag.List, o DiagOptions) {
	t.Helper()
	md := renderDiag(t, Markdown, ds, o)
	d := parseMarkdown(md)
	for _, problem := range d.check() {
		t.Errorf("markdown lets a value through: %s", problem)
	}
	max := o.Max
	if max <= 0 {
		max = DefaultMaxProblems
	}
	shown := min(max, len(ds))
	items := shown
	if len(ds) > shown {
		items++
	}
	top := children(d.root)
	if top != 2 || d.kinds["List"] != 1 || d.kinds["ListItem"] != items || d.kinds["Paragraph"]+d.kinds["TextBlock"] != items+1 || len(d.html) != 0 {
		t.Errorf("want a summary and a list of %d items of one paragraph each; got %d blocks, kinds %v", items, top, d.kinds)
	}
	for _, dg := range ds[:shown] {
		if !d.hasCodeSpan(visible(dg.Pos.String())) {
			t.Errorf("position %q not shown as a code span", dg.Pos)
		}
		found := false
		for _, b := range d.reads {
			found = found || strings.Contains(b, proseReading(dg.Message))
		}
		if !found {
			t.Errorf("message %q does not read as written (%q)", dg.Message, proseReading(dg.Message))
		}
	}
	if t.Failed() {
		t.Logf("markdown:\n%s", md)
	}
}

func TestDiagnosticsMarkdownHostile(t *testing.T) {
	ds := hostileDiagnostics()
	t.Run("all", func(t *testing.T) { checkDiagMarkdown(t, ds, DiagOptions{File: "portal.yaml"}) })
	t.Run("capped", func(t *testing.T) { checkDiagMarkdown(t, ds, DiagOptions{Max: 7}) })
	for i, dg := range ds {
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkDiagMarkdown(t, diag.List{dg}, DiagOptions{}) })
	}
}

// TestDiagnosticsMarkdownFromLoader renders what the loader says about a file full
// of crafted values.
func TestDiagnosticsMarkdownFromLoader(t *testing.T) {
	var y strings.Builder
	y.WriteString("version: 1\nmembers:\n  - email: admin@company.com\n    role: admin\n")
	for _, v := range hostile {
		fmt.Fprintf(&y, "  - email: %q\n", v)
	}
	y.WriteString("blueprints:\n")
	for _, v := range hostile {
		fmt.Fprintf(&y, "  %q:\n    emails: [%q]\n    groups: [%q]\n    domains: [%q]\n", v, v, v, v)
	}
	_, ds := parseLoose(t, y.String())
	if len(ds) < len(hostile) {
		t.Fatalf("the loader finds only %d problems", len(ds))
	}
	checkDiagMarkdown(t, ds, DiagOptions{File: "portal.yaml"})
}
