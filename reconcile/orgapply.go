package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
)

// OrgWriter is what Apply needs from the organization's API, for a plan with
// organization operations. Read settles an invitation or removal whose answer was
// lost or refused, as OrgReader reads the organization.
type OrgWriter interface {
	Invite(ctx context.Context, email, roleID string) error
	SetRole(ctx context.Context, userID, roleID string) error
	RemoveMember(ctx context.Context, userID string) error
	CancelInvitation(ctx context.Context, inviteID string) error
	Read(ctx context.Context) (*portal.Org, error)
}

// errNoOrgWriter is the reason of organization operations applied without a
// client of the organization's API.
var errNoOrgWriter = errors.New("no client of the organization's API was given to apply it")

// phaseOf groups the actions run together: an invitation sent again goes with the
// invitations, so that one read of the lists settles them all.
func phaseOf(a Action) Action {
	if a == OrgReinvite {
		return OrgInvite
	}
	return a
}

// orgListing is one fresh read of the organization: its members and invitations
// by email.
type orgListing struct {
	members     map[string]portal.OrgMember
	invitations map[string]portal.OrgMember
}

// orgListed reads the organization once (three requests: its roles, which name the
// roles of its members and invitations, too).
func (a *applier) orgListed() (orgListing, error) {
	var l orgListing
	o, err := a.o.Org.Read(a.ctx)
	if err != nil {
		a.saw(err)
		if a.ctx.Err() != nil {
			err = ErrInterrupted
		}
		return l, err
	}
	l.members = map[string]portal.OrgMember{}
	l.invitations = map[string]portal.OrgMember{}
	for _, m := range o.Members {
		if m.Invitation() {
			l.invitations[m.Email] = m
		} else {
			l.members[m.Email] = m
		}
	}
	return l, nil
}

// orgOne performs an organization role change.
func (a *applier) orgOne(i int) {
	op := a.ops[i]
	err := a.o.Org.SetRole(a.ctx, op.MemberID, op.OrgRoleID)
	if errors.Is(err, qovery.ErrNotFound) && !errors.Is(err, qovery.ErrAmbiguous) {
		err = fmt.Errorf("the organization has no member id %s (left meanwhile?): run plan again: %w", op.MemberID, err)
	}
	outcome, why := a.classify(err)
	a.finish(i, Result{Outcome: outcome, Err: why})
}

// orgInvites sends the organization's invitations in rounds, as invites does for
// the portal's: an invitation whose answer was lost, or that met a 409, is settled
// by one fresh read of the invitations and the members at the end of its round;
// only those the lists do not show are sent again. An invitation to replace (an
// expired one, or a pending one whose role changes) is deleted first, once; the
// new one joins the rounds only when that deletion is done.
func (a *applier) orgInvites(idx []int) {
	var pending []int
	var mu sync.Mutex
	var replace []int
	for _, i := range idx {
		if a.ops[i].Action == OrgReinvite {
			replace = append(replace, i)
		} else {
			pending = append(pending, i)
		}
	}
	a.parallel(replace, func(i int) {
		op := a.ops[i]
		err := a.o.Org.CancelInvitation(a.ctx, op.InviteID)
		if errors.Is(err, qovery.ErrNotFound) && !errors.Is(err, qovery.ErrAmbiguous) {
			err = nil // gone already (ours, or accepted: the invitation's answer tells)
		}
		if err != nil {
			outcome, why := a.classify(err)
			a.finish(i, Result{Outcome: outcome, Err: fmt.Errorf("the old invitation was not deleted, so no new one was sent: %w", why)})
			return
		}
		mu.Lock()
		pending = append(pending, i)
		mu.Unlock()
	})
	sends := map[int]int{}
	for round := 1; len(pending) > 0; round++ {
		check := a.sendInvites(pending, sends, func(op Op) error {
			return a.o.Org.Invite(a.ctx, op.Email, op.OrgRoleID)
		})
		if len(check) == 0 {
			return
		}
		l, err := a.orgListed()
		if err != nil {
			for _, u := range check {
				a.finish(u.i, Result{Outcome: Uncertain, Err: fmt.Errorf("sent (%v), and the organization's lists that would tell whether it was carried out could not be read: %w", u.err, brief(err))})
			}
			return
		}
		pending = nil
		for _, u := range check {
			op := a.ops[u.i]
			inv, invited := l.invitations[op.Email]
			m, member := l.members[op.Email]
			switch {
			case invited && inv.Status == portal.StatusPending && inv.RoleID == op.OrgRoleID:
				note := "confirmed by the invitations after a lost answer"
				if u.conflict && sends[u.i] == 1 {
					note = "already invited"
				}
				a.finish(u.i, Result{Outcome: Done, Note: note})
			case member && m.RoleID == op.OrgRoleID:
				a.finish(u.i, Result{Outcome: Done, Note: "already a member with that role"})
			case member:
				a.finish(u.i, Result{Outcome: Failed, Err: fmt.Errorf("%s is a member of the organization as %s now, not %s (joined meanwhile?): run plan again", op.Email, m.Role, op.OrgRole)})
			case invited:
				a.finish(u.i, Result{Outcome: Failed, Err: fmt.Errorf("the organization lists an invitation of %s as %s (%s), not %s (invited by someone else meanwhile?): run plan again", op.Email, inv.Role, inv.Status, op.OrgRole)})
			case u.conflict:
				a.finish(u.i, Result{Outcome: Failed, Err: fmt.Errorf("the organization answered that they are already invited, but lists them nowhere: %w", u.err)})
			case round >= a.o.InviteRounds:
				a.finish(u.i, Result{Outcome: Failed, Err: fmt.Errorf("sent %d times, every answer was lost, and the organization does not list them: %w", sends[u.i], u.err)})
			default:
				pending = append(pending, u.i) // certainly not carried out: send again
			}
		}
	}
}

