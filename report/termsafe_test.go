package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
)

// rawControls lists the control characters and line separators in terminal output,
// other than the newlines that end lines and, with colour, our own SGR sequences.
func rawControls(out string, color bool) []string {
	if color {
		out = stripSGR(out)
	}
	var found []string
	for i, r := range out {
		if r != '\n' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029') {
			found = append(found, fmt.Sprintf("%U at byte %d", r, i))
		}
	}
	return found
}

func TestTermSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"data-science", "data-science"},
		{"bücher.de 日本", "bücher.de 日本"},   // printable: kept
		{"gnp.\u202eexe", `gnp.\u202eexe`}, // bidi override: escaped
		{"a\u200bb\ufeff", `a\u200bb\ufeff`},
		{"x\u2066y\u2069", `x\u2066y\u2069`},
		{"evil\x1b[2J\x1b[H", `evil\x1b[2J\x1b[H`},
		{"a\nb\r\tc", `a\nb\r\tc`},
		{"\x07bell", `\abell`},
		{"x\u2028y\u2029", `x\u2028y\u2029`},
		{"\u009b31m", `\u009b31m`},
		{"\x1b]8;;https://evil.com\x07", `\x1b]8;;https://evil.com\a`},
		{"\x00", `\x00`},
		{`say "hi"` + "\x1b", `say "hi"\x1b`}, // quotes stay as they are
	}
	for _, tt := range tests {
		got := termSafe(tt.in)
		if got != tt.want {
			t.Errorf("termSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if c := rawControls(got, false); len(c) > 0 || strings.Contains(got, "\n") {
			t.Errorf("termSafe(%q) = %q keeps %v", tt.in, got, c)
		}
	}
}

