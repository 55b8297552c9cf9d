package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/qovery/portalctl/qovery"
)

// Writer is what Apply needs from the portal API.
type Writer interface {
	InviteMember(ctx context.Context, email string, role qovery.Role) (qovery.Member, error)
	UpdateMemberRole(ctx context.Context, memberID string, role qovery.Role) (qovery.Member, error)
	RemoveMember(ctx context.Context, memberID string) error
	PutACL(ctx context.Context, blueprintID string, rules []qovery.Rule, ifMatch string) (qovery.ACL, error)
	ListMembers(ctx context.Context) ([]qovery.Member, error)
}

// Outcome is what became of one operation.
type Outcome string

// The outcomes of an operation.
const (
	Done    Outcome = "done"
	Failed  Outcome = "failed"
	Skipped Outcome = "skipped"
)

// Result is one operation and what became of it.
type Result struct {
	Op      Op
	Outcome Outcome
	Err     error
	Note    string // e.g. "already invited"
}

// Summary is what an apply did.
type Summary struct {
	Results []Result
}

// Count returns how many operations ended with outcome o.
func (s Summary) Count(o Outcome) int {
	n := 0
	for _, r := range s.Results {
		if r.Outcome == o {
			n++
		}
	}
	return n
}

// ApplyOptions tune Apply.
type ApplyOptions struct {
	Parallelism int
	// Progress is called once per operation, in plan order (an operation that
	// finishes early waits for those before it), from one goroutine at a time.
	Progress func(done, total int, r Result)
	// InviteAttempts bounds how often an invitation whose outcome was unknown is
	// re-checked and re-sent (default 3).
	InviteAttempts int
}

// ErrConcurrentEdit says an ACL changed in the portal after it was read: the
// update was not sent, so the other edit is kept.
var ErrConcurrentEdit = errors.New("the ACL was changed in the portal since it was read; nothing was overwritten: run plan again")

// Apply performs the plan's operations through w, one request each, phase by phase
// in the plan's order (invite, promote, ACL, demote, remove), up to Parallelism at a
// time within a phase. Demotions and removals run only when every earlier
// operation succeeded, so a failed invitation or promotion never leaves the portal
// short of the admins the file expects. Re-running after a failure finishes the job.
func Apply(ctx context.Context, w Writer, p *Plan, o ApplyOptions) Summary {
	if o.Parallelism < 1 {
		o.Parallelism = DefaultParallelism
	}
	if o.InviteAttempts < 1 {
		o.InviteAttempts = 3
	}
	results := make([]Result, len(p.Ops))
	finished := make([]bool, len(p.Ops))
	var mu sync.Mutex
	next := 0
	report := func(i int, r Result) {
		mu.Lock()
		defer mu.Unlock()
		results[i], finished[i] = r, true
		for next < len(p.Ops) && finished[next] {
			if o.Progress != nil {
				o.Progress(next+1, len(p.Ops), results[next])
			}
			next++
		}
	}
	failed := false
	for start := 0; start < len(p.Ops); {
		end := start
		for end < len(p.Ops) && p.Ops[end].Action == p.Ops[start].Action {
			end++
		}
		action := p.Ops[start].Action
		if (failed && (action == Demote || action == Remove)) || ctx.Err() != nil {
			why := "skipped: an earlier operation failed; fix it and re-run"
			if ctx.Err() != nil {
				why = "skipped: interrupted"
			}
			for i := start; i < end; i++ {
				report(i, Result{Op: p.Ops[i], Outcome: Skipped, Note: why})
			}
			start = end
			continue
		}
		sem := make(chan struct{}, o.Parallelism)
		var wg sync.WaitGroup
		for i := start; i < end; i++ {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				r := applyOne(ctx, w, p.Ops[i], o.InviteAttempts)
				report(i, r)
			}()
		}
		wg.Wait()
		for i := start; i < end; i++ {
			if results[i].Outcome != Done {
				failed = true
			}
		}
		start = end
	}
	return Summary{Results: results}
}

func applyOne(ctx context.Context, w Writer, op Op, attempts int) Result {
	r := Result{Op: op, Outcome: Done}
	var err error
	switch op.Action {
	case Invite:
		r.Note, err = invite(ctx, w, op, attempts)
	case Promote, Demote:
		_, err = w.UpdateMemberRole(ctx, op.MemberID, ToAPIRole(op.Role))
		if err != nil {
			err = fmt.Errorf("%s %s: %w", op.Action, op.Email, err)
		}
	case UpdateACL:
		_, err = w.PutACL(ctx, op.BlueprintID, ToAPIRules(op.Rules), op.ETag)
		if errors.Is(err, qovery.ErrPreconditionFailed) {
			err = fmt.Errorf("update ACL of %s: %w", op.Blueprint, ErrConcurrentEdit)
		} else if err != nil {
			err = fmt.Errorf("update ACL of %s: %w", op.Blueprint, err)
		}
	case Remove:
		err = w.RemoveMember(ctx, op.MemberID)
		if errors.Is(err, qovery.ErrNotFound) {
			err, r.Note = nil, "already gone"
		} else if err != nil {
			err = fmt.Errorf("remove %s: %w", op.Email, err)
		}
	default:
		err = fmt.Errorf("unknown action %q", op.Action)
	}
	if err != nil {
		r.Outcome, r.Err = Failed, err
	}
	return r
}

// invite sends an invitation without ever sending it twice: when the portal may
// have processed a request whose answer was lost, or says the email is already
// there, the member list is read again before deciding.
func invite(ctx context.Context, w Writer, op Op, attempts int) (string, error) {
	var last error
	for a := 0; a < attempts; a++ {
		_, err := w.InviteMember(ctx, op.Email, ToAPIRole(op.Role))
		if err == nil {
			return "", nil
		}
		if !errors.Is(err, qovery.ErrAmbiguous) && !errors.Is(err, qovery.ErrConflict) {
			return "", fmt.Errorf("invite %s: %w", op.Email, err)
		}
		last = err
		members, lerr := w.ListMembers(ctx)
		if lerr != nil {
			return "", fmt.Errorf("invite %s: the outcome is unknown (%v) and the member list could not be read: %w", op.Email, err, lerr)
		}
		for _, m := range members {
			if liveEmail(m.Email) == op.Email {
				if errors.Is(err, qovery.ErrConflict) {
					return "already a member", nil
				}
				return "confirmed after an uncertain answer", nil
			}
		}
		if errors.Is(err, qovery.ErrConflict) {
			return "", fmt.Errorf("invite %s: the portal says the email exists but does not list it: %w", op.Email, err)
		}
	}
	return "", fmt.Errorf("invite %s: gave up after %d uncertain attempts: %w", op.Email, attempts, last)
}
