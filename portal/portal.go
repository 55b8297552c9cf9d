// Package portal holds the one internal model of an AI Builder Portal's access
// configuration: members with their role, and blueprints with their access rules.
//
// The same types describe the desired state loaded from portal.yaml and the live
// state read from the portal's API, so that diff, access evaluation and rendering all
// work on one shape. Every value here is already normalised: emails and domains are
// lower-case, domains are in their ASCII (punycode) form without a leading "@", and
// groups are expanded into email rules.
package portal

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Role is a member's role in the portal.
type Role string

// The roles a member can hold.
const (
	RoleAdmin Role = "admin"
	RoleUser  Role = "user"
)

// Status says whether a member has logged in yet.
type Status string

// The states of a membership. Inviting creates a pending member.
const (
	StatusActive  Status = "active"
	StatusPending Status = "pending"
)

// RuleKind says what a rule matches.
type RuleKind string

// The kinds of access rule.
const (
	RuleDomain RuleKind = "domain"
	RuleEmail  RuleKind = "email"
)

// Pos is a position in a source file, 1-based. The zero Pos means "no position"
// (the value came from the live portal, not from a file).
type Pos struct {
	File string
	Line int
	Col  int
}

// IsZero reports whether p carries no position.
func (p Pos) IsZero() bool { return p.Line == 0 }

// Compare orders positions by file name, then line, then column: the
// entries of a configuration split into files in one order, whatever the
// order they were read in.
func (p Pos) Compare(q Pos) int {
	return cmp.Or(strings.Compare(p.File, q.File), cmp.Compare(p.Line, q.Line), cmp.Compare(p.Col, q.Col))
}

// From names p as seen from a message about position at: "line 12" in the
// same file, "teams/ml.yaml:12:5" in another (an entry of a configuration
// split into files).
func (p Pos) From(at Pos) string {
	if p.File == at.File {
		return fmt.Sprintf("line %d", p.Line)
	}
	return p.String()
}

