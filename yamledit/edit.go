package yamledit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
)

// target is where the entries inserted into a collection go, decided by the
// first insertion into it.
type target struct {
	kind   yaml.Kind       // what the collection is, or becomes: a sequence or a mapping
	at     int             // the offset where inserted text goes
	flow   bool            // written inline, entries separated by commas
	sep    bool            // flow: the next entry needs a comma before it
	indent string          // block: the spaces before the dashes or the keys
	lead   string          // block: a line ending, when at is the end of a file that has none
	keys   map[string]bool // mapping: the keys inserted
}

// InsertItem plans appending an item, written as YAML text (a scalar, a flow
// collection, or a block list or mapping on several lines: "email: a@b.c\nrole:
// admin"), to the list seq.
//
// In a block list the item goes after the last item, at its dashes' column
// (a list written at its key's column, "key:\n- a", included), before the
// comments and blank lines that belong to what follows. In a flow list ([a, b])
// it goes after the last item with a comma, written inline (a block mapping is
// rewritten as {a: 1}). seq may also be the null value of a key ("members:" or
// "members: ~"), or an empty flow list ("members: []") given a block item: the
// key then gets a block list, two spaces deeper than the key.
func (e *Editor) InsertItem(seq *yaml.Node, itemYAML string) error {
	v, err := parseValue(itemYAML)
	if err != nil {
		return fmt.Errorf("%s: the item: %w", where(seq), err)
	}
	t, err := e.target(seq, yaml.SequenceNode, v.block)
	if err != nil {
		return err
	}
	if t.flow {
		text, err := v.flowText()
		if err != nil {
			return fmt.Errorf("%s: the item: %w", where(seq), err)
		}
		e.flowInsert(t, text)
		return nil
	}
	var b strings.Builder
	b.WriteString(t.lead)
	t.lead = ""
	for i, l := range v.lines {
		switch {
		case i == 0 && l == "":
			b.WriteString(t.indent + "-")
		case i == 0:
			b.WriteString(t.indent + "- " + l)
		case l != "":
			b.WriteString(t.indent + "  " + l)
		}
		b.WriteString(e.eol)
	}
	e.inserts = append(e.inserts, insert{at: t.at, text: b.String(), lines: true})
	return nil
}

// InsertKey plans adding key with its value, written as YAML text (a scalar, a
// flow collection, a block list or mapping on several lines, or "" for a null),
// at the end of mapping: in a block mapping, after its last entry, in its keys'
// indentation, a block value two spaces deeper; in a flow mapping ({a: 1}),
// after its last entry with a comma. mapping may be the document (a new
// section at the end of the file), the null value of a key ("groups:"), or an
// empty flow mapping ("groups: {}") given a block value. The key is written as
// Scalar writes it; a key the mapping has already is refused.
func (e *Editor) InsertKey(mapping *yaml.Node, key, valueYAML string) error {
	if mapping != nil && mapping.Kind == yaml.DocumentNode {
		if len(mapping.Content) == 0 {
			return errors.New("the document is empty: write its first key by hand")
		}
		mapping = mapping.Content[0]
	}
	v, err := parseValue(valueYAML)
	if err != nil {
		return fmt.Errorf("%s: the value of %s: %w", where(mapping), key, err)
	}
	if mapping != nil && mapping.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(mapping.Content); i += 2 {
			if k := mapping.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key && !e.deleted[k] {
				return fmt.Errorf("%s: the mapping has the key %s already", where(k), key)
			}
		}
	}
	t, err := e.target(mapping, yaml.MappingNode, v.block)
	if err != nil {
		return err
	}
	if t.keys[key] {
		return fmt.Errorf("%s: the key %s is inserted already", where(mapping), key)
	}
	t.keys[key] = true
	k := Scalar(key)
	if t.flow {
		text, err := v.flowText()
		if err != nil {
			return fmt.Errorf("%s: the value of %s: %w", where(mapping), key, err)
		}
		e.flowInsert(t, k+": "+text)
		return nil
	}
	var b strings.Builder
	b.WriteString(t.lead)
	t.lead = ""
	switch {
	case v.node == nil:
		b.WriteString(t.indent + k + ":" + e.eol)
	case !v.block:
		b.WriteString(t.indent + k + ": " + v.lines[0] + e.eol)
	default:
		b.WriteString(t.indent + k + ":" + e.eol)
		for _, l := range v.lines {
			if l != "" {
				b.WriteString(t.indent + "  " + l)
			}
			b.WriteString(e.eol)
		}
	}
	e.inserts = append(e.inserts, insert{at: t.at, text: b.String(), lines: true})
	return nil
}

