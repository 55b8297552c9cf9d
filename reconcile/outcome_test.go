package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/internal/testkit/emutest"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/emulator"
	"github.com/qovery/portalctl/reconcile"
)

// invitesOnly keeps the invitations of a plan.
func invitesOnly(p *reconcile.Plan) *reconcile.Plan {
	p.Ops = slices.DeleteFunc(p.Ops, func(o reconcile.Op) bool { return o.Action != reconcile.Invite })
	return p
}

// Invitations whose answer was lost are settled in rounds: one member listing per
// round for all of them, and only those it does not show are sent again.
func TestApplyInvitationsSettledInRounds(t *testing.T) {
	const (
		none  = emulator.FaultNone
		gw    = emulator.FaultBadGateway
		dropB = emulator.FaultDropBefore
		dropA = emulator.FaultDropAfter
	)
	tests := []struct {
		name   string
		faults []emulator.Fault // one per request, in order (parallelism 1)
		rounds int
		posts  int // invitations sent
		lists  int // member listings (one page each here)
		want   map[string]reconcile.Outcome
		notes  map[string]string
	}{
		{
			name: "one listing settles the round",
			// erin: processed, answer lost; new00: 502; new01 ok; new02: dropped
			// before; new03: processed, answer lost. Then the listing, then the
			// two that were not processed are sent again.
			faults: []emulator.Fault{dropA, gw, none, dropB, dropA},
			posts:  13 + 2, lists: 1,
			notes: map[string]string{"erin@company.com": "confirmed", "new03@company.com": "confirmed", "new00@company.com": "", "new01@company.com": ""},
		},
		{
			name: "a lost answer again in the next round",
			// erin 502, 12 answered; listing; erin 502 again; listing; erin ok.
			faults: append(append([]emulator.Fault{gw}, slices.Repeat([]emulator.Fault{none}, 13)...), gw, none, none),
			posts:  13 + 2, lists: 2,
		},
		{
			name:   "rounds are bounded",
			faults: append(append([]emulator.Fault{gw}, slices.Repeat([]emulator.Fault{none}, 13)...), gw, none),
			rounds: 2,
			posts:  13 + 1, lists: 2,
			want: map[string]reconcile.Outcome{"erin@company.com": reconcile.Failed},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := startEmu(t, emulator.Options{Initial: applyState()})
			c := e.client(t, 0)
			p, _ := planFor(t, c, parseFile(t, bigApplyFile()))
			invitesOnly(p)
			if len(p.Ops) != 13 || p.Ops[0].Email != "erin@company.com" {
				t.Fatalf("ops %v", actions(p.Ops))
			}
			e.srv.ResetStats()
			e.srv.InjectFaults(tt.faults...)
			sum := reconcile.Apply(context.Background(), c, p, reconcile.ApplyOptions{Parallelism: 1, InviteRounds: tt.rounds})
			for _, r := range sum.Results {
				want := reconcile.Done
				if w, ok := tt.want[r.Op.Email]; ok {
					want = w
				}
				if r.Outcome != want {
					t.Errorf("%s: %s (%v), want %s", r.Op, r.Outcome, r.Err, want)
				}
				if note, ok := tt.notes[r.Op.Email]; ok && (note == "") != (r.Note == "") || !strings.Contains(r.Note, note) {
					t.Errorf("%s: note %q, want %q", r.Op, r.Note, note)
				}
			}
			if n := e.count("POST", routeMembers); n != tt.posts {
				t.Errorf("%d invitations sent, want %d", n, tt.posts)
			}
			if n := e.count("GET", routeMembers); n != tt.lists {
				t.Errorf("%d member listings, want %d", n, tt.lists)
			}
			seen := map[string]bool{}
			for _, m := range e.srv.Members() {
				if seen[m.Email] {
					t.Errorf("%s invited twice", m.Email)
				}
				seen[m.Email] = true
			}
			if want := tt.want["erin@company.com"]; want == reconcile.Failed {
				if seen["erin@company.com"] {
					t.Error("erin, reported failed, is in the portal")
				}
				r := sum.Results[0]
				if !strings.Contains(r.Err.Error(), "sent 2 times") || !strings.Contains(r.Err.Error(), "does not show them") {
					t.Errorf("reason %q", r.Err)
				}
			}
		})
	}
}

