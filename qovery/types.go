package qovery

import "time"

// Role is the role of a portal member, as spelled on the wire.
type Role string

// Roles a member can have.
const (
	RoleAdmin Role = "ADMIN"
	RoleUser  Role = "USER"
)

// Valid reports whether r is one of the roles the API knows.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleUser }

// Status says whether a member has logged in yet.
type Status string

// Member statuses. Inviting creates a pending member.
const (
	StatusActive  Status = "ACTIVE"
	StatusPending Status = "PENDING"
)

// Valid reports whether s is one of the statuses the API knows.
func (s Status) Valid() bool { return s == StatusActive || s == StatusPending }

// RuleType is the kind of an ACL rule.
type RuleType string

// ACL rule kinds: a whole email domain (sub-domains excluded) or one address.
const (
	RuleDomain RuleType = "DOMAIN"
	RuleEmail  RuleType = "EMAIL"
)

// Valid reports whether t is one of the rule types the API knows.
func (t RuleType) Valid() bool { return t == RuleDomain || t == RuleEmail }

// Member is a portal member or pending invitation.
type Member struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Role      Role      `json:"role"`
	Status    Status    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// Blueprint is an entry of the portal's catalog.
type Blueprint struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Rule is one ACL rule. Rules of an ACL are OR-ed; no rules means open
// access.
type Rule struct {
	Type  RuleType `json:"type"`
	Value string   `json:"value"`
}

// ACL is the access list of a blueprint together with the entity tag that
// identifies this version of it, to be sent back as If-Match when writing.
type ACL struct {
	Rules []Rule `json:"rules"`
	ETag  string `json:"-"`
}

// ValidOrganizationID reports whether s is an organization id: a UUID in its
// canonical 8-4-4-4-12 hexadecimal form. The flag, the environment and the
// file's organization are all checked with it before any request, so a typo
// never reaches the API as a path.
func ValidOrganizationID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
