package schema

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/suggest"
)

// facts are what the lints need beyond the model: where things were written.
type facts struct {
	membersPos   portal.Pos
	hasMembers   bool
	groupEntries map[string][]portal.Rule // group name → its emails with positions
	// unicode holds the positions of emails and domains written with non-ASCII
	// characters (before normalisation turned their domains into punycode).
	unicode map[portal.Pos]bool
}

type pair struct{ k, v *yaml.Node }

// pairs lists the entries of a mapping node, expanding "<<" merge keys; keys written
// in the mapping itself win over merged ones.
func pairs(n *yaml.Node) []pair {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var own, merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" {
			v = deref(v)
			if v.Kind == yaml.SequenceNode {
				for _, e := range v.Content {
					merged = append(merged, pairs(e)...)
				}
			} else {
				merged = append(merged, pairs(v)...)
			}
			continue
		}
		own = append(own, pair{k, v})
	}
	if len(merged) == 0 {
		return own
	}
	set := map[string]bool{}
	for _, p := range own {
		set[keyString(p.k)] = true
	}
	for _, p := range merged {
		if !set[keyString(p.k)] {
			set[keyString(p.k)] = true
			own = append(own, p)
		}
	}
	return own
}

func isString(n *yaml.Node) bool {
	n = deref(n)
	return n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str"
}

func items(n *yaml.Node) []*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, e := range n.Content {
		out[i] = deref(e)
	}
	return out
}

type builder struct {
	file string
	ds   *diag.List
	cfg  *portal.Config
	f    facts
}

func (b *builder) pos(n *yaml.Node) portal.Pos { return nodePos(b.file, n) }

// build reads the model out of a document that may have schema errors, checking the
// rules no schema can express.
func build(file string, root *yaml.Node, ds *diag.List) (*portal.Config, facts) {
	b := &builder{
		file: file,
		ds:   ds,
		cfg:  &portal.Config{File: file, Groups: map[string][]string{}},
		f:    facts{groupEntries: map[string][]portal.Rule{}, unicode: map[portal.Pos]bool{}},
	}
	doc := deref(root)
	b.duplicateKeys(doc, "key")
	var blueprints *yaml.Node
	for _, p := range pairs(doc) {
		switch keyString(p.k) {
		case "version":
			if v := deref(p.v); v.Kind == yaml.ScalarNode {
				b.cfg.Version, _ = strconv.Atoi(v.Value)
			}
		case "organization":
			if isString(p.v) {
				b.cfg.Organization = strings.ToLower(deref(p.v).Value)
			}
		case "members":
			b.f.hasMembers = true
			b.f.membersPos = b.pos(p.k)
			b.members(p.v)
		case "groups":
			b.groups(p.v)
		case "blueprints":
			blueprints = p.v
		}
	}
	b.blueprints(blueprints)
	b.cfg.Sort()
	return b.cfg, b.f
}

// duplicateKeys reports keys written twice in one mapping. YAML keeps the last one
// silently; for a portal config that hides a mistake.
func (b *builder) duplicateKeys(n *yaml.Node, what string) map[*yaml.Node]bool {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	// Most mappings (a member, a blueprint) have a handful of keys: compare them
	// pairwise rather than building a map for each of 100,000 members.
	var first map[string]*yaml.Node
	if len(n.Content) > 16 {
		first = make(map[string]*yaml.Node, len(n.Content)/2)
	}
	earlier := func(i int, name string) (*yaml.Node, bool) {
		if first != nil {
			f, ok := first[name]
			return f, ok
		}
		for j := 0; j < i; j += 2 {
			if k := n.Content[j]; k.Tag != "!!merge" && keyString(k) == name {
				return k, true
			}
		}
		return nil, false
	}
	var dups map[*yaml.Node]bool
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		name := keyString(k)
		if k.Tag == "!!merge" {
			continue
		}
		if f, ok := earlier(i, name); ok {
			b.ds.Add(b.pos(k), diag.Error, "duplicate-"+strings.ReplaceAll(what, " ", "-"),
				fmt.Sprintf("duplicate %s %s: already defined at line %d", what, q(name), f.Line),
				"merge the two entries into one: YAML would silently keep only the last")
			if dups == nil {
				dups = map[*yaml.Node]bool{}
			}
			dups[k] = true
			continue
		}
		if first != nil {
			first[name] = k
		}
	}
	return dups
}