// TestTermSafeQuotes: a quote at either end of the value is kept whole.
func TestTermSafeQuotes(t *testing.T) {
	for in, want := range map[string]string{"a\x1b\"": `a\x1b"`, "'\x1b'": `'\x1b'`, "\"": `"`} {
		if got := termSafe(in); got != want {
			t.Errorf("termSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// renderText renders p as plan does, on a line as wide as it takes: values of any
// length keep the lines the plan has with plain names.
func renderText(t testing.TB, p *reconcile.Plan, color bool) string {
	t.Helper()
	return renderPlan(t, Text, p, TextOptions{Color: color, Width: 1 << 20})
}

// TestPlanTextControlCharacters renders a plan whose every value carries control
// characters and escape sequences: none reaches the terminal raw, and the output has
// as many lines as the same plan with plain names.
func TestPlanTextControlCharacters(t *testing.T) {
	p := hostilePlan(hostile, "opened\x1b[2J\nx")
	plain := renderText(t, mapPlan(p, benign()), false)
	for _, o := range []struct {
		color bool
		title string
	}{{}, {color: true}, {title: "evil\x1b]0;title\x07\ntitle"}} {
		color := o.color
		t.Run(fmt.Sprintf("%+v", o), func(t *testing.T) {
			var b strings.Builder
			if err := New(p, Options{Kind: KindPlan, Plan: planSource(), Title: o.title}).Text(&b, TextOptions{Color: o.color, Width: 1 << 20}); err != nil {
				t.Fatal(err)
			}
			got := b.String()
			if c := rawControls(got, color); len(c) > 0 {
				t.Errorf("raw control characters in the plan: %v\n%s", c, got)
			}
			if n, want := strings.Count(got, "\n"), strings.Count(plain, "\n"); n != want {
				t.Errorf("%d lines, %d with plain names: values break lines", n, want)
			}
			for _, v := range []string{"\x1b[31mred", "\x1b]8;;https://evil.com\x07link", "line1\nline2"} {
				if !strings.Contains(got, termSafe(v)) {
					t.Errorf("value %q not shown as %q", v, termSafe(v))
				}
			}
		})
	}
}

// TestPlanTextOpenedName: the loud warning of a blueprint becoming open prints the
// blueprint's name. The name is a key of portal.yaml, which may be anything, or a
// name read from the portal. (It once went out raw.)
func TestPlanTextOpenedName(t *testing.T) {
	name := "evil\x1b[2J\x1b[H\nfake line"
	p := hostilePlan([]string{"x"}, name)
	if c := rawControls(renderText(t, p, false), false); len(c) > 0 {
		t.Errorf("raw control characters in the plan: %v", c)
	}

	// The same through the loader: a file that opens a blueprint with such a name.
	base := parseConfig(t, "base.yaml", []byte("version: 1\nmembers:\n  - email: a@company.com\n    role: admin\nblueprints:\n  \"evil\\e[2J\\e[H\":\n    domains: [company.com]\n"))
	head := parseConfig(t, "head.yaml", []byte("version: 1\nmembers:\n  - email: a@company.com\n    role: admin\nblueprints:\n  \"evil\\e[2J\\e[H\":\n    access: open\n"))
	out := renderText(t, diffOffline(t, head, base), false)
	if c := rawControls(out, false); len(c) > 0 {
		t.Errorf("raw control characters in the plan of a file: %v\n%q", c, out)
	}
}

func TestAccessControlCharacters(t *testing.T) {
	for _, v := range hostile {
		t.Run(fmt.Sprintf("%q", v), func(t *testing.T) {
			b := &portal.Blueprint{Name: v, Rules: []portal.Rule{
				{Kind: portal.RuleDomain, Value: v},
				{Kind: portal.RuleEmail, Value: v + "@x.com", Group: v},
			}}
			viewers := []access.Viewer{
				{Email: v + "@x.com", Via: []access.Via{{Rule: b.Rules[1].Key(), Group: v}, {Rule: b.Rules[0].Key()}}},
				{Email: "plain@x.com", Via: []access.Via{{Rule: portal.RuleKey{Kind: portal.RuleDomain, Value: v}}}},
			}
			seen := []access.Seen{
				{Blueprint: v, Via: []access.Via{{Rule: portal.RuleKey{Kind: portal.RuleEmail, Value: v}, Group: v}}},
				{Blueprint: "open " + v, Via: []access.Via{{Open: true}}},
			}
			for _, open := range []bool{false, true} {
				b.Open = open
				var buf bytes.Buffer
				if err := Audience(&buf, Text, b, viewers, "portal.yaml"); err != nil {
					t.Fatal(err)
				}
				lines := 1 + len(viewers)
				if open {
					lines++
				}
				checkTerminal(t, "Audience", buf.String(), lines)
			}
			for _, member := range []bool{false, true} {
				var buf bytes.Buffer
				if err := Visibility(&buf, Text, v+"@x.com", member, seen, "live portal"); err != nil {
					t.Fatal(err)
				}
				lines := 1 + len(seen)
				if !member {
					lines++
				}
				checkTerminal(t, "Visibility", buf.String(), lines)
			}
		})
	}
}

func checkTerminal(t *testing.T, what, out string, lines int) {
	t.Helper()
	if c := rawControls(out, false); len(c) > 0 {
		t.Errorf("%s writes raw control characters %v:\n%q", what, c, out)
	}
	if n := strings.Count(out, "\n"); n != lines {
		t.Errorf("%s writes %d lines, want %d:\n%q", what, n, lines, out)
	}
}

// TestDiagnosticsTextFromLoader: the loader quotes the values it puts in messages,
// so crafted keys and values reach validate's terminal output escaped.
func TestDiagnosticsTextFromLoader(t *testing.T) {
	y := "version: 1\nmembers:\n  - email: \"a\\e[31m@x.com\"\n    role: \"ad\\e[2Jmin\"\n  - email: ok@company.com\n    \"ro\\e]le\": admin\n\"top\\e[1m\": 1\n" +
		"blueprints:\n  \"bp\\e[31m\\nx\":\n    emails: [\"zz\\e@company.com\"]\n    domains: [\"ev\\e[0mil.com\"]\n    groups: [\"g\\e\"]\n  \"b\\u2028\": {}\n"
	_, ds := parseLoose(t, y)
	if len(ds) < 8 {
		t.Fatalf("the loader finds %d problems, want at least 8", len(ds))
	}
	for _, color := range []bool{false, true} {
		out := renderDiag(t, Text, ds, DiagOptions{Color: color})
		if c := rawControls(out, color); len(c) > 0 {
			t.Errorf("raw control characters %v:\n%s", c, out)
		}
		gh := renderDiag(t, GitHub, ds, DiagOptions{})
		if c := rawControls(gh, false); len(c) > 0 {
			t.Errorf("raw control characters in annotations %v:\n%s", c, gh)
		}
	}
}
