package schema

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/portal"
)

// Marshal writes cfg as a canonical portal.yaml: the policy, members sorted by email
// with their role and expiry date, the groups sorted by name, the organization's
// members (when cfg has them) with their role by name and expiry date, blueprints
// sorted by name with their domains, the emails written on them and the groups
// they name (Blueprint.Groups, in their order), open blueprints as `access: open`.
// Pending members and invitations, and expired invitations, are marked with a
// comment. Reading the output back with Parse gives cfg again, positions aside:
// a saved plan holds its desired state so. An email rule that came from a group
// the blueprint does not name cannot be written so, and is refused.
func Marshal(cfg *portal.Config, header string) ([]byte, error) {
	c := *cfg
	c.Members = append([]portal.Member(nil), cfg.Members...)
	c.Blueprints = append([]portal.Blueprint(nil), cfg.Blueprints...)
	c.Sort()

	doc := mapping()
	add(doc, "version", scalarNode("1", "!!int"))
	if c.Organization != "" {
		add(doc, "organization", scalarNode(c.Organization, "!!str"))
	}
	if c.Policy != nil {
		add(doc, "policy", policy(c.Policy))
	}
	members := &yaml.Node{Kind: yaml.SequenceNode}
	for _, m := range c.Members {
		item := mapping()
		email := scalarNode(m.Email, "!!str")
		if m.Status == portal.StatusPending {
			email.LineComment = "pending: invited, not logged in yet"
		}
		add(item, "email", email)
		role := m.Role
		if role == "" {
			role = portal.RoleUser
		}
		add(item, "role", scalarNode(string(role), "!!str"))
		if !m.Expires.IsZero() {
			add(item, "expires", scalarNode(m.Expires.String(), "!!str"))
		}
		members.Content = append(members.Content, item)
	}
	add(doc, "members", members)
	if len(c.Groups) > 0 {
		groups := mapping()
		names := make([]string, 0, len(c.Groups))
		for name := range c.Groups {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			groups.Content = append(groups.Content, scalarNode(name, "!!str"), stringList(c.Groups[name]))
		}
		add(doc, "groups", groups)
	}
	if c.Org != nil {
		add(doc, "organization_members", orgMembers(c.Org.Members))
	}
	bps := mapping()
	for _, b := range c.Blueprints {
		body := mapping()
		if b.Open {
			add(body, "access", scalarNode("open", "!!str"))
		} else {
			// A group's emails come from the group: the blueprint writes the
			// group's name, and the emails written on it (Group "").
			var domains, emails []string
			for _, r := range b.Rules {
				switch {
				case r.Kind == portal.RuleDomain:
					domains = append(domains, r.Value)
				case r.Group == "":
					emails = append(emails, r.Value)
				case !slices.Contains(b.Groups, r.Group):
					return nil, fmt.Errorf("write portal.yaml: blueprint %q: the email rule %s comes from group %q, which the blueprint does not name", b.Name, r.Value, r.Group)
				}
			}
			if len(domains) > 0 {
				add(body, "domains", stringList(domains))
			}
			if len(emails) > 0 {
				add(body, "emails", stringList(emails))
			}
			if len(b.Groups) > 0 {
				add(body, "groups", stringList(b.Groups))
			}
		}
		key := scalarNode(b.Name, "!!str")
		if b.Name == "<<" {
			key.Style = yaml.DoubleQuotedStyle // unquoted, YAML reads it as a merge key
		}
		if d := oneLine(b.Description); d != "" {
			key.HeadComment = d
		}
		bps.Content = append(bps.Content, key, body)
	}
	add(doc, "blueprints", bps)

	var buf bytes.Buffer
	if header != "" {
		fmt.Fprintln(&buf, header)
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{doc}}); err != nil {
		return nil, fmt.Errorf("write portal.yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write portal.yaml: %w", err)
	}
	return buf.Bytes(), nil
}

// orgMembers writes the organization's members and invitations, one entry per
// email (a member wins over a leftover invitation of the same email).
func orgMembers(ms []portal.OrgMember) *yaml.Node {
	sorted := append([]portal.OrgMember(nil), ms...)
	portal.SortOrgMembers(sorted)
	list := &yaml.Node{Kind: yaml.SequenceNode}
	for i, m := range sorted {
		if i > 0 && sorted[i-1].Email == m.Email {
			continue
		}
		item := mapping()
		email := scalarNode(m.Email, "!!str")
		switch m.Status {
		case portal.StatusPending:
			email.LineComment = "pending: invited, not signed in yet"
		case portal.StatusExpired:
			email.LineComment = "expired invitation: apply sends it again; remove the entry to cancel it instead"
		}
		add(item, "email", email)
		add(item, "role", scalarNode(m.Role, "!!str"))
		if !m.Expires.IsZero() {
			add(item, "expires", scalarNode(m.Expires.String(), "!!str"))
		}
		list.Content = append(list.Content, item)
	}
	return list
}

// policy writes the rules the policy sets, in the order the schema documents them.
func policy(p *portal.Policy) *yaml.Node {
	body := mapping()
	for _, r := range portal.PolicyRules() {
		if !p.Has(r) {
			continue
		}
		var v *yaml.Node
		switch r {
		case portal.PolicyAllowedDomains:
			v = stringList(p.AllowedDomains)
		case portal.PolicyRequireExpiryOutside:
			v = stringList(p.RequireExpiryOutside)
		case portal.PolicyMaxOpenBlueprints:
			v = scalarNode(strconv.Itoa(p.MaxOpenBlueprints), "!!int")
		case portal.PolicyMaxExpiryDays:
			v = scalarNode(strconv.Itoa(p.MaxExpiryDays), "!!int")
		}
		add(body, string(r), v)
	}
	return body
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func scalarNode(v, tag string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Value: v, Tag: tag}
}

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, scalarNode(key, "!!str"), v)
}

func stringList(values []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	for _, v := range values {
		n.Content = append(n.Content, scalarNode(v, "!!str"))
	}
	return n
}

// oneLine makes a description safe as a one-line YAML comment.
func oneLine(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r < ' ' || r == 0x7f || r == '\u2028' || r == '\u2029' {
			r = ' '
		}
		out = append(out, r)
		if len(out) >= 200 {
			out = append(out, '…')
			break
		}
	}
	return string(bytes.TrimSpace([]byte(string(out))))
}
