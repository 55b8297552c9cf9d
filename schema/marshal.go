package schema

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/portal"
)

// Marshal writes cfg as a canonical portal.yaml: members sorted by email with their
// role, the organization's members (when cfg has them) with their role by name,
// blueprints sorted by name with their domains and emails sorted, open blueprints as
// `access: open`, and members' expiry dates. Pending members and invitations,
// and expired invitations, are marked with a comment. Reading the output back with Parse gives cfg again.
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
	if c.Org != nil {
		add(doc, "organization_members", orgMembers(c.Org.Members))
	}
	bps := mapping()
	for _, b := range c.Blueprints {
		body := mapping()
		if b.Open {
			add(body, "access", scalarNode("open", "!!str"))
		} else {
			var domains, emails []string
			for _, r := range b.Rules {
				if r.Kind == portal.RuleDomain {
					domains = append(domains, r.Value)
				} else {
					emails = append(emails, r.Value)
				}
			}
			if len(domains) > 0 {
				add(body, "domains", stringList(domains))
			}
			if len(emails) > 0 {
				add(body, "emails", stringList(emails))
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
