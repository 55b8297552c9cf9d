package schema

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/lint"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/suggest"
)

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

// asMapping returns n, an alias resolved, when it is a mapping node.
func asMapping(n *yaml.Node) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	return n
}

func isString(n *yaml.Node) bool {
	n = deref(n)
	return n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str"
}

// items returns the entries of a sequence node, aliases resolved.
func items(n *yaml.Node) []*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	for i, e := range n.Content {
		if e.Kind == yaml.AliasNode {
			out := append([]*yaml.Node(nil), n.Content...)
			for j := i; j < len(out); j++ {
				out[j] = deref(out[j])
			}
			return out
		}
	}
	return n.Content
}

type builder struct {
	// file is the file being read, include the index of its include (-1: the
	// root), and hidden its values holding a hidden control (already reported).
	file    string
	include int
	layout  *portal.Layout
	// defined is where each group and blueprint is first written, when there
	// are several files: an entry written in two is an error.
	defined map[string]portal.Pos
	// emptyOrg is where an empty organization_members: list is written.
	emptyOrg portal.Pos
	format   format
	// today is the day a reviewed: date may not be after (zero: unchecked).
	today  portal.Date
	ds     *diag.Collector
	cfg    *portal.Config
	f      lint.Facts // what the lints need beyond the model
	hidden map[*yaml.Node]bool
	// groupNames are the groups' names, sorted, once an unknown group needs them.
	groupNames []string
	// bp is the blueprint being read, and emptyGroups the groups it names that
	// list no one: what the rule kinds expand into (see ruleKind.expand).
	bp          portal.Blueprint
	emptyGroups []string
}

func (b *builder) pos(n *yaml.Node) portal.Pos { return nodePos(b.file, n) }

// add reports a problem, composing its message only if it will be listed.
func (b *builder) add(pos portal.Pos, sev diag.Severity, code string, msg func() (string, string)) {
	if b.ds.Full(sev, pos) {
		b.ds.Add(pos, sev, code, "", "")
		return
	}
	m, h := msg()
	b.ds.Add(pos, sev, code, m, h)
}

// build reads the model out of documents that may have schema errors, checking
// the rules no schema can express: the root file first, then its fragments,
// which merge into the one model (docs/large-organizations.md). Groups are
// read from every file before any blueprint, since a blueprint may name a
// group another file defines.
func (l *Loader) build(docs []*parsed, layout *portal.Layout, ds *diag.Collector) (*portal.Config, lint.Facts) {
	b := &builder{
		format: l.format,
		today:  l.today,
		ds:     ds,
		cfg:    &portal.Config{File: docs[0].file, Groups: map[string][]string{}, Layout: layout},
		f:      lint.Facts{GroupEntries: map[string][]portal.Rule{}, Unicode: map[portal.Pos]string{}},
		layout: layout,
	}
	if len(docs) > 1 {
		b.defined = map[string]portal.Pos{}
	}
	blueprints := make([]*yaml.Node, len(docs))
	for i, d := range docs {
		b.at(d)
		doc := deref(d.root)
		b.duplicateKeys(doc, "key")
		for _, p := range pairs(doc) {
			switch key := keyString(p.k); key {
			case "version":
				if v, ok := intValue(deref(p.v)); ok && v == int64(int(v)) {
					b.cfg.Version = int(v) // the schema reports any but 1
				}
			case "organization":
				if isString(p.v) {
					b.cfg.Organization = strings.ToLower(deref(p.v).Value)
				}
			case "members":
				b.inScope(p.k, key)
				if !b.f.HasMembers {
					b.f.HasMembers = true
					b.f.MembersPos = b.pos(p.k)
				}
				b.members(p.v)
			case "groups":
				b.inScope(p.k, key)
				b.groups(p.v)
			case "organization_members":
				b.inScope(p.k, key)
				b.orgMembers(p.k, p.v)
			case "organization_roles":
				if b.format.seed {
					b.org()
					b.orgRoles(p.v)
				}
			case "policy":
				b.policy(p.k, p.v)
			case "blueprints":
				blueprints[i] = p.v
			}
		}
	}
	b.finishMembers()
	b.finishOrgMembers()
	b.cfg.Blueprints = make([]portal.Blueprint, 0, len(pairs(blueprints[0])))
	for i, d := range docs {
		b.at(d)
		b.blueprints(blueprints[i])
	}
	b.cfg.Sort()
	return b.cfg, b.f
}