// flowInsert plans writing an entry into a flow collection.
func (e *Editor) flowInsert(t *target, text string) {
	if t.sep {
		text = ", " + text
	}
	t.sep = true
	e.Insert(t.at, text)
}

// target decides where entries inserted into n go, once: n is a collection of
// kind written in place, or a null value or an empty flow collection of a
// block mapping's key, which a block entry turns into a block collection.
func (e *Editor) target(n *yaml.Node, kind yaml.Kind, block bool) (*target, error) {
	if n == nil {
		return nil, errors.New("no node given")
	}
	if t := e.targets[n]; t != nil {
		if t.kind != kind {
			return nil, fmt.Errorf("%s: it becomes a %s with what is inserted already", where(n), kindName(t.kind))
		}
		return t, nil
	}
	if err := e.checkEdit(n); err != nil {
		return nil, err
	}
	var t *target
	var err error
	switch {
	case n.Kind == kind && n.Style&yaml.FlowStyle != 0:
		t, err = e.flowTarget(n, block)
	case n.Kind == kind && kind == yaml.SequenceNode:
		t, err = e.blockSeqTarget(n)
	case n.Kind == kind:
		t, err = e.blockMapTarget(n)
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null":
		t, err = e.nullTarget(n)
	default:
		return nil, fmt.Errorf("%s: not a %s written in place (a %s)", where(n), kindName(kind), kindName(n.Kind))
	}
	if err != nil {
		return nil, err
	}
	t.kind = kind
	t.keys = map[string]bool{}
	e.targets[n] = t
	e.edited = append(e.edited, n)
	return t, nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	case yaml.AliasNode:
		return "alias"
	case yaml.DocumentNode:
		return "document"
	}
	return "scalar"
}

// where is a node's position, line:column.
func where(n *yaml.Node) string {
	if n == nil {
		return "?"
	}
	return fmt.Sprintf("%d:%d", n.Line, n.Column)
}

// flowTarget: after the last entry kept, with a comma, or just inside the
// bracket. An empty flow collection, value of a block mapping's key on the
// key's line, given a block entry, becomes a block collection.
func (e *Editor) flowTarget(n *yaml.Node, block bool) (*target, error) {
	open, entries, closing, err := e.flowSpans(n)
	if err != nil {
		return nil, err
	}
	step := 1
	if n.Kind == yaml.MappingNode {
		step = 2
	}
	if len(entries)*step != len(n.Content) {
		return nil, fmt.Errorf("%s: cannot read the flow collection's entries: edit it by hand", where(n))
	}
	last := -1
	for i := range entries {
		if !e.deleted[n.Content[i*step]] {
			last = i
		}
	}
	if last >= 0 {
		return &target{flow: true, at: entries[last].to, sep: true}, nil
	}
	if block && n.Anchor == "" && n.Style&yaml.TaggedStyle == 0 && e.lineOf(closing+1) == n.Line {
		if key, m := e.parentKey(n); key != nil && m.Style&yaml.FlowStyle == 0 && key.Line == n.Line {
			colon, err := e.colon(key)
			if err != nil {
				return nil, err
			}
			t, err := e.under(key)
			if err != nil {
				return nil, err
			}
			e.Delete(colon, closing+1)
			return t, nil
		}
	}
	return &target{flow: true, at: open + 1}, nil
}

