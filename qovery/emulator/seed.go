package emulator

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/qovery"
)

// maxSeedBytes bounds a seed file.
const maxSeedBytes = 64 << 20

// LoadSeed reads and parses a seed file (see ParseSeed).
func LoadSeed(path string) (*State, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSeedBytes+1))
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	return ParseSeed(path, data)
}

// ParseSeed parses a portal.yaml-shaped seed, leniently: unknown keys,
// version and organization are ignored. name is used in error messages,
// which read "name:line:column: problem"; all problems are reported.
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
//	  python-starter:
//	    access: open         # or no rules at all: open
//
// Rule values are lower-cased.
func ParseSeed(name string, data []byte) (*State, error) {
	if len(data) > maxSeedBytes {
		return nil, fmt.Errorf("%s: seed larger than %d MiB", name, maxSeedBytes>>20)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	st := &State{}
	if root.Kind == 0 || len(root.Content) == 0 {
		return st, nil // empty file: empty portal
	}
	p := &seedParser{name: name}
	doc := deref(root.Content[0])
	if doc.Kind != yaml.MappingNode {
		if doc.Tag == "!!null" {
			return st, nil
		}
		p.errorf(doc, "a seed is a mapping with members, groups and blueprints")
		return nil, p.err()
	}
	var groupsNode, blueprintsNode *yaml.Node
	for _, kv := range pairs(doc) {
		switch kv.key.Value {
		case "members":
			st.Members = p.members(kv.value)
		case "groups":
			groupsNode = kv.value
		case "blueprints":
			blueprintsNode = kv.value
		}
	}
	groups := p.groups(groupsNode)
	st.Blueprints = p.blueprints(blueprintsNode, groups)
	if err := p.err(); err != nil {
		return nil, err
	}
	return st, nil
}

type seedParser struct {
	name string
	errs []error
}

func (p *seedParser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s:%d:%d: %s", p.name, n.Line, n.Column, fmt.Sprintf(format, args...)))
}

func (p *seedParser) err() error { return errors.Join(p.errs...) }

type pair struct{ key, value *yaml.Node }

// pairs lists the entries of a mapping node (nil for other nodes).
func pairs(n *yaml.Node) []pair {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, pair{deref(n.Content[i]), deref(n.Content[i+1])})
	}
	return out
}

// deref follows aliases (a bounded number of hops).
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// scalar returns the text of a scalar node, or reports an error.
func (p *seedParser) scalar(n *yaml.Node, what string) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		if n != nil {
			p.errorf(n, "%s must be a single value", what)
		}
		return "", false
	}
	return strings.TrimSpace(n.Value), true
}

// list returns the scalar items of a sequence node, with their nodes.
func (p *seedParser) list(n *yaml.Node, what string) []*yaml.Node {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s must be a list, e.g. [a, b]", what)
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, item := range n.Content {
		item = deref(item)
		if _, ok := p.scalar(item, "an item of "+what); ok {
			out = append(out, item)
		}
	}
	return out
}

func (p *seedParser) members(n *yaml.Node) []qovery.Member {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "members must be a list of {email, role, status}")
		return nil
	}
	var out []qovery.Member
	firstLine := map[string]int{}
	for _, item := range n.Content {
		item = deref(item)
		if item.Kind != yaml.MappingNode {
			p.errorf(item, "a member is a mapping like {email: bob@company.com, role: user}")
			continue
		}
		m := qovery.Member{Role: qovery.RoleUser, Status: qovery.StatusActive}
		var emailNode *yaml.Node
		ok := true
		for _, kv := range pairs(item) {
			v, isScalar := p.scalar(kv.value, kv.key.Value)
			if !isScalar {
				ok = false
				continue
			}
			switch kv.key.Value {
			case "email":
				m.Email, emailNode = strings.ToLower(v), kv.value
			case "role":
				switch strings.ToLower(v) {
				case "admin":
					m.Role = qovery.RoleAdmin
				case "user":
					m.Role = qovery.RoleUser
				default:
					p.errorf(kv.value, "role %q: write admin or user", v)
					ok = false
				}
			case "status":
				switch strings.ToLower(v) {
				case "active":
					m.Status = qovery.StatusActive
				case "pending":
					m.Status = qovery.StatusPending
				default:
					p.errorf(kv.value, "status %q: write active or pending", v)
					ok = false
				}
			}
		}
		switch {
		case emailNode == nil:
			p.errorf(item, "member without email")
			continue
		case !validEmail(m.Email):
			p.errorf(emailNode, "%q is not a valid email address", m.Email)
			continue
		case firstLine[m.Email] != 0:
			p.errorf(emailNode, "duplicate member %s (first at line %d)", m.Email, firstLine[m.Email])
			continue
		}
		firstLine[m.Email] = emailNode.Line
		if ok {
			out = append(out, m)
		}
	}
	return out
}

