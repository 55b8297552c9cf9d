package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/emulator"
	"github.com/qovery/portalctl/reconcile"
)

// applyState is the portal the apply tests start from.
func applyState() *emulator.State {
	return &emulator.State{
		Members: []qovery.Member{
			{Email: "alice@company.com", Role: qovery.RoleAdmin, Status: qovery.StatusActive},
			{Email: "bob@company.com", Role: qovery.RoleUser, Status: qovery.StatusActive},
			{Email: "carol@partner.org", Role: qovery.RoleAdmin, Status: qovery.StatusPending},
			{Email: "dave@company.com", Role: qovery.RoleUser, Status: qovery.StatusActive},
			{Email: "olga@company.com", Role: qovery.RoleUser, Status: qovery.StatusActive},
		},
		Blueprints: []emulator.BlueprintState{
			{Name: "data-science", Rules: []qovery.Rule{{Type: qovery.RuleDomain, Value: "company.com"}}},
			{Name: "python-starter", Rules: []qovery.Rule{}},
			{Name: "ml-lab", Rules: []qovery.Rule{{Type: qovery.RuleEmail, Value: "carol@partner.org"}}},
			{Name: "unmanaged", Description: "left alone", Rules: []qovery.Rule{{Type: qovery.RuleDomain, Value: "company.com"}}},
		},
	}
}

// applyFile wants one change of every kind against applyState: invite erin, promote
// bob, change two ACLs, demote carol, remove dave and olga.
const applyFile = `version: 1
members:
  - email: alice@company.com
    role: admin
  - email: bob@company.com
    role: admin
  - email: carol@partner.org
  - email: erin@company.com
groups:
  contractors: [freelancer@gmail.com]
blueprints:
  data-science:
    domains: [company.com, partner.org]
  python-starter:
    access: open
  ml-lab:
    emails: [bob@company.com]
    groups: [contractors]
`

// bigApplyFile adds enough invitations for parallel phases to overlap.
func bigApplyFile() string {
	var extra strings.Builder
	for i := range 12 {
		fmt.Fprintf(&extra, "  - email: new%02d@company.com\n", i)
	}
	return strings.Replace(applyFile, "groups:\n", extra.String()+"groups:\n", 1)
}

// checkMatchesFile compares the emulator's members and ACLs with the file, without
// going through ReadLive.
func checkMatchesFile(t *testing.T, e *emu, file *portal.Config) {
	t.Helper()
	var got, want []string
	for _, m := range e.srv.Members() {
		got = append(got, m.Email+" "+strings.ToLower(string(m.Role)))
	}
	for _, m := range file.Members {
		want = append(want, m.Email+" "+string(m.Role))
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("portal members %v, want %v", got, want)
	}
	for _, b := range file.Blueprints {
		acl, ok := e.srv.ACL(b.Name)
		if !ok {
			t.Errorf("blueprint %s gone from the portal", b.Name)
			continue
		}
		var have, wantRules []string
		for _, r := range acl.Rules {
			have = append(have, strings.ToLower(string(r.Type))+" "+r.Value)
		}
		for _, r := range b.Rules {
			wantRules = append(wantRules, r.Key().String())
		}
		sort.Strings(have)
		sort.Strings(wantRules)
		if !slices.Equal(have, wantRules) {
			t.Errorf("ACL of %s is %v, want %v", b.Name, have, wantRules)
		}
	}
	if acl, _ := e.srv.ACL("unmanaged"); len(acl.Rules) != 1 || acl.Rules[0].Value != "company.com" {
		t.Errorf("the unmanaged blueprint was touched: %v", acl.Rules)
	}
}

// planFor reads the live portal and diffs the file against it.
func planFor(t *testing.T, c reconcile.Reader, file *portal.Config) (*reconcile.Plan, *portal.Config) {
	t.Helper()
	live := readLive(t, c)
	p, ds := reconcile.Diff(file, live, reconcile.DiffOptions{})
	if ds.HasErrors() {
		t.Fatalf("Diff: %+v", ds)
	}
	return p, live
}

