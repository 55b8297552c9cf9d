package access

import (
	"cmp"
	"slices"
	"strings"

	"github.com/qovery/portalctl/portal"
)

// EditChange says what a rule change does.
type EditChange string

// The rule changes, in the order a reviewer reads them: removals cause the losses.
const (
	Removed EditChange = "removed"
	Changed EditChange = "changed" // a group whose emails change
	Added   EditChange = "added"
)

// Edit is one change of a blueprint's rules as the file writes them: a domain, an
// email, or a group, not the emails a group expands to.
type Edit struct {
	Change EditChange
	Kind   string // "domain", "email" or "group"
	Value  string
	// Members counts the members the rule grants after (added; a changed group)
	// or granted before (removed).
	Members int
	// Losses counts, for a rule removed or a group changed, the members who
	// lose the blueprint and had it through this rule: it orders the removals.
	Losses int
	// EmailsAdded and EmailsRemoved are a changed group's emails that come and
	// go, sorted.
	EmailsAdded, EmailsRemoved []string
}

// written is a blueprint's rules as the file writes them: its domains, the emails
// written on it, and its groups with their emails.
type written struct {
	domains []string
	emails  map[string]bool
	groups  map[string][]string
}

// writtenOf reads b's rules as written. A blueprint read from the portal (it has an
// id, and no groups: the portal knows only emails) is read against the file's side,
// other: an email of one of the file's groups is that group's, so that a plan does
// not show as removed the emails a group on the file's side already grants.
func writtenOf(b *portal.Blueprint, defs map[string][]string, other *written) *written {
	w := &written{emails: map[string]bool{}, groups: map[string][]string{}}
	for _, r := range b.Rules {
		switch {
		case r.Kind == portal.RuleDomain:
			w.domains = append(w.domains, r.Value)
		case r.Group == "":
			w.emails[r.Value] = true
		}
	}
	for _, g := range b.Groups {
		w.groups[g] = defs[g]
	}
	if b.ID != "" && len(b.Groups) == 0 && other != nil {
		// Every group of the file's side is read against the emails as the portal
		// holds them, before any is taken: an email two groups list is both
		// groups', whatever order the groups come in.
		var taken []string
		for g, es := range other.groups {
			var present []string
			for _, e := range es {
				if w.emails[e] {
					present = append(present, e)
				}
			}
			if len(present) > 0 {
				w.groups[g] = present
				taken = append(taken, present...)
			}
		}
		for _, e := range taken {
			delete(w.emails, e)
		}
	}
	return w
}

// edits compares two blueprints' rules as written: what the index shows. ob is nil
// for a blueprint newly managed; through counts, for each rule of ob (domain:D,
// email:E, group:G), the members who lose the blueprint and had it through it.
func edits(ob, nb *portal.Blueprint, before, after *Index, through map[string]int) []Edit {
	nw := writtenOf(nb, after.cfg.Groups, nil)
	ow := &written{emails: map[string]bool{}, groups: map[string][]string{}}
	if ob != nil {
		ow = writtenOf(ob, before.cfg.Groups, nw)
	}
	var out []Edit
	domain := func(d string) portal.Rule { return portal.Rule{Kind: portal.RuleDomain, Value: d} }
	for _, d := range ow.domains {
		if !slices.Contains(nw.domains, d) {
			out = append(out, Edit{Change: Removed, Kind: "domain", Value: d, Members: before.RuleMembers(domain(d))})
		}
	}
	for _, d := range nw.domains {
		if !slices.Contains(ow.domains, d) {
			out = append(out, Edit{Change: Added, Kind: "domain", Value: d, Members: after.RuleMembers(domain(d))})
		}
	}
	members := func(ix *Index, es []string) int {
		n := 0
		for _, e := range es {
			if ix.IsMember(e) {
				n++
			}
		}
		return n
	}
	for g, es := range ow.groups {
		if _, kept := nw.groups[g]; !kept {
			out = append(out, Edit{Change: Removed, Kind: "group", Value: g, Members: members(before, es)})
		}
	}
	for g, es := range nw.groups {
		was, kept := ow.groups[g]
		if !kept {
			out = append(out, Edit{Change: Added, Kind: "group", Value: g, Members: members(after, es)})
			continue
		}
		plus, minus := setDiff(es, was), setDiff(was, es)
		if len(plus)+len(minus) > 0 {
			slices.Sort(plus)
			slices.Sort(minus)
			out = append(out, Edit{Change: Changed, Kind: "group", Value: g, Members: members(after, plus), EmailsAdded: plus, EmailsRemoved: minus})
		}
	}
	email := func(e string) portal.Rule { return portal.Rule{Kind: portal.RuleEmail, Value: e} }
	for e := range ow.emails {
		if !nw.emails[e] {
			out = append(out, Edit{Change: Removed, Kind: "email", Value: e, Members: before.RuleMembers(email(e))})
		}
	}
	for e := range nw.emails {
		if !ow.emails[e] {
			out = append(out, Edit{Change: Added, Kind: "email", Value: e, Members: after.RuleMembers(email(e))})
		}
	}
	for i, e := range out {
		if e.Change != Added {
			out[i].Losses = through[e.Kind+":"+e.Value]
		}
	}
	rank := map[EditChange]int{Removed: 0, Changed: 1, Added: 2}
	kind := map[string]int{"domain": 0, "group": 1, "email": 2}
	slices.SortFunc(out, func(a, b Edit) int {
		return cmp.Or(cmp.Compare(rank[a.Change], rank[b.Change]), cmp.Compare(b.Losses, a.Losses), cmp.Compare(b.Members, a.Members),
			cmp.Compare(kind[a.Kind], kind[b.Kind]), strings.Compare(a.Value, b.Value))
	})
	return out
}

// setDiff is the items of a not in b.
func setDiff(a, b []string) []string {
	in := make(map[string]bool, len(b))
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

// RuleMembers counts the members of the indexed config a rule grants: every member
// of a domain, or the one an email names (0 for anyone else).
func (ix *Index) RuleMembers(r portal.Rule) int {
	switch r.Kind {
	case portal.RuleDomain:
		return len(ix.membersByDomain[r.Value])
	case portal.RuleEmail:
		if ix.IsMember(r.Value) {
			return 1
		}
	}
	return 0
}