// noteUnicode remembers a value written with non-ASCII characters, for the
// look-alike lint.
func (b *builder) noteUnicode(n *yaml.Node) {
	for i := 0; i < len(n.Value); i++ {
		if n.Value[i] >= utf8.RuneSelf {
			b.f.unicode[b.pos(n)] = true
			return
		}
	}
}

func (b *builder) members(n *yaml.Node) {
	seen := map[string]*yaml.Node{}
	for _, item := range items(n) {
		var email, role *yaml.Node
		b.duplicateKeys(item, "key")
		for _, p := range pairs(item) {
			switch keyString(p.k) {
			case "email":
				email = deref(p.v)
			case "role":
				role = deref(p.v)
			}
		}
		if email == nil || !isString(email) {
			continue
		}
		b.noteUnicode(email)
		addr, err := portal.NormalizeEmail(email.Value)
		if err != nil {
			b.ds.Add(b.pos(email), diag.Error, "invalid-email",
				fmt.Sprintf("invalid member email %s: %v", q(email.Value), err),
				"write an address like alice@company.com")
			continue
		}
		if f, dup := seen[addr]; dup {
			b.ds.Add(b.pos(email), diag.Error, "duplicate-member",
				fmt.Sprintf("duplicate member %s: already listed at line %d (emails compare case-insensitively)", addr, f.Line),
				"remove one of the two entries; keep the one with the role you want")
			continue
		}
		seen[addr] = email
		m := portal.Member{Email: addr, Role: portal.RoleUser, Pos: b.pos(email)}
		if role != nil && role.Value == string(portal.RoleAdmin) {
			m.Role = portal.RoleAdmin
		}
		b.cfg.Members = append(b.cfg.Members, m)
	}
}

func (b *builder) groups(n *yaml.Node) {
	dups := b.duplicateKeys(n, "group")
	for _, p := range pairs(n) {
		if dups[p.k] {
			continue
		}
		name := keyString(p.k)
		seen := map[string]bool{}
		var emails []string
		var entries []portal.Rule
		for _, e := range items(p.v) {
			if !isString(e) {
				continue
			}
			b.noteUnicode(e)
			addr, err := portal.NormalizeEmail(e.Value)
			if err != nil {
				b.ds.Add(b.pos(e), diag.Error, "invalid-email",
					fmt.Sprintf("invalid email %s in group %s: %v", q(e.Value), q(name), err),
					"write an address like alice@company.com")
				continue
			}
			if seen[addr] {
				b.ds.Add(b.pos(e), diag.Warning, "duplicate-rule",
					fmt.Sprintf("group %s lists %s twice", q(name), addr), "remove the second entry")
				continue
			}
			seen[addr] = true
			emails = append(emails, addr)
			entries = append(entries, portal.Rule{Kind: portal.RuleEmail, Value: addr, Group: name, Pos: b.pos(e)})
		}
		b.cfg.Groups[name] = emails
		b.f.groupEntries[name] = entries
	}
}

