package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// TestTextIndexKeepsLongAddressesWhole: an index row whose rule change names
// an address longer than the room beside the row is laid out under the row,
// so that no line passes the terminal's 80 columns (where the terminal would
// break the address in the middle).
func TestTextIndexKeepsLongAddressesWhole(t *testing.T) {
	long := "averyveryverylongname.contractor@subsidiary-company.com"
	base := &portal.Config{Members: []portal.Member{{Email: "a@company.com", Role: portal.RoleAdmin}, {Email: long}},
		Blueprints: []portal.Blueprint{{Name: "data-sandbox", Rules: []portal.Rule{{Kind: portal.RuleDomain, Value: "company.com"}}}}}
	head := *base
	head.Blueprints = []portal.Blueprint{{Name: "data-sandbox", Rules: []portal.Rule{{Kind: portal.RuleDomain, Value: "company.com"}, {Kind: portal.RuleEmail, Value: long}}}}
	r := Compare(Change{Head: &head, Base: base}, Options{})
	var out bytes.Buffer
	if err := r.Text(&out, TextOptions{Width: 80}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), long) {
		t.Fatalf("the address is not whole:\n%s", out.String())
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if n := len([]rune(l)); n > 80 {
			t.Errorf("%d columns: %q", n, l)
		}
	}
}

// TestDiagnosticsWrap: validate's text breaks each problem at spaces to the
// width, the message's lines indented under its position, its hint's under
// "hint:"; with no width, a problem is one line, as it was.
func TestDiagnosticsWrap(t *testing.T) {
	ds := diag.List{{Pos: portal.Pos{File: "teams/ml.yaml", Line: 4, Col: 3}, Severity: diag.Error, Code: "x",
		Message: "blueprint \"ml\" is outside the scope of teams/ml.yaml: the include at portal.yaml:3:11 lets its files define only the blueprints data-*",
		Hint:    "move the blueprint to the file whose scope takes it (or the root file), or add \"ml\" to that include's blueprints"}}
	var wide, narrow bytes.Buffer
	if err := Diagnostics(&wide, Text, ds, DiagOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Diagnostics(&narrow, Text, ds, DiagOptions{Width: 60}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(wide.String(), "\n"); n != 3 {
		t.Errorf("with no width, %d lines:\n%s", n, wide.String())
	}
	lines := strings.Split(strings.TrimSuffix(narrow.String(), "\n"), "\n")
	if len(lines) <= 3 || !strings.HasPrefix(lines[0], "teams/ml.yaml:4:3: error: ") {
		t.Fatalf("not broken:\n%s", narrow.String())
	}
	for _, l := range lines {
		if len([]rune(l)) > 60 {
			t.Errorf("%d columns: %q", len([]rune(l)), l)
		}
	}
	if strings.Join(strings.Fields(wide.String()), " ") != strings.Join(strings.Fields(narrow.String()), " ") {
		t.Errorf("broken lines say something else:\n%s\nwant\n%s", narrow.String(), wide.String())
	}
}