// reinviteNote says what a done invitation sent again did.
func reinviteNote(op Op, o Outcome) string {
	if o != Done || op.Action != OrgReinvite {
		return ""
	}
	if op.Expired {
		return "the expired invitation was deleted and sent again"
	}
	return "the pending invitation was deleted and sent again with the new role"
}

// orgRemovals removes organization members (DELETE /member) or cancels invitations
// (DELETE /inviteMember/{id}). A 404 alone does not say the person is gone: one
// fresh read of the lists, for all such removals, decides.
func (a *applier) orgRemovals(idx []int) {
	missing := a.removeAll(idx, func(op Op) error {
		if op.Action == OrgRemove {
			return a.o.Org.RemoveMember(a.ctx, op.MemberID)
		}
		return a.o.Org.CancelInvitation(a.ctx, op.InviteID)
	})
	if len(missing) == 0 {
		return
	}
	l, err := a.orgListed()
	for _, i := range missing {
		op := a.ops[i]
		m, member := l.members[op.Email]
		inv, invited := l.invitations[op.Email]
		switch {
		case err != nil:
			a.finish(i, Result{Outcome: Uncertain, Err: fmt.Errorf("the organization answered 404, and the lists that would tell whether %s is gone could not be read: %w", op.Email, brief(err))})
		case op.Action == OrgRemove && !member:
			a.finish(i, Result{Outcome: Done, Note: "already gone"})
		case op.Action == OrgRemove && m.ID == op.MemberID:
			a.finish(i, Result{Outcome: Failed, Err: fmt.Errorf("the organization answered 404 for member id %s, yet lists %s under it", op.MemberID, op.Email)})
		case op.Action == OrgRemove:
			a.finish(i, Result{Outcome: Failed, Err: fmt.Errorf("the organization has no member id %s, but lists %s under id %s: nothing was removed; run plan again", op.MemberID, op.Email, m.ID)})
		case member:
			a.finish(i, Result{Outcome: Failed, Err: fmt.Errorf("%s accepted the invitation meanwhile and is a member now: run plan again to remove them", op.Email)})
		case !invited:
			a.finish(i, Result{Outcome: Done, Note: "already gone"})
		case inv.ID == op.InviteID:
			a.finish(i, Result{Outcome: Failed, Err: fmt.Errorf("the organization answered 404 for invitation %s, yet lists it", op.InviteID)})
		default:
			a.finish(i, Result{Outcome: Failed, Err: fmt.Errorf("%s was invited again meanwhile (invitation %s): nothing was cancelled; run plan again", op.Email, inv.ID)})
		}
	}
}