func (b *builder) blueprints(n *yaml.Node) {
	dups := b.duplicateKeys(n, "blueprint")
	groupNames := make([]string, 0, len(b.cfg.Groups))
	for g := range b.cfg.Groups {
		groupNames = append(groupNames, g)
	}
	sort.Strings(groupNames)
	for _, p := range pairs(n) {
		if dups[p.k] {
			continue
		}
		name := keyString(p.k)
		v := deref(p.v)
		if name == "" || v.Kind != yaml.MappingNode {
			continue // the schema reported it
		}
		b.duplicateKeys(v, "key")
		bp := portal.Blueprint{Name: name, Pos: b.pos(p.k)}
		var access *yaml.Node
		accessWritten := false
		declared, emptyGroups := 0, []string(nil)
		seen := map[portal.RuleKey]bool{}
		add := func(r portal.Rule, warnDup bool) {
			if seen[r.Key()] {
				if warnDup {
					b.ds.Add(r.Pos, diag.Warning, "duplicate-rule",
						fmt.Sprintf("blueprint %s lists %s twice", q(name), r), "remove the second entry")
				}
				return
			}
			seen[r.Key()] = true
			bp.Rules = append(bp.Rules, r)
		}
		for _, f := range pairs(v) {
			if k := keyString(f.k); (k == "domains" || k == "emails" || k == "groups") && deref(f.v).Kind != yaml.SequenceNode {
				declared++ // not a list: the schema reported it; it was meant as a rule
			}
			switch keyString(f.k) {
			case "access":
				accessWritten = true
				if isString(f.v) && deref(f.v).Value == "open" {
					access = deref(f.v)
				}
			case "domains":
				for _, e := range items(f.v) {
					if !isString(e) {
						continue
					}
					declared++
					b.noteUnicode(e)
					d, err := portal.NormalizeDomain(e.Value)
					if err != nil {
						b.ds.Add(b.pos(e), diag.Error, "invalid-domain",
							fmt.Sprintf("invalid domain %s in blueprint %s: %v", q(e.Value), q(name), err),
							"write a domain like company.com (no scheme, path or wildcard); to name one person use emails:")
						continue
					}
					add(portal.Rule{Kind: portal.RuleDomain, Value: d, Pos: b.pos(e)}, true)
				}
			case "emails":
				for _, e := range items(f.v) {
					if !isString(e) {
						continue
					}
					declared++
					b.noteUnicode(e)
					addr, err := portal.NormalizeEmail(e.Value)
					if err != nil {
						b.ds.Add(b.pos(e), diag.Error, "invalid-email",
							fmt.Sprintf("invalid email %s in blueprint %s: %v", q(e.Value), q(name), err),
							"write an address like alice@company.com; to match a whole domain use domains:")
						continue
					}
					add(portal.Rule{Kind: portal.RuleEmail, Value: addr, Pos: b.pos(e)}, true)
				}
			case "groups":
				for _, e := range items(f.v) {
					if !isString(e) {
						continue
					}
					declared++
					emails, ok := b.cfg.Groups[e.Value]
					if !ok {
						hint := "define it under `groups:` or fix the name"
						if c := suggest.Closest(e.Value, groupNames, 1); len(c) > 0 {
							hint = fmt.Sprintf("did you mean %q? otherwise define it under `groups:`", c[0])
						}
						b.ds.Add(b.pos(e), diag.Error, "unknown-group",
							fmt.Sprintf("unknown group %s in blueprint %s", q(e.Value), q(name)), hint)
						continue
					}
					if len(emails) == 0 {
						emptyGroups = append(emptyGroups, e.Value)
					}
					for _, addr := range emails {
						add(portal.Rule{Kind: portal.RuleEmail, Value: addr, Group: e.Value, Pos: b.pos(e)}, false)
					}
				}
			}
		}
		switch {
		case access != nil && declared > 0:
			b.ds.Add(b.pos(access), diag.Error, "open-with-rules",
				fmt.Sprintf("blueprint %s has `access: open` and rules: open access means every member, so the rules would be ignored", q(name)),
				"remove `access: open` to restrict the blueprint to its rules, or remove the rules to open it")
		case !accessWritten && declared == 0:
			b.ds.Add(b.pos(p.k), diag.Error, "no-rules",
				fmt.Sprintf("blueprint %s has no rules and no `access: open`: it would be open to every member", q(name)),
				"list who may see it (`domains: [company.com]`, `emails: [...]`, `groups: [...]`), or write `access: open` to open it on purpose")
		case !accessWritten && len(bp.Rules) == 0 && len(emptyGroups) > 0 && len(emptyGroups) == declared:
			b.ds.Add(b.pos(p.k), diag.Error, "no-rules",
				fmt.Sprintf("blueprint %s has no rules once its groups are expanded (empty: %s): it would be open to every member", q(name), strings.Join(emptyGroups, ", ")),
				"add emails to the group, add other rules, or write `access: open` to open it on purpose")
		}
		bp.Open = access != nil && declared == 0
		b.cfg.Blueprints = append(b.cfg.Blueprints, bp)
	}
}

// q quotes a value from the file for a message, cut to a readable length: a
// megabyte-long key must not become a megabyte-long error.
func q(s string) string {
	const max = 80
	if utf8.RuneCountInString(s) <= max {
		return strconv.Quote(s)
	}
	r := []rune(s)
	return strconv.Quote(string(r[:max])) + fmt.Sprintf("… (%d characters)", len(r))
}
