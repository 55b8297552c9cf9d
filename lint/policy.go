package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// The codes of policy violations: each names the rule of the policy it breaks.
// Problems with the policy: section itself (an invalid domain in it, say) have
// other codes, schema's: the file is wrong, not the change it makes.
const (
	codeAllowedDomains = "policy-allowed-domains"
	codeMaxOpen        = "policy-max-open-blueprints"
	codeRequireExpiry  = "policy-require-expiry"
	codeMaxExpiryDays  = "policy-max-expiry-days"
	codeReviewOwners   = "policy-review-owners"
	codeRequiredAdmins = "policy-required-admins"
)

// IsPolicyViolation reports whether d is a violation of the file's policy:
// section, as opposed to any other problem of the file.
func IsPolicyViolation(d diag.Diagnostic) bool {
	switch d.Code {
	case codeAllowedDomains, codeMaxOpen, codeRequireExpiry, codeMaxExpiryDays, codeReviewOwners, codeRequiredAdmins:
		return true
	}
	return false
}

// Policy reports every violation of the file's policy: section (the model's
// Policy, which schema read), each at the value that breaks it, naming the rule
// and the line that sets it. today bounds max_expiry_days; without a day that
// rule is not checked.
func Policy(cfg *portal.Config, f Facts, today portal.Date, ds *diag.Collector) {
	if cfg == nil || cfg.Policy == nil {
		return
	}
	p := cfg.Policy
	violation := func(pos portal.Pos, code string, msg func() (string, string)) {
		if ds.Full(diag.Error, pos) {
			ds.Add(pos, diag.Error, code, "", "")
			return
		}
		m, h := msg()
		ds.Add(pos, diag.Error, code, m, h)
	}
	if p.Has(portal.PolicyAllowedDomains) {
		checkAllowedDomains(cfg, f, violation)
	}
	if p.Has(portal.PolicyMaxOpenBlueprints) {
		checkOpen(cfg, violation)
	}
	if p.Has(portal.PolicyRequireExpiryOutside) {
		checkExpiries(cfg, today, violation)
	}
	if p.Has(portal.PolicyReviewEveryDays) {
		checkOwners(cfg, violation)
	}
	if p.Has(portal.PolicyRequiredAdmins) {
		checkRequiredAdmins(cfg, today, violation)
	}
}

// checkOwners: under review_every_days, each blueprint with rules has owners
// to review it (an open blueprint's audience is everyone: nothing to review).
func checkOwners(cfg *portal.Config, violation violationFunc) {
	p := cfg.Policy
	for _, b := range cfg.Blueprints {
		if b.Open || len(b.Owners) > 0 {
			continue
		}
		violation(b.Pos, codeReviewOwners, func() (string, string) {
			return fmt.Sprintf("blueprint %s has rules and no owners: %s asks its owners to review who sees it every %d days",
					diag.Quote(b.Name), ruleAt(p, portal.PolicyReviewEveryDays, b.Pos), p.ReviewEveryDays),
				"add `owners: [alice@company.com]` (members who review its audience) and, once they have, `reviewed: YYYY-MM-DD`"
		})
	}
}

// checkRequiredAdmins: each required admin is an admin member of the file, whose
// access has not expired (plan would remove them, and apply refuse to).
func checkRequiredAdmins(cfg *portal.Config, today portal.Date, violation violationFunc) {
	p := cfg.Policy
	for i, email := range p.RequiredAdmins {
		m, ok := cfg.Member(email)
		var why, hint string
		switch {
		case !ok:
			why, hint = "is not a member", fmt.Sprintf("list `- email: %s` with `role: admin` under members:, or the policy's owners remove them from required_admins", email)
		case m.Role != portal.RoleAdmin:
			at := m.Pos.From(p.RequiredAdminsPos[i])
			why, hint = fmt.Sprintf("is a member with role %s (%s), not an admin", m.Role, at), fmt.Sprintf("write `role: admin` on their entry (%s), or the policy's owners remove them from required_admins", at)
		case m.Expired(today):
			why, hint = fmt.Sprintf("is an admin whose access expired on %s (%s): plan would remove them", m.Expires, m.ExpiresPos.From(p.RequiredAdminsPos[i])), "write a later `expires` on their entry, or remove it, or the policy's owners remove them from required_admins"
		default:
			continue
		}
		violation(p.RequiredAdminsPos[i], codeRequiredAdmins, func() (string, string) {
			return fmt.Sprintf("%s %s: %s requires them to stay an admin of the portal", email, why, ruleAt(p, portal.PolicyRequiredAdmins, p.RequiredAdminsPos[i])), hint
		})
	}
}

type violationFunc func(pos portal.Pos, code string, msg func() (string, string))

// ruleAt names a rule of the policy and the line that sets it.
func ruleAt(p *portal.Policy, r portal.PolicyRule, at portal.Pos) string {
	return fmt.Sprintf("policy %s (%s)", r, p.Set[r].From(at))
}

// domainList shows a list of domains, the first few of a long one.
func domainList(ds []string) string {
	const shown = 5
	if len(ds) == 0 {
		return "none"
	}
	if len(ds) <= shown {
		return strings.Join(ds, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ds[:shown], ", "), len(ds)-shown)
}