func checkConverged(t *testing.T, e *emu, file *portal.Config) {
	t.Helper()
	p, _ := planFor(t, e.client(t, 0), file)
	if !p.Empty() {
		t.Errorf("plan after apply is not empty: %v", actions(p.Ops))
	}
	checkMatchesFile(t, e, file)
}

// recorder wraps the real client and checks what Apply promises about order and
// concurrency: phases never overlap and at most parallelism calls are in flight.
type recorder struct {
	reconcile.Writer
	mu       sync.Mutex
	inflight int
	max      int
	phase    int // highest phase started
	errs     []string
}

var phaseOf = map[string]int{"invite": 0, "promote": 1, "update_acl": 2, "demote": 3, "remove": 4}

func (r *recorder) enter(phase int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if phase < r.phase {
		r.errs = append(r.errs, fmt.Sprintf("a phase-%d call started after phase %d", phase, r.phase))
	}
	if phase > r.phase && r.inflight > 0 {
		r.errs = append(r.errs, fmt.Sprintf("phase %d started with %d calls of phase %d in flight", phase, r.inflight, r.phase))
	}
	r.phase = max(r.phase, phase)
	r.inflight++
	r.max = max(r.max, r.inflight)
}

func (r *recorder) leave() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inflight--
}

func (r *recorder) InviteMember(ctx context.Context, email string, role portal.Role) (portal.Member, error) {
	r.enter(phaseOf["invite"])
	defer r.leave()
	return r.Writer.InviteMember(ctx, email, role)
}

func (r *recorder) UpdateMemberRole(ctx context.Context, id string, role portal.Role) (portal.Member, error) {
	p := phaseOf["promote"]
	if role == portal.RoleUser {
		p = phaseOf["demote"]
	}
	r.enter(p)
	defer r.leave()
	return r.Writer.UpdateMemberRole(ctx, id, role)
}

func (r *recorder) RemoveMember(ctx context.Context, id string) error {
	r.enter(phaseOf["remove"])
	defer r.leave()
	return r.Writer.RemoveMember(ctx, id)
}

func (r *recorder) PutACL(ctx context.Context, id string, rules []portal.Rule, ifMatch string) (string, error) {
	r.enter(phaseOf["update_acl"])
	defer r.leave()
	return r.Writer.PutACL(ctx, id, rules, ifMatch)
}

