package reconcile_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/emulator"
	"github.com/qovery/portalctl/reconcile"
)

// liveState builds a portal of n members and b blueprints whose ACLs cycle through
// open, a domain, an IDN domain spelled in Unicode, and emails in mixed case.
func liveState(n, b int) *emulator.State {
	st := &emulator.State{}
	for i := range n {
		m := qovery.Member{ID: fmt.Sprintf("m-%03d", i), Email: fmt.Sprintf("User%03d@Company.com", i), Role: qovery.RoleUser, Status: qovery.StatusActive}
		if i%4 == 0 {
			m.Role = qovery.RoleAdmin
		}
		if i%3 == 0 {
			m.Status = qovery.StatusPending
		}
		st.Members = append(st.Members, m)
	}
	for i := range b {
		bp := emulator.BlueprintState{ID: fmt.Sprintf("b-%03d", i), Name: fmt.Sprintf("bp-%03d", b-i), Description: fmt.Sprint("blueprint ", i)}
		switch i % 4 {
		case 0:
			bp.Rules = []qovery.Rule{}
		case 1:
			bp.Rules = []qovery.Rule{{Type: qovery.RuleEmail, Value: "zed@partner.org"}, {Type: qovery.RuleDomain, Value: "company.com"}}
		case 2:
			bp.Rules = []qovery.Rule{{Type: qovery.RuleDomain, Value: "bücher.de"}}
		case 3:
			bp.Rules = []qovery.Rule{{Type: qovery.RuleEmail, Value: "User001@Company.com"}, {Type: qovery.RuleEmail, Value: "amy@company.com"}}
		}
		st.Blueprints = append(st.Blueprints, bp)
	}
	return st
}

// wantLive is what ReadLive must make of liveState(n, b), written out by hand.
func wantLive(e *emu, n, b int) *portal.Config {
	cfg := &portal.Config{Version: 1, Organization: testOrg, Groups: map[string][]string{}}
	for i := range n {
		m := portal.Member{ID: fmt.Sprintf("m-%03d", i), Email: fmt.Sprintf("user%03d@company.com", i), Role: portal.RoleUser, Status: portal.StatusActive}
		if i%4 == 0 {
			m.Role = portal.RoleAdmin
		}
		if i%3 == 0 {
			m.Status = portal.StatusPending
			// Invited the day the emulator stamped the invitation.
			for _, sm := range e.srv.Members() {
				if sm.Email == m.Email {
					m.Invited = portal.DateOf(sm.CreatedAt)
				}
			}
		}
		cfg.Members = append(cfg.Members, m) // already in email order
	}
	dom := func(d string) portal.Rule { return portal.Rule{Kind: portal.RuleDomain, Value: d} }
	mail := func(e string) portal.Rule { return portal.Rule{Kind: portal.RuleEmail, Value: e} }
	for i := b - 1; i >= 0; i-- { // names count down, so name order is reverse creation order
		name := fmt.Sprintf("bp-%03d", b-i)
		acl, _ := e.srv.ACL(name)
		bp := portal.Blueprint{Name: name, ID: fmt.Sprintf("b-%03d", i), Description: fmt.Sprint("blueprint ", i), ETag: acl.ETag}
		switch i % 4 {
		case 0:
			bp.Open = true
		case 1:
			bp.Rules = []portal.Rule{dom("company.com"), mail("zed@partner.org")}
		case 2:
			bp.Rules = []portal.Rule{dom("xn--bcher-kva.de")}
		case 3:
			bp.Rules = []portal.Rule{mail("amy@company.com"), mail("user001@company.com")}
		}
		cfg.Blueprints = append(cfg.Blueprints, bp)
	}
	return cfg
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func TestReadLiveRoundTrips(t *testing.T) {
	tests := []struct{ members, blueprints, pageSize int }{
		{10, 7, 3},
		{9, 6, 3}, // exact multiples: no trailing empty page
		{1, 1, 3},
		{4, 13, 2},
		{25, 3, 100},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d members %d blueprints page %d", tt.members, tt.blueprints, tt.pageSize), func(t *testing.T) {
			e := startEmu(t, emulator.Options{Initial: liveState(tt.members, tt.blueprints), MaxPageSize: tt.pageSize})
			c := e.client(t, 0)
			e.srv.ResetStats()
			live, err := reconcile.ReadLive(context.Background(), c, testOrg, 3)
			if err != nil {
				t.Fatal(err)
			}
			st := e.srv.Stats()
			wantTotal := ceilDiv(tt.members, tt.pageSize) + ceilDiv(tt.blueprints, tt.pageSize) + tt.blueprints
			if st.Total != wantTotal {
				t.Errorf("%d requests, want %d: %v", st.Total, wantTotal, st.Requests)
			}
			for route, n := range map[string]int{
				"GET " + routeMembers: ceilDiv(tt.members, tt.pageSize),
				"GET " + routeBPs:     ceilDiv(tt.blueprints, tt.pageSize),
				"GET " + routeACL:     tt.blueprints,
			} {
				if st.Requests[route] != n {
					t.Errorf("%d × %s, want %d", st.Requests[route], route, n)
				}
			}
			if want := wantLive(e, tt.members, tt.blueprints); !reflect.DeepEqual(live, want) {
				t.Errorf("ReadLive:\n%+v\nwant\n%+v", live, want)
			}
		})
	}
}