// nullTarget: the null value of a block mapping's key, written on the key's
// line ("key:" or "key: ~"), becomes a block collection.
func (e *Editor) nullTarget(n *yaml.Node) (*target, error) {
	key, m := e.parentKey(n)
	switch {
	case key == nil || m.Style&yaml.FlowStyle != 0:
		return nil, fmt.Errorf("%s: a null that is no block mapping's value: write the collection by hand", where(n))
	case n.Anchor != "" || n.Style&yaml.TaggedStyle != 0 || n.Line != key.Line:
		return nil, fmt.Errorf("%s: a null written with an anchor or a tag, or on its own line: write the collection by hand", where(n))
	}
	colon, err := e.colon(key)
	if err != nil {
		return nil, err
	}
	if n.Value != "" {
		at := e.Offset(n.Line, n.Column)
		if !bytes.HasPrefix(e.data[at:], []byte(n.Value)) {
			return nil, fmt.Errorf("%s: cannot find the null's text", where(n))
		}
		e.Delete(colon, at+len(n.Value))
	}
	return e.under(key)
}

// under is a block collection's place under key, on the lines after the key's,
// two spaces deeper.
func (e *Editor) under(key *yaml.Node) (*target, error) {
	if err := e.noTab(key); err != nil {
		return nil, err
	}
	t := &target{at: e.lines[key.Line], indent: strings.Repeat(" ", key.Column+1)}
	if t.at == len(e.data) && !bytes.HasSuffix(e.data, []byte("\n")) {
		t.lead = e.eol
	}
	return t, nil
}

// noTab refuses a node whose line holds a tab before it: the editor counts
// columns in characters, and would indent what it writes wrongly.
func (e *Editor) noTab(n *yaml.Node) error {
	t := e.text(n.Line - 1)
	at := e.Offset(n.Line, n.Column) - e.lineStart(n.Line-1)
	if bytes.IndexByte(t[:min(at, len(t))], '\t') >= 0 {
		return fmt.Errorf("%s: a tab before it on line %d: indent with spaces", where(n), n.Line)
	}
	return nil
}

// blockSeqTarget: after the last item, at its dashes' column.
func (e *Editor) blockSeqTarget(seq *yaml.Node) (*target, error) {
	c := e.dashColumn(seq)
	if c == 0 {
		return nil, fmt.Errorf("%s: cannot find the dash of the list's first item", where(seq))
	}
	item := seq.Content[len(seq.Content)-1]
	from := e.dashLine(item.Line-1, c, seq.Line-1)
	for _, ln := range []int{e.dashLine(seq.Content[0].Line-1, c, seq.Line-1), from} {
		if bytes.IndexByte(e.text(ln)[:c-1], '\t') >= 0 {
			return nil, fmt.Errorf("%d:%d: a tab before the dash: indent with spaces", ln+1, c)
		}
	}
	return e.after(from, c-1, item), nil
}

// blockMapTarget: after the last entry, at its keys' column.
func (e *Editor) blockMapTarget(m *yaml.Node) (*target, error) {
	if err := e.plainKeys(m); err != nil {
		return nil, err
	}
	first, last := m.Content[0], m.Content[len(m.Content)-2]
	for _, k := range []*yaml.Node{first, last} {
		if err := e.noTab(k); err != nil {
			return nil, err
		}
	}
	return e.after(last.Line-1, first.Column-1, m.Content[len(m.Content)-1]), nil
}

// plainKeys refuses a mapping with a merge key (<<: what is inserted or
// deleted would interact with what it merges) or a key written "? key", or no
// entries.
func (e *Editor) plainKeys(m *yaml.Node) error {
	if len(m.Content) == 0 {
		return fmt.Errorf("%s: an empty mapping written in block style", where(m))
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			return fmt.Errorf("%s: the mapping merges another (<<): edit it by hand", where(k))
		}
		if at := e.Offset(k.Line, k.Column); m.Style&yaml.FlowStyle == 0 && at < len(e.data) && e.data[at] == '?' {
			return fmt.Errorf("%s: a key written with \"?\": edit the mapping by hand", where(k))
		}
	}
	return nil
}

// after is the place after the block collection whose last entry starts on
// line from (0-based) and whose entries sit at column ind (0-based), before
// the blank lines and comments that belong to what follows, lastValue being
// its last entry's value.
func (e *Editor) after(from, ind int, lastValue *yaml.Node) *target {
	last := e.lastLine(from, ind, lastValue)
	t := &target{at: e.lines[last+1], indent: strings.Repeat(" ", ind)}
	if t.at == len(e.data) && !bytes.HasSuffix(e.data, []byte("\n")) {
		t.lead = e.eol
	}
	return t
}

