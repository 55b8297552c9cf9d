package schema

import (
	"fmt"
	"math"
	"slices"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// policy reads the policy: section written at key. The schema checks its shape;
// a rule whose value it refuses is left unset.
func (b *builder) policy(key, n *yaml.Node) {
	p := &portal.Policy{Set: map[portal.PolicyRule]portal.Pos{}, Pos: b.pos(key)}
	b.cfg.Policy = p
	m := asMapping(n)
	if m == nil {
		return
	}
	b.duplicateKeys(m, "key")
	eachPair(m, func(k, v *yaml.Node) {
		rule := portal.PolicyRule(keyString(k))
		v = deref(v)
		switch rule {
		case portal.PolicyAllowedDomains, portal.PolicyRequireExpiryOutside:
			if v.Kind != yaml.SequenceNode {
				return
			}
			list, bad := []string{}, false
			for _, e := range items(v) {
				value, ok := b.text(e)
				if !ok {
					bad = true
					continue
				}
				d, err := b.domain(e, value)
				if err != nil {
					b.add(b.pos(e), diag.Error, "invalid-domain", func() (string, string) {
						return fmt.Sprintf("invalid domain %s in policy %s: %v", diag.Quote(value), rule, err), "write a domain like company.com (no scheme, path or wildcard; sub-domains are listed one by one)"
					})
					bad = true
					continue
				}
				if !slices.Contains(list, d) {
					list = append(list, d)
				}
			}
			if bad || rule == portal.PolicyAllowedDomains && len(list) == 0 {
				return // reported: a rule half understood is not enforced
			}
			if rule == portal.PolicyAllowedDomains {
				p.AllowedDomains = list
			} else {
				p.RequireExpiryOutside = list
			}
		case portal.PolicyRequiredAdmins:
			if v.Kind != yaml.SequenceNode {
				return
			}
			var list []string
			var at []portal.Pos
			bad := false
			for _, e := range items(v) {
				value, ok := b.text(e)
				if !ok {
					bad = true
					continue
				}
				addr, err := b.email(e, value)
				if err != nil {
					b.add(b.pos(e), diag.Error, "invalid-email", func() (string, string) {
						return fmt.Sprintf("invalid email %s in policy %s: %v", diag.Quote(value), rule, err), "write an admin's address like alice@company.com"
					})
					bad = true
					continue
				}
				if slices.Contains(list, addr) {
					b.add(b.pos(e), diag.Warning, "duplicate-rule", func() (string, string) {
						return fmt.Sprintf("policy %s lists %s twice", rule, addr), "remove the second entry"
					})
					continue
				}
				list = append(list, addr)
				at = append(at, b.pos(e))
			}
			if bad {
				return // reported: a rule half understood is not enforced
			}
			p.RequiredAdmins, p.RequiredAdminsPos = list, at
		case portal.PolicyMaxOpenBlueprints, portal.PolicyMaxExpiryDays, portal.PolicyReviewEveryDays, portal.PolicyMaxPendingDays:
			n, ok := intValue(v)
			least := int64(1)
			if rule == portal.PolicyMaxOpenBlueprints {
				least = 0
			}
			if !ok || n < least || leadingZero(v.Value) {
				return // the schema says what to write
			}
			if n > math.MaxInt32 {
				b.add(b.pos(v), diag.Error, "bad-value", func() (string, string) {
					return fmt.Sprintf("policy %s %s is too large", rule, v.Value), fmt.Sprintf("write at most %d", math.MaxInt32)
				})
				return
			}
			switch rule {
			case portal.PolicyMaxOpenBlueprints:
				p.MaxOpenBlueprints = int(n)
			case portal.PolicyMaxExpiryDays:
				p.MaxExpiryDays = int(n)
			case portal.PolicyReviewEveryDays:
				p.ReviewEveryDays = int(n)
			case portal.PolicyMaxPendingDays:
				p.MaxPendingDays = int(n)
			}
		default:
			return // an unknown key: the schema reported it
		}
		p.Set[rule] = b.pos(k)
	})
	if pos, ok := p.Set[portal.PolicyMaxExpiryDays]; ok && !p.Has(portal.PolicyRequireExpiryOutside) {
		b.add(pos, diag.Error, "incomplete-policy", func() (string, string) {
			return "policy max_expiry_days bounds the expiry of the members require_expiry_outside names, and the policy has no require_expiry_outside",
				"add `require_expiry_outside: [company.com]` (members outside these domains need an expires date), or `require_expiry_outside: []` to require one of every member"
		})
	}
}
