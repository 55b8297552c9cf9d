package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/internal/guard"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/organization"
	"github.com/qovery/portalctl/schema"
	"github.com/qovery/portalctl/suggest"
)

// LoadSeed reads and parses a seed file (see ParseSeed).
func LoadSeed(path string) (*State, error) {
	data, err := schema.ReadFileMax(path, nil, guard.DefaultMaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	return ParseSeed(path, data)
}

// ParseSeed parses a seed: a portal.yaml read by the same loader as portalctl's
// (schema.Seed), whose members may carry `status: active|pending` and whose
// blueprints may carry `id` and `description`; `version` is optional and a
// blueprint with no rules is open, as in a portal.
//
//	members:
//	  - email: alice@company.com
//	    role: admin          # admin | user (default user)
//	    status: pending      # active | pending (default active)
//	groups:
//	  contractors: [freelancer@gmail.com]
//	blueprints:
//	  data-science:
//	    id: 7f9c…            # optional, random UUID otherwise
//	    description: Notebooks
//	    domains: [company.com]   # a leading @ is stripped
//	    emails: [alice@company.com]
//	    groups: [contractors]    # expanded to EMAIL rules
//	  python-starter:          # no rules: open
//	organization_roles:        # custom roles, besides Owner, Admin, DevOps,
//	  - name: Data Team        # Billing Manager and Viewer
//	organization_members:      # the Qovery organization's own members
//	  - email: alice@company.com
//	    role: Owner
//	    id: github|12345       # optional, made up otherwise
//	  - email: new@company.com
//	    role: Viewer
//	    status: pending        # active | pending | expired (invitations)
//
// name is used in error messages, which read "name:line:column: problem (what to
// write instead)"; every error is reported. An empty file is an empty portal.
func ParseSeed(name string, data []byte) (*State, error) {
	l, err := schema.New(schema.Seed())
	if err != nil {
		return nil, err
	}
	cfg, ds := l.Parse(name, data)
	if len(bytes.TrimSpace(data)) == 0 || len(ds) == 1 && ds[0].Code == "empty-file" {
		return &State{}, nil
	}
	var errs []error
	for _, d := range ds {
		if d.Severity != diag.Error {
			continue
		}
		msg := fmt.Sprintf("%s: %s", d.Pos, d.Message)
		if d.Hint != "" {
			msg += " (" + d.Hint + ")"
		}
		errs = append(errs, errors.New(msg))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	st := seedState(cfg)
	org, errs := seedOrg(cfg.Org)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	st.Organization = org
	return st, nil
}

// seedOrg is the organization a seed describes: the default roles and the seed's
// custom ones, its active members, and its pending and expired invitations. A role
// named by no role of the organization, or a custom role named like a default one,
// is an error at its position.
func seedOrg(o *portal.Org) (*OrgState, []error) {
	if o == nil {
		return nil, nil
	}
	var errs []error
	fail := func(pos portal.Pos, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", pos, fmt.Sprintf(format, args...)))
	}
	st := &OrgState{Roles: slices.Clone(DefaultRoles), Members: []OrgMemberState{}, Invitations: []OrgInvitationState{}}
	for _, r := range o.Roles {
		if i := slices.IndexFunc(DefaultRoles, func(d organization.Role) bool { return d.Name == r.Name }); i >= 0 {
			fail(r.Pos, "%q is a default role of every organization (write organization_roles only for custom roles)", DefaultRoles[i].Name)
			continue
		}
		id := r.ID
		if id == "" {
			id = newUUID()
		}
		st.Roles = append(st.Roles, organization.Role{ID: id, Name: r.Name})
	}
	names := make([]string, len(st.Roles))
	for i, r := range st.Roles {
		names[i] = r.Name
	}
	for _, m := range o.Members {
		role, ok := roleNamed(st.Roles, m.Role)
		if !ok {
			hint := "the organization's roles: " + strings.Join(names, ", ")
			if c := suggest.Closest(m.Role, names, 1); len(c) > 0 {
				hint = fmt.Sprintf("did you mean %q? (%s; add custom roles under organization_roles:)", c[0], hint)
			}
			fail(m.RolePos, "unknown organization role %q for %s (%s)", m.Role, m.Email, hint)
			continue
		}
		switch m.Status {
		case portal.StatusPending, portal.StatusExpired:
			status := organization.StatusPending
			if m.Status == portal.StatusExpired {
				status = organization.StatusExpired
			}
			inv := OrgInvitationState{ID: m.ID, Email: m.Email, RoleID: role.ID, Status: status, Inviter: "console"}
			if !m.Invited.IsZero() {
				inv.CreatedAt = stamp(m.Invited.Time()) // the seed's invited: day
			}
			st.Invitations = append(st.Invitations, inv)
		default:
			st.Members = append(st.Members, OrgMemberState{ID: m.ID, Email: m.Email, RoleID: role.ID})
		}
	}
	return st, errs
}

// seedState is the portal a seed describes.
func seedState(cfg *portal.Config) *State {
	st := &State{}
	for _, m := range cfg.Members {
		qm := qovery.Member{Email: m.Email, Role: qovery.RoleUser, Status: qovery.StatusActive}
		if m.Role == portal.RoleAdmin {
			qm.Role = qovery.RoleAdmin
		}
		if m.Status == portal.StatusPending {
			qm.Status = qovery.StatusPending
			if !m.Invited.IsZero() {
				qm.CreatedAt = m.Invited.Time() // the seed's invited: day
			}
		}
		st.Members = append(st.Members, qm)
	}
	for _, b := range cfg.Blueprints {
		bs := BlueprintState{ID: b.ID, Name: b.Name, Description: b.Description, Rules: []qovery.Rule{}}
		for _, r := range b.Rules {
			t := qovery.RuleEmail
			if r.Kind == portal.RuleDomain {
				t = qovery.RuleDomain
			}
			bs.Rules = append(bs.Rules, qovery.Rule{Type: t, Value: r.Value})
		}
		st.Blueprints = append(st.Blueprints, bs)
	}
	return st
}
