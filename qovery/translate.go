package qovery

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/qovery/portalctl/portal"
)

// The translation between the portal's answers and the model (package portal). Every
// answer the client reads becomes portal types here, and only here; whatever does not
// fit the model is refused with an *UnexpectedError, never guessed: an unknown rule
// type is not "no rule" (which would read as open access), an unknown role is not
// "user", a missing list is not an empty one.

// UnexpectedError is an answer portalctl does not understand: a value outside what it
// knows, a field missing, two objects where the model has room for one. The command
// that meets it stops before any write. Clients of the organization's API (package
// qovery/organization) return it too.
type UnexpectedError struct {
	// API is who answered, e.g. "the portal".
	API string
	// Object is what the answer is about, e.g. `blueprint "data-science" (id "7f…")`.
	Object string
	// What is what was unexpected, e.g. `ACL rule of type "GROUP" (portalctl knows
	// DOMAIN and EMAIL)`.
	What string
}

func (e *UnexpectedError) Error() string {
	return fmt.Sprintf("%s answered something portalctl does not understand: %s: %s", e.API, e.Object, e.What)
}

// About returns a copy of e about object: a caller that knows more about the object
// than the call that refused it (a blueprint's name, when the ACL read knew its id
// only) names it better.
func (e *UnexpectedError) About(object string) *UnexpectedError {
	c := *e
	c.Object = object
	return &c
}