// Someone else invited the person meanwhile: with the same role the invitation is
// done; with another one it failed, and says so.
func TestApplyInvitationMeetsAnotherInvitation(t *testing.T) {
	for _, role := range []qovery.Role{qovery.RoleUser, qovery.RoleAdmin} {
		t.Run(string(role), func(t *testing.T) {
			e := startEmu(t, emulator.Options{Initial: applyState()})
			c := e.client(t, 0)
			p, _ := planFor(t, c, parseFile(t, applyFile))
			invitesOnly(p)
			e.srv.AddMember("erin@company.com", role, qovery.StatusPending)
			e.srv.ResetStats()
			sum := reconcile.Apply(context.Background(), c, p, reconcile.ApplyOptions{})
			r := sum.Results[0]
			switch role {
			case qovery.RoleUser:
				if r.Outcome != reconcile.Done || r.Note != "already a member" {
					t.Errorf("%s: %s %q %v, want done, already a member", r.Op, r.Outcome, r.Note, r.Err)
				}
			default:
				if r.Outcome != reconcile.Failed || !strings.Contains(r.Err.Error(), "lists erin@company.com as admin, not user") {
					t.Errorf("%s: %s %v, want failed naming both roles", r.Op, r.Outcome, r.Err)
				}
			}
			if n := e.count("GET", routeMembers); n != 1 {
				t.Errorf("%d listings, want 1", n)
			}
		})
	}
}

// A removal answered 404 is done only when the member list no longer shows the
// email; under another id, nothing was removed, and the failure says so.
func TestApplyRemovalAnswered404(t *testing.T) {
	e := startEmu(t, emulator.Options{Initial: applyState()})
	c := e.client(t, 0)
	p, _ := planFor(t, c, parseFile(t, applyFile))
	p.Ops = slices.DeleteFunc(p.Ops, func(o reconcile.Op) bool { return o.Action != reconcile.Remove })
	if got := actions(p.Ops); !slices.Equal(got, []string{"remove dave@company.com", "remove olga@company.com"}) {
		t.Fatalf("ops %v", got)
	}
	e.srv.RemoveMember("dave@company.com") // someone removed dave meanwhile
	e.srv.RemoveMember("olga@company.com") // olga left and was invited again: a new id
	olga := e.srv.AddMember("olga@company.com", qovery.RoleUser, qovery.StatusPending)
	e.srv.ResetStats()
	sum := reconcile.Apply(context.Background(), c, p, reconcile.ApplyOptions{})
	if r := sum.Results[0]; r.Outcome != reconcile.Done || r.Note != "already gone" {
		t.Errorf("dave: %s %q %v, want done, already gone", r.Outcome, r.Note, r.Err)
	}
	r := sum.Results[1]
	if r.Outcome != reconcile.Failed || !strings.Contains(r.Err.Error(), "under id "+olga.ID) || !strings.Contains(r.Err.Error(), "nothing was removed") {
		t.Errorf("olga: %s %v, want failed, naming her live id", r.Outcome, r.Err)
	}
	if e.count("GET", routeMembers) != 1 || e.count("DELETE", routeMember) != 2 {
		t.Errorf("requests %v, want 2 removals and 1 listing", e.srv.Stats().Requests)
	}
	if len(e.srv.Members()) != 4 {
		t.Errorf("members %v", e.srv.Members())
	}
}