// lastLine is the last line (0-based) of the block collection entry that
// starts on line from, at column ind (0-based): the lines after it that are
// blank, comments, more indented, or (a list at its key's column) dashes at
// ind, are its, but for the blank lines and the comments no more indented
// than ind at its end, which belong to what follows. The blank lines that end
// a block scalar (| or >) that ends the entry stay its: "|+" keeps them.
func (e *Editor) lastLine(from, ind int, value *yaml.Node) int {
	n := len(e.lines) - 1
	end := n
	for ln := from + 1; ln < n; ln++ {
		if e.blank(ln) || e.comment(ln) != 0 {
			continue
		}
		i := e.indent(ln)
		t := e.text(ln)
		marker := i == 0 && (bytes.HasPrefix(t, []byte("---")) || bytes.HasPrefix(t, []byte("..."))) && (len(t) == 3 || isSpace(t[3]))
		dash := i == ind && e.at(ln, ind) == '-' && (len(t) == ind+1 || isSpace(t[ind+1]))
		if i < ind || i == ind && !dash || marker {
			end = ln
			break
		}
	}
	for value != nil && len(value.Content) > 0 && value.Kind != yaml.AliasNode {
		value = value.Content[len(value.Content)-1]
	}
	keepBlank := value != nil && value.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0
	last := end - 1
	for last > from && (!keepBlank && e.blank(last) || e.comment(last) != 0 && e.comment(last) <= ind+1) {
		last--
	}
	return last
}

// span is a part of the file, from offset from to offset to (excluded).
type span struct{ from, to int }

// parentKey is the key whose value n is, and the mapping holding both, or nils.
func (e *Editor) parentKey(n *yaml.Node) (key, mapping *yaml.Node) {
	p := e.parents[n]
	if p == nil || p.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 1; i < len(p.Content); i += 2 {
		if p.Content[i] == n {
			return p.Content[i-1], p
		}
	}
	return nil, nil
}

// checkEdit refuses editing n when n or what holds it is deleted, or carries an
// anchor that an alias uses: the alias would change too.
func (e *Editor) checkEdit(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode {
		return fmt.Errorf("%s: an alias (*%s): edit the node it refers to", where(n), n.Value)
	}
	for m := n; m != nil; m = e.parents[m] {
		if e.deleted[m] {
			return fmt.Errorf("%s: inside what is deleted at %s", where(n), where(m))
		}
		if m.Anchor != "" && len(e.aliases[m]) > 0 {
			a := e.aliases[m][0]
			return fmt.Errorf("%s: inside the anchor &%s (%s), which line %d uses (*%s): the edit would change it there too", where(n), m.Anchor, where(m), a.Line, a.Value)
		}
	}
	return nil
}

// canDelete refuses deleting the nodes gone of coll when something is inserted
// into coll already (plan deletions first: insertions are placed after what
// is kept), when one is deleted already, or holds an edit.
func (e *Editor) canDelete(coll *yaml.Node, gone []*yaml.Node) error {
	if e.targets[coll] != nil {
		return fmt.Errorf("%s: something is inserted into it already: plan the deletions first", where(coll))
	}
	set := map[*yaml.Node]bool{}
	for _, g := range gone {
		if e.deleted[g] {
			return fmt.Errorf("%s: deleted already", where(g))
		}
		set[g] = true
	}
	for _, ed := range e.edited {
		for m := ed; m != nil; m = e.parents[m] {
			if set[m] {
				return fmt.Errorf("%s: an edit is planned inside it, at %s", where(m), where(ed))
			}
		}
	}
	return nil
}

// parentsOf maps every node of root to the node holding it (aliases are not
// followed).
func parentsOf(root *yaml.Node) map[*yaml.Node]*yaml.Node {
	out := map[*yaml.Node]*yaml.Node{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		for _, c := range n.Content {
			out[c] = n
			walk(c)
		}
	}
	if root != nil {
		walk(root)
	}
	return out
}