// WithContext wraps err with op ("list members: …"), unless it is an
// *UnexpectedError, which names its object already and reads best alone.
func WithContext(op string, err error) error {
	var ue *UnexpectedError
	if errors.As(err, &ue) {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

// PortalAPI names the portal in an *UnexpectedError.
const PortalAPI = "the portal"

func unexpected(object, format string, args ...any) *UnexpectedError {
	return &UnexpectedError{API: PortalAPI, Object: object, What: fmt.Sprintf(format, args...)}
}

// maxQuoted bounds a value quoted in a message: the portal's answers are not
// ours to print whole.
const maxQuoted = 120

// Quote quotes a value from an answer for a message: Go-quoted, so that control
// and invisible characters show as escapes, and cut after maxQuoted bytes.
func Quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

// blank reports whether an id, email or name is missing: absent, null, empty or
// only spaces.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

// LiveEmail reads an email of an answer (a member's, an invitation's, an EMAIL
// rule's) into the model's normal form (portal.NormalizeEmail), only when the
// answer writes it as that form is written but for the case of ASCII letters and
// a domain in Unicode rather than punycode. Anything else the normal form would
// smooth over (blanks around it, a character that lower-cases to an ASCII one,
// such as the Kelvin sign, a trailing dot) is an error: the portal compares the
// address as it holds it, and would not match it with the address portal.yaml
// writes.
func LiveEmail(s string) (string, error) {
	n, err := portal.NormalizeEmail(s)
	if err != nil {
		return "", err
	}
	at, nat := strings.LastIndexByte(s, '@'), strings.LastIndexByte(n, '@')
	if at < 0 || asciiLower(s[:at]) != n[:nat] || !sameDomain(s[at+1:], n[nat+1:]) {
		return "", fmt.Errorf("it is not written as the address %s is (only the case of ASCII letters may differ, and a domain be in Unicode rather than punycode), so the portal would not match it with that address", Quote(n))
	}
	return n, nil
}

// LiveDomain reads the domain of a DOMAIN rule of an answer into the model's
// normal form (portal.NormalizeDomain), as LiveEmail reads an email: " @Company.
// COM. " is not company.com to the portal, which matches no address with it.
func LiveDomain(s string) (string, error) {
	n, err := portal.NormalizeDomain(s)
	if err != nil {
		return "", err
	}
	if !sameDomain(s, n) {
		return "", fmt.Errorf("it is not written as the domain %s is (only the case of ASCII letters may differ, and the domain be in Unicode rather than punycode), so the portal would match no address with it", Quote(n))
	}
	return n, nil
}

// sameDomain reports whether the domain d of an answer is written as its normal
// form n (ASCII, lower case) is but for the case of its letters, or is its
// Unicode form: lower-cased as IDNA lower-cases it, its labels written in
// punycode, and no other mapping, give n. A letter that lower-cases to an ASCII
// one (the Kelvin sign to k) is not the letter's case: it is another character,
// which IDNA's other mappings, not its case, would turn into that one.
func sameDomain(d, n string) bool {
	if asciiLower(d) == n {
		return true
	}
	lower := strings.Map(func(r rune) rune {
		l := unicode.ToLower(r)
		if r >= utf8.RuneSelf && l < utf8.RuneSelf {
			return utf8.RuneError
		}
		return l
	}, d)
	if strings.ContainsRune(lower, utf8.RuneError) {
		return false
	}
	a, err := idna.Punycode.ToASCII(lower)
	return err == nil && a != lower && a == n
}

// asciiLower lower-cases the ASCII letters of s, and only those.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// memberObject names a member of an answer in a message.
func memberObject(m Member) string {
	return fmt.Sprintf("member %s (id %s)", Quote(m.Email), Quote(m.ID))
}

// memberFromAPI reads one member: an id, an email portalctl can compare, and a role
// and status it knows.
func memberFromAPI(m Member) (portal.Member, error) {
	obj := memberObject(m)
	if blank(m.ID) {
		return portal.Member{}, unexpected(obj, "no id")
	}
	if blank(m.Email) {
		return portal.Member{}, unexpected(obj, "no email")
	}
	email, err := LiveEmail(m.Email)
	if err != nil {
		return portal.Member{}, unexpected(obj, "an email portalctl cannot read as an address (%v), so it cannot compare it with portal.yaml's", err)
	}
	out := portal.Member{ID: m.ID, Email: email}
	switch m.Role {
	case RoleAdmin:
		out.Role = portal.RoleAdmin
	case RoleUser:
		out.Role = portal.RoleUser
	default:
		return portal.Member{}, unexpected(obj, "role %s (portalctl knows %s and %s)", Quote(string(m.Role)), RoleAdmin, RoleUser)
	}
	switch m.Status {
	case StatusActive:
		out.Status = portal.StatusActive
	case StatusPending:
		out.Status = portal.StatusPending
		// How long an invitation waits is judged on the day it was sent
		// (max_pending_days): a pending member without one is not guessed.
		if m.CreatedAt.IsZero() {
			return portal.Member{}, unexpected(obj, "a pending invitation without created_at, so portalctl cannot tell how long it has waited")
		}
		out.Invited = portal.DateOf(m.CreatedAt)
	default:
		return portal.Member{}, unexpected(obj, "status %s (portalctl knows %s and %s)", Quote(string(m.Status)), StatusActive, StatusPending)
	}
	return out, nil
}

// membersFromAPI reads a member list: every member, no two with the same address
// once normalised, no two with the same id.
func membersFromAPI(ms []Member) ([]portal.Member, error) {
	out := make([]portal.Member, 0, len(ms))
	byEmail := make(map[string]int, len(ms))
	byID := make(map[string]int, len(ms))
	for i, m := range ms {
		pm, err := memberFromAPI(m)
		if err != nil {
			return nil, err
		}
		if j, dup := byEmail[pm.Email]; dup {
			return nil, unexpected(fmt.Sprintf("members %s (id %s) and %s (id %s)", Quote(ms[j].Email), Quote(ms[j].ID), Quote(m.Email), Quote(m.ID)),
				"two members with the address %s once normalised (emails compare case-insensitively): portalctl cannot tell which one portal.yaml means", Quote(pm.Email))
		}
		if j, dup := byID[m.ID]; dup {
			return nil, unexpected(fmt.Sprintf("members %s and %s", Quote(ms[j].Email), Quote(m.Email)), "two members with the id %s", Quote(m.ID))
		}
		byEmail[pm.Email], byID[m.ID] = i, i
		out = append(out, pm)
	}
	return out, nil
}

// blueprintsFromAPI reads a blueprint list: every blueprint has an id and a name, and
// no two share either (portal.yaml names blueprints: of two with one name, it could
// manage only one, and would read the other's rules as the first's).
func blueprintsFromAPI(bs []Blueprint) ([]portal.Blueprint, error) {
	out := make([]portal.Blueprint, 0, len(bs))
	byName := make(map[string]int, len(bs))
	byID := make(map[string]int, len(bs))
	for i, b := range bs {
		obj := fmt.Sprintf("blueprint %s (id %s)", Quote(b.Name), Quote(b.ID))
		switch {
		case blank(b.ID):
			return nil, unexpected(obj, "no id")
		case blank(b.Name):
			return nil, unexpected(obj, "no name")
		}
		if j, dup := byName[b.Name]; dup {
			return nil, unexpected(fmt.Sprintf("blueprint %s", Quote(b.Name)),
				"two blueprints have this name (ids %s and %s): portal.yaml names blueprints, so it cannot tell them apart; rename one in the portal", Quote(bs[j].ID), Quote(b.ID))
		}
		if j, dup := byID[b.ID]; dup {
			return nil, unexpected(fmt.Sprintf("blueprints %s and %s", Quote(bs[j].Name), Quote(b.Name)), "two blueprints with the id %s", Quote(b.ID))
		}
		byName[b.Name], byID[b.ID] = i, i
		out = append(out, portal.Blueprint{ID: b.ID, Name: b.Name, Description: b.Description})
	}
	return out, nil
}

// aclObject names the blueprint of an ACL known by its id only.
func aclObject(blueprintID string) string {
	return fmt.Sprintf("the ACL of blueprint id %s", Quote(blueprintID))
}

// rulesFromAPI reads the rules of an ACL: each a DOMAIN or an EMAIL rule whose value
// is a domain or an address portalctl can compare. Nothing else is dropped or
// guessed: a blueprint with a rule portalctl does not know is not open.
func rulesFromAPI(object string, rules []Rule) ([]portal.Rule, error) {
	if rules == nil {
		return nil, unexpected(object, `an answer without "rules" (an open blueprint has "rules": [])`)
	}
	out := make([]portal.Rule, 0, len(rules))
	for _, r := range rules {
		switch r.Type {
		case RuleDomain:
			d, err := LiveDomain(r.Value)
			if err != nil {
				return nil, unexpected(object, "ACL rule %s %s: not a domain portalctl can read (%v)", r.Type, Quote(r.Value), err)
			}
			out = append(out, portal.Rule{Kind: portal.RuleDomain, Value: d})
		case RuleEmail:
			e, err := LiveEmail(r.Value)
			if err != nil {
				return nil, unexpected(object, "ACL rule %s %s: not an address portalctl can read (%v)", r.Type, Quote(r.Value), err)
			}
			out = append(out, portal.Rule{Kind: portal.RuleEmail, Value: e})
		default:
			return nil, unexpected(object, "ACL rule of type %s (portalctl knows %s and %s)", Quote(string(r.Type)), RuleDomain, RuleEmail)
		}
	}
	if len(out) == 0 {
		return nil, nil // open, as the model has it
	}
	return portal.SortRules(out), nil
}

// aclFromAPI reads an ACL answer: its rules, and the ETag that a write sends back as
// If-Match. An ACL without an ETag could only be written blindly, over whatever
// someone changed meanwhile.
func aclFromAPI(object string, acl ACL) ([]portal.Rule, string, error) {
	rules, err := rulesFromAPI(object, acl.Rules)
	if err != nil {
		return nil, "", err
	}
	if blank(acl.ETag) {
		return nil, "", unexpected(object, "an answer without an ETag header: a write could not be made conditional, and could overwrite someone's edit")
	}
	return rules, acl.ETag, nil
}

// rulesToAPI writes model rules as the API's.
func rulesToAPI(rules []portal.Rule) ([]Rule, error) {
	out := make([]Rule, 0, len(rules))
	for _, r := range rules {
		switch r.Kind {
		case portal.RuleDomain:
			out = append(out, Rule{Type: RuleDomain, Value: r.Value})
		case portal.RuleEmail:
			out = append(out, Rule{Type: RuleEmail, Value: r.Value})
		default:
			return nil, fmt.Errorf("rule %s: unknown kind %q", r.Value, r.Kind)
		}
	}
	return out, nil
}

// roleToAPI writes a model role as the API's.
func roleToAPI(r portal.Role) (Role, error) {
	switch r {
	case portal.RoleAdmin:
		return RoleAdmin, nil
	case portal.RoleUser:
		return RoleUser, nil
	}
	return "", fmt.Errorf("invalid role %q (want %s or %s)", r, portal.RoleAdmin, portal.RoleUser)
}

// FromAPI reads answers of the portal into the live model, as the client's reads do:
// members, blueprints, and acls[i] the ACL of blueprints[i]. It refuses what it does
// not know with an *UnexpectedError. It serves tests and tools that hold answers
// already; reconcile.ReadLive reads through the Client.
func FromAPI(organization string, members []Member, blueprints []Blueprint, acls []ACL) (*portal.Config, error) {
	if members == nil {
		members = []Member{}
	}
	ms, err := membersFromAPI(members)
	if err != nil {
		return nil, err
	}
	bps, err := blueprintsFromAPI(blueprints)
	if err != nil {
		return nil, err
	}
	if len(acls) != len(bps) {
		return nil, fmt.Errorf("%d ACLs for %d blueprints", len(acls), len(bps))
	}
	for i := range bps {
		obj := fmt.Sprintf("blueprint %s (id %s)", Quote(bps[i].Name), Quote(bps[i].ID))
		if bps[i].Rules, bps[i].ETag, err = aclFromAPI(obj, acls[i]); err != nil {
			return nil, err
		}
		bps[i].Open = len(bps[i].Rules) == 0
	}
	cfg := &portal.Config{Version: 1, Organization: organization, Members: ms, Blueprints: bps, Groups: map[string][]string{}}
	cfg.Sort()
	return cfg, nil
}