// at makes d the document being read: what positions name, and its values
// holding a hidden control.
func (b *builder) at(d *parsed) {
	b.file, b.hidden, b.include = d.file, d.hidden, d.include
}

// inScope reports a section, written at key in the fragment being read, that
// its include does not let it define.
func (b *builder) inScope(key *yaml.Node, section string) {
	if b.include < 0 || b.layout.Includes[b.include].Members {
		return
	}
	inc := b.layout.Includes[b.include]
	b.add(b.pos(key), diag.Error, "out-of-scope", func() (string, string) {
		return fmt.Sprintf("%s may not define %s: the include at %s does not let its files define members, groups or organization_members", b.file, section, inc.Pos),
			"move these entries to the root file, or write `members: true` on that include"
	})
}

// blueprintInScope reports a blueprint of the fragment being read outside the
// scope its include gives it.
func (b *builder) blueprintInScope(key *yaml.Node, name string) {
	if b.include < 0 {
		return
	}
	inc := b.layout.Includes[b.include]
	for _, g := range inc.Blueprints {
		if ok, _ := path.Match(g, name); ok {
			return
		}
	}
	b.add(b.pos(key), diag.Error, "out-of-scope", func() (string, string) {
		scope := "no blueprint"
		if len(inc.Blueprints) > 0 {
			scope = "only the blueprints " + strings.Join(inc.Blueprints, ", ")
		}
		return fmt.Sprintf("blueprint %s is outside the scope of %s: the include at %s lets its files define %s", diag.Quote(name), b.file, inc.Pos, scope),
			fmt.Sprintf("move the blueprint to the file whose scope takes it (or the root file), or add %s to that include's blueprints", diag.Quote(name))
	})
}

// definedTwice reports an entry (what name) written in two files, and
// remembers where each is first written; in one file, the mapping's own
// duplicate check reports it.
func (b *builder) definedTwice(what, name string, at portal.Pos) bool {
	if b.defined == nil {
		return false
	}
	key := what + "\x00" + name
	first, dup := b.defined[key]
	if !dup {
		b.defined[key] = at
		return false
	}
	b.add(at, diag.Error, "duplicate-"+what, func() (string, string) {
		return fmt.Sprintf("%s %s is defined twice: here and at %s", what, diag.Quote(name), first),
			"keep one of the two: each entry lives in one file"
	})
	return true
}

// duplicateKeys reports keys written twice in one mapping. YAML keeps the last one
// silently; for a portal config that hides a mistake.
func (b *builder) duplicateKeys(n *yaml.Node, what string) map[*yaml.Node]bool {
	n = asMapping(n)
	if n == nil {
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
			b.add(b.pos(k), diag.Error, "duplicate-"+strings.ReplaceAll(what, " ", "-"), func() (string, string) {
				return fmt.Sprintf("duplicate %s %s: already defined at line %d", what, diag.Quote(name), f.Line),
					"merge the two entries into one: YAML would silently keep only the last"
			})
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
			b.f.Unicode[b.pos(n)] = n.Value
			return
		}
	}
}

// text returns the string value of n, or ok false when n is not a string, or
// holds a hidden control character (reported already).
func (b *builder) text(n *yaml.Node) (string, bool) {
	n = deref(n)
	if !isString(n) || b.hidden[n] {
		return "", false
	}
	return n.Value, true
}

// members reads a members: section into the model; finishMembers sorts
// them once every file is read.
func (b *builder) members(n *yaml.Node) {
	list := items(n)
	ms := slices.Grow(b.cfg.Members, len(list))
	for _, item := range list {
		b.duplicateKeys(item, "key")
		if item.Kind != yaml.MappingNode {
			continue
		}
		f := entryOf(item)
		email, role, status, expires := f.email, f.role, f.status, f.expires
		addr, ok := b.entryEmail(email, "member")
		if !ok {
			continue
		}
		m := portal.Member{Email: addr, Role: portal.RoleUser, Pos: b.pos(email)}
		if role != nil && role.Value == string(portal.RoleAdmin) {
			m.Role = portal.RoleAdmin
		}
		m.Expires, m.ExpiresPos = b.date(expires, addr)
		if b.format.seed {
			m.Status = portal.StatusActive
			if status != nil && status.Value == string(portal.StatusPending) {
				m.Status = portal.StatusPending
			}
			m.Invited = b.invited(f.invited, addr, m.Status)
		}
		ms = append(ms, m)
	}
	b.cfg.Members = ms
}