// DeleteKeys plans deleting keys, each with its value, from mapping. In a block
// mapping each entry goes with its own lines: its key's line, the lines of its
// value, the comments on them and the comment lines directly above the key at
// its column, not the comments and blank lines above the next entry. A first
// key written on a list item's line ("- email: a") goes up to the next key
// kept. A block mapping left empty is written "key: {}". In a flow mapping
// ({a: 1, b: 2}) each entry goes with one comma. An entry defining an anchor
// used elsewhere, a mapping with a merge key (<<) or an anchor used elsewhere,
// and a mapping something is inserted into already, are refused.
func (e *Editor) DeleteKeys(mapping *yaml.Node, keys ...*yaml.Node) error {
	if mapping == nil || mapping.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: not a mapping written in place", where(mapping))
	}
	if err := e.checkEdit(mapping); err != nil {
		return err
	}
	if err := e.plainKeys(mapping); err != nil {
		return err
	}
	pairs := len(mapping.Content) / 2
	del := make([]bool, pairs)
	var gone []*yaml.Node
	for _, k := range keys {
		i := slices.Index(mapping.Content, k)
		if k == nil || i < 0 || i%2 != 0 {
			return fmt.Errorf("%s: not a key of the mapping at %s", where(k), where(mapping))
		}
		if del[i/2] {
			continue
		}
		del[i/2] = true
		for _, n := range mapping.Content[i : i+2] {
			if alias := e.AliasOutside(n); alias != nil {
				return fmt.Errorf("%s: the entry defines the anchor &%s, which line %d uses (*%s)", where(k), alias.Alias.Anchor, alias.Line, alias.Value)
			}
			gone = append(gone, n)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	if err := e.canDelete(mapping, gone); err != nil {
		return err
	}
	for i := range pairs {
		if e.deleted[mapping.Content[2*i]] {
			del[i] = true // deleted before: counts as gone
		}
	}
	var err error
	if mapping.Style&yaml.FlowStyle != 0 {
		err = e.deleteFlowKeys(mapping, del)
	} else {
		err = e.deleteBlockKeys(mapping, del)
	}
	if err != nil {
		return err
	}
	for _, n := range gone {
		e.deleted[n] = true
	}
	return nil
}

// deleteFlowKeys deletes the entries of a flow mapping marked in del, each run
// with the comma after it, or at the end, the comma before it.
func (e *Editor) deleteFlowKeys(m *yaml.Node, del []bool) error {
	open, entries, closing, err := e.flowSpans(m)
	if err != nil {
		return err
	}
	if len(entries) != len(del) {
		return fmt.Errorf("%s: cannot read the flow mapping's entries: edit it by hand", where(m))
	}
	e.deleteFlowRuns(open, closing, entries, del)
	return nil
}

// deleteBlockKeys deletes the entries of a block mapping marked in del, line
// by line.
func (e *Editor) deleteBlockKeys(m *yaml.Node, del []bool) error {
	pairs := len(del)
	ind := m.Content[0].Column - 1
	for i := range pairs {
		if err := e.noTab(m.Content[2*i]); err != nil {
			return err
		}
	}
	var emptied *empty
	if !slices.Contains(del, false) {
		key, parent := e.parentKey(m)
		if key == nil || parent.Style&yaml.FlowStyle != 0 || m.Anchor != "" || m.Style&yaml.TaggedStyle != 0 {
			return fmt.Errorf("%s: the mapping would be left empty, and it carries an anchor or a tag, or is no block mapping's value: write it empty by hand", where(m))
		}
		colon, err := e.colon(key)
		if err != nil {
			return err
		}
		emptied = &empty{m, colon, " {}"}
	}
	if emptied != nil && !e.startsLine(m.Content[0]) {
		return fmt.Errorf("%s: every key of a mapping written on a list item's line: delete the item instead", where(m))
	}
	n := len(e.lines) - 1
	var cuts []span
	for i := range pairs {
		if !del[i] {
			continue
		}
		k := m.Content[2*i]
		if !e.startsLine(k) {
			j := i + 1
			for j < pairs && del[j] {
				j++
			}
			next := m.Content[2*j] // j < pairs: the mapping is not emptied
			cuts = append(cuts, span{e.Offset(k.Line, k.Column), e.Offset(next.Line, next.Column)})
			continue
		}
		first := k.Line - 1
		var last int
		if i+1 < pairs {
			last = m.Content[2*i+2].Line - 2
			for last > first && (e.blank(last) || e.comment(last) != 0 && e.comment(last) <= ind+1) {
				last--
			}
		} else {
			last = e.lastLine(first, ind, m.Content[2*i+1])
		}
		for first > 0 && e.comment(first-1) == ind+1 {
			first--
		}
		keptBefore := slices.Contains(del[:i], false)
		if first > 0 && (e.blank(first-1) || !keptBefore) && last+1 < n && e.blank(last+1) {
			last++
		}
		cuts = append(cuts, span{e.lines[first], e.lines[last+1]})
	}
	for _, c := range cuts {
		e.Delete(c.from, c.to)
	}
	if emptied != nil {
		e.empties = append(e.empties, *emptied)
	}
	return nil
}

// startsLine reports whether only spaces come before n on its line.
func (e *Editor) startsLine(n *yaml.Node) bool {
	at := e.Offset(n.Line, n.Column)
	return len(bytes.TrimLeft(e.data[e.lineStart(n.Line-1):at], " ")) == 0
}

// SetScalar plans replacing the text of the scalar value so that it reads as
// the string text. Its quoting is kept: a double-quoted value stays so, a
// single-quoted one too unless text holds a line break; a plain value stays
// plain when text, written plain, reads back as text with the value's type
// (a date stays a date, a number a number, a string a string), and is
// single-quoted otherwise. A null written as nothing ("key:") gets the text
// after the colon. A block scalar (| or >), a scalar over several lines, an
// anchored one that an alias uses, or one set already, is refused.
func (e *Editor) SetScalar(value *yaml.Node, text string) error {
	if value == nil || value.Kind != yaml.ScalarNode {
		return fmt.Errorf("%s: not a scalar written in place", where(value))
	}
	if err := e.checkEdit(value); err != nil {
		return err
	}
	if slices.Contains(e.edited, value) {
		return fmt.Errorf("%s: the scalar is set already", where(value))
	}
	if !utf8.ValidString(text) {
		return fmt.Errorf("%s: the text is not UTF-8", where(value))
	}
	from, to, err := e.scalarText(value)
	if err != nil {
		return err
	}
	var out string
	switch {
	case value.Style&yaml.DoubleQuotedStyle != 0:
		out = quoted(text, '"')
	case value.Style&yaml.SingleQuotedStyle != 0:
		out = quoted(text, '\'')
	default:
		tag := value.ShortTag()
		if value.Style&yaml.TaggedStyle != 0 || tag == "!!null" {
			tag = "!!str"
		}
		out = text
		if !plainReads(text, tag) {
			out = Scalar(text)
		}
	}
	if from == to {
		out = " " + out // after the colon of "key:"
	}
	e.Delete(from, to)
	e.Insert(from, out)
	e.edited = append(e.edited, value)
	return nil
}

// scalarText is where the text of the scalar n is, its anchor and tag aside;
// an empty value written as nothing after its key's colon ("key:") is there.
func (e *Editor) scalarText(n *yaml.Node) (from, to int, err error) {
	if n.Value == "" && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.TaggedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 && n.Anchor == "" {
		key, _ := e.parentKey(n)
		if key == nil || key.Line != n.Line {
			return 0, 0, fmt.Errorf("%s: an empty value that is no key's on its line: edit it by hand", where(n))
		}
		at, err := e.colon(key)
		return at, at, err
	}
	if n.Value == "" && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		return 0, 0, fmt.Errorf("%s: an empty scalar with an anchor or a tag: edit it by hand", where(n))
	}
	return e.scalarSpan(n)
}

