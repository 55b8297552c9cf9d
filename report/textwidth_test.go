package report

import (
	"bytes"
	"strings"
	"testing"

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