// groups returns the email lists of the groups section.
func (p *seedParser) groups(n *yaml.Node) map[string][]string {
	out := map[string][]string{}
	if isNull(n) {
		return out
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "groups must be a mapping of group name to a list of emails")
		return out
	}
	for _, kv := range pairs(n) {
		var emails []string
		for _, item := range p.list(kv.value, "group "+kv.key.Value) {
			email := strings.ToLower(strings.TrimSpace(item.Value))
			if !validEmail(email) {
				p.errorf(item, "group %s: %q is not a valid email address", kv.key.Value, item.Value)
				continue
			}
			emails = append(emails, email)
		}
		if _, dup := out[kv.key.Value]; dup {
			p.errorf(kv.key, "duplicate group %s", kv.key.Value)
		}
		out[kv.key.Value] = emails
	}
	return out
}

func (p *seedParser) blueprints(n *yaml.Node, groups map[string][]string) []BlueprintState {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "blueprints must be a mapping of blueprint name to its access")
		return nil
	}
	var out []BlueprintState
	seenName := map[string]int{}
	seenID := map[string]int{}
	for _, kv := range pairs(n) {
		name := strings.TrimSpace(kv.key.Value)
		if name == "" {
			p.errorf(kv.key, "blueprint with an empty name")
			continue
		}
		if line := seenName[name]; line != 0 {
			p.errorf(kv.key, "duplicate blueprint %s (first at line %d)", name, line)
			continue
		}
		seenName[name] = kv.key.Line
		b := BlueprintState{Name: name}
		if !isNull(kv.value) && kv.value.Kind != yaml.MappingNode {
			p.errorf(kv.value, "blueprint %s must be a mapping with domains, emails, groups or access: open", name)
			continue
		}
		seenRule := map[qovery.Rule]bool{}
		add := func(t qovery.RuleType, v string) {
			r := qovery.Rule{Type: t, Value: v}
			if !seenRule[r] {
				seenRule[r] = true
				b.Rules = append(b.Rules, r)
			}
		}
		var accessNode *yaml.Node
		for _, f := range pairs(kv.value) {
			switch f.key.Value {
			case "id":
				if v, ok := p.scalar(f.value, "id"); ok {
					if line := seenID[v]; line != 0 {
						p.errorf(f.value, "duplicate blueprint id %s (first at line %d)", v, line)
					}
					seenID[v] = f.value.Line
					b.ID = v
				}
			case "description":
				if v, ok := p.scalar(f.value, "description"); ok {
					b.Description = v
				}
			case "access":
				if v, ok := p.scalar(f.value, "access"); ok {
					if v != "open" {
						p.errorf(f.value, "access %q: the only value is open", v)
					}
					accessNode = f.value
				}
			case "domains":
				for _, item := range p.list(f.value, "domains") {
					d := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(item.Value), "@"))
					if !validDomain(d) {
						p.errorf(item, "%q is not a valid domain (write it like company.com)", item.Value)
						continue
					}
					add(qovery.RuleDomain, d)
				}
			case "emails":
				for _, item := range p.list(f.value, "emails") {
					e := strings.ToLower(strings.TrimSpace(item.Value))
					if !validEmail(e) {
						p.errorf(item, "%q is not a valid email address", item.Value)
						continue
					}
					add(qovery.RuleEmail, e)
				}
			case "groups":
				for _, item := range p.list(f.value, "groups") {
					emails, ok := groups[item.Value]
					if !ok {
						p.errorf(item, "unknown group %q", item.Value)
						continue
					}
					for _, e := range emails {
						add(qovery.RuleEmail, e)
					}
				}
			}
		}
		if accessNode != nil && len(b.Rules) > 0 {
			p.errorf(accessNode, "blueprint %s has access: open and rules; keep one", name)
		}
		if b.Rules == nil {
			b.Rules = []qovery.Rule{}
		}
		out = append(out, b)
	}
	return out
}
