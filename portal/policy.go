package portal

import "slices"

// PolicyRule names a rule of portal.yaml's policy: section, as the file writes it.
type PolicyRule string

// The rules a policy may set.
const (
	// PolicyAllowedDomains: every email the file names (members, organization
	// members, email rules, group entries) and every domain rule falls in
	// these domains. A domain covers itself only, not its sub-domains, as a
	// domain rule does.
	PolicyAllowedDomains PolicyRule = "allowed_domains"
	// PolicyMaxOpenBlueprints: at most this many blueprints with access: open.
	PolicyMaxOpenBlueprints PolicyRule = "max_open_blueprints"
	// PolicyRequireExpiryOutside: members (portal and organization) whose
	// email is outside these domains need an expires date.
	PolicyRequireExpiryOutside PolicyRule = "require_expiry_outside"
	// PolicyMaxExpiryDays: that date is at most this many days from today.
	PolicyMaxExpiryDays PolicyRule = "max_expiry_days"
	// PolicyReviewEveryDays: each blueprint with rules has owners, who review
	// its audience at least this often (its reviewed: date).
	PolicyReviewEveryDays PolicyRule = "review_every_days"
	// PolicyMaxPendingDays: invitations (portal and organization) not accepted
	// within this many days are flagged, and expire --live deletes their entries.
	PolicyMaxPendingDays PolicyRule = "max_pending_days"
	// PolicyRequiredAdmins: these members are admins of the portal, and apply
	// never removes or demotes them.
	PolicyRequiredAdmins PolicyRule = "required_admins"
)

// PolicyRules lists the rules in the order the file's schema documents them.
func PolicyRules() []PolicyRule {
	return []PolicyRule{PolicyAllowedDomains, PolicyMaxOpenBlueprints, PolicyRequireExpiryOutside, PolicyMaxExpiryDays,
		PolicyReviewEveryDays, PolicyMaxPendingDays, PolicyRequiredAdmins}
}

// Policy is the guardrails a portal.yaml sets on itself, typically owned by a
// security team: which domains its emails may use, how many blueprints may be
// open to everyone, which members need an expiry, how often blueprints are
// reviewed, how long an invitation may stay pending and who must stay admin. Only the rules the file
// writes apply (Has).
type Policy struct {
	AllowedDomains       []string // normalised
	MaxOpenBlueprints    int
	RequireExpiryOutside []string // normalised; empty: every member
	MaxExpiryDays        int
	ReviewEveryDays      int
	MaxPendingDays       int
	// RequiredAdmins are normalised emails, in the file's order, each once;
	// RequiredAdminsPos holds where each is written.
	RequiredAdmins    []string
	RequiredAdminsPos []Pos
	// Set holds the rules the file writes, with where each is written.
	Set map[PolicyRule]Pos
	Pos Pos // of the policy: key
}

// Has reports whether the policy sets rule r.
func (p *Policy) Has(r PolicyRule) bool {
	if p == nil {
		return false
	}
	_, ok := p.Set[r]
	return ok
}

// Allowed reports whether domain is one of the allowed domains (true when the
// policy sets none).
func (p *Policy) Allowed(domain string) bool {
	return !p.Has(PolicyAllowedDomains) || slices.Contains(p.AllowedDomains, domain)
}

// NeedsExpiry reports whether a member with this email needs an expires date.
func (p *Policy) NeedsExpiry(email string) bool {
	return p.Has(PolicyRequireExpiryOutside) && !slices.Contains(p.RequireExpiryOutside, DomainOf(email))
}

// RequiresAdmin reports whether the policy requires email (normalised) to stay an
// admin of the portal.
func (p *Policy) RequiresAdmin(email string) bool {
	return p.Has(PolicyRequiredAdmins) && slices.Contains(p.RequiredAdmins, email)
}
