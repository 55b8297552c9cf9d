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
// they name (Blueprint.Groups, in their order), open blueprints as `access: open`,
// then their owners and the day of their last review.
// Pending members and invitations, and expired invitations, are marked with a
// comment. Reading the output back with Parse gives cfg again, positions aside:
// a saved plan holds its desired state so. An email rule that came from a group
// the blueprint does not name cannot be written so, and is refused.
func Marshal(cfg *portal.Config, header string) ([]byte, error) {
	return marshal(cfg, header, marshalChunk)
}

// marshalChunk is how many entries of a long section are encoded at once: the
// YAML encoder holds every event of what it encodes until it is done (some 1.5 KB
// an entry), so a portal of 100,000 members is written a chunk at a time.
const marshalChunk = 1000

func marshal(cfg *portal.Config, header string, chunk int) ([]byte, error) {
	c := *cfg
	c.Members = append([]portal.Member(nil), cfg.Members...)
	c.Blueprints = append([]portal.Blueprint(nil), cfg.Blueprints...)
	c.Sort()

	w := &sections{chunk: chunk}
	if header != "" {
		fmt.Fprintln(&w.buf, header)
	}
	w.scalar("version", scalarNode("1", "!!int"))
	if c.Organization != "" {
		w.scalar("organization", scalarNode(c.Organization, "!!str"))
	}
	if c.Policy != nil {
		w.scalar("policy", policy(c.Policy))
	}
	w.list("members", yaml.SequenceNode, len(c.Members), func(i int) ([]*yaml.Node, error) {
		m := c.Members[i]
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
		return []*yaml.Node{item}, nil
	})
	if len(c.Groups) > 0 {
		names := make([]string, 0, len(c.Groups))
		for name := range c.Groups {
			names = append(names, name)
		}
		slices.Sort(names)
		w.list("groups", yaml.MappingNode, len(names), func(i int) ([]*yaml.Node, error) {
			return []*yaml.Node{scalarNode(names[i], "!!str"), stringList(c.Groups[names[i]])}, nil
		})
	}
	if c.Org != nil {
		ms := orgEntries(c.Org.Members)
		w.list("organization_members", yaml.SequenceNode, len(ms), func(i int) ([]*yaml.Node, error) {
			return []*yaml.Node{orgMember(ms[i])}, nil
		})
	}
	w.list("blueprints", yaml.MappingNode, len(c.Blueprints), func(i int) ([]*yaml.Node, error) {
		b := c.Blueprints[i]
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
					return nil, fmt.Errorf("blueprint %q: the email rule %s comes from group %q, which the blueprint does not name", b.Name, r.Value, r.Group)
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
		if len(b.Owners) > 0 {
			add(body, "owners", stringList(b.Owners))
		}
		if !b.Reviewed.IsZero() {
			add(body, "reviewed", scalarNode(b.Reviewed.String(), "!!str"))
		}
		key := scalarNode(b.Name, "!!str")
		if b.Name == "<<" {
			key.Style = yaml.DoubleQuotedStyle // unquoted, YAML reads it as a merge key
		}
		if d := oneLine(b.Description); d != "" {
			key.HeadComment = d
		}
		return []*yaml.Node{key, body}, nil
	})
	if w.err != nil {
		return nil, fmt.Errorf("write portal.yaml: %w", w.err)
	}
	return w.buf.Bytes(), nil
}

// sections writes a portal.yaml's top-level keys one after the other, each
// encoded on its own: the mappings of one key each, written in a row, are the
// document's mapping.
type sections struct {
	buf   bytes.Buffer
	chunk int
	err   error
}

// encode writes the mapping {key: value}, and returns what it wrote.
func (w *sections) encode(key string, value *yaml.Node) []byte {
	if w.err != nil {
		return nil
	}
	doc := mapping()
	add(doc, key, value)
	at := w.buf.Len()
	enc := yaml.NewEncoder(&w.buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{doc}}); err != nil {
		w.err = err
		return nil
	}
	if err := enc.Close(); err != nil {
		w.err = err
		return nil
	}
	return w.buf.Bytes()[at:]
}

// scalar writes key and a value of a few nodes.
func (w *sections) scalar(key string, value *yaml.Node) { w.encode(key, value) }

// list writes key and a sequence (or mapping) of n entries, item giving each
// (its node; a mapping's key and value), a chunk at a time: the first chunk
// under key, and each next one as the same key would hold it, without the key's
// line.
func (w *sections) list(key string, kind yaml.Kind, n int, item func(i int) ([]*yaml.Node, error)) {
	for from := 0; from == 0 || from < n; from += w.chunk {
		node := &yaml.Node{Kind: kind}
		for i := from; i < min(from+w.chunk, n); i++ {
			nodes, err := item(i)
			if err != nil {
				w.err = err
				return
			}
			node.Content = append(node.Content, nodes...)
		}
		at := w.buf.Len()
		out := w.encode(key, node)
		if from == 0 || w.err != nil {
			continue
		}
		if line := key + ":\n"; !bytes.HasPrefix(out, []byte(line)) {
			w.err = fmt.Errorf("%s: a chunk of the section starts with %q, not %q", key, out[:min(len(out), len(line))], line)
			return
		}
		w.buf.Truncate(at)
		w.buf.Write(out[len(key)+2:])
	}
}

// orgEntries are the organization's members and invitations, one entry per
// email (a member wins over a leftover invitation of the same email).
func orgEntries(ms []portal.OrgMember) []portal.OrgMember {
	sorted := append([]portal.OrgMember(nil), ms...)
	portal.SortOrgMembers(sorted)
	return slices.CompactFunc(sorted, func(a, b portal.OrgMember) bool { return a.Email == b.Email })
}

// orgMember is one entry of organization_members, an invitation marked.
func orgMember(m portal.OrgMember) *yaml.Node {
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
	return item
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
		case portal.PolicyReviewEveryDays:
			v = scalarNode(strconv.Itoa(p.ReviewEveryDays), "!!int")
		case portal.PolicyMaxPendingDays:
			v = scalarNode(strconv.Itoa(p.MaxPendingDays), "!!int")
		case portal.PolicyRequiredAdmins:
			v = stringList(p.RequiredAdmins)
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