func checkAllowedDomains(cfg *portal.Config, f Facts, violation violationFunc) {
	p := cfg.Policy
	allowed := make(map[string]bool, len(p.AllowedDomains))
	for _, d := range p.AllowedDomains {
		allowed[d] = true
	}
	rule := func(at portal.Pos) string { return ruleAt(p, portal.PolicyAllowedDomains, at) }
	outside := func(what, email string, at portal.Pos) func() (string, string) {
		return func() (string, string) {
			d := portal.DomainOf(email)
			return fmt.Sprintf("%s is outside the allowed domains (%s): %s", what, domainList(p.AllowedDomains), rule(at)),
				fmt.Sprintf("use their address at an allowed domain; a domain covers itself only, not its sub-domains: to allow %s, the policy's owners add it to allowed_domains", d)
		}
	}
	for _, m := range cfg.Members {
		if !allowed[m.Domain()] {
			violation(m.Pos, codeAllowedDomains, outside("member "+m.Email, m.Email, m.Pos))
		}
	}
	if cfg.Org != nil {
		for _, m := range cfg.Org.Members {
			if !allowed[portal.DomainOf(m.Email)] {
				violation(m.Pos, codeAllowedDomains, outside("organization member "+m.Email, m.Email, m.Pos))
			}
		}
	}
	for g, entries := range f.GroupEntries {
		for _, r := range entries {
			if !allowed[portal.DomainOf(r.Value)] {
				violation(r.Pos, codeAllowedDomains, outside(fmt.Sprintf("%s in group %s", r.Value, diag.Quote(g)), r.Value, r.Pos))
			}
		}
	}
	for _, b := range cfg.Blueprints {
		for _, r := range b.Rules {
			switch {
			case r.Group != "":
				// The group's entries are checked where they are written.
			case r.Kind == portal.RuleEmail && !allowed[portal.DomainOf(r.Value)]:
				violation(r.Pos, codeAllowedDomains, outside(fmt.Sprintf("email rule %s in blueprint %s", r.Value, diag.Quote(b.Name)), r.Value, r.Pos))
			case r.Kind == portal.RuleDomain && !allowed[r.Value]:
				violation(r.Pos, codeAllowedDomains, func() (string, string) {
					return fmt.Sprintf("domain rule %s in blueprint %s is not one of the allowed domains (%s): %s", r.Value, diag.Quote(b.Name), domainList(p.AllowedDomains), rule(r.Pos)),
						fmt.Sprintf("restrict the blueprint to allowed domains; a domain covers itself only, not its sub-domains: to allow %s, the policy's owners add it to allowed_domains", r.Value)
				})
			}
		}
	}
}

func checkOpen(cfg *portal.Config, violation violationFunc) {
	p := cfg.Policy
	var open []portal.Blueprint
	for _, b := range cfg.Blueprints {
		if b.Open {
			open = append(open, b)
		}
	}
	if len(open) <= p.MaxOpenBlueprints {
		return
	}
	slices.SortFunc(open, func(a, b portal.Blueprint) int { return a.Pos.Compare(b.Pos) })
	has := "the file has"
	if cfg.Layout != nil && len(cfg.Layout.Files) > 1 {
		has = "the files have" // the policy counts the whole configuration
	}
	for i, b := range open[p.MaxOpenBlueprints:] {
		violation(b.Pos, codeMaxOpen, func() (string, string) {
			return fmt.Sprintf("blueprint %s has `access: open`: it is open blueprint number %d, and %s allows %d (%s %d)",
					diag.Quote(b.Name), p.MaxOpenBlueprints+i+1, ruleAt(p, portal.PolicyMaxOpenBlueprints, b.Pos), p.MaxOpenBlueprints, has, len(open)),
				"restrict it to who needs it, e.g. `domains: [company.com]` or `groups: [...]`, instead of `access: open`"
		})
	}
}

func checkExpiries(cfg *portal.Config, today portal.Date, violation violationFunc) {
	p := cfg.Policy
	maxDays := p.Has(portal.PolicyMaxExpiryDays)
	who := func(email string) string {
		if len(p.RequireExpiryOutside) == 0 {
			return email
		}
		return fmt.Sprintf("%s, outside %s,", email, domainList(p.RequireExpiryOutside))
	}
	check := func(what, email string, expires portal.Date, pos, expiresPos portal.Pos) {
		if !p.NeedsExpiry(email) {
			return
		}
		switch {
		case expires.IsZero():
			violation(pos, codeRequireExpiry, func() (string, string) {
				hint := "add `expires: YYYY-MM-DD` to the entry: the day their access ends"
				if maxDays && !today.IsZero() {
					hint = fmt.Sprintf("add `expires: %s` or earlier to the entry (policy max_expiry_days: %d)", today.AddDays(p.MaxExpiryDays), p.MaxExpiryDays)
				}
				return fmt.Sprintf("%s %s has no `expires`: %s requires one", what, who(email), ruleAt(p, portal.PolicyRequireExpiryOutside, pos)), hint
			})
		case maxDays && !today.IsZero() && today.DaysUntil(expires) > p.MaxExpiryDays:
			violation(expiresPos, codeMaxExpiryDays, func() (string, string) {
				return fmt.Sprintf("%s %s expires on %s, %d days from today: %s allows at most %d",
						what, who(email), expires, today.DaysUntil(expires), ruleAt(p, portal.PolicyMaxExpiryDays, expiresPos), p.MaxExpiryDays),
					fmt.Sprintf("write `expires: %s` or earlier, and extend it when it nears", today.AddDays(p.MaxExpiryDays))
			})
		}
	}
	for _, m := range cfg.Members {
		check("member", m.Email, m.Expires, m.Pos, m.ExpiresPos)
	}
	if cfg.Org != nil {
		for _, m := range cfg.Org.Members {
			if portal.IsOwner(m.Role) {
				continue // the owner never expires
			}
			check("organization member", m.Email, m.Expires, m.Pos, m.ExpiresPos)
		}
	}
}
