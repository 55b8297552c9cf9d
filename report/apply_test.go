package report

import (
	"bytes"
	"errors"
	"testing"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/reconcile"
)

func TestApplyProgress(t *testing.T) {
	invite := reconcile.Op{Action: reconcile.Invite, Email: "bob@company.com", Role: portal.RoleUser}
	hostile := reconcile.Op{Action: reconcile.Remove, Email: "eve\u202egnp.exe\x1b[2J@company.com", MemberID: "m1", Role: portal.RoleUser}
	breaker := &qovery.BreakerError{URL: "https://api.example.com", Failures: 10, Cause: errors.New("connection refused")}
	tests := []struct {
		name string
		r    reconcile.Result
		want string
	}{
		{"done", reconcile.Result{Op: invite, Outcome: reconcile.Done}, "[ 3/12] invite bob@company.com as user\n"},
		{"done with a note", reconcile.Result{Op: invite, Outcome: reconcile.Done, Note: "already a member"}, "[ 3/12] invite bob@company.com as user (already a member)\n"},
		{"failed", reconcile.Result{Op: invite, Outcome: reconcile.Failed, Err: errors.New("POST /member: 400 Bad Request")}, "[ 3/12] invite bob@company.com as user: FAILED: POST /member: 400 Bad Request\n"},
		{"uncertain", reconcile.Result{Op: invite, Outcome: reconcile.Uncertain, Err: errors.New("sent, and the answer was lost")}, "[ 3/12] invite bob@company.com as user: UNCERTAIN: sent, and the answer was lost\n"},
		{"not sent: interrupted", reconcile.Result{Op: invite, Outcome: reconcile.NotSent, Err: reconcile.ErrInterrupted}, "[ 3/12] invite bob@company.com as user: not sent: interrupted\n"},
		{"not sent: breaker", reconcile.Result{Op: invite, Outcome: reconcile.NotSent, Err: breaker}, "[ 3/12] invite bob@company.com as user: not sent: the portal API is unavailable (see Stopped)\n"},
		{"not sent: skipped", reconcile.Result{Op: invite, Outcome: reconcile.NotSent, Err: reconcile.ErrSkipped}, "[ 3/12] invite bob@company.com as user: not sent: " + reconcile.ErrSkipped.Error() + "\n"},
		{"hostile email", reconcile.Result{Op: hostile, Outcome: reconcile.Done}, `[ 3/12] remove eve\u202egnp.exe\x1b[2J@company.com (user)` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := ApplyProgress(&b, 2, 3, 12, tt.r); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got  %q\nwant %q", b.String(), tt.want)
			}
		})
	}
}

func TestApplySummary(t *testing.T) {
	op := func(email string) reconcile.Op {
		return reconcile.Op{Action: reconcile.Invite, Email: email, Role: portal.RoleUser}
	}
	breaker := &qovery.BreakerError{URL: "https://api.example.com", Failures: 10, Cause: errors.New("GET /member: dial tcp: connection refused")}
	sum := reconcile.Summary{
		Results: []reconcile.Result{
			{Op: op("a@company.com"), Outcome: reconcile.Done},
			{Op: op("b@company.com"), Outcome: reconcile.Failed, Err: errors.New("POST /member: 400 Bad Request")},
			{Op: op("c\u2066@company.com"), Outcome: reconcile.Uncertain, Err: errors.New("sent, and the answer was lost")},
			{Op: op("d@company.com"), Outcome: reconcile.NotSent, Err: breaker},
		},
		Stopped: breaker,
	}
	var b bytes.Buffer
	if err := ApplySummary(&b, sum); err != nil {
		t.Fatal(err)
	}
	want := `
Apply finished: 1 done, 1 failed, 1 uncertain, 1 not sent.
Stopped: the portal API at https://api.example.com stopped answering (10 failed attempts in a row, the last: GET /member: dial tcp: connection refused): nothing more is sent.
Not done:
  failed: invite b@company.com as user: POST /member: 400 Bad Request
  uncertain: invite c\u2066@company.com as user: sent, and the answer was lost
  not sent: invite d@company.com as user: the portal API is unavailable (see Stopped)
An uncertain operation may or may not have been carried out: the next plan reads the portal and shows what is left.
To finish, plan again and apply (apply -f, or plan --out then apply --plan): it converges from where this run stopped.
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}

	b.Reset()
	ApplySummary(&b, reconcile.Summary{Results: sum.Results[:1]})
	if b.String() != "\nApply finished: 1 done, 0 failed, 0 uncertain, 0 not sent.\n" {
		t.Errorf("complete run:\n%s", b.String())
	}
}
