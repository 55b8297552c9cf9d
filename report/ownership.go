package report

import (
	"slices"

	"github.com/qovery/portalctl/portal"
)

// OwnershipChange is one change of who owns what in a configuration split into
// files (docs/large-organizations.md): the root file's codeowners:, or an
// include: entry added, removed, or given other owners, another blueprint
// scope or another right to members. Each changes who may approve what.
type OwnershipChange struct {
	// Include is the include's path as written; empty for the root file's own
	// codeowners.
	Include string `json:"include,omitempty"`
	// Field is "include" (the include itself is added or removed),
	// "codeowners", "blueprints" or "members".
	Field string `json:"field"`
	// Change is "added" or "removed" (an include), or "changed".
	Change string `json:"change"`
	// From and To are the owners before and after (codeowners); for an include
	// removed, From are its owners.
	From []string `json:"from,omitempty"`
	To   []string `json:"to,omitempty"`
	// Added and Removed are the blueprint names or globs the include's files may
	// now define, or no longer (blueprints).
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
	// Members says whether the include's files may define members, groups and
	// organization members after the change (members).
	Members bool `json:"members,omitempty"`
}

// OwnershipChanges lists what changes from layout before to layout after (nil:
// a configuration read from one file without include: or codeowners:): the
// root's owners first, then each include in the order after writes them (its
// files' owners, their blueprint scope, their right to members), then the
// includes removed, in the order before wrote them. Includes are told apart by
// their path as written.
func OwnershipChanges(before, after *portal.Layout) []OwnershipChange {
	var out []OwnershipChange
	var bo, ao []string
	var bi, ai []portal.Include
	if before != nil {
		bo, bi = before.Codeowners, before.Includes
	}
	if after != nil {
		ao, ai = after.Codeowners, after.Includes
	}
	if !slices.Equal(bo, ao) {
		out = append(out, OwnershipChange{Field: "codeowners", Change: "changed", From: nonNil(bo), To: nonNil(ao)})
	}
	find := func(incs []portal.Include, p string) (portal.Include, bool) {
		i := slices.IndexFunc(incs, func(x portal.Include) bool { return x.Path == p })
		if i < 0 {
			return portal.Include{}, false
		}
		return incs[i], true
	}
	for _, a := range ai {
		b, had := find(bi, a.Path)
		if !had {
			out = append(out, OwnershipChange{Include: a.Path, Field: "include", Change: "added"})
		}
		if !slices.Equal(b.Codeowners, a.Codeowners) {
			out = append(out, OwnershipChange{Include: a.Path, Field: "codeowners", Change: "changed", From: nonNil(b.Codeowners), To: nonNil(a.Codeowners)})
		}
		var added, removed []string
		for _, g := range a.Blueprints {
			if !slices.Contains(b.Blueprints, g) && !slices.Contains(added, g) {
				added = append(added, g)
			}
		}
		for _, g := range b.Blueprints {
			if !slices.Contains(a.Blueprints, g) && !slices.Contains(removed, g) {
				removed = append(removed, g)
			}
		}
		if len(added)+len(removed) > 0 {
			out = append(out, OwnershipChange{Include: a.Path, Field: "blueprints", Change: "changed", Added: added, Removed: removed})
		}
		if a.Members != b.Members {
			out = append(out, OwnershipChange{Include: a.Path, Field: "members", Change: "changed", Members: a.Members})
		}
	}
	for _, b := range bi {
		if _, has := find(ai, b.Path); !has {
			out = append(out, OwnershipChange{Include: b.Path, Field: "include", Change: "removed", From: b.Codeowners})
		}
	}
	return out
}