func TestReadLiveFails(t *testing.T) {
	for i := range 1 + 1 + 5 { // every request of the read
		// Whichever request gets the 502 (they run concurrently), ReadLive fails as a
		// whole rather than returning part of the portal. A fresh portal each time, so
		// that requests a previous read cancelled cannot take the fault.
		e := startEmu(t, emulator.Options{Initial: liveState(5, 5)})
		faults := make([]emulator.Fault, i+1)
		faults[i] = emulator.FaultBadGateway
		e.srv.InjectFaults(faults...)
		live, err := reconcile.ReadLive(context.Background(), e.client(t, -1), testOrg, 2)
		if err == nil {
			t.Fatalf("request %d failed, ReadLive returned %d members, %d blueprints and no error", i+1, len(live.Members), len(live.Blueprints))
		}
		if !strings.Contains(err.Error(), "read live state") {
			t.Errorf("error %q does not say what failed", err)
		}
	}
}

func TestFingerprint(t *testing.T) {
	base := func() *portal.Config {
		cfg := &portal.Config{
			Members: []portal.Member{
				{ID: "m1", Email: "alice@company.com", Role: portal.RoleAdmin, Status: portal.StatusActive},
				{ID: "m2", Email: "bob@company.com", Role: portal.RoleUser, Status: portal.StatusPending},
			},
			Blueprints: []portal.Blueprint{
				{ID: "b1", Name: "ds", ETag: `"1"`, Rules: []portal.Rule{{Kind: portal.RuleDomain, Value: "company.com"}}},
				{ID: "b2", Name: "py", ETag: `"2"`, Open: true},
			},
		}
		return cfg
	}
	fp := reconcile.Fingerprint(base())
	if fp != reconcile.Fingerprint(base()) {
		t.Fatal("Fingerprint is not deterministic")
	}
	tests := []struct {
		name    string
		edit    func(*portal.Config)
		changes bool
	}{
		{"pending member logs in", func(c *portal.Config) { c.Members[1].Status = portal.StatusActive }, false},
		{"description changes", func(c *portal.Config) { c.Blueprints[0].Description = "new" }, false},
		{"role changes", func(c *portal.Config) { c.Members[1].Role = portal.RoleAdmin }, true},
		{"member leaves", func(c *portal.Config) { c.Members = c.Members[:1] }, true},
		{"member joins", func(c *portal.Config) {
			c.Members = append(c.Members, portal.Member{ID: "m3", Email: "carol@company.com", Role: portal.RoleUser})
		}, true},
		{"member re-created with a new id", func(c *portal.Config) { c.Members[1].ID = "m9" }, true},
		{"rule changes", func(c *portal.Config) { c.Blueprints[0].Rules[0].Value = "partner.org" }, true},
		{"rule kind changes", func(c *portal.Config) {
			c.Blueprints[0].Rules[0] = portal.Rule{Kind: portal.RuleEmail, Value: "company.com"}
		}, true},
		{"rule added", func(c *portal.Config) {
			c.Blueprints[0].Rules = append(c.Blueprints[0].Rules, portal.Rule{Kind: portal.RuleEmail, Value: "x@y.com"})
		}, true},
		{"only the ETag changes", func(c *portal.Config) { c.Blueprints[1].ETag = `"3"` }, true},
		{"open blueprint gets a rule", func(c *portal.Config) {
			c.Blueprints[1].Open = false
			c.Blueprints[1].Rules = []portal.Rule{{Kind: portal.RuleDomain, Value: "company.com"}}
		}, true},
		{"blueprint appears", func(c *portal.Config) {
			c.Blueprints = append(c.Blueprints, portal.Blueprint{ID: "b3", Name: "zz", Open: true})
		}, true},
		{"rule moves between blueprints", func(c *portal.Config) {
			c.Blueprints[0].Rules, c.Blueprints[0].Open = nil, true
			c.Blueprints[1].Rules, c.Blueprints[1].Open = []portal.Rule{{Kind: portal.RuleDomain, Value: "company.com"}}, false
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.edit(c)
			if got := reconcile.Fingerprint(c) != fp; got != tt.changes {
				t.Errorf("fingerprint changed = %v, want %v", got, tt.changes)
			}
		})
	}
}

