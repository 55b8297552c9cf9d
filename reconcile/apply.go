package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
)

// Writer is what Apply needs from the portal API, in the model's types.
type Writer interface {
	InviteMember(ctx context.Context, email string, role portal.Role) (portal.Member, error)
	UpdateMemberRole(ctx context.Context, memberID string, role portal.Role) (portal.Member, error)
	RemoveMember(ctx context.Context, memberID string) error
	// PutACL replaces a blueprint's rules if its ACL is still at version
	// ifMatch, and returns the new version.
	PutACL(ctx context.Context, blueprintID string, rules []portal.Rule, ifMatch string) (etag string, err error)
	ListMembers(ctx context.Context) ([]portal.Member, error)
}

// Outcome is what became of one operation.
type Outcome string

// The outcomes of an operation. Only Done means the portal is known to be as the
// operation wanted.
const (
	// Done: the portal confirmed it, or the member list shows it.
	Done Outcome = "done"
	// Failed: sent and refused, or certainly not carried out.
	Failed Outcome = "failed"
	// Uncertain: sent, and the answer was lost, or contradicts what was asked
	// (qovery.ErrContradicted); it may have been carried out, or not.
	Uncertain Outcome = "uncertain"
	// NotSent: never sent: interrupted, the portal stopped answering (the
	// circuit breaker), or skipped after an earlier operation did not complete.
	NotSent Outcome = "not sent"
)

// Result is one operation and what became of it.
type Result struct {
	Op      Op
	Outcome Outcome
	Err     error  // why, for every outcome but Done
	Note    string // about a Done, e.g. "already a member"
}

