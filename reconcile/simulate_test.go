package reconcile

import "github.com/qovery/portalctl/portal"

// Simulate returns the state live would be in once ops are applied: the portal as
// the plan leaves it. Each operation acts where its request would: role changes and
// removals on the member with its member id, ACL updates on the blueprint with its
// blueprint id, whatever email or name the operation shows. It is the oracle the
// last-admin rail's adminsAfter is held to.
func Simulate(live *portal.Config, ops []Op) *portal.Config {
	out := &portal.Config{Version: live.Version, Organization: live.Organization, Groups: live.Groups}
	out.Members = append(out.Members, live.Members...)
	// By the id a request carries; a file standing in for the portal has none,
	// and its members are known by email (see subject).
	byID := make(map[string]int, len(live.Members))
	emails := make(map[string]bool, len(live.Members))
	for i, m := range out.Members {
		byID[subject(m.ID, m.Email)] = i
		emails[m.Email] = true
	}
	removed := map[int]bool{}
	acl := map[string]Op{}
	for _, o := range ops {
		switch o.Action {
		case Invite:
			// The portal refuses to invite someone who is already a member.
			if !emails[o.Email] {
				emails[o.Email] = true
				out.Members = append(out.Members, portal.Member{Email: o.Email, Role: o.Role, Status: portal.StatusPending})
			}
		case Promote, Demote:
			if i, ok := byID[subject(o.MemberID, o.Email)]; ok {
				out.Members[i].Role = o.Role
			}
		case Remove:
			if i, ok := byID[subject(o.MemberID, o.Email)]; ok {
				removed[i] = true
			}
		case UpdateACL:
			acl[o.BlueprintID] = o
		}
	}
	kept := out.Members[:0]
	for i, m := range out.Members {
		if !removed[i] {
			kept = append(kept, m)
		}
	}
	out.Members = kept
	for _, b := range live.Blueprints {
		if o, ok := acl[b.ID]; ok && b.ID != "" {
			b.Rules = append([]portal.Rule(nil), o.Rules...)
			b.Open = len(b.Rules) == 0
		}
		out.Blueprints = append(out.Blueprints, b)
	}
	out.Sort()
	return out
}

// AdminsAfter counts the active admins the portal would have once ops are applied
// to live, each operation acting on the member its id names. Only an admin who has
// signed in (status active) counts: an invitation, pending, is not one yet, and the
// invitations of ops make pending members. It is adminsAfter's count, for the
// tests outside the package.
func AdminsAfter(live *portal.Config, ops []Op) int {
	n, _ := adminsAfter(live, ops)
	return n
}