// finishMembers sorts the members of every file and reports an email listed
// twice. Duplicates are found by sorting, which the model needs anyway, rather
// than with a set of every email: the first one written is kept.
func (b *builder) finishMembers() {
	ms := b.cfg.Members
	portal.SortMembers(ms)
	kept := ms[:0]
	for i, m := range ms {
		if i > 0 && m.Email == kept[len(kept)-1].Email {
			first := kept[len(kept)-1].Pos
			b.add(m.Pos, diag.Error, "duplicate-member", func() (string, string) {
				return fmt.Sprintf("duplicate member %s: already listed at %s (emails compare case-insensitively)", m.Email, first.From(m.Pos)),
					"remove one of the two entries; keep the one with the role you want"
			})
			continue
		}
		kept = append(kept, m)
	}
	clear(ms[len(kept):])
	if len(kept) < cap(kept)/2 {
		kept = slices.Clone(kept) // mostly duplicates: do not keep room for them all
	}
	portal.PackEmails(kept)
	b.cfg.Members = kept
}

func (b *builder) groups(n *yaml.Node) {
	dups := b.duplicateKeys(n, "group")
	for _, p := range pairs(n) {
		if dups[p.k] || b.hidden[deref(p.k)] {
			continue
		}
		name := keyString(p.k)
		if b.definedTwice("group", name, b.pos(p.k)) {
			continue
		}
		seen := map[string]bool{}
		var emails []string
		var entries []portal.Rule
		for _, e := range items(p.v) {
			value, ok := b.text(e)
			if !ok {
				continue
			}
			addr, err := b.email(e, value)
			if err != nil {
				b.add(b.pos(e), diag.Error, "invalid-email", func() (string, string) {
					return fmt.Sprintf("invalid email %s in group %s: %v", diag.Quote(value), diag.Quote(name), err), "write an address like alice@company.com"
				})
				continue
			}
			if seen[addr] {
				b.add(b.pos(e), diag.Warning, "duplicate-rule", func() (string, string) {
					return fmt.Sprintf("group %s lists %s twice", diag.Quote(name), addr), "remove the second entry"
				})
				continue
			}
			seen[addr] = true
			emails = append(emails, addr)
			entries = append(entries, portal.Rule{Kind: portal.RuleEmail, Value: addr, Group: name, Pos: b.pos(e)})
		}
		b.cfg.Groups[name] = emails
		b.f.GroupEntries[name] = entries
	}
}

// A rule kind is a key of a blueprint that lists who may see it. Every kind is
// read by one loop (builder.rules): each string written under the key is
// normalised, a value its normaliser refuses is reported with the kind's
// diagnostic, and the others are expanded into the blueprint's rules. A new
// kind of rule is one entry of ruleKinds and its normaliser.
type ruleKind struct {
	key string // the blueprint's key: domains, emails, groups
	// normalise reads a value, written at node e, into its normal form; the
	// error says why it is not one.
	normalise func(b *builder, e *yaml.Node, value string) (string, error)
	// code is the code of a value normalise refuses; refused is its message
	// and hint, for a value written in blueprint bp.
	code    string
	refused func(b *builder, value, bp string, err error) (msg, hint string)
	// expand adds the rules a normalised value grants to the blueprint being
	// read (builder.bp), at the value's position.
	expand func(b *builder, value string, at portal.Pos)
	// grants is how many rules a value may grant, before it is read (sizeOf
	// says how many emails a group lists): a blueprint's rules are allocated
	// once, and guard.FitsModel bounds them before the model is built.
	grants func(sizeOf func(group string) int, value string) int
}

