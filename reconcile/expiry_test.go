package reconcile_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery/emulator"
	"github.com/qovery/portalctl/reconcile"
)

// expirySeed: a portal with an admin, a member, a member who has not logged in
// yet and one more; an organization with its owner, a member and an invitation.
const expirySeed = `version: 1
members:
  - email: owner@company.com
    role: admin
  - email: bob@company.com
  - email: pend@company.com
    status: pending
  - email: dave@company.com
blueprints:
  data-science:
    domains: [company.com]
  partner:
    emails: [bob@company.com]
organization_members:
  - {email: owner@company.com, role: Owner, id: "github|1"}
  - {email: bob@company.com, role: Viewer, id: "github|2"}
  - {email: inv@company.com, role: Viewer, status: pending}
`

// expiryFile is checked on 2026-11-20: bob expires that very day, pend has
// expired, new expired before being invited, carol and dave have days left; in
// the organization, bob and inv's invitation have expired, ghost expired without
// ever joining.
const expiryFile = `version: 1
members:
  - email: owner@company.com
    role: admin
  - email: bob@company.com
    expires: 2026-11-20
  - email: pend@company.com
    expires: 2026-11-01
  - email: new@company.com
    expires: 2026-11-10
  - email: carol@company.com
    expires: 2026-12-31
  - email: dave@company.com
    expires: 2026-11-21
organization_members:
  - email: owner@company.com
    role: Owner
  - email: bob@company.com
    role: Viewer
    expires: 2026-11-19
  - email: inv@company.com
    role: Viewer
    expires: 2026-11-19
  - email: ghost@company.com
    role: Viewer
    expires: 2026-11-01
blueprints:
  data-science:
    domains: [company.com]
  partner:
    emails: [bob@company.com]
`

func startExpiry(t *testing.T) *emu {
	t.Helper()
	st, err := emulator.ParseSeed("seed.yaml", []byte(expirySeed))
	if err != nil {
		t.Fatal(err)
	}
	return startEmu(t, emulator.Options{Initial: st})
}