// String renders p as file:line:column, the form editors and CI annotations expect.
func (p Pos) String() string {
	if p.IsZero() {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Member is a person in the portal.
type Member struct {
	Email  string // normalised
	Role   Role
	Status Status // live state only; empty when loaded from a file
	ID     string // live state only
	Pos    Pos
	// Expires is the day the member's access ends (files only; zero: never).
	Expires    Date
	ExpiresPos Pos // of the expires value
	// Invited is the day a pending member was invited (live state only: the
	// API's created_at; zero for an active member).
	Invited Date
}

// PendingFor reports how many days a pending member's invitation has waited on
// day today, and whether they are pending with a known day of invitation.
func (m Member) PendingFor(today Date) (int, bool) {
	if m.Status != StatusPending || m.Invited.IsZero() || today.IsZero() {
		return 0, false
	}
	return m.Invited.DaysUntil(today), true
}

// Expired reports whether the member's access has ended on day today.
func (m Member) Expired(today Date) bool { return Expired(m.Expires, today) }

// Domain returns the domain part of the member's email.
func (m Member) Domain() string { return DomainOf(m.Email) }

// Rule grants visibility of a blueprint to one email or to every email of a domain.
type Rule struct {
	Kind  RuleKind
	Value string // normalised email or domain
	Group string // the group this email rule was expanded from, if any
	Pos   Pos
}

// Grants reports whether r grants email (normalised): a domain rule grants every
// address of its domain (the part after the last "@", sub-domains not included), an
// email rule the one address it names. This is the one definition of what a rule
// reaches: the access index answers the same question through its maps, and its
// brute-force tests hold it to this predicate.
func (r Rule) Grants(email string) bool {
	switch r.Kind {
	case RuleDomain:
		return r.Value == DomainOf(email)
	case RuleEmail:
		return r.Value == email
	}
	return false
}

// SameRules reports whether a and b grant the same access: the same rule keys,
// whatever their order, repetitions, positions and groups. This is the one rule
// equality: the plan's "does this ACL change" and the client's "is this the ACL
// portalctl wrote" both ask it (see Blueprint.SameAccess).
func SameRules(a, b []Rule) bool {
	if len(a) == len(b) {
		same := true
		for i := range a {
			if a[i].Key() != b[i].Key() {
				same = false
				break
			}
		}
		if same {
			return true // the usual case: both sorted (SortRules) and equal
		}
	}
	return slices.Equal(ruleSet(a), ruleSet(b))
}

// ruleSet is the sorted, distinct keys of rules.
func ruleSet(rules []Rule) []RuleKey {
	keys := make([]RuleKey, len(rules))
	for i, r := range rules {
		keys[i] = r.Key()
	}
	slices.SortFunc(keys, func(a, b RuleKey) int {
		switch {
		case LessKey(a, b):
			return -1
		case LessKey(b, a):
			return 1
		}
		return 0
	})
	return slices.Compact(keys)
}

// Key identifies a rule regardless of where it came from.
func (r Rule) Key() RuleKey { return RuleKey{Kind: r.Kind, Value: r.Value} }

// String renders the rule as "domain company.com" or "email bob@company.com".
func (r Rule) String() string { return string(r.Kind) + " " + r.Value }

// RuleKey is the identity of a rule: two rules with the same key grant the same access.
type RuleKey struct {
	Kind  RuleKind
	Value string
}

// String renders the key as "domain company.com" or "email bob@company.com".
func (k RuleKey) String() string { return string(k.Kind) + " " + k.Value }

// SameAccess reports whether two versions of a blueprint grant the same access:
// both open, or neither and the same rules (SameRules).
func (b *Blueprint) SameAccess(o *Blueprint) bool {
	return b.Open == o.Open && SameRules(b.Rules, o.Rules)
}

// Blueprint is a catalog entry with its access control list.
//
// A blueprint with no rules is open: every member sees it. Open is set for such a
// blueprint whether it came from the file (access: open) or from the portal.
type Blueprint struct {
	Name        string
	ID          string // live state only
	Description string // live state only
	Open        bool
	Rules       []Rule // sorted by Key, without duplicates
	// Groups are the groups the file writes on the blueprint, in its order
	// (files only): its email rules from a group carry the group's name, but
	// an email in two groups carries one, and an empty group none.
	Groups []string
	// Owners are the members who review who sees the blueprint (files only):
	// normalised emails, in the file's order, each once; OwnersPos holds where
	// each is written (see docs/file-format.md).
	Owners    []string
	OwnersPos []Pos
	// Reviewed is the day its owners last confirmed its audience (files only;
	// zero: never).
	Reviewed    Date
	ReviewedPos Pos    // of the reviewed value
	ETag        string // live state only: the ACL version read
	Pos         Pos
}

// ReviewDue is the day the blueprint's next review is due under a policy that
// asks for one every days days: its last review plus that many days. ok is false
// when it was never reviewed: a review is due now.
func (b *Blueprint) ReviewDue(days int) (due Date, ok bool) {
	if b.Reviewed.IsZero() {
		return Date{}, false
	}
	return b.Reviewed.AddDays(days), true
}

// Config is a whole portal: what the file declares, or what the portal holds.
type Config struct {
	Version      int
	Organization string
	Members      []Member
	Groups       map[string][]string
	Blueprints   []Blueprint
	// Org is the Qovery organization's own membership: the file's
	// organization_members section, or the organization as read live. nil
	// when the file has no such section (the organization's members are left
	// alone), and in a live state read without it.
	Org *Org
	// Policy is the file's policy: section, the guardrails the file sets on
	// itself; nil without one (and in a live state).
	Policy *Policy
	File   string // the file the config was loaded from, if any (the root file)
	// Layout is how the configuration is split into files: set when it was
	// loaded from files, nil in a live state.
	Layout *Layout
}

// WithoutExpired returns the config as it stands on day today: without the
// members and organization members whose access has expired, who are no longer
// wanted. It returns c itself when nobody has expired, else a shallow copy.
func (c *Config) WithoutExpired(today Date) *Config {
	expired := func() bool {
		for _, m := range c.Members {
			if m.Expired(today) {
				return true
			}
		}
		if c.Org != nil {
			for _, m := range c.Org.Members {
				if m.Expired(today) {
					return true
				}
			}
		}
		return false
	}
	if today.IsZero() || !expired() {
		return c
	}
	out := *c
	out.Members = make([]Member, 0, len(c.Members))
	for _, m := range c.Members {
		if !m.Expired(today) {
			out.Members = append(out.Members, m)
		}
	}
	if c.Org != nil {
		org := *c.Org
		org.Members = make([]OrgMember, 0, len(c.Org.Members))
		for _, m := range c.Org.Members {
			if !m.Expired(today) {
				org.Members = append(org.Members, m)
			}
		}
		out.Org = &org
	}
	return &out
}

// Member returns the member with the given normalised email.
func (c *Config) Member(email string) (Member, bool) {
	for _, m := range c.Members {
		if m.Email == email {
			return m, true
		}
	}
	return Member{}, false
}

// Blueprint returns the blueprint with the given name.
func (c *Config) Blueprint(name string) (Blueprint, bool) {
	for _, b := range c.Blueprints {
		if b.Name == name {
			return b, true
		}
	}
	return Blueprint{}, false
}

// Sort puts members in email order and blueprints in name order, and sorts and
// de-duplicates each blueprint's rules, so that two configs compare and render
// deterministically.
func (c *Config) Sort() {
	SortMembers(c.Members)
	slices.SortFunc(c.Blueprints, func(a, b Blueprint) int { return strings.Compare(a.Name, b.Name) })
	for i := range c.Blueprints {
		c.Blueprints[i].Rules = SortRules(c.Blueprints[i].Rules)
	}
	if c.Org != nil {
		SortOrgMembers(c.Org.Members)
	}
}

// SortMembers puts members in email order, keeping the order of members with the
// same email (a stable sort). It sorts keys (EmailKey and index), not the 96-byte
// members, then moves each member once, in place.
func SortMembers(ms []Member) {
	if slices.IsSortedFunc(ms, func(a, b Member) int { return strings.Compare(a.Email, b.Email) }) {
		return
	}
	type key struct {
		email EmailKey
		from  int // where the member to put here is; -1 once placed
	}
	keys := make([]key, len(ms))
	for i, m := range ms {
		keys[i] = key{NewEmailKey(m.Email), i}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := a.email.Compare(b.email); c != 0 {
			return c
		}
		return a.from - b.from
	})
	// Follow each cycle of the permutation: position j takes the member at
	// keys[j].from.
	for start := range keys {
		if keys[start].from < 0 {
			continue
		}
		first := ms[start]
		for j := start; ; {
			from := keys[j].from
			keys[j].from = -1
			if from == start {
				ms[j] = first
				break
			}
			ms[j] = ms[from]
			j = from
		}
	}
}

// PackEmails copies the emails of ms, in their order, into one block of memory:
// a pass over members in order (the index, the lints, a review's audiences)
// then reads their emails from memory in order too, rather than one scattered
// string at a time.
func PackEmails(ms []Member) {
	n := 0
	for i := range ms {
		n += len(ms[i].Email)
	}
	var b strings.Builder
	b.Grow(n)
	for i := range ms {
		b.WriteString(ms[i].Email)
	}
	all := b.String()
	for i := range ms {
		n := len(ms[i].Email)
		ms[i].Email, all = all[:n], all[n:]
	}
}

// EmailKey sorts emails quickly: it holds the first 16 bytes of the email as two
// numbers, which settle most comparisons without reading the strings, scattered
// in memory.
type EmailKey struct {
	hi, lo uint64 // bytes 0-7 and 8-15, big-endian, zero-padded
	Email  string
}

// NewEmailKey makes the key of email.
func NewEmailKey(email string) EmailKey {
	rest := ""
	if len(email) > 8 {
		rest = email[8:]
	}
	return EmailKey{hi: prefix8(email), lo: prefix8(rest), Email: email}
}

// Compare orders keys as strings.Compare orders their emails.
func (a EmailKey) Compare(b EmailKey) int {
	switch {
	case a.hi != b.hi:
		return cmp.Compare(a.hi, b.hi)
	case a.lo != b.lo:
		return cmp.Compare(a.lo, b.lo)
	}
	return strings.Compare(a.Email, b.Email)
}

// prefix8 is the first 8 bytes of s as a big-endian number, zero-padded: two
// strings compare as their prefixes do whenever the prefixes differ.
func prefix8(s string) uint64 {
	var p uint64
	for i := 0; i < 8; i++ {
		p <<= 8
		if i < len(s) {
			p |= uint64(s[i])
		}
	}
	return p
}

// SortRules sorts rules (domains first, then emails, each alphabetically) and drops
// duplicates, keeping the first occurrence.
func SortRules(rules []Rule) []Rule {
	slices.SortStableFunc(rules, func(a, b Rule) int {
		switch {
		case LessKey(a.Key(), b.Key()):
			return -1
		case LessKey(b.Key(), a.Key()):
			return 1
		}
		return 0
	})
	out := rules[:0]
	for i, r := range rules {
		if i > 0 && r.Key() == rules[i-1].Key() {
			continue
		}
		out = append(out, r)
	}
	return out
}

// LessKey orders rule keys: domains before emails, then by value.
func LessKey(a, b RuleKey) bool {
	if a.Kind != b.Kind {
		return a.Kind == RuleDomain
	}
	return a.Value < b.Value
}

// DomainOf returns the part of email after the last "@" (the whole string when there
// is none).
func DomainOf(email string) string {
	return email[strings.LastIndexByte(email, '@')+1:]
}