func TestApplyConverges(t *testing.T) {
	e := startEmu(t, emulator.Options{Initial: applyState()})
	c := e.client(t, 0)
	file := parseFile(t, bigApplyFile())
	p, _ := planFor(t, c, file)
	want := map[reconcile.Action]int{reconcile.Invite: 13, reconcile.Promote: 1, reconcile.UpdateACL: 2, reconcile.Demote: 1, reconcile.Remove: 2}
	for a, n := range want {
		if p.Count(a) != n {
			t.Fatalf("plan has %d %s ops, want %d: %v", p.Count(a), a, n, actions(p.Ops))
		}
	}

	e.srv.ResetStats()
	var progress []string
	rec := &recorder{Writer: c}
	sum := reconcile.Apply(context.Background(), rec, p, reconcile.ApplyOptions{
		Parallelism: 3,
		Progress: func(done, total int, r reconcile.Result) {
			progress = append(progress, fmt.Sprintf("[%d/%d] %s", done, total, opView(r.Op)))
		},
	})
	if n := sum.Count(reconcile.Done); n != len(p.Ops) || len(sum.Results) != len(p.Ops) {
		for _, r := range sum.Results {
			t.Logf("%s: %s %v", r.Op, r.Outcome, r.Err)
		}
		t.Fatalf("%d of %d ops done", n, len(p.Ops))
	}
	for i, r := range sum.Results {
		if opView(r.Op) != opView(p.Ops[i]) {
			t.Errorf("result %d is for %s, want %s", i, opView(r.Op), opView(p.Ops[i]))
		}
	}

	// Exactly one request per operation.
	st := e.srv.Stats()
	requests := map[string]int{
		"POST " + routeMembers:  p.Count(reconcile.Invite),
		"PUT " + routeMember:    p.Count(reconcile.Promote) + p.Count(reconcile.Demote),
		"PUT " + routeACL:       p.Count(reconcile.UpdateACL),
		"DELETE " + routeMember: p.Count(reconcile.Remove),
	}
	if st.Total != len(p.Ops) {
		t.Errorf("%d requests for %d operations: %v", st.Total, len(p.Ops), st.Requests)
	}
	for k, n := range requests {
		if st.Requests[k] != n {
			t.Errorf("%d × %s, want %d", st.Requests[k], k, n)
		}
	}

	// Progress: once per op, in plan order.
	var wantProgress []string
	for i, o := range p.Ops {
		wantProgress = append(wantProgress, fmt.Sprintf("[%d/%d] %s", i+1, len(p.Ops), opView(o)))
	}
	if !slices.Equal(progress, wantProgress) {
		t.Errorf("progress:\n%s\nwant:\n%s", strings.Join(progress, "\n"), strings.Join(wantProgress, "\n"))
	}

	if len(rec.errs) > 0 {
		t.Errorf("order: %v", rec.errs)
	}
	if rec.max > 3 {
		t.Errorf("%d calls in flight with Parallelism 3", rec.max)
	}
	checkConverged(t, e, file)
	// Invited members are pending.
	for _, m := range e.srv.Members() {
		if m.Email == "erin@company.com" && m.Status != qovery.StatusPending {
			t.Errorf("erin is %s, want PENDING", m.Status)
		}
	}
}

func TestApplyConcurrentEdit(t *testing.T) {
	e := startEmu(t, emulator.Options{Initial: applyState()})
	c := e.client(t, 0)
	file := parseFile(t, applyFile)
	p, _ := planFor(t, c, file)

	// Someone edits data-science in the portal's UI between plan and apply.
	theirs := []qovery.Rule{{Type: qovery.RuleEmail, Value: "someone@partner.org"}}
	if !e.srv.SetACL("data-science", theirs) {
		t.Fatal("SetACL")
	}
	e.srv.ResetStats()
	sum := reconcile.Apply(context.Background(), c, p, reconcile.ApplyOptions{})

	for _, r := range sum.Results {
		switch {
		case r.Op.Action == reconcile.UpdateACL && r.Op.Blueprint == "data-science":
			if r.Outcome != reconcile.Failed || !errors.Is(r.Err, reconcile.ErrConcurrentEdit) {
				t.Errorf("data-science: %s %v, want failed with ErrConcurrentEdit", r.Outcome, r.Err)
			}

		case r.Op.Action == reconcile.Demote || r.Op.Action == reconcile.Remove:
			if r.Outcome != reconcile.NotSent {
				t.Errorf("%s: %s, want skipped after a failure", r.Op, r.Outcome)
			}
		default:
			if r.Outcome != reconcile.Done {
				t.Errorf("%s: %s %v, want done", r.Op, r.Outcome, r.Err)
			}
		}
	}
	if sum.Count(reconcile.Failed) != 1 || sum.Count(reconcile.NotSent) != 3 {
		t.Errorf("failed %d skipped %d, want 1 and 3", sum.Count(reconcile.Failed), sum.Count(reconcile.NotSent))
	}
	// The other edit is kept, and was not overwritten by a blind retry.
	acl, _ := e.srv.ACL("data-science")
	if !slices.Equal(acl.Rules, theirs) {
		t.Errorf("data-science ACL %v, want the concurrent edit %v kept", acl.Rules, theirs)
	}
	if n := e.count("PUT", routeACL); n != 2 {
		t.Errorf("%d ACL writes, want 2 (one each, the stale one not retried)", n)
	}
	// The other ACL change went through; skipped phases changed nothing.
	if acl, _ := e.srv.ACL("ml-lab"); len(acl.Rules) != 2 {
		t.Errorf("ml-lab ACL %v, want the file's two rules", acl.Rules)
	}
	roles := map[string]qovery.Role{}
	for _, m := range e.srv.Members() {
		roles[m.Email] = m.Role
	}
	if roles["carol@partner.org"] != qovery.RoleAdmin || roles["dave@company.com"] == "" || roles["bob@company.com"] != qovery.RoleAdmin {
		t.Errorf("members after a stopped apply: %v", roles)
	}

	// A new plan sees the edit and finishes the job.
	p2, _ := planFor(t, c, file)
	if sum := reconcile.Apply(context.Background(), c, p2, reconcile.ApplyOptions{}); sum.Count(reconcile.Done) != len(p2.Ops) {
		t.Fatalf("re-run: %+v", sum)
	}
	checkConverged(t, e, file)
}