// The API dies in the middle of an apply of 200 invitations, by closing (connection
// refused) or by no longer answering. The breaker stops the run after a bounded
// number of attempts, the run says where and why it stopped, and every operation is
// reported as what it is: done (in the portal), uncertain (in flight), or not sent
// (not in the portal).
//
// One request at a time, every attempt after the death fails, so the breaker opens
// on exactly its threshold. Eight at a time, up to seven requests in flight when the
// API dies may still be answered, each restarting the count: at most 8 × 9 + 1
// failures, plus 8 calls cut off in flight.
func TestApplyWhenTheAPIDies(t *testing.T) {
	const n, killAt, breakerFailures = 200, 50, 10
	for _, tc := range []struct {
		how         string
		parallelism int
		maxAfter    int
	}{
		{"closed", 1, breakerFailures},
		{"hangs", 1, breakerFailures},
		{"closed", 8, 8*(breakerFailures-1) + 1 + 8},
		{"hangs", 8, 8*(breakerFailures-1) + 1 + 8},
	} {
		how, parallelism := tc.how, tc.parallelism
		t.Run(fmt.Sprintf("%s/parallelism %d", how, parallelism), func(t *testing.T) {
			st, file := emutest.Invitations(n)
			srv, err := emulator.New(emulator.Options{Token: testToken, OrganizationID: testOrg, Initial: st})
			if err != nil {
				t.Fatal(err)
			}
			// Once armed, the server answers killAt requests, then dies: it
			// drops every later connection and closes (connection refused), or
			// stops answering.
			var armed atomic.Bool
			var served atomic.Int64
			var logs testkit.Attempts
			var before atomic.Int64
			stop := make(chan struct{})
			var ts *httptest.Server
			ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !armed.Load() {
					srv.ServeHTTP(w, r)
					return
				}
				switch n := served.Add(1); {
				case n <= killAt:
					srv.ServeHTTP(w, r)
					return
				case n == killAt+1:
					before.Store(int64(logs.Count() - 1))
					if how == "closed" {
						go ts.Close()
					}
				}
				// Read the body, so that the server notices when the client
				// hangs up.
				io.Copy(io.Discard, r.Body)
				if how == "closed" {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						conn.Close()
					}
					return
				}
				select {
				case <-r.Context().Done():
				case <-stop:
				}
			}))
			t.Cleanup(ts.Close)
			t.Cleanup(func() { close(stop) }) // runs first
			c, err := qovery.New(qovery.Options{
				BaseURL: ts.URL, Token: testToken, OrganizationID: testOrg,
				Timeout:      100 * time.Millisecond, // per attempt: a hung API fails fast here
				RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond,
				BreakerFailures: breakerFailures,
				Logger:          slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			})
			if err != nil {
				t.Fatal(err)
			}
			p, _ := planFor(t, c, parseFile(t, file))
			if len(p.Ops) != n {
				t.Fatalf("%d ops", len(p.Ops))
			}
			armed.Store(true)
			sum := reconcile.Apply(context.Background(), c, p, reconcile.ApplyOptions{Parallelism: parallelism})
			after := logs.Count() - int(before.Load())
			if after > tc.maxAfter || parallelism == 1 && after != breakerFailures {
				t.Errorf("%d attempts after the API died, want at most %d (exactly %d one at a time)", after, tc.maxAfter, breakerFailures)
			}
			var be *qovery.BreakerError
			if !errors.As(sum.Stopped, &be) || be.URL != ts.URL {
				t.Fatalf("Stopped = %v, want the breaker's error naming %s", sum.Stopped, ts.URL)
			}
			cause := be.Cause.Error()
			if how == "hangs" && !strings.Contains(cause, "Timeout") || how == "closed" && !strings.Contains(cause, "refused") && !strings.Contains(cause, "EOF") && !strings.Contains(cause, "reset") && !strings.Contains(cause, "closed") {
				t.Errorf("cause %q does not say how the API died", cause)
			}
			inPortal := map[string]bool{}
			for _, m := range srv.Members() {
				if inPortal[m.Email] {
					t.Errorf("%s invited twice", m.Email)
				}
				inPortal[m.Email] = true
			}
			for _, r := range sum.Results {
				switch r.Outcome {
				case reconcile.Done:
					if !inPortal[r.Op.Email] {
						t.Errorf("%s reported done, not in the portal", r.Op.Email)
					}
				case reconcile.NotSent:
					if inPortal[r.Op.Email] {
						t.Errorf("%s reported not sent, but in the portal", r.Op.Email)
					}
					if !errors.Is(r.Err, qovery.ErrUnavailable) && !errors.Is(r.Err, qovery.ErrNotSent) {
						t.Errorf("%s not sent because %v, want the breaker or a connection never made", r.Op.Email, r.Err)
					}
				case reconcile.Uncertain:
				default:
					t.Errorf("%s: %s %v", r.Op.Email, r.Outcome, r.Err)
				}
			}
			done, unsure, notSent := sum.Count(reconcile.Done), sum.Count(reconcile.Uncertain), sum.Count(reconcile.NotSent)
			// The server processed killAt requests; the answers of those in flight when
			// it died may be lost, so those are uncertain rather than done.
			if done+unsure < killAt || notSent == 0 || done+unsure+notSent != n {
				t.Errorf("%d done, %d uncertain, %d not sent of %d", done, unsure, notSent, n)
			}
			t.Logf("%d done, %d uncertain, %d not sent; %d attempts after the API died; %v", done, unsure, notSent, after, sum.Stopped)
		})
	}
}

