package access

import (
	"iter"
	"slices"
	"strings"

	"github.com/qovery/portalctl/portal"
)

// Grant is one member seeing one blueprint, with every rule that grants it.
type Grant struct {
	Member    *portal.Member
	Blueprint *portal.Blueprint
	// Via are the reasons, in rule order (open access; the domain rule; the email
	// rules). The slice is reused by the next grant: copy it to keep it.
	Via []Via
}

// Grants yields every pair of a member of the indexed config and a blueprint that
// member sees, by email then by blueprint name: the whole access of the portal,
// one grant at a time. It costs one step per member plus what it yields, never
// members × blueprints × rules, and holds no more than one grant at a time.
func (ix *Index) Grants() iter.Seq[Grant] {
	return func(yield func(Grant) bool) {
		ix.ordered().walk(func(_, _ int, g Grant) bool { return yield(g) })
	}
}

// ordered returns ix when its members are in email order and its blueprints in
// name order (Config.Sort, as the loader and the live reader leave them), else an
// index of a copy of its config in that order, so that walk can merge lists of
// positions instead of sorting what each member sees.
func (ix *Index) ordered() *Index {
	byName := func(a, b portal.Blueprint) int { return strings.Compare(a.Name, b.Name) }
	if ix.sorted && slices.IsSortedFunc(ix.cfg.Blueprints, byName) {
		return ix
	}
	c := *ix.cfg
	c.Members = slices.Clone(c.Members)
	portal.SortMembers(c.Members)
	c.Blueprints = slices.Clone(c.Blueprints)
	slices.SortStableFunc(c.Blueprints, byName)
	return NewIndex(&c)
}

// walk calls yield with the positions of the member and the blueprint of each
// grant of ix, whose members and blueprints must be in order (see ordered), until
// yield returns false. A member sees the open blueprints, those whose domain rule
// names the member's domain and those with an email rule for the member: three
// lists of blueprint positions, each in name order, merged.
func (ix *Index) walk(yield func(member, blueprint int, g Grant) bool) {
	bps := ix.cfg.Blueprints
	var via []Via
	for mi := range ix.cfg.Members {
		m := &ix.cfg.Members[mi]
		domain := m.Domain()
		open, byDomain, byEmail := ix.open, ix.bpByDomain[domain], ix.bpByEmail[m.Email]
		for len(open)+len(byDomain)+len(byEmail) > 0 {
			bi := min(head(open), head(byDomain), head(byEmail))
			via = via[:0]
			if head(open) == bi {
				via = append(via, Via{Open: true})
				open = open[1:]
			}
			if head(byDomain) == bi {
				via = append(via, Via{Rule: portal.RuleKey{Kind: portal.RuleDomain, Value: domain}})
				byDomain = byDomain[1:]
			}
			if head(byEmail) == bi {
				for _, r := range bps[bi].Rules {
					if r.Kind == portal.RuleEmail && r.Grants(m.Email) {
						via = append(via, Via{Rule: r.Key(), Group: r.Group})
					}
				}
				byEmail = byEmail[1:]
			}
			if !yield(mi, bi, Grant{Member: m, Blueprint: &bps[bi], Via: via}) {
				return
			}
		}
	}
}

// head is the first position of a list, or past every position when it is empty.
func head(s []int) int {
	if len(s) == 0 {
		return int(^uint(0) >> 1)
	}
	return s[0]
}