func TestApplyPartialFailureThenRerun(t *testing.T) {
	e := startEmu(t, emulator.Options{Initial: applyState()})
	file := parseFile(t, applyFile)
	p, _ := planFor(t, e.client(t, 0), file)
	if got := actions(p.Ops); len(got) != 7 {
		t.Fatalf("plan %v, want invite, promote, 2 ACL updates, demote, 2 removals", got)
	}

	// One request at a time, no retries: the second request (promote) gets a 502,
	// the fourth (the second ACL update) loses its connection. Neither answer says
	// whether the portal did it: both are uncertain, and what follows is not sent.
	noRetry := e.client(t, -1)
	e.srv.InjectFaults(emulator.FaultNone, emulator.FaultBadGateway, emulator.FaultNone, emulator.FaultDropBefore)
	sum := reconcile.Apply(context.Background(), noRetry, p, reconcile.ApplyOptions{Parallelism: 1})
	want := []reconcile.Outcome{reconcile.Done, reconcile.Uncertain, reconcile.Done, reconcile.Uncertain, reconcile.NotSent, reconcile.NotSent, reconcile.NotSent}
	for i, r := range sum.Results {
		if r.Outcome != want[i] {
			t.Errorf("%s: %s (%v), want %s", r.Op, r.Outcome, r.Err, want[i])
		}
		switch r.Outcome {
		case reconcile.Uncertain:
			if r.Err == nil || !errors.Is(r.Err, qovery.ErrAmbiguous) || !strings.Contains(r.Err.Error(), "answer was lost") {
				t.Errorf("%s: error %v, want the lost answer", r.Op, r.Err)
			}
		case reconcile.NotSent:
			if !errors.Is(r.Err, reconcile.ErrSkipped) {
				t.Errorf("%s: error %v, want ErrSkipped", r.Op, r.Err)
			}
		}
	}

	// A new plan holds only what is left, and applying it converges.
	c := e.client(t, 0)
	p2, _ := planFor(t, c, file)
	var left []string
	for _, o := range p2.Ops {
		left = append(left, string(o.Action)+" "+o.Email+o.Blueprint)
	}
	wantLeft := []string{"promote bob@company.com", "update_acl " + p.Ops[3].Blueprint, "demote carol@partner.org", "remove dave@company.com", "remove olga@company.com"}
	if !slices.Equal(left, wantLeft) {
		t.Errorf("re-plan %v, want %v", left, wantLeft)
	}
	if sum := reconcile.Apply(context.Background(), c, p2, reconcile.ApplyOptions{}); sum.Count(reconcile.Done) != len(p2.Ops) {
		t.Fatalf("re-run: %+v", sum.Results)
	}
	checkConverged(t, e, file)
}

