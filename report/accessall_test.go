package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/internal/synth"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/schema"
)

func TestCSVCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"alice@company.com", "alice@company.com"},
		{"=HYPERLINK(\"https://evil.example\",\"x\")", "'=HYPERLINK(\"https://evil.example\",\"x\")"},
		{"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"-2+3@company.com", "'-2+3@company.com"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1+1", `\u0009=1+1`}, // a tab is a control: escaped, and no longer first
		{"\r=1+1", "'\r=1+1"},
		{"'=1+1", "''=1+1"}, // not '=1+1, which is =1+1's cell
		{"''=1+1", "'''=1+1"},
		{"'", "''"},
		{"'quoted'", "''quoted'"},
		{"it's", "it's"},
		{"a=b", "a=b"},
		{"data\u202escience", `data\u202escience`},
		{"\u200b=1+1", `\u200b=1+1`},
		{"line\nbreak", "line\nbreak"}, // kept: the CSV writer quotes it
		{"comma, \"quote\"", "comma, \"quote\""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := csvCell(tt.in); got != tt.want {
			t.Errorf("csvCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCSVCellReadsBack: a reader that strips exactly one leading apostrophe
// from a cell that has one gets every value back, so no two values share a
// cell.
func TestCSVCellReadsBack(t *testing.T) {
	values := []string{"", "'", "''", "=", "'=", "''=", "=1+1", "'=1+1", "''=1+1", "+1", "'+1", "-1", "'-1",
		"@a", "'@a", "\r=1", "'\r=1", "a'b", "'a'", "alice@company.com", "'alice@company.com"}
	seen := map[string]string{}
	for _, v := range values {
		cell := csvCell(v)
		if other, ok := seen[cell]; ok {
			t.Errorf("%q and %q share the cell %q", other, v, cell)
		}
		seen[cell] = v
		if got := strings.TrimPrefix(cell, "'"); got != v {
			t.Errorf("cell %q of %q reads back as %q", cell, v, got)
		}
	}
}

// hostileAccessConfig is a portal as the live API could hold it, with values no
// file would pass: formula prefixes, hidden controls, separators, quotes and line
// breaks in emails and blueprint names.
func hostileAccessConfig() *portal.Config {
	names := []string{
		`=HYPERLINK("https://evil.example","click")`,
		"+cmd|' /C calc'!A0",
		"-1+1",
		"@SUM(1+1)*cmd|' /C calc'!A0",
		"\t=1+1",
		"\r=1+1",
		"data\u202escience",
		"\u200bzero-width",
		"a,b;c",
		`say "hi"`,
		"two\nlines",
		"crlf\r\nline",
		"\x1b[31mred\x1b[0m",
		"x\u2028y",
		"'=1+1", // the cell of =1+1, were it not guarded in turn
	}
	cfg := &portal.Config{}
	for i, n := range names {
		cfg.Blueprints = append(cfg.Blueprints, portal.Blueprint{Name: n, Rules: []portal.Rule{{Kind: portal.RuleDomain, Value: "company.com"}}})
		if i%3 == 0 {
			cfg.Blueprints[i] = portal.Blueprint{Name: n, Open: true}
		}
	}
	for _, e := range []string{"=1+1@company.com", "+x@company.com", "-x@company.com", "eve\u202egnp.exe@company.com", "new\nline@company.com", "plain@company.com"} {
		cfg.Members = append(cfg.Members, portal.Member{Email: e, Role: portal.RoleUser})
	}
	cfg.Blueprints[1].Rules = append(cfg.Blueprints[1].Rules, portal.Rule{Kind: portal.RuleEmail, Value: "=1+1@company.com", Group: "g\u202e,x"})
	cfg.Sort()
	return cfg
}

// allAccess runs AllAccess and returns what it wrote to w and to side.
func allAccess(t *testing.T, f Format, ix *access.Index) (string, string) {
	t.Helper()
	var out, side bytes.Buffer
	if err := AllAccess(context.Background(), &out, &side, f, ix, "the live portal"); err != nil {
		t.Fatal(err)
	}
	return out.String(), side.String()
}

// rawHidden reports a character no output may carry raw, other than the line
// breaks that end lines.
func rawHidden(s string) (rune, bool) {
	for _, r := range s {
		if r != '\n' && hidden(r) {
			return r, true
		}
	}
	return 0, false
}

func TestAllAccessHostileValues(t *testing.T) {
	cfg := hostileAccessConfig()
	ix := access.NewIndex(cfg)
	var want []AllAccessRow
	for g := range ix.Grants() {
		row := AllAccessRow{Email: g.Member.Email, Role: string(g.Member.Role), Blueprint: g.Blueprint.Name}
		for _, v := range g.Via {
			rule := "open"
			if !v.Open {
				rule = string(v.Rule.Kind) + ":" + v.Rule.Value
			}
			row.Via = append(row.Via, ViaJSON{Rule: rule, Group: v.Group})
		}
		want = append(want, row)
	}
	if len(want) < 50 {
		t.Fatalf("only %d rows: the fixture lost its point", len(want))
	}

	t.Run("csv", func(t *testing.T) {
		out, side := allAccess(t, CSV, ix)
		if r, ok := rawHidden(strings.ReplaceAll(out, "\r", "")); ok {
			t.Errorf("CSV carries a raw %U", r)
		}
		if r, ok := rawHidden(side); ok {
			t.Errorf("the summary carries a raw %U", r)
		}
		rd := csv.NewReader(strings.NewReader(out))
		rd.FieldsPerRecord = 5
		records, err := rd.ReadAll()
		if err != nil {
			t.Fatalf("the CSV does not parse: %v\n%s", err, out)
		}
		if !slices.Equal(records[0], []string{"email", "role", "blueprint", "via", "expires"}) {
			t.Errorf("header %q", records[0])
		}
		records = records[1:]
		if len(records) != len(want) {
			t.Fatalf("%d records, want %d", len(records), len(want))
		}
		for i, rec := range records {
			var rules []string
			for _, v := range want[i].Via {
				if v.Group != "" {
					rules = append(rules, "group:"+v.Group) // as the file writes it
				} else {
					rules = append(rules, v.Rule)
				}
			}
			w := []string{csvCell(want[i].Email), want[i].Role, csvCell(want[i].Blueprint), csvCell(strings.Join(rules, ";")), want[i].Expires}
			for j := range w { // encoding/csv reads a quoted CRLF as LF
				w[j] = strings.ReplaceAll(w[j], "\r\n", "\n")
			}
			if !slices.Equal(rec, w) {
				t.Errorf("record %d = %q, want %q", i, rec, w)
			}
			for _, cell := range rec {
				if cell != "" && strings.ContainsRune(formulaStart, rune(cell[0])) {
					t.Errorf("record %d: cell %q would run as a formula", i, cell)
				}
			}
		}
	})

	t.Run("json", func(t *testing.T) {
		out, _ := allAccess(t, JSON, ix)
		if r, ok := rawHidden(out); ok {
			t.Errorf("JSON carries a raw %U", r)
		}
		var got AllAccessJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		// Escaped, not altered: the values decode to what the portal holds.
		if !slices.EqualFunc(got.Rows, want, func(a, b AllAccessRow) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
			t.Errorf("rows decode to\n%q\nwant\n%q", got.Rows, want)
		}
		if !strings.Contains(out, `data\u202escience`) {
			t.Error("the bidi override is not a \\u escape")
		}
	})

	t.Run("text", func(t *testing.T) {
		out, _ := allAccess(t, Text, ix)
		if r, ok := rawHidden(out); ok {
			t.Errorf("text carries a raw %U", r)
		}
		// One line per row after the header: a line break in a value cannot forge one.
		rows := strings.Split(strings.SplitN(out, "\n\n", 2)[0], "\n")
		if len(rows) != len(want)+1 {
			t.Errorf("%d lines for %d rows and a header:\n%s", len(rows), len(want), out)
		}
		if !strings.Contains(out, `eve\u202egnp.exe@company.com`) || !strings.Contains(out, `two\nlines`) {
			t.Errorf("hidden characters are not shown as escapes:\n%s", out)
		}
	})
}

// TestAllAccessJSONShape pins the documented shape of `access --all -o json`: the
// keys at each level, nothing else, and empty lists as [] rather than null.
func TestAllAccessJSONShape(t *testing.T) {
	cfg := parseConfig(t, "base.yaml", readFile(t, "testdata/base.yaml"))
	cfg.Members = append(cfg.Members, portal.Member{Email: "solo@elsewhere.org", Role: portal.RoleUser})
	cfg.Sort()
	out, side := allAccess(t, JSON, access.NewIndex(cfg))
	if side != "" {
		t.Errorf("JSON wrote to the side: %q", side)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	var doc AllAccessJSON
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	keys := func(v any) []string {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%v is not an object", v)
		}
		var out []string
		for k, v := range m {
			if v == nil {
				t.Errorf("%s is null", k)
			}
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	summary := raw["summary"].(map[string]any)
	rows := raw["rows"].([]any)
	for _, tt := range []struct {
		what string
		obj  any
		want []string
	}{
		{"document", raw, []string{"rows", "source", "summary", "version"}},
		{"row", rows[0], []string{"blueprint", "email", "role", "via"}},
		{"via", rows[0].(map[string]any)["via"].([]any)[0], []string{"rule"}},
		{"summary", summary, []string{"blueprints", "blueprints_per_member", "members", "members_per_blueprint", "outside_usual_domains", "rows", "usual_domains"}},
		{"distribution", summary["members_per_blueprint"], []string{"max", "median", "min", "top"}},
		{"count", summary["members_per_blueprint"].(map[string]any)["top"].([]any)[0], []string{"count", "name"}},
		{"usual domains", summary["usual_domains"], []string{"domains", "percent"}},
		{"outside", summary["outside_usual_domains"], []string{"domains", "members"}},
	} {
		if got := keys(tt.obj); !slices.Equal(got, tt.want) {
			t.Errorf("%s has keys %v, want %v", tt.what, got, tt.want)
		}
	}
	if doc.Version != AllAccessVersion || doc.Source != "the live portal" {
		t.Errorf("version %d, source %q", doc.Version, doc.Source)
	}
	if doc.Summary.Rows != len(doc.Rows) || doc.Summary.Members != len(cfg.Members) || doc.Summary.Blueprints != len(cfg.Blueprints) {
		t.Errorf("summary counts %+v for %d rows", doc.Summary, len(doc.Rows))
	}
	if doc.Summary.UsualDomains.Percent != access.UsualPercent || !slices.Contains(doc.Summary.Outside.Members, "solo@elsewhere.org") {
		t.Errorf("domains %+v, outside %+v", doc.Summary.UsualDomains, doc.Summary.Outside)
	}
	// A portal without members or blueprints: the same keys, empty lists.
	out, _ = allAccess(t, JSON, access.NewIndex(&portal.Config{}))
	if !strings.Contains(out, `"rows": [],`) || !strings.Contains(out, `"members": []`) || strings.Contains(out, "null") {
		t.Errorf("empty portal:\n%s", out)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// failingWriter refuses every write, as a full disk or a closed pipe does.
type failingWriter struct{ writes int }

var errRefused = errors.New("no space left on device")

func (w *failingWriter) Write([]byte) (int, error) {
	w.writes++
	return 0, errRefused
}

// TestAllAccessStreams: rows go out as they are walked. With a million rows and a
// writer that fails at its first write, AllAccess stops with that error having
// allocated a small fraction of what holding the rows would take: it never builds
// them before writing.
func TestAllAccessStreams(t *testing.T) {
	cfg := &portal.Config{}
	for i := range 10_000 {
		cfg.Members = append(cfg.Members, portal.Member{Email: fmt.Sprintf("user%05d@company.com", i), Role: portal.RoleUser})
	}
	for i := range 100 {
		cfg.Blueprints = append(cfg.Blueprints, portal.Blueprint{Name: fmt.Sprintf("bp%03d", i), Open: true})
	}
	ix := access.NewIndex(cfg)
	const budget = 4 << 20 // a million rows hold at least 16 MiB of emails' headers alone
	for _, f := range []Format{Text, JSON, CSV} {
		t.Run(string(f), func(t *testing.T) {
			w := &failingWriter{}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := AllAccess(context.Background(), w, io.Discard, f, ix, "portal.yaml")
			runtime.ReadMemStats(&after)
			if !errors.Is(err, errRefused) || w.writes != 1 {
				t.Fatalf("AllAccess = %v after %d writes, want the writer's error after 1", err, w.writes)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > budget {
				t.Errorf("allocated %d bytes before the first write failed, want under %d: rows are built before they are written", alloc, budget)
			}
		})
	}
}

// TestAllAccessStopsOnCancel: an interrupted export stops with the cancellation.
func TestAllAccessStopsOnCancel(t *testing.T) {
	cfg := &portal.Config{Blueprints: []portal.Blueprint{{Name: "open", Open: true}}}
	for i := range 5000 {
		cfg.Members = append(cfg.Members, portal.Member{Email: fmt.Sprintf("user%05d@company.com", i)})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	err := AllAccess(ctx, &out, io.Discard, CSV, access.NewIndex(cfg), "portal.yaml")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("AllAccess = %v, want the cancellation", err)
	}
	if strings.Count(out.String(), "\n") > 5000 {
		t.Errorf("wrote every row despite the cancellation")
	}
}

// BenchmarkAllAccess exports the portal of docs/design.md#performance-targets (100,000 members, 2,000
// blueprints of 10 rules) in each format, reporting what a row costs: rows are
// streamed, so allocations per row stay near zero and the bytes allocated per row
// far below a row's size.
func BenchmarkAllAccess(b *testing.B) {
	l, err := schema.New()
	if err != nil {
		b.Fatal(err)
	}
	g := synth.New(synth.Spec{Members: 100_000, Blueprints: 2_000, Rules: 10, Seed: 1})
	cfg, ds := l.Parse("portal.yaml", g.YAML(synth.Change{}))
	if ds.HasErrors() {
		b.Fatal(ds)
	}
	ix := access.NewIndex(cfg)
	rows := 0
	for range ix.Grants() {
		rows++
	}
	for _, f := range []Format{CSV, JSON, Text} {
		b.Run(string(f), func(b *testing.B) {
			var w countingWriter
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				if err := AllAccess(context.Background(), &w, io.Discard, f, ix, "portal.yaml"); err != nil {
					b.Fatal(err)
				}
			}
			runtime.ReadMemStats(&after)
			n := float64(b.N) * float64(rows)
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/row")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/row")
			b.ReportMetric(float64(w.n)/n, "written-B/row")
		})
	}
}

// countingWriter counts what it is given and keeps none of it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