// value is YAML text given to be inserted.
type value struct {
	node  *yaml.Node // nil for "": a null
	lines []string   // its lines, line endings and the blank lines around aside
	block bool       // a block list or mapping, written on lines of its own
}

// parseValue reads YAML text given to be inserted: one document, a scalar or
// a flow collection on one line, or a block list or mapping, written from
// column 1, with no anchor or alias.
func parseValue(text string) (*value, error) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if strings.ContainsRune(text, '\r') {
		return nil, errors.New("a carriage return alone in the text")
	}
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		lines = append(lines, strings.TrimRight(l, " \t"))
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	if len(lines) == 0 {
		return &value{lines: []string{""}}, nil
	}
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimLeft(l, " "), "\t") {
			return nil, fmt.Errorf("line %d of the text is indented with a tab: indent with spaces", i+1)
		}
		if strings.HasPrefix(l, "---") || strings.HasPrefix(l, "...") {
			return nil, fmt.Errorf("line %d of the text is a document marker: give one value", i+1)
		}
	}
	if lines[0][0] == ' ' {
		return nil, errors.New("the text starts indented: write it from column 1")
	}
	dec := yaml.NewDecoder(strings.NewReader(strings.Join(lines, "\n") + "\n"))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not YAML: %w", err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); err != io.EOF {
		return nil, errors.New("several documents in the text: give one value")
	}
	if len(doc.Content) != 1 {
		return nil, errors.New("no value in the text")
	}
	n := doc.Content[0]
	var bad error
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Anchor != "" || n.Kind == yaml.AliasNode {
			bad = fmt.Errorf("%d:%d of the text: an anchor or an alias, which the file may not define or use so", n.Line, n.Column)
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	if bad != nil {
		return nil, bad
	}
	v := &value{node: n, lines: lines}
	v.block = (n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode) && n.Style&yaml.FlowStyle == 0
	if !v.block && len(lines) > 1 {
		return nil, errors.New("a scalar or a flow collection over several lines: write it on one line")
	}
	return v, nil
}