// An invitation whose answer is lost after the portal processed it is confirmed by
// reading the members, never sent twice.
func TestApplyAmbiguousInvite(t *testing.T) {
	tests := []struct {
		name      string
		fault     emulator.Fault
		wantPosts int
		wantNote  string
	}{
		{"processed, answer lost", emulator.FaultDropAfter, 2, "confirmed"},
		{"502 before processing", emulator.FaultBadGateway, 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := startEmu(t, emulator.Options{Initial: applyState()})
			c := e.client(t, 0)
			file := parseFile(t, strings.Replace(applyFile, "  - email: erin@company.com\n", "  - email: erin@company.com\n  - email: frank@company.com\n", 1))
			p, _ := planFor(t, c, file)
			p.Ops = slices.DeleteFunc(p.Ops, func(o reconcile.Op) bool { return o.Action != reconcile.Invite })
			if len(p.Ops) != 2 {
				t.Fatalf("ops %v", actions(p.Ops))
			}
			e.srv.ResetStats()
			e.srv.InjectFaults(tt.fault)
			sum := reconcile.Apply(context.Background(), c, p, reconcile.ApplyOptions{Parallelism: 1})
			for _, r := range sum.Results {
				if r.Outcome != reconcile.Done {
					t.Errorf("%s: %s %v", r.Op, r.Outcome, r.Err)
				}
			}
			if !strings.Contains(sum.Results[0].Note, tt.wantNote) {
				t.Errorf("note %q, want %q", sum.Results[0].Note, tt.wantNote)
			}
			if n := e.count("POST", routeMembers); n != tt.wantPosts {
				t.Errorf("%d invitations sent, want %d", n, tt.wantPosts)
			}
			if n := e.count("GET", routeMembers); n != 1 {
				t.Errorf("%d member list reads, want 1 (after the uncertain answer)", n)
			}
			n := 0
			for _, m := range e.srv.Members() {
				if m.Email == "erin@company.com" {
					n++
				}
			}
			if n != 1 {
				t.Errorf("erin is in the portal %d times", n)
			}
		})
	}
}

// Under random 502s and dropped connections, repeated runs converge and nobody is
// invited twice.
func TestApplyUnderFaults(t *testing.T) {
	for _, seed := range []int64{7, 8, 9} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			e := startEmu(t, emulator.Options{Initial: applyState(), Seed: seed})
			file := parseFile(t, bigApplyFile())
			c := e.client(t, 0)
			e.srv.SetFaults(0.2, 0)
			converged := false
			for run := 1; run <= 3 && !converged; run++ {
				live, err := reconcile.ReadLive(context.Background(), c, testOrg, 4)
				if err != nil {
					t.Logf("run %d: %v", run, err)
					continue
				}
				p, _ := reconcile.Diff(file, live, reconcile.DiffOptions{})
				if p.Empty() {
					converged = true
					break
				}
				sum := reconcile.Apply(context.Background(), c, p, reconcile.ApplyOptions{Parallelism: 4})
				for _, r := range sum.Results {
					if r.Outcome == reconcile.Failed {
						t.Logf("run %d: %s: %v", run, r.Op, r.Err)
					}
					if r.Op.Action == reconcile.Invite && (strings.Contains(r.Note, "already") || errors.Is(r.Err, qovery.ErrConflict)) {
						t.Errorf("run %d: %s was sent twice (%q, %v)", run, r.Op, r.Note, r.Err)
					}
				}
				converged = sum.Count(reconcile.Done) == len(p.Ops)
				t.Logf("run %d: %d done, %d failed, %d skipped", run, sum.Count(reconcile.Done), sum.Count(reconcile.Failed), sum.Count(reconcile.NotSent))
			}
			e.srv.SetFaults(0, 0)
			if !converged {
				t.Error("did not converge in 3 runs")
			}
			seen := map[string]bool{}
			for _, m := range e.srv.Members() {
				if seen[m.Email] {
					t.Errorf("%s is in the portal twice", m.Email)
				}
				seen[m.Email] = true
			}
			checkConverged(t, e, file)
		})
	}
}
