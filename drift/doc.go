package drift

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/yamledit"
)

// doc is one file of the configuration and the edits planned on it. Edits are
// collected first, then made at once (apply): deletions, then scalars set,
// then insertions, as yamledit composes them.
type doc struct {
	name      string
	data      []byte
	eol       string
	root, top *yaml.Node // nil: the file holds no document yet
	ed        *yamledit.Editor

	dels    []*listDel
	delKeys []keyDel
	sets    []scalarSet
	adds    []*pending
	changes []Change
}

type listDel struct {
	key, seq *yaml.Node
	marks    []bool
}

type keyDel struct{ mapping, key *yaml.Node }

type scalarSet struct {
	value *yaml.Node
	text  string
}

// pending is what goes into the collection written under key in parent:
// into value when the key is there, else a new key (parent nil: the file has
// no document yet, and the key is a new section at its end).
type pending struct {
	parent *yaml.Node
	key    string
	value  *yaml.Node
	// items are list items, or entries (mapping: true) as "key" and
	// "value" texts.
	mapping bool
	items   []string
	values  []string
	// flow: a new list is written [a, b], else as a block.
	flow bool
}

func (d *doc) change(line int, op Op, text string, removals int, admin string) {
	d.changes = append(d.changes, Change{File: d.name, Line: line, Op: op, Text: text, Removals: removals, Admin: admin})
}

// errAt is an error at node n of the file, with what to do.
func (d *doc) errAt(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", d.name, n.Line, n.Column, fmt.Sprintf(format, args...))
}

// direct refuses a node written as an alias: its edit would change what is
// written elsewhere, where the anchor is.
func (d *doc) direct(n *yaml.Node, what string) error {
	if n != nil && n.Kind == yaml.AliasNode {
		return d.errAt(n, "%s is written as the alias *%s: sync does not edit what is written elsewhere; make the change by hand", what, n.Value)
	}
	return nil
}