// flowText is the value written inline, to go into a flow collection: the text
// as given when it reads the same there, else rewritten in flow style.
func (v *value) flowText() (string, error) {
	if v.node == nil {
		return "null", nil
	}
	if !v.block {
		var in struct{ L []any }
		var want any
		if yaml.Unmarshal([]byte("l: ["+v.lines[0]+"]\n"), &in) == nil && yaml.Unmarshal([]byte(v.lines[0]), &want) == nil &&
			len(in.L) == 1 && equalValues(in.L[0], want) {
			return v.lines[0], nil
		}
	}
	return flowOf(v.node)
}

// equalValues compares decoded values; NaN equals NaN.
func equalValues(a, b any) bool {
	if fa, ok := a.(float64); ok {
		if fb, ok := b.(float64); ok && fa != fa && fb != fb {
			return true
		}
	}
	return reflect.DeepEqual(a, b)
}

// flowOf writes a node in flow style, on one line.
func flowOf(n *yaml.Node) (string, error) {
	if n.Style&yaml.TaggedStyle != 0 {
		return "", fmt.Errorf("%d:%d of the text: a tag, which cannot be written in a flow collection here", n.Line, n.Column)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		tag := n.ShortTag()
		switch {
		case tag == "!!null":
			return "null", nil
		case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 && plainReads(n.Value, tag):
			return n.Value, nil
		case tag == "!!str":
			return quoted(n.Value, '\''), nil
		}
		return "", fmt.Errorf("%d:%d of the text: cannot write %q in a flow collection", n.Line, n.Column, n.Value)
	case yaml.SequenceNode, yaml.MappingNode:
		var parts []string
		for i := 0; i < len(n.Content); i++ {
			s, err := flowOf(n.Content[i])
			if err != nil {
				return "", err
			}
			if n.Kind == yaml.MappingNode {
				if n.Content[i].Kind != yaml.ScalarNode {
					return "", fmt.Errorf("%d:%d of the text: a key that is not a scalar", n.Content[i].Line, n.Content[i].Column)
				}
				i++
				v, err := flowOf(n.Content[i])
				if err != nil {
					return "", err
				}
				s += ": " + v
			}
			parts = append(parts, s)
		}
		if n.Kind == yaml.MappingNode {
			return "{" + strings.Join(parts, ", ") + "}", nil
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	}
	return "", fmt.Errorf("%d:%d of the text: an alias", n.Line, n.Column)
}