// ruleKinds are the keys that list a blueprint's rules, as portal.schema.json
// declares them.
var ruleKinds = [...]ruleKind{
	{
		key:       "domains",
		normalise: (*builder).domain,
		code:      "invalid-domain",
		refused: func(_ *builder, value, bp string, err error) (string, string) {
			return fmt.Sprintf("invalid domain %s in blueprint %s: %v", diag.Quote(value), diag.Quote(bp), err),
				"write a domain like company.com (no scheme, path or wildcard); to name one person use emails:"
		},
		expand: oneRule(portal.RuleDomain),
		grants: oneGrant,
	},
	{
		key:       "emails",
		normalise: (*builder).email,
		code:      "invalid-email",
		refused: func(_ *builder, value, bp string, err error) (string, string) {
			return fmt.Sprintf("invalid email %s in blueprint %s: %v", diag.Quote(value), diag.Quote(bp), err),
				"write an address like alice@company.com; to match a whole domain use domains:"
		},
		expand: oneRule(portal.RuleEmail),
		grants: oneGrant,
	},
	{
		// A group grants an email rule per email it lists, each marked with
		// the group; the blueprint records the groups it names (Blueprint.Groups).
		key:       "groups",
		normalise: (*builder).group,
		code:      "unknown-group",
		refused: func(b *builder, value, bp string, _ error) (string, string) {
			hint := "define it under `groups:` or fix the name"
			if c := suggest.Closest(value, b.sortedGroups(), 1); len(c) > 0 {
				hint = fmt.Sprintf("did you mean %q? otherwise define it under `groups:`", c[0])
			}
			return fmt.Sprintf("unknown group %s in blueprint %s", diag.Quote(value), diag.Quote(bp)), hint
		},
		expand: (*builder).expandGroup,
		grants: func(sizeOf func(string) int, group string) int { return sizeOf(group) },
	},
}

// ruleKindOf is the rule kind a blueprint's key lists, or nil.
func ruleKindOf(key string) *ruleKind {
	for i := range ruleKinds {
		if ruleKinds[i].key == key {
			return &ruleKinds[i]
		}
	}
	return nil
}

// oneRule expands a value into one rule of kind k.
func oneRule(k portal.RuleKind) func(*builder, string, portal.Pos) {
	return func(b *builder, value string, at portal.Pos) {
		b.bp.Rules = append(b.bp.Rules, portal.Rule{Kind: k, Value: value, Pos: at})
	}
}

func oneGrant(func(string) int, string) int { return 1 }

// domain reads a domain written at e into its normal form (portal.NormalizeDomain),
// noting it for the look-alike lint when it is written with non-ASCII characters.
func (b *builder) domain(e *yaml.Node, value string) (string, error) {
	b.noteUnicode(e)
	return portal.NormalizeDomain(value)
}

// email reads an email written at e into its normal form (portal.NormalizeEmail),
// noting it for the look-alike lint when it is written with non-ASCII characters.
func (b *builder) email(e *yaml.Node, value string) (string, error) {
	b.noteUnicode(e)
	return portal.NormalizeEmail(value)
}

// errUnknownGroup: a blueprint names a group groups: does not define.
var errUnknownGroup = errors.New("unknown group")

// group reads the name of a group, which groups: must define.
func (b *builder) group(_ *yaml.Node, name string) (string, error) {
	if _, ok := b.cfg.Groups[name]; !ok {
		return "", errUnknownGroup
	}
	return name, nil
}

// expandGroup adds an email rule per email of group, and records the group.
func (b *builder) expandGroup(group string, at portal.Pos) {
	emails := b.cfg.Groups[group]
	if len(emails) == 0 {
		b.emptyGroups = append(b.emptyGroups, group)
	}
	if !slices.Contains(b.bp.Groups, group) {
		b.bp.Groups = append(b.bp.Groups, group)
	}
	for _, addr := range emails {
		b.bp.Rules = append(b.bp.Rules, portal.Rule{Kind: portal.RuleEmail, Value: addr, Group: group, Pos: at})
	}
}

// sortedGroups are the groups' names, sorted: the candidates of a "did you
// mean" for an unknown group.
func (b *builder) sortedGroups() []string {
	if b.groupNames == nil {
		b.groupNames = make([]string, 0, len(b.cfg.Groups))
		for g := range b.cfg.Groups {
			b.groupNames = append(b.groupNames, g)
		}
		sort.Strings(b.groupNames)
	}
	return b.groupNames
}

// groupSize is how many emails group lists.
func (b *builder) groupSize(group string) int { return len(b.cfg.Groups[group]) }

