package report

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/qovery/portalctl/portal"
)

// TestReviewChanges: owners and reviewed dates that change, and a change of
// access to a blueprint whose review is overdue or never happened, under a
// policy with review_every_days; nothing without such a policy but the owners
// and the dates.
func TestReviewChanges(t *testing.T) {
	day := func(s string) portal.Date {
		d, err := portal.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	today := day("2026-12-07")
	rules := func(vs ...string) []portal.Rule {
		var out []portal.Rule
		for _, v := range vs {
			out = append(out, portal.Rule{Kind: portal.RuleDomain, Value: v})
		}
		return out
	}
	policy := &portal.Policy{ReviewEveryDays: 90, Set: map[portal.PolicyRule]portal.Pos{portal.PolicyReviewEveryDays: {}}}
	bp := func(name string, owners []string, reviewed string, r ...string) portal.Blueprint {
		b := portal.Blueprint{Name: name, Owners: owners, Rules: rules(r...)}
		if reviewed != "" {
			b.Reviewed = day(reviewed)
		}
		return b
	}
	for _, c := range []struct {
		name       string
		base, head []portal.Blueprint
		policy     *portal.Policy
		want       []ReviewChange
	}{
		{"owners change", []portal.Blueprint{bp("ds", []string{"a@x.co"}, "", "x.co")}, []portal.Blueprint{bp("ds", []string{"a@x.co", "b@x.co"}, "", "x.co")}, nil,
			[]ReviewChange{{Blueprint: "ds", Change: "owners", From: []string{"a@x.co"}, To: []string{"a@x.co", "b@x.co"}}}},
		{"a sign-off", []portal.Blueprint{bp("ds", nil, "2026-09-01", "x.co")}, []portal.Blueprint{bp("ds", nil, "2026-12-07", "x.co")}, policy,
			[]ReviewChange{{Blueprint: "ds", Change: "reviewed", Reviewed: "2026-12-07", Was: "2026-09-01"}}},
		{"access changes, review overdue", []portal.Blueprint{bp("ds", nil, "2026-08-01", "x.co")}, []portal.Blueprint{bp("ds", nil, "2026-08-01", "x.co", "y.co")}, policy,
			[]ReviewChange{{Blueprint: "ds", Change: "overdue", Due: "2026-10-30"}}},
		{"access changes, never reviewed", []portal.Blueprint{bp("ds", nil, "", "x.co")}, []portal.Blueprint{bp("ds", nil, "", "y.co")}, policy,
			[]ReviewChange{{Blueprint: "ds", Change: "overdue"}}},
		{"access changes, review not due", []portal.Blueprint{bp("ds", nil, "2026-11-01", "x.co")}, []portal.Blueprint{bp("ds", nil, "2026-11-01", "y.co")}, policy, nil},
		{"review overdue, access the same", []portal.Blueprint{bp("ds", nil, "2026-01-01", "x.co")}, []portal.Blueprint{bp("ds", nil, "2026-01-01", "x.co")}, policy, nil},
		{"no review policy", []portal.Blueprint{bp("ds", nil, "", "x.co")}, []portal.Blueprint{bp("ds", nil, "", "y.co")}, nil, nil},
		{"a new blueprint never reviewed", nil, []portal.Blueprint{bp("new", nil, "", "x.co")}, policy,
			[]ReviewChange{{Blueprint: "new", Change: "overdue"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := &portal.Config{Blueprints: c.base}
			head := &portal.Config{Blueprints: c.head, Policy: c.policy}
			if got := ReviewChanges(base, head, today); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestReviewAlertRendered: the alert comes among the others, before the
// index, in markdown and text, naming the blueprint and what changes.
func TestReviewAlertRendered(t *testing.T) {
	r := &Report{Version: ReportVersion, Kind: KindPreview, Alerts: Alerts{Opened: []string{}, Refusals: []Refusal{}, Admins: []AdminChange{}, Problems: []Problem{},
		Reviews: []ReviewChange{{Blueprint: "ds", Change: "reviewed", Reviewed: "2026-12-07", Was: "2026-09-01"}, {Blueprint: "ml", Change: "overdue", Due: "2026-10-30"}}}}
	var txt bytes.Buffer
	if err := r.Text(&txt, TextOptions{Width: 80}); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{r.Markdown(MarkdownOptions{}), txt.String()} {
		out = strings.Join(strings.Fields(out), " ") // the text wraps at 80
		for _, want := range []string{"Access reviews", "reviewed 2026-12-07", "(was 2026-09-01): a sign-off of its audience", "overdue", "(due 2026-10-30)"} {
			if !strings.Contains(out, want) {
				t.Errorf("lacks %q:\n%s", want, out)
			}
		}
	}
}