func date(t testing.TB, s string) portal.Date {
	t.Helper()
	d, err := portal.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestExpiryDiff: on a fixed day, an expired member the portal holds is removed
// with the reason, active or pending; one it does not hold is not invited; the
// organization's expired members are removed and their invitations cancelled;
// what they saw is a loss; and the rails count those removals.
func TestExpiryDiff(t *testing.T) {
	e := startExpiry(t)
	live := readLiveOrg(t, e)
	for _, tc := range []struct {
		today string
		want  []string
	}{
		{"2026-11-19", []string{
			"invite carol@company.com as user",
			"remove pend@company.com (user): expired on 2026-11-01",
			"cancel the organization invitation of inv@company.com (Viewer): expired on 2026-11-19",
			"remove bob@company.com from the organization (Viewer): expired on 2026-11-19",
		}},
		{"2026-11-20", []string{
			"invite carol@company.com as user",
			"remove bob@company.com (user): expired on 2026-11-20",
			"remove pend@company.com (user): expired on 2026-11-01",
			"cancel the organization invitation of inv@company.com (Viewer): expired on 2026-11-19",
			"remove bob@company.com from the organization (Viewer): expired on 2026-11-19",
		}},
	} {
		t.Run(tc.today, func(t *testing.T) {
			p, ds := reconcile.Diff(parseFile(t, expiryFile), live, reconcile.DiffOptions{Today: date(t, tc.today)})
			if ds.HasErrors() {
				t.Fatalf("Diff: %v", ds)
			}
			if got := lines(p.Ops); !slices.Equal(got, tc.want) {
				t.Fatalf("ops\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if err := reconcile.Bind(p, live); err != nil {
				t.Fatalf("Bind: %v", err)
			}
		})
	}

	p, _ := reconcile.Diff(parseFile(t, expiryFile), live, reconcile.DiffOptions{Today: date(t, "2026-11-20")})
	// bob's expiry is a loss of both blueprints he saw, pend's of data-science.
	var losses []string
	for _, b := range p.Impact.Blueprints {
		for _, l := range b.Losses {
			if !l.Member {
				t.Errorf("%s loses %s through a rule change, want a member change", l.Email, b.Name)
			}
			losses = append(losses, b.Name+" "+l.Email)
		}
	}
	slices.Sort(losses)
	if want := []string{"data-science bob@company.com", "data-science pend@company.com", "partner bob@company.com"}; !slices.Equal(losses, want) {
		t.Errorf("losses %v, want %v", losses, want)
	}
	// Four removals: two of the portal's four members, two of the
	// organization's three members and invitations.
	err := reconcile.Rails{MaxRemovals: 3, MaxRemovalPercent: 100}.Check(p, live)
	if !errors.Is(err, reconcile.ErrRefused) || !strings.Contains(err.Error(), "removes 4 (2 members of the portal, 2 members or invitations of the organization)") {
		t.Errorf("rails: %v", err)
	}
	err = reconcile.Rails{MaxRemovals: 5, MaxRemovalPercent: 25}.Check(p, live)
	if !errors.Is(err, reconcile.ErrRefused) || !strings.Contains(err.Error(), "removes 2 of 4 members") {
		t.Errorf("rails: %v", err)
	}
	// Without a day, nobody expires.
	p, _ = reconcile.Diff(parseFile(t, expiryFile), live, reconcile.DiffOptions{})
	if slices.ContainsFunc(p.Ops, func(o reconcile.Op) bool { return !o.ExpiredOn.IsZero() }) {
		t.Errorf("removals for expiry without a day: %v", lines(p.Ops))
	}
}

// TestExpiryApply applies an expiry against the emulator: the expired members
// leave, and the next plan on the same day has nothing to do.
func TestExpiryApply(t *testing.T) {
	e := startExpiry(t)
	c, o := e.clients(t, 0)
	today := date(t, "2026-11-20")
	file := parseFile(t, expiryFile)
	p, _ := reconcile.Diff(file, readLiveOrg(t, e), reconcile.DiffOptions{Today: today})
	var progress []string
	sum := reconcile.Apply(context.Background(), c, p, reconcile.ApplyOptions{Org: o, Progress: func(_, _ int, r reconcile.Result) {
		progress = append(progress, r.Op.String())
	}})
	if !sum.Complete() {
		t.Fatalf("apply: %+v", sum)
	}
	if !slices.Contains(progress, "remove bob@company.com (user): expired on 2026-11-20") {
		t.Errorf("progress does not give the reason: %v", progress)
	}
	var emails []string
	for _, m := range e.srv.Members() {
		emails = append(emails, m.Email)
	}
	slices.Sort(emails)
	if want := []string{"carol@company.com", "dave@company.com", "owner@company.com"}; !slices.Equal(emails, want) {
		t.Errorf("portal members %v, want %v", emails, want)
	}
	again, _ := reconcile.Diff(file, readLiveOrg(t, e), reconcile.DiffOptions{Today: today})
	if !again.Empty() {
		t.Errorf("a second plan on the same day: %v", lines(again.Ops))
	}
	// The next day dave's access ends too.
	next, _ := reconcile.Diff(file, readLiveOrg(t, e), reconcile.DiffOptions{Today: today.AddDays(1)})
	if got := lines(next.Ops); !slices.Equal(got, []string{"remove dave@company.com (user): expired on 2026-11-21"}) {
		t.Errorf("the next day: %v", got)
	}
}

// TestExpirySavedPlan: apply judges expiry on its own day, as plan judged it on
// its own: a saved plan is applied as planned on its day, and refused once an
// expiry overtook it. (That the reason and the dates are under the plan file's
// digest is package planfile's to test.)
func TestExpirySavedPlan(t *testing.T) {
	e := startExpiry(t)
	live := readLiveOrg(t, e)
	day := date(t, "2026-11-20")
	saved, _ := reconcile.Diff(parseFile(t, expiryFile), live, reconcile.DiffOptions{Today: day})
	if i := slices.IndexFunc(saved.Ops, func(o reconcile.Op) bool { return o.Email == "bob@company.com" && o.Action == reconcile.Remove }); i < 0 || saved.Ops[i].ExpiredOn != day {
		t.Fatalf("plan: %v", lines(saved.Ops))
	}
	// The same day: applied as planned.
	if _, err := reconcile.Recheck(saved, live, day); err != nil {
		t.Fatalf("Recheck on the plan's day: %v", err)
	}
	// The next day dave's access has ended, and the plan does not remove him.
	_, err := reconcile.Recheck(saved, live, day.AddDays(1))
	if !errors.Is(err, reconcile.ErrExpiredSincePlan) || !errors.Is(err, reconcile.ErrRefused) ||
		!strings.Contains(err.Error(), "dave@company.com's access expired on 2026-11-21, after the plan was made") {
		t.Fatalf("Recheck the next day: %v", err)
	}
}

// TestExpiredOwner: the owner's access cannot expire: planning it is an error at
// the date, never a removal.
func TestExpiredOwner(t *testing.T) {
	e := startExpiry(t)
	file := parseFile(t, expiryFile)
	for i, m := range file.Org.Members {
		if m.Email == "owner@company.com" {
			file.Org.Members[i].Expires = date(t, "2026-11-01")
			file.Org.Members[i].ExpiresPos = portal.Pos{File: "portal.yaml", Line: 18, Col: 14}
		}
	}
	p, ds := reconcile.Diff(file, readLiveOrg(t, e), reconcile.DiffOptions{Today: date(t, "2026-11-20")})
	if len(ds) != 1 || ds[0].Code != "owner-expired" || ds[0].Pos.Line != 18 || !strings.Contains(ds[0].Message, "owner@company.com, the organization's owner, expired on 2026-11-01") {
		t.Fatalf("diagnostics %v", ds)
	}
	if slices.ContainsFunc(p.Ops, func(o reconcile.Op) bool { return o.Email == "owner@company.com" }) {
		t.Errorf("an operation on the owner: %v", lines(p.Ops))
	}
}

// TestExpiryOffline: comparing two files on one day, expired members are out of
// both; adding, moving or dropping a date is listed; so is an entry deleted once
// expired, which changes no access.
func TestExpiryOffline(t *testing.T) {
	base := parseFile(t, `version: 1
members:
  - email: owner@company.com
    role: admin
  - email: gone@company.com
    expires: 2026-11-01
  - email: moved@company.com
    expires: 2026-12-01
  - email: kept@company.com
    expires: 2027-01-01
  - email: ends@company.com
organization_members:
  - email: owner@company.com
    role: Owner
  - email: viewer@company.com
    role: Viewer
blueprints:
  data-science:
    domains: [company.com]
`)
	head := parseFile(t, `version: 1
members:
  - email: owner@company.com
    role: admin
  - email: moved@company.com
    expires: 2027-03-01
  - email: kept@company.com
  - email: ends@company.com
    expires: 2026-11-15
  - email: new@company.com
    expires: 2026-12-24
organization_members:
  - email: owner@company.com
    role: Owner
  - email: viewer@company.com
    role: Viewer
    expires: 2027-01-31
blueprints:
  data-science:
    domains: [company.com]
`)
	p, _ := reconcile.Diff(head, base, reconcile.DiffOptions{Offline: true, Today: date(t, "2026-11-20")})
	if got, want := lines(p.Ops), []string{"invite new@company.com as user", "remove ends@company.com (user): expired on 2026-11-15"}; !slices.Equal(got, want) {
		t.Errorf("ops %v, want %v", got, want)
	}
	var got []string
	for _, x := range p.Expiries {
		got = append(got, strings.Join(strings.Fields(x.Email+" "+x.From.String()+" → "+x.To.String()+map[bool]string{true: " gone"}[x.Gone]+map[bool]string{true: " passed"}[x.Passed]+map[bool]string{true: " (org)"}[x.Org]), " "))
	}
	want := []string{
		// A date that has passed already is shown too: the change removes them.
		"ends@company.com → 2026-11-15 passed",
		"gone@company.com 2026-11-01 → gone",
		"kept@company.com 2027-01-01 →",
		"moved@company.com 2026-12-01 → 2027-03-01",
		"viewer@company.com → 2027-01-31 (org)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("expiries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	ix := access.NewIndex(p.Desired)
	if !ix.IsMember("ends@company.com") {
		t.Error("the plan's desired state lost the expired member's entry")
	}
}