// rules reads what the blueprint being read lists under the key of kind
// (list). It returns how many rules the file declares there: each string, and
// a value that is not a list (the schema reported it; it was meant as a rule).
func (b *builder) rules(kind *ruleKind, list *yaml.Node) (declared int) {
	if deref(list).Kind != yaml.SequenceNode {
		declared++
	}
	for _, e := range items(list) {
		value, ok := b.text(e)
		if !ok {
			continue
		}
		declared++
		v, err := kind.normalise(b, e, value)
		if err != nil {
			bp := b.bp.Name
			b.add(b.pos(e), diag.Error, kind.code, func() (string, string) { return kind.refused(b, value, bp, err) })
			continue
		}
		kind.expand(b, v, b.pos(e))
	}
	return declared
}

func (b *builder) blueprints(n *yaml.Node) {
	dups := b.duplicateKeys(n, "blueprint")
	all := pairs(n)
	sizeOf := b.groupSize
	var ids map[string]*yaml.Node // seed only: blueprint ids already seen
	for _, p := range all {
		if dups[p.k] || b.hidden[deref(p.k)] {
			continue
		}
		name := keyString(p.k)
		if name != "" {
			b.blueprintInScope(p.k, name)
			if b.definedTwice("blueprint", name, b.pos(p.k)) {
				continue
			}
		}
		v := asMapping(p.v)
		if name == "" || v == nil {
			if b.format.seed && name != "" && deref(p.v).ShortTag() == "!!null" {
				// A seed's blueprint with nothing said: open, as in the portal.
				b.cfg.Blueprints = append(b.cfg.Blueprints, portal.Blueprint{Name: name, Open: true, Pos: b.pos(p.k)})
			}
			continue // the schema reported it
		}
		b.duplicateKeys(v, "key")
		b.bp = portal.Blueprint{Name: name, Pos: b.pos(p.k), Rules: make([]portal.Rule, 0, ruleCount(v, sizeOf))}
		b.emptyGroups = b.emptyGroups[:0]
		bp := &b.bp
		var access *yaml.Node
		accessWritten := false
		declared := 0
		eachPair(v, func(k, fv *yaml.Node) {
			key := keyString(k)
			if kind := ruleKindOf(key); kind != nil {
				declared += b.rules(kind, fv)
				return
			}
			switch key {
			case "id":
				if id, ok := b.text(fv); ok && b.format.seed {
					if first, dup := ids[id]; dup {
						b.add(b.pos(fv), diag.Error, "duplicate-id", func() (string, string) {
							return fmt.Sprintf("duplicate blueprint id %s: already given at line %d", diag.Quote(id), first.Line), "give each blueprint its own id, or none (a random one is made)"
						})
					} else {
						if ids == nil {
							ids = map[string]*yaml.Node{}
						}
						ids[id] = deref(fv)
					}
					bp.ID = id
				}
			case "description":
				if d, ok := b.text(fv); ok && b.format.seed {
					bp.Description = d
				}
			case "owners":
				b.owners(name, fv)
			case "reviewed":
				bp.Reviewed, bp.ReviewedPos = b.dateValue(fv, fmt.Sprintf("reviewed of blueprint %s", diag.Quote(name)),
					"write a real day as YYYY-MM-DD, e.g. `reviewed: 2026-11-02`: the day the owners last confirmed who sees it")
				b.reviewedFuture(name)
			case "access":
				accessWritten = true
				if value, ok := b.text(fv); ok && value == "open" {
					access = deref(fv)
				}
			}
		})
		emptyGroups := b.emptyGroups
		switch {
		case access != nil && declared > 0:
			b.add(b.pos(access), diag.Error, "open-with-rules", func() (string, string) {
				return fmt.Sprintf("blueprint %s has `access: open` and rules: open access means every member, so the rules would be ignored", diag.Quote(name)),
					"remove `access: open` to restrict the blueprint to its rules, or remove the rules to open it"
			})
		case b.format.seed:
			// A seed describes a live portal, where a blueprint without rules is
			// open: nothing to report.
		case !accessWritten && declared == 0:
			b.add(b.pos(p.k), diag.Error, "no-rules", func() (string, string) {
				return fmt.Sprintf("blueprint %s has no rules and no `access: open`: it would be open to every member", diag.Quote(name)),
					"list who may see it (`domains: [company.com]`, `emails: [...]`, `groups: [...]`), or write `access: open` to open it on purpose"
			})
		case !accessWritten && len(bp.Rules) == 0 && len(emptyGroups) > 0 && len(emptyGroups) == declared:
			b.add(b.pos(p.k), diag.Error, "no-rules", func() (string, string) {
				return fmt.Sprintf("blueprint %s has no rules once its groups are expanded (empty: %s): it would be open to every member", diag.Quote(name), strings.Join(emptyGroups, ", ")),
					"add emails to the group, add other rules, or write `access: open` to open it on purpose"
			})
		}
		bp.Rules = b.dedupeRules(name, bp.Rules)
		bp.Open = access != nil && declared == 0 || b.format.seed && len(bp.Rules) == 0
		b.cfg.Blueprints = append(b.cfg.Blueprints, *bp)
	}
	b.bp = portal.Blueprint{}
}