// The same through the portal: a fingerprint taken by plan still matches at apply
// time after a member logs in, and not after someone edits an ACL or a role.
func TestFingerprintLive(t *testing.T) {
	e := startEmu(t, emulator.Options{Initial: liveState(4, 3)})
	c := e.client(t, 0)
	fp := reconcile.Fingerprint(readLive(t, c))

	e.srv.AddMember("user000@company.com", qovery.RoleAdmin, qovery.StatusActive) // was pending
	if got := reconcile.Fingerprint(readLive(t, c)); got != fp {
		t.Error("fingerprint changed when a pending member logged in")
	}
	e.srv.AddMember("user001@company.com", qovery.RoleAdmin, qovery.StatusActive) // was user
	fp2 := reconcile.Fingerprint(readLive(t, c))
	if fp2 == fp {
		t.Error("fingerprint unchanged after a role change")
	}
	acl, _ := e.srv.ACL("bp-001")
	e.srv.SetACL("bp-001", acl.Rules) // same rules, new version
	if reconcile.Fingerprint(readLive(t, c)) == fp2 {
		t.Error("fingerprint unchanged after an ACL write")
	}
}

// boundedReader wraps the real client and records how many ACL reads overlap.
type boundedReader struct {
	reconcile.Reader
	mu            sync.Mutex
	inflight, max int
}

func (b *boundedReader) GetACL(ctx context.Context, id string) ([]portal.Rule, string, error) {
	b.mu.Lock()
	b.inflight++
	b.max = max(b.max, b.inflight)
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.inflight--
		b.mu.Unlock()
	}()
	return b.Reader.GetACL(ctx, id)
}

func TestReadLiveParallelism(t *testing.T) {
	// Latency only makes the reads overlap; nothing here measures time.
	e := startEmu(t, emulator.Options{Initial: liveState(3, 20), Latency: 2 * time.Millisecond})
	for _, par := range []int{1, 3} {
		r := &boundedReader{Reader: e.client(t, 0)}
		live, err := reconcile.ReadLive(context.Background(), r, testOrg, par)
		if err != nil {
			t.Fatal(err)
		}
		if len(live.Blueprints) != 20 {
			t.Fatalf("%d blueprints", len(live.Blueprints))
		}
		if r.max > par {
			t.Errorf("parallelism %d: %d ACL reads at once", par, r.max)
		}
	}
}