// Interrupted in the middle (Ctrl-C), apply sends nothing more: what was never sent
// is "not sent: interrupted", what was in flight is uncertain, nothing is reported
// as a failure, and no reason is a bare "context canceled".
func TestApplyInterruptedMidway(t *testing.T) {
	st, file := emutest.Invitations(40)
	e := startEmu(t, emulator.Options{Initial: st, Latency: 5 * time.Millisecond})
	c := e.client(t, 0)
	p, _ := planFor(t, c, parseFile(t, file))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sum := reconcile.Apply(ctx, c, p, reconcile.ApplyOptions{
		Parallelism: 4,
		Progress: func(done, _ int, _ reconcile.Result) {
			if done == 10 {
				cancel()
			}
		},
	})
	if !errors.Is(sum.Stopped, reconcile.ErrInterrupted) {
		t.Errorf("Stopped = %v, want ErrInterrupted", sum.Stopped)
	}
	inPortal := map[string]bool{}
	for _, m := range e.srv.Members() {
		inPortal[m.Email] = true
	}
	for _, r := range sum.Results {
		if r.Err != nil && strings.HasSuffix(r.Err.Error(), "context canceled") {
			t.Errorf("%s: reason %q", r.Op, r.Err)
		}
		switch r.Outcome {
		case reconcile.Done, reconcile.Uncertain:
		case reconcile.NotSent:
			if !errors.Is(r.Err, reconcile.ErrInterrupted) || inPortal[r.Op.Email] {
				t.Errorf("%s: not sent (%v), in the portal: %v", r.Op, r.Err, inPortal[r.Op.Email])
			}
		default:
			t.Errorf("%s: %s %v", r.Op, r.Outcome, r.Err)
		}
	}
	if sum.Count(reconcile.NotSent) == 0 || sum.Count(reconcile.Done) < 10 {
		t.Errorf("%d done, %d not sent", sum.Count(reconcile.Done), sum.Count(reconcile.NotSent))
	}
}

// Interrupted before it starts, apply sends nothing, and says so for each.
func TestApplyInterruptedBeforeStart(t *testing.T) {
	e := startEmu(t, emulator.Options{Initial: applyState()})
	c := e.client(t, 0)
	p, _ := planFor(t, c, parseFile(t, applyFile))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e.srv.ResetStats()
	sum := reconcile.Apply(ctx, c, p, reconcile.ApplyOptions{})
	for _, r := range sum.Results {
		if r.Outcome != reconcile.NotSent || !errors.Is(r.Err, reconcile.ErrInterrupted) {
			t.Errorf("%s: %s %v, want not sent: interrupted", r.Op, r.Outcome, r.Err)
		}
	}
	if n := e.srv.Stats().Total; n != 0 {
		t.Errorf("%d requests after cancellation", n)
	}
}

// ReadLive reports the real cause, whichever concurrent read meets it first: run
// many times, a wrong token is always the 401, an unknown organization the 404.
func TestReadLiveRootCause(t *testing.T) {
	e := startEmu(t, emulator.Options{Initial: liveState(250, 30), MaxPageSize: 10, Latency: time.Millisecond})
	tests := []struct {
		name  string
		edit  func(*qovery.Options)
		want  error
		words string
	}{
		{"wrong token", func(o *qovery.Options) { o.Token = "wrong-token" }, qovery.ErrUnauthorized, "401"},
		{"unknown organization", func(o *qovery.Options) { o.OrganizationID = "11111111-2222-3333-4444-555555555555" }, qovery.ErrNotFound, "404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for run := range 20 {
				opts := qovery.Options{BaseURL: e.url, Token: testToken, OrganizationID: testOrg, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond}
				tt.edit(&opts)
				c, err := qovery.New(opts)
				if err != nil {
					t.Fatal(err)
				}
				_, err = reconcile.ReadLive(context.Background(), c, opts.OrganizationID, 8)
				if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.words) || strings.Contains(err.Error(), "context canceled") {
					t.Fatalf("run %d: %v, want the %s", run+1, err, tt.words)
				}
			}
		})
	}
	t.Run("interrupted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := reconcile.ReadLive(ctx, e.client(t, 0), testOrg, 8)
		if !errors.Is(err, reconcile.ErrInterrupted) || strings.Contains(err.Error(), "canceled") {
			t.Fatalf("err = %v, want interrupted", err)
		}
	})
}