// Summary is what an apply did.
type Summary struct {
	Results []Result
	// Stopped says why the run stopped sending before its end, if it did: the
	// portal became unavailable (a *qovery.BreakerError) or ErrInterrupted.
	Stopped error
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

// Complete reports whether every operation is done.
func (s Summary) Complete() bool { return s.Count(Done) == len(s.Results) }

// ApplyOptions tune Apply.
type ApplyOptions struct {
	Parallelism int
	// Progress is called once per operation, in plan order (an operation that
	// finishes early waits for those before it), from one goroutine at a time.
	Progress func(done, total int, r Result)
	// InviteRounds bounds the rounds of invitations (default 7). Each round
	// sends the invitations still to send, then reads the member list once to
	// settle every invitation of the round whose answer was lost or that met a
	// 409; the invitations that list does not show go to the next round. The
	// organization's invitations go in rounds the same way.
	InviteRounds int
	// Org applies the organization's operations; without it they fail.
	Org OrgWriter
}

// DefaultInviteRounds is the number of invitation rounds. When a fifth of the
// requests are lost, a fifth of a round's invitations lose their answer and two
// thirds of those were not carried out and go to the next round: each round leaves
// about one invitation in 7.5 unsettled, seven leave one in 1.3 million. Rounds
// cost a member listing only while some invitation is unsettled.
const DefaultInviteRounds = 7

// ErrConcurrentEdit says an ACL changed in the portal after it was read: the
// update was not sent, so the other edit is kept.
var ErrConcurrentEdit = errors.New("the ACL was changed in the portal since it was read; nothing was overwritten: run plan again")

// ErrSkipped says an operation was not sent because an earlier one did not
// complete: demotions and removals wait until everything before them is done.
var ErrSkipped = errors.New("skipped: an earlier operation did not complete; fix it and re-run apply")

// Apply performs the plan's operations through w (and o.Org for the
// organization's), one request each (two for an organization invitation sent
// again), phase by phase in the plan's order (the organization's invitations and
// role changes; then the portal's invite, promote, ACL, demote, remove; then the
// organization's cancelled invitations and removals), up to Parallelism at a time
// within a phase. Demotions and removals, the portal's and the organization's, run
// only when every earlier operation is done, so a failed invitation or promotion
// never leaves the portal short of the admins the file expects, and nobody leaves
// the organization before the portal's own changes are done. Once the API stops
// answering (the client's circuit breaker) or ctx ends, nothing more is sent and
// the rest is "not sent". Re-running after a failure finishes the job.
func Apply(ctx context.Context, w Writer, p *Plan, o ApplyOptions) Summary {
	if o.Parallelism < 1 {
		o.Parallelism = DefaultParallelism
	}
	if o.InviteRounds < 1 {
		o.InviteRounds = DefaultInviteRounds
	}
	a := &applier{ctx: ctx, w: w, ops: p.Ops, o: o, results: make([]Result, len(p.Ops)), finished: make([]bool, len(p.Ops))}
	incomplete := false
	for start := 0; start < len(p.Ops); {
		end := start
		for end < len(p.Ops) && phaseOf(p.Ops[end].Action) == phaseOf(p.Ops[start].Action) {
			end++
		}
		idx := make([]int, 0, end-start)
		for i := start; i < end; i++ {
			idx = append(idx, i)
		}
		switch action := p.Ops[start].Action; {
		case a.stopped() != nil:
			for _, i := range idx {
				a.finish(i, Result{Outcome: NotSent, Err: a.stopped()})
			}
		case incomplete && (action == Demote || action == Remove || action == OrgCancelInvite || action == OrgRemove):
			for _, i := range idx {
				a.finish(i, Result{Outcome: NotSent, Err: ErrSkipped})
			}
		case IsOrg(action) && o.Org == nil:
			for _, i := range idx {
				a.finish(i, Result{Outcome: NotSent, Err: errNoOrgWriter})
			}
		case action == Invite:
			a.invites(idx)
		case action == Remove:
			a.removals(idx)
		case action == OrgInvite || action == OrgReinvite:
			a.orgInvites(idx)
		case action == OrgChangeRole:
			a.parallel(idx, a.orgOne)
		case action == OrgCancelInvite || action == OrgRemove:
			a.orgRemovals(idx)
		default:
			a.parallel(idx, a.one)
		}
		for _, i := range idx {
			if a.results[i].Outcome != Done {
				incomplete = true
			}
		}
		start = end
	}
	sum := Summary{Results: a.results}
	if !sum.Complete() {
		sum.Stopped = a.stopped()
	}
	return sum
}

// applier is one run of Apply.
type applier struct {
	ctx context.Context
	w   Writer
	ops []Op
	o   ApplyOptions

	mu       sync.Mutex
	results  []Result
	finished []bool
	next     int   // the next result to report as progress
	stop     error // why nothing more is sent: the breaker's error
}

// stopped returns why nothing more may be sent, or nil.
func (a *applier) stopped() error {
	if a.ctx.Err() != nil {
		return ErrInterrupted
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stop
}

// saw notes an error that stops the run: the circuit breaker opened.
func (a *applier) saw(err error) {
	var be *qovery.BreakerError
	if errors.As(err, &be) {
		a.mu.Lock()
		if a.stop == nil {
			a.stop = be
		}
		a.mu.Unlock()
	}
}

// finish records the result of operation i and reports progress in plan order.
func (a *applier) finish(i int, r Result) {
	r.Op = a.ops[i]
	a.mu.Lock()
	defer a.mu.Unlock()
	a.results[i], a.finished[i] = r, true
	for a.next < len(a.ops) && a.finished[a.next] {
		if a.o.Progress != nil {
			a.o.Progress(a.next+1, len(a.ops), a.results[a.next])
		}
		a.next++
	}
}

// parallel runs fn on the operations idx, Parallelism at a time. An operation
// not yet started when the run stops is not sent.
func (a *applier) parallel(idx []int, fn func(i int)) {
	sem := make(chan struct{}, a.o.Parallelism)
	var wg sync.WaitGroup
	for _, i := range idx {
		sem <- struct{}{}
		if err := a.stopped(); err != nil {
			<-sem
			a.finish(i, Result{Outcome: NotSent, Err: err})
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			fn(i)
		}()
	}
	wg.Wait()
}

// classify turns the error of a request into an outcome and its reason.
func (a *applier) classify(err error) (Outcome, error) {
	a.saw(err)
	interrupted := a.ctx.Err() != nil
	switch {
	case err == nil:
		return Done, nil
	case errors.Is(err, qovery.ErrNotSent) && interrupted:
		return NotSent, ErrInterrupted
	case errors.Is(err, qovery.ErrNotSent):
		return NotSent, err
	case errors.Is(err, qovery.ErrAmbiguous) && interrupted:
		return Uncertain, fmt.Errorf("%w while waiting for the answer: it may have been carried out", ErrInterrupted)
	case errors.Is(err, qovery.ErrAmbiguous):
		return Uncertain, fmt.Errorf("sent, and the answer was lost: it may have been carried out: %w", err)
	case errors.Is(err, qovery.ErrContradicted):
		// Accepted, and answered with another outcome than asked: neither
		// done nor refused for sure. Uncertain, so that the demotions and
		// removals after it are not sent, and nothing is sent again blindly.
		return Uncertain, err
	}
	return Failed, err
}

// errUnavailable is the reason given for a check that could not be made because
// the run was stopped: the summary says why once.
var errUnavailable = errors.New("the portal API is unavailable (see Stopped)")

// brief shortens the error of a check the run's stop prevented.
func brief(err error) error {
	switch {
	case errors.Is(err, ErrInterrupted):
		return ErrInterrupted
	case errors.Is(err, qovery.ErrUnavailable):
		return errUnavailable
	}
	return err
}

// one performs a role change or an ACL update. Reasons do not repeat the
// operation: they are shown next to it.
func (a *applier) one(i int) {
	op := a.ops[i]
	var err error
	switch op.Action {
	case Promote, Demote:
		_, err = a.w.UpdateMemberRole(a.ctx, op.MemberID, op.Role)
	case UpdateACL:
		_, err = a.w.PutACL(a.ctx, op.BlueprintID, op.Rules, op.ETag)
		if errors.Is(err, qovery.ErrPreconditionFailed) && !errors.Is(err, qovery.ErrAmbiguous) {
			err = ErrConcurrentEdit
		}
	default:
		err = fmt.Errorf("unknown action %q", op.Action)
	}
	outcome, why := a.classify(err)
	a.finish(i, Result{Outcome: outcome, Err: why})
}

// listed reads the member list once, by email.
func (a *applier) listed() (map[string]portal.Member, error) {
	members, err := a.w.ListMembers(a.ctx)
	if err != nil {
		a.saw(err)
		if a.ctx.Err() != nil {
			err = ErrInterrupted
		}
		return nil, err
	}
	out := make(map[string]portal.Member, len(members))
	for _, m := range members {
		out[m.Email] = m
	}
	return out, nil
}

// invites sends the invitations in rounds. An invitation whose answer was lost, or
// that met a 409, is settled by the member list read once at the end of its round:
// listed with the wanted role, it is done; listed with another role, it failed
// (someone else invited that person meanwhile); not listed after a lost answer, it
// is sent again in the next round. Nothing is ever sent for someone the list shows,
// so no invitation is duplicated.
func (a *applier) invites(idx []int) {
	sends := map[int]int{}
	pending := idx
	for round := 1; len(pending) > 0; round++ {
		check := a.sendInvites(pending, sends, func(op Op) error {
			_, err := a.w.InviteMember(a.ctx, op.Email, op.Role)
			return err
		})
		if len(check) == 0 {
			return
		}
		members, err := a.listed()
		if err != nil {
			for _, u := range check {
				a.finish(u.i, Result{Outcome: Uncertain, Err: fmt.Errorf("sent (%v), and the member list that would tell whether it was carried out could not be read: %w", u.err, brief(err))})
			}
			return
		}
		pending = nil
		for _, u := range check {
			op := a.ops[u.i]
			m, ok := members[op.Email]
			switch {
			case ok && m.Role == op.Role:
				note := "confirmed by the member list after a lost answer"
				if u.conflict && sends[u.i] == 1 {
					note = "already a member"
				}
				a.finish(u.i, Result{Outcome: Done, Note: note})
			case ok:
				a.finish(u.i, Result{Outcome: Failed, Err: fmt.Errorf("the portal lists %s as %s, not %s (invited by someone else meanwhile?): run plan again", op.Email, m.Role, op.Role)})
			case u.conflict:
				a.finish(u.i, Result{Outcome: Failed, Err: fmt.Errorf("the portal answered that they are already a member, but does not list them: %w", u.err)})
			case round >= a.o.InviteRounds:
				a.finish(u.i, Result{Outcome: Failed, Err: fmt.Errorf("sent %d times, every answer was lost, and the member list does not show them: %w", sends[u.i], u.err)})
			default:
				pending = append(pending, u.i) // certainly not carried out: send again
			}
		}
	}
}

// unsettled is an invitation its answer did not settle: the answer was lost, or
// was a 409; the list read at the end of the round settles it.
type unsettled struct {
	i        int
	conflict bool  // answered 409
	err      error // the last answer
}

// sendInvites sends the invitations of idx with send, counting each send in
// sends, and finishes those their answer settles (a reinvitation done with its
// note, reinviteNote); it returns the others.
func (a *applier) sendInvites(idx []int, sends map[int]int, send func(op Op) error) []unsettled {
	var mu sync.Mutex
	var check []unsettled
	a.parallel(idx, func(i int) {
		op := a.ops[i]
		err := send(op)
		mu.Lock()
		sends[i]++
		mu.Unlock()
		ambiguous := errors.Is(err, qovery.ErrAmbiguous) && a.ctx.Err() == nil
		if conflict := errors.Is(err, qovery.ErrConflict); (conflict && !errors.Is(err, qovery.ErrAmbiguous)) || ambiguous {
			a.saw(err)
			mu.Lock()
			check = append(check, unsettled{i: i, conflict: conflict && !ambiguous, err: err})
			mu.Unlock()
			return
		}
		outcome, why := a.classify(err)
		a.finish(i, Result{Outcome: outcome, Err: why, Note: reinviteNote(op, outcome)})
	})
	return check
}

// removeAll sends the removal of each operation of idx with remove, records the
// outcome of each but those answered 404 alone, and returns these: whether the
// person is gone, a fresh listing decides.
func (a *applier) removeAll(idx []int, remove func(op Op) error) (missing []int) {
	var mu sync.Mutex
	a.parallel(idx, func(i int) {
		err := remove(a.ops[i])
		if errors.Is(err, qovery.ErrNotFound) && !errors.Is(err, qovery.ErrAmbiguous) {
			mu.Lock()
			missing = append(missing, i)
			mu.Unlock()
			return
		}
		outcome, why := a.classify(err)
		a.finish(i, Result{Outcome: outcome, Err: why})
	})
	return missing
}

// removals removes members by id. A 404 alone does not say the person is gone (an
// earlier attempt of ours may have removed them, or the id may be stale while they
// are still a member): the member list, read once for all such removals, decides.
func (a *applier) removals(idx []int) {
	missing := a.removeAll(idx, func(op Op) error { return a.w.RemoveMember(a.ctx, op.MemberID) })
	if len(missing) == 0 {
		return
	}
	members, err := a.listed()
	for _, i := range missing {
		op := a.ops[i]
		m, ok := members[op.Email]
		switch {
		case err != nil:
			a.finish(i, Result{Outcome: Uncertain, Err: fmt.Errorf("the portal has no member id %s, and the member list that would tell whether %s is gone could not be read: %w", op.MemberID, op.Email, brief(err))})
		case !ok:
			a.finish(i, Result{Outcome: Done, Note: "already gone"})
		case m.ID == op.MemberID:
			a.finish(i, Result{Outcome: Failed, Err: fmt.Errorf("the portal answered 404 for member id %s, yet lists %s under it", op.MemberID, op.Email)})
		default:
			a.finish(i, Result{Outcome: Failed, Err: fmt.Errorf("the portal has no member id %s, but lists %s under id %s: nothing was removed; run plan again", op.MemberID, op.Email, m.ID)})
		}
	}
}
