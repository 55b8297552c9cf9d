package reconcile_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/emulator"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/schema"
)

// What a portal may hold, as its API spells it: mixed case, Unicode (IDN) domains,
// sub-domains, addresses with plus and dots, blueprint names YAML treats specially.
var (
	exportLocals  = []string{"alice", "Bob", "first.last", "user+tag", "o'neil", "élodie", "x_y-z"}
	exportDomains = []string{"company.com", "Company.COM", "eu.company.com", "partner.org", "gmail.com", "bücher.de", "MÜNCHEN.de", "xn--bcher-kva.de"}
	exportNames   = []string{
		"data-science", "Python Starter", "yes", "no", "null", "~", "123", "1.5", "0x1F", "true",
		"a: b", "#hash", "- dash", "[list]", "{map}", "*star", "&anchor", "!tag", "%pct", "@at",
		"ünïcödé", "with \"quotes\"", "it's", "trailing space ", " leading", "tab\tinside", "x-ray", "? q",
		strings.Repeat("long-", 250),
	}
	exportDescriptions = []string{"", "Notebooks for data scientists", "two\nlines", "# not a comment", "ends with spaces   ", "ünïcödé — and more"}
)

func randExportEmail(r *rand.Rand) string {
	return exportLocals[r.IntN(len(exportLocals))] + "@" + exportDomains[r.IntN(len(exportDomains))]
}

// randAPIState builds a random portal as the API would return it.
func randAPIState(r *rand.Rand) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
	var members []qovery.Member
	seen := map[string]bool{}
	for i := range r.IntN(10) {
		e := randExportEmail(r)
		norm, err := portal.NormalizeEmail(e)
		if err != nil {
			panic(fmt.Sprintf("test pool email %q: %v", e, err))
		}
		if seen[norm] {
			continue
		}
		seen[norm] = true
		m := qovery.Member{ID: fmt.Sprintf("m%d", i), Email: e, Role: qovery.RoleUser, Status: qovery.StatusActive}
		if r.IntN(3) == 0 {
			m.Role = qovery.RoleAdmin
		}
		if r.IntN(3) == 0 {
			m.Status, m.CreatedAt = qovery.StatusPending, time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
		}
		members = append(members, m)
	}
	var bps []qovery.Blueprint
	var acls []qovery.ACL
	for i, name := range exportNames {
		if r.IntN(3) != 0 {
			continue
		}
		bps = append(bps, qovery.Blueprint{ID: fmt.Sprintf("b%d", i), Name: name, Description: exportDescriptions[r.IntN(len(exportDescriptions))]})
		acl := qovery.ACL{ETag: fmt.Sprintf(`"%d"`, r.IntN(1000)), Rules: []qovery.Rule{}}
		if r.IntN(4) != 0 { // else open
			for range 1 + r.IntN(4) {
				if r.IntN(2) == 0 {
					acl.Rules = append(acl.Rules, qovery.Rule{Type: qovery.RuleDomain, Value: exportDomains[r.IntN(len(exportDomains))]})
				} else {
					// Often not a member: a dormant rule.
					acl.Rules = append(acl.Rules, qovery.Rule{Type: qovery.RuleEmail, Value: randExportEmail(r)})
				}
			}
		}
		acls = append(acls, acl)
	}
	return members, bps, acls
}

// checkExportRoundTrip: export the live state, load it back, plan it against the
// same live state: the file must be valid and the plan empty.
func checkExportRoundTrip(t *testing.T, l *schema.Loader, live *portal.Config) {
	t.Helper()
	data, err := schema.Marshal(live, "# exported by portalctl")
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	cfg, ds := l.Parse("export.yaml", data)
	if ds.HasErrors() {
		t.Fatalf("the exported file does not load: %+v\n%s", ds, data)
	}
	p, pds := reconcile.Diff(cfg, live, reconcile.DiffOptions{})
	if len(pds) != 0 {
		t.Fatalf("Diff diagnostics: %+v\n%s", pds, data)
	}
	if !p.Empty() || len(p.Unmanaged) != 0 || len(p.Impact.Blueprints) != 0 {
		t.Fatalf("plan of the exported file: ops %v, unmanaged %v, impact %+v\n%s", actions(p.Ops), p.Unmanaged, p.Impact.Blueprints, data)
	}
	if len(cfg.Members) != len(live.Members) || len(cfg.Blueprints) != len(live.Blueprints) {
		t.Fatalf("exported %d members and %d blueprints, live has %d and %d", len(cfg.Members), len(cfg.Blueprints), len(live.Members), len(live.Blueprints))
	}
}

func TestExportRoundTrip(t *testing.T) {
	l, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	covered := map[string]int{}
	defer func() {
		// The generator must produce what the property is about.
		for _, k := range []string{"pending member", "open blueprint", "IDN domain", "dormant email rule", "sub-domain rule"} {
			if covered[k] == 0 {
				t.Errorf("no state had a %s", k)
			}
		}
	}()
	for iter := range 300 {
		members, bps, acls := randAPIState(r)
		live := testkit.Must(qovery.FromAPI(testOrg, members, bps, acls))
		for _, m := range live.Members {
			if m.Status == portal.StatusPending {
				covered["pending member"]++
			}
		}
		for _, b := range live.Blueprints {
			if b.Open {
				covered["open blueprint"]++
			}
			for _, rule := range b.Rules {
				if strings.Contains(rule.Value, "xn--") {
					covered["IDN domain"]++
				}
				if _, ok := live.Member(rule.Value); rule.Kind == portal.RuleEmail && !ok {
					covered["dormant email rule"]++
				}
				if rule.Value == "eu.company.com" {
					covered["sub-domain rule"]++
				}
			}
		}
		t.Run(fmt.Sprint(iter), func(t *testing.T) { checkExportRoundTrip(t, l, live) })
		if t.Failed() {
			t.Fatalf("iteration %d failed", iter)
		}
	}
}

// The same through the emulator and ReadLive, as `portalctl export` does it.
func TestExportRoundTripFromEmulator(t *testing.T) {
	l, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 8))
	for iter := range 5 {
		members, bps, acls := randAPIState(r)
		st := &emulator.State{Members: members}
		for i, b := range bps {
			st.Blueprints = append(st.Blueprints, emulator.BlueprintState{ID: b.ID, Name: b.Name, Description: b.Description, Rules: acls[i].Rules})
		}
		e := startEmu(t, emulator.Options{Initial: st})
		live := readLive(t, e.client(t, 0))
		if len(live.Members) != len(members) || len(live.Blueprints) != len(bps) {
			t.Fatalf("iteration %d: read %d members and %d blueprints, the portal has %d and %d", iter, len(live.Members), len(live.Blueprints), len(members), len(bps))
		}
		checkExportRoundTrip(t, l, live)
	}
}

// A blueprint may be named anything in the portal, "<<" included; its export must
// load back as that blueprint, not as a YAML merge key.
func TestExportBlueprintNamedMergeKey(t *testing.T) {
	l, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	live := testkit.Must(qovery.FromAPI(testOrg,
		[]qovery.Member{{ID: "m1", Email: "alice@company.com", Role: qovery.RoleAdmin, Status: qovery.StatusActive}},
		[]qovery.Blueprint{{ID: "b1", Name: "<<"}},
		[]qovery.ACL{{ETag: `"e1"`, Rules: []qovery.Rule{{Type: qovery.RuleDomain, Value: "company.com"}}}}))
	checkExportRoundTrip(t, l, live)
}
