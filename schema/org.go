package schema

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// orgMembers reads the organization_members section, written at key. Role names
// are kept as written: only the live organization knows its roles, so they are
// matched at plan time.
func (b *builder) orgMembers(key, n *yaml.Node) {
	org := b.org()
	if org.Pos.IsZero() {
		org.Pos = b.pos(key)
	}
	list := items(n)
	if len(list) == 0 && deref(n).Kind == yaml.SequenceNode && !b.format.seed && b.emptyOrg.IsZero() {
		b.emptyOrg = b.pos(key)
	}
	ms := slices.Grow(org.Members, len(list))
	for _, item := range list {
		b.duplicateKeys(item, "key")
		if item.Kind != yaml.MappingNode {
			continue
		}
		f := entryOf(item)
		email, role, status, id, expires := f.email, f.role, f.status, f.id, f.expires
		addr, ok := b.entryEmail(email, "organization member")
		if !ok {
			continue
		}
		m := portal.OrgMember{Email: addr, Pos: b.pos(email), RolePos: b.pos(item)}
		if name, ok := b.text(role); ok {
			m.RolePos = b.pos(role)
			m.Role = strings.TrimSpace(name)
			if m.Role == "" && name != "" {
				// "" is the schema's (minLength); blanks are ours.
				b.add(b.pos(role), diag.Error, "empty-value", func() (string, string) {
					return fmt.Sprintf("the role of organization member %s is blank", addr), "write the role's name, e.g. `role: Viewer`"
				})
			}
		}
		m.Expires, m.ExpiresPos = b.date(expires, addr)
		if !m.Expires.IsZero() && portal.IsOwner(m.Role) && !b.format.seed {
			b.add(m.ExpiresPos, diag.Error, "owner-expires", func() (string, string) {
				return fmt.Sprintf("%s has `role: Owner` and expires: portalctl never removes the organization's owner, so the owner's access cannot expire", addr),
					"remove `expires` from the owner's entry; to end their access, transfer the ownership in the Qovery console, then give them another role"
			})
		}
		if b.format.seed {
			m.Status = portal.StatusActive
			if s, ok := b.text(status); ok && (s == string(portal.StatusPending) || s == string(portal.StatusExpired)) {
				m.Status = portal.Status(s)
			}
			m.Invited = b.invited(f.invited, addr, m.Status)
			if v, ok := b.text(id); ok {
				m.ID = v
			}
		}
		ms = append(ms, m)
	}
	org.Members = ms
}

// finishOrgMembers sorts the organization members of every file, and reports
// an email listed twice, and an organization_members section left empty by
// every file.
func (b *builder) finishOrgMembers() {
	org := b.cfg.Org
	if org == nil {
		return
	}
	if len(org.Members) == 0 && !b.emptyOrg.IsZero() {
		b.add(b.emptyOrg, diag.Error, "empty-organization", func() (string, string) {
			return "organization_members is empty: apply would remove every member of the organization, its owner included",
				"list the organization's members, its owner with `role: Owner` first; or remove `organization_members:` to leave the organization's members alone"
		})
	}
	ms := org.Members
	portal.SortOrgMembers(ms)
	kept := ms[:0]
	for i, m := range ms {
		if i > 0 && m.Email == kept[len(kept)-1].Email {
			first := kept[len(kept)-1].Pos
			b.add(m.Pos, diag.Error, "duplicate-organization-member", func() (string, string) {
				hint := fmt.Sprintf("remove one of the two entries (lines %d and %d); keep the one with the role you want", first.Line, m.Pos.Line)
				if first.File != m.Pos.File {
					hint = fmt.Sprintf("remove one of the two entries (%s and %s); keep the one with the role you want", first, m.Pos)
				}
				return fmt.Sprintf("duplicate organization member %s: already listed at %s (emails compare case-insensitively)", m.Email, first.From(m.Pos)), hint
			})
			continue
		}
		kept = append(kept, m)
	}
	org.Members = slices.Clip(kept)
	if b.format.seed {
		b.seedIDs(org.Members)
	}
}

// org returns the model's organization section, made on first use.
func (b *builder) org() *portal.Org {
	if b.cfg.Org == nil {
		b.cfg.Org = &portal.Org{}
	}
	return b.cfg.Org
}

// seedIDs refuses a seed that gives two organization members or invitations the
// same id.
func (b *builder) seedIDs(ms []portal.OrgMember) {
	seen := map[string]portal.OrgMember{}
	for _, m := range ms {
		if m.ID == "" {
			continue
		}
		if first, dup := seen[m.ID]; dup {
			b.add(m.Pos, diag.Error, "duplicate-id", func() (string, string) {
				return fmt.Sprintf("organization member %s has the id %s of %s (line %d)", m.Email, diag.Quote(m.ID), first.Email, first.Pos.Line),
					"give each member and invitation its own id, or none (one is made up)"
			})
			continue
		}
		seen[m.ID] = m
	}
}

// orgRoles reads a seed's organization_roles: the organization's custom roles.
func (b *builder) orgRoles(n *yaml.Node) {
	org := b.org()
	names := map[string]int{}
	ids := map[string]int{}
	for _, item := range items(n) {
		b.duplicateKeys(item, "key")
		if item.Kind != yaml.MappingNode {
			continue
		}
		var nameNode, idNode *yaml.Node
		eachPair(item, func(k, v *yaml.Node) {
			switch keyString(k) {
			case "name":
				nameNode = deref(v)
			case "id":
				idNode = deref(v)
			}
		})
		name, ok := b.text(nameNode)
		if !ok || strings.TrimSpace(name) == "" {
			continue
		}
		r := portal.OrgRole{Name: strings.TrimSpace(name), Pos: b.pos(nameNode)}
		if line, dup := names[strings.ToLower(r.Name)]; dup {
			b.add(r.Pos, diag.Error, "duplicate-role", func() (string, string) {
				return fmt.Sprintf("duplicate organization role %s: already defined at line %d (role names compare case-insensitively)", diag.Quote(r.Name), line),
					"give each role its own name"
			})
			continue
		}
		names[strings.ToLower(r.Name)] = r.Pos.Line
		if id, ok := b.text(idNode); ok {
			if line, dup := ids[id]; dup {
				b.add(b.pos(idNode), diag.Error, "duplicate-id", func() (string, string) {
					return fmt.Sprintf("duplicate role id %s: already given at line %d", diag.Quote(id), line), "give each role its own id, or none (a random one is made)"
				})
				continue
			}
			ids[id] = idNode.Line
			r.ID = id
		}
		org.Roles = append(org.Roles, r)
	}
}