// entry finds key in the mapping m: its key and value nodes, or nils.
func entry(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		kn := m.Content[i]
		for kn.Kind == yaml.AliasNode && kn.Alias != nil {
			kn = kn.Alias
		}
		if kn.Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// deref is n, or what the alias n stands for.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// sectionLine is the line of the section key, or the file's last line when
// the file lacks it (what is added goes at the end).
func (d *doc) sectionLine(key string) int {
	if k, _ := entry(d.top, key); k != nil {
		return k.Line
	}
	return max(1, bytes.Count(bytes.TrimRight(d.data, "\r\n"), []byte("\n"))+1)
}

// pendingOf is the insertion into key of parent (nil with d.top nil: a new
// section), made once.
func (d *doc) pendingOf(parent *yaml.Node, key string, mapping, flow bool) (*pending, error) {
	for _, p := range d.adds {
		if p.parent == parent && p.key == key {
			return p, nil
		}
	}
	p := &pending{parent: parent, key: key, mapping: mapping, flow: flow}
	if parent != nil {
		_, v := entry(parent, key)
		if err := d.direct(v, key); err != nil {
			return nil, err
		}
		p.value = v
	}
	d.adds = append(d.adds, p)
	return p, nil
}

// insertItem plans appending an item (YAML text) to the top-level list key.
func (d *doc) insertItem(key, text string) error {
	p, err := d.pendingOf(d.top, key, false, false)
	if err != nil {
		return err
	}
	p.items = append(p.items, text)
	return nil
}

// item finds the item of the top-level list key whose email is email.
func (d *doc) item(key, email string) (seqKey, seq, item *yaml.Node, at int, err error) {
	k, v := entry(d.top, key)
	if k == nil {
		return nil, nil, nil, 0, fmt.Errorf("%s: no %s section holds %s", d.name, key, email)
	}
	if err := d.direct(v, key); err != nil {
		return nil, nil, nil, 0, err
	}
	if v.Kind != yaml.SequenceNode {
		return nil, nil, nil, 0, d.errAt(v, "%s is not a list", key)
	}
	for i, it := range v.Content {
		_, e := entry(deref(it), "email")
		e = deref(e)
		if e == nil || e.Kind != yaml.ScalarNode {
			continue
		}
		if n, err := portal.NormalizeEmail(e.Value); err == nil && n == email {
			if err := d.direct(it, "the entry of "+email); err != nil {
				return nil, nil, nil, 0, err
			}
			return k, v, it, i, nil
		}
	}
	return nil, nil, nil, 0, d.errAt(v, "cannot find the entry of %s in %s: edit it by hand", email, key)
}

// markDelete plans deleting item i of the list seq, the value of key.
func (d *doc) markDelete(key, seq *yaml.Node, i int) {
	for _, l := range d.dels {
		if l.seq == seq {
			l.marks[i] = true
			return
		}
	}
	l := &listDel{key: key, seq: seq, marks: make([]bool, len(seq.Content))}
	l.marks[i] = true
	d.dels = append(d.dels, l)
}

// deleteItem plans deleting the entry of email from the top-level list key.
func (d *doc) deleteItem(key, email string) (int, error) {
	k, seq, it, i, err := d.item(key, email)
	if err != nil {
		return 0, err
	}
	d.markDelete(k, seq, i)
	return it.Line, nil
}

// setRole plans giving the member f of the file role: role: admin written
// or set; back to user, the role key deleted, or set to user when the file
// writes `role: user` for someone.
func (d *doc) setRole(f portal.Member, role portal.Role) error {
	_, seq, it, _, err := d.item("members", f.Email)
	if err != nil {
		return err
	}
	k, v := entry(it, "role")
	if err := d.direct(v, "the role of "+f.Email); err != nil {
		return err
	}
	line := it.Line
	switch {
	case v != nil:
		line = v.Line
		if role == portal.RoleUser && !writesUser(seq) {
			d.delKeys = append(d.delKeys, keyDel{it, k})
		} else {
			d.sets = append(d.sets, scalarSet{v, string(role)})
		}
	case role == portal.RoleAdmin:
		p, err := d.pendingOf(it, "role", false, false)
		if err != nil {
			return err
		}
		p.value, p.mapping = it, true // a key of the item itself
		p.items, p.values = append(p.items, "role"), append(p.values, "admin")
	}
	admin := ""
	if f.Role == portal.RoleAdmin {
		admin = f.Email
	}
	d.change(line, Edit, fmt.Sprintf("role of %s: %s → %s", f.Email, f.Role, role), 0, admin)
	return nil
}

// writesUser reports whether a member of the list is written `role: user`.
func writesUser(seq *yaml.Node) bool {
	return slices.ContainsFunc(seq.Content, func(it *yaml.Node) bool {
		_, v := entry(deref(it), "role")
		v = deref(v)
		return v != nil && v.Value == string(portal.RoleUser)
	})
}

// setOrgRole plans giving the organization member f the role named role.
func (d *doc) setOrgRole(f portal.OrgMember, role string) error {
	_, _, it, _, err := d.item("organization_members", f.Email)
	if err != nil {
		return err
	}
	_, v := entry(it, "role")
	if v == nil {
		return d.errAt(it, "the entry of %s has no role: write `role: %s`", f.Email, role)
	}
	if err := d.direct(v, "the role of "+f.Email); err != nil {
		return err
	}
	d.sets = append(d.sets, scalarSet{v, role})
	d.change(v.Line, Edit, fmt.Sprintf("organization role of %s: %s → %s", f.Email, f.Role, role), 0, "")
	return nil
}

// bpEdit is a blueprint of the file, as edited.
type bpEdit struct {
	d          *doc
	key, value *yaml.Node
}

func (d *doc) blueprints() (k, v *yaml.Node, err error) {
	k, v = entry(d.top, "blueprints")
	if k == nil {
		return nil, nil, nil
	}
	if err := d.direct(v, "blueprints"); err != nil {
		return nil, nil, err
	}
	return k, v, nil
}

func (d *doc) blueprint(name string) (*bpEdit, error) {
	_, bps, err := d.blueprints()
	if err != nil {
		return nil, err
	}
	k, v := entry(bps, name)
	if k == nil {
		return nil, fmt.Errorf("%s: cannot find blueprint %s: edit it by hand", d.name, name)
	}
	if err := d.direct(v, "blueprint "+name); err != nil {
		return nil, err
	}
	if v.Kind != yaml.MappingNode {
		return nil, d.errAt(v, "blueprint %s is not a mapping", name)
	}
	return &bpEdit{d: d, key: k, value: v}, nil
}

// list is the blueprint's list key (domains, emails, groups), or nils.
func (b *bpEdit) list(key string) (k, v *yaml.Node, err error) {
	k, v = entry(b.value, key)
	if err := b.d.direct(v, key+" of blueprint "+b.key.Value); err != nil {
		return nil, nil, err
	}
	return k, v, nil
}

// find is the index of the item of list key that reads value (normalised by
// norm, when given), or -1.
func (b *bpEdit) find(key, value string, norm func(string) (string, error)) (k, seq *yaml.Node, i int, err error) {
	k, seq, err = b.list(key)
	if err != nil || seq == nil || seq.Kind != yaml.SequenceNode {
		return nil, nil, -1, err
	}
	for i, it := range seq.Content {
		it := deref(it)
		if it.Kind != yaml.ScalarNode {
			continue
		}
		v := it.Value
		if norm != nil {
			if n, err := norm(v); err == nil {
				v = n
			}
		}
		if v == value {
			return k, seq, i, nil
		}
	}
	return k, seq, -1, nil
}

func (b *bpEdit) listHas(key, value string, norm func(string) (string, error)) bool {
	_, _, i, err := b.find(key, value, norm)
	return err == nil && i >= 0
}

func (b *bpEdit) deleteListItem(key, value string, norm func(string) (string, error)) (int, error) {
	k, seq, i, err := b.find(key, value, norm)
	if err != nil {
		return 0, err
	}
	if i < 0 {
		return 0, b.d.errAt(b.key, "blueprint %s: cannot find %s in its %s: edit it by hand", b.key.Value, value, key)
	}
	if err := b.d.direct(seq.Content[i], value); err != nil {
		return 0, err
	}
	b.d.markDelete(k, seq, i)
	return seq.Content[i].Line, nil
}

func (b *bpEdit) insertListItem(key, value string) error {
	p, err := b.d.pendingOf(b.value, key, false, true)
	if err != nil {
		return err
	}
	p.items = append(p.items, yamledit.Scalar(value))
	return nil
}

func (b *bpEdit) deleteKey(key string) error {
	k, v := entry(b.value, key)
	if k == nil {
		return nil
	}
	if err := b.d.direct(v, key+" of blueprint "+b.key.Value); err != nil {
		return err
	}
	b.d.delKeys = append(b.d.delKeys, keyDel{b.value, k})
	return nil
}

// openUp plans turning the blueprint's rules into access: open.
func (b *bpEdit) openUp() error {
	for _, key := range []string{"domains", "emails", "groups"} {
		if err := b.deleteKey(key); err != nil {
			return err
		}
	}
	p, err := b.d.pendingOf(b.value, "access", true, false)
	if err != nil {
		return err
	}
	p.value, p.items, p.values = b.value, []string{"access"}, []string{"open"}
	return nil
}

// blueprintText is the value written for a blueprint the files lack.
func blueprintText(b portal.Blueprint) string {
	if b.Open {
		return "access: open"
	}
	var domains, emails []string
	for _, r := range b.Rules {
		if r.Kind == portal.RuleDomain {
			domains = append(domains, yamledit.Scalar(r.Value))
		} else {
			emails = append(emails, yamledit.Scalar(r.Value))
		}
	}
	var lines []string
	if len(domains) > 0 {
		lines = append(lines, "domains: ["+strings.Join(domains, ", ")+"]")
	}
	if len(emails) > 0 {
		lines = append(lines, "emails: ["+strings.Join(emails, ", ")+"]")
	}
	return strings.Join(lines, "\n")
}

func (d *doc) insertBlueprint(b portal.Blueprint) error {
	_, bps, err := d.blueprints()
	if err != nil {
		return err
	}
	p, err := d.pendingOf(d.top, "blueprints", true, false)
	if err != nil {
		return err
	}
	p.value = bps
	p.items, p.values = append(p.items, b.Name), append(p.values, blueprintText(b))
	return nil
}

func (d *doc) deleteBlueprint(name string) (int, error) {
	_, bps, err := d.blueprints()
	if err != nil {
		return 0, err
	}
	k, _ := entry(bps, name)
	if k == nil {
		return 0, fmt.Errorf("%s: cannot find blueprint %s: delete it by hand", d.name, name)
	}
	d.delKeys = append(d.delKeys, keyDel{bps, k})
	return k.Line, nil
}

// apply makes the planned edits and returns the file's new bytes.
func (d *doc) apply() ([]byte, error) {
	if d.top == nil {
		return d.appendSections()
	}
	fail := func(err error) ([]byte, error) {
		return nil, fmt.Errorf("%s:%w; make the change by hand", d.name, err)
	}
	for _, l := range d.dels {
		if _, err := d.ed.DeleteItems(l.key, l.seq, l.marks); err != nil {
			return fail(err)
		}
	}
	for _, k := range d.delKeys {
		if err := d.ed.DeleteKeys(k.mapping, k.key); err != nil {
			return fail(err)
		}
	}
	for _, s := range d.sets {
		if err := d.ed.SetScalar(s.value, s.text); err != nil {
			return fail(err)
		}
	}
	// What goes into a nested collection is written before what goes into
	// the one around it, where both go at one offset (the end of both).
	adds := slices.Clone(d.adds)
	slices.SortStableFunc(adds, func(a, b *pending) int { return b.column() - a.column() })
	for _, p := range adds {
		if err := d.insert(p); err != nil {
			return fail(err)
		}
	}
	return d.ed.Bytes(), nil
}

// insert makes one planned insertion.
func (d *doc) insert(p *pending) error {
	if p.value != nil {
		for i, it := range p.items {
			var err error
			if p.mapping {
				err = d.ed.InsertKey(p.value, it, p.values[i])
			} else {
				err = d.ed.InsertItem(p.value, it)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	return d.ed.InsertKey(p.parent, p.key, p.text())
}

// column is how deep the insertion is: the column of the collection that
// takes it.
func (p *pending) column() int {
	n := p.value
	if n == nil || n.Kind == yaml.ScalarNode {
		n = p.parent
	}
	if len(n.Content) > 0 {
		return n.Content[0].Column
	}
	return n.Column
}

// text is the value of a new key, as YAML text.
func (p *pending) text() string {
	var b strings.Builder
	switch {
	case p.mapping:
		for i, k := range p.items {
			v := p.values[i]
			if strings.Contains(v, "\n") || strings.Contains(v, ": ") {
				b.WriteString(yamledit.Scalar(k) + ":\n" + indent(v, "  ") + "\n")
			} else {
				b.WriteString(yamledit.Scalar(k) + ": " + v + "\n")
			}
		}
	case p.flow:
		return "[" + strings.Join(p.items, ", ") + "]"
	default:
		for _, it := range p.items {
			b.WriteString("- " + strings.ReplaceAll(it, "\n", "\n  ") + "\n")
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func indent(s, by string) string {
	return by + strings.ReplaceAll(s, "\n", "\n"+by)
}

// appendSections writes the new sections of a file with no document yet at
// its end, after its comments.
func (d *doc) appendSections() ([]byte, error) {
	var b strings.Builder
	b.Write(d.data)
	if len(d.data) > 0 && !bytes.HasSuffix(d.data, []byte("\n")) {
		b.WriteString(d.eol)
	}
	for _, p := range d.adds {
		if p.parent != nil {
			return nil, fmt.Errorf("%s: an edit inside a file with nothing yet", d.name)
		}
		text := p.key + ":\n" + indent(p.text(), "  ") + "\n"
		b.WriteString(strings.ReplaceAll(text, "\n", d.eol))
	}
	return []byte(b.String()), nil
}