// owners reads the owners: list of blueprint name (the one being read): each a
// normalised email, once, in the file's order.
func (b *builder) owners(name string, list *yaml.Node) {
	for _, e := range items(list) {
		value, ok := b.text(e)
		if !ok {
			continue
		}
		addr, err := b.email(e, value)
		if err != nil {
			b.add(b.pos(e), diag.Error, "invalid-email", func() (string, string) {
				return fmt.Sprintf("invalid owner %s of blueprint %s: %v", diag.Quote(value), diag.Quote(name), err), "write a member's address like alice@company.com"
			})
			continue
		}
		if slices.Contains(b.bp.Owners, addr) {
			b.add(b.pos(e), diag.Warning, "duplicate-owner", func() (string, string) {
				return fmt.Sprintf("blueprint %s lists owner %s twice", diag.Quote(name), addr), "remove the second entry"
			})
			continue
		}
		if _, ok := slices.BinarySearchFunc(b.cfg.Members, addr, func(m portal.Member, e string) int { return strings.Compare(m.Email, e) }); !ok && !b.format.seed {
			b.add(b.pos(e), diag.Error, "unknown-owner", func() (string, string) {
				return fmt.Sprintf("owner %s of blueprint %s is not a member: owners review who sees the blueprint, in the portal", addr, diag.Quote(name)),
					fmt.Sprintf("list %s under `members:`, or name another owner", addr)
			})
		}
		b.bp.Owners = append(b.bp.Owners, addr)
		b.bp.OwnersPos = append(b.bp.OwnersPos, b.pos(e))
	}
}

// reviewedFuture reports a reviewed: date of blueprint name (the one being
// read) after today: a review not yet made cannot be signed off.
func (b *builder) reviewedFuture(name string) {
	r := b.bp.Reviewed
	if r.IsZero() || b.today.IsZero() || !b.today.Before(r) {
		return
	}
	b.add(b.bp.ReviewedPos, diag.Error, "future-review", func() (string, string) {
		return fmt.Sprintf("blueprint %s is reviewed on %s, after today (%s): a review is dated the day it was made", diag.Quote(name), r, b.today),
			fmt.Sprintf("write the day of the last review, at the latest `reviewed: %s` (`portalctl review --write` writes today)", b.today)
	})
}

// dedupeRules sorts a blueprint's rules and drops repeated ones, keeping the
// first written, except that an email written on the blueprint itself wins over
// the same email a group brings (so that a rule without a group is one the file
// writes), and warning about a rule written again (not about an email a group
// brings that is also listed: that is no mistake).
func (b *builder) dedupeRules(name string, rules []portal.Rule) []portal.Rule {
	slices.SortStableFunc(rules, func(a, b portal.Rule) int {
		switch {
		case portal.LessKey(a.Key(), b.Key()):
			return -1
		case portal.LessKey(b.Key(), a.Key()):
			return 1
		}
		return 0
	})
	kept := rules[:0]
	for i, r := range rules {
		if i > 0 && r.Key() == kept[len(kept)-1].Key() {
			if last := &kept[len(kept)-1]; last.Group != "" && r.Group == "" {
				*last = r
				continue
			}
			if r.Group == "" {
				b.add(r.Pos, diag.Warning, "duplicate-rule", func() (string, string) {
					return fmt.Sprintf("blueprint %s lists %s twice", diag.Quote(name), r), "remove the second entry"
				})
			}
			continue
		}
		kept = append(kept, r)
	}
	clear(rules[len(kept):])
	return kept
}

// ruleCount is how many rules the blueprint v declares at most, groups expanded
// (sizeOf says how many emails a group lists): its rules are allocated once.
func ruleCount(v *yaml.Node, sizeOf func(group string) int) int {
	n := 0
	eachPair(v, func(k, fv *yaml.Node) {
		if kind := ruleKindOf(keyString(k)); kind != nil {
			for _, e := range items(fv) {
				n += kind.grants(sizeOf, e.Value)
			}
		}
	})
	return n
}

// entry holds the values of the keys of a member's or an organization member's
// entry (nil where absent).
type entry struct{ email, role, status, id, expires, invited *yaml.Node }

// entryOf reads the keys of an entry, a mapping.
func entryOf(item *yaml.Node) entry {
	var e entry
	eachPair(item, func(k, v *yaml.Node) {
		switch keyString(k) {
		case "email":
			e.email = deref(v)
		case "role":
			e.role = deref(v)
		case "status":
			e.status = deref(v)
		case "id":
			e.id = deref(v)
		case "expires":
			e.expires = deref(v)
		case "invited":
			e.invited = deref(v)
		}
	})
	return e
}

// entryEmail reads the email of an entry of kind what ("member", "organization
// member"), normalised; false when it has none (the schema says so) or it is not
// an address (said here).
func (b *builder) entryEmail(email *yaml.Node, what string) (string, bool) {
	value, ok := b.text(email)
	if !ok {
		return "", false
	}
	addr, err := b.email(email, value)
	if err != nil {
		b.add(b.pos(email), diag.Error, "invalid-email", func() (string, string) {
			return fmt.Sprintf("invalid %s email %s: %v", what, diag.Quote(value), err), "write an address like alice@company.com"
		})
		return "", false
	}
	return addr, true
}

// date reads an expires value of the entry of email (see dateValue).
func (b *builder) date(n *yaml.Node, email string) (portal.Date, portal.Pos) {
	return b.dateValue(n, "expires of "+email, "write a real day as YYYY-MM-DD, e.g. `expires: 2026-12-01` (access ends at the start of that day, UTC)")
}

// dateValue reads a date value (what names it, hint says what to write): a
// YYYY-MM-DD date, quoted or not (YAML reads an unquoted one as a timestamp).
// A value of that shape that is not a day of the calendar is an error here;
// any other shape, the schema's.
func (b *builder) dateValue(n *yaml.Node, what, hint string) (portal.Date, portal.Pos) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || b.hidden[n] {
		return portal.Date{}, portal.Pos{}
	}
	if tag := n.ShortTag(); tag != "!!str" && tag != "!!timestamp" || !dateShape(n.Value) {
		return portal.Date{}, portal.Pos{}
	}
	d, err := portal.ParseDate(n.Value)
	if err != nil {
		b.add(b.pos(n), diag.Error, "bad-date", func() (string, string) {
			return fmt.Sprintf("%s: %v", what, err), hint
		})
		return portal.Date{}, portal.Pos{}
	}
	return d, b.pos(n)
}

// invited reads a seed entry's invited: date, the day a pending invitation was
// sent (the API's created_at); on an entry of another status it is an error.
func (b *builder) invited(n *yaml.Node, email string, status portal.Status) portal.Date {
	if n == nil {
		return portal.Date{}
	}
	d, pos := b.dateValue(n, "invited of "+email, "write the day the invitation was sent as YYYY-MM-DD, e.g. `invited: 2026-10-01`")
	if !d.IsZero() && status != portal.StatusPending {
		b.add(pos, diag.Error, "bad-value", func() (string, string) {
			return fmt.Sprintf("%s has invited: but is not pending: only a pending invitation has a day it was sent", email), "write `status: pending` on the entry, or remove invited:"
		})
		return portal.Date{}
	}
	return d
}

// dateShape reports whether s is written as YYYY-MM-DD, digits aside (what the
// schema's pattern for expires accepts).
func dateShape(s string) bool {
	if len(s) != len("2006-01-02") {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch {
		case i == 4 || i == 7:
			if s[i] != '-' {
				return false
			}
		case s[i] < '0' || s[i] > '9':
			return false
		}
	}
	return true
}
