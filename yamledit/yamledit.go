// Package yamledit edits a YAML file in place, as bytes: it cuts text out and
// writes text in at the positions the YAML parser gives the file's nodes, and
// leaves every other byte as it was, comments, blank lines, quoting, flow and
// block styles, anchors and line endings (LF or CRLF) included, where encoding
// a changed node tree would rewrite the whole file. Edits are planned on the
// original bytes, then made at once (Bytes): the offsets of one edit do not
// move with another.
//
// The edits: DeleteItems deletes entries of a list (expire --write), DeleteKeys
// entries of a mapping, each with its own lines or, in flow style, its comma;
// InsertItem appends an item to a list and InsertKey a key to a mapping (a new
// section too), in the collection's own indentation or inline with a comma, a
// null or empty value turned into a collection; SetScalar replaces a scalar's
// text, keeping its quoting; Scalar writes a string as YAML text that reads back
// the same. Delete and Insert are what they are made of. Several edits compose,
// deletions in a collection planned before insertions into it. What cannot be
// edited safely is refused, naming the line: a file not in UTF-8, an anchor
// an alias uses elsewhere, a merge key (<<), a block scalar, a scalar over
// several lines, a tab before the indentation, an edit inside what is
// deleted. Anchors and tags are read where the parser puts them, whatever
// their names hold (&a:b, !<tag:x,y>), and kept. Text inserted ends its lines
// with the file's own line ending. The caller parses the result again to check
// it says what was meant: the editor knows YAML's layout, not what the file
// means (see docs/design.md).
package yamledit

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
)

// Editor plans edits of one file.
type Editor struct {
	data  []byte
	lines []int // the offset where each line starts, and len(data) last
	bom   int   // the length of the byte order mark that opens the file, or 0
	// aliases maps each anchored node an alias refers to, to those aliases.
	aliases map[*yaml.Node][]*yaml.Node
	cuts    []cut
	inserts []insert

	eol     string                    // the file's line ending, "\n" or "\r\n"
	parents map[*yaml.Node]*yaml.Node // each node of root's, to the node holding it
	// empties are the " []" or " {}" written after the key of a block
	// collection whose every entry is deleted, unless something is inserted
	// into it (Bytes decides).
	empties []empty
	// targets are where the items and keys inserted into a collection go,
	// decided by the first insertion into it.
	targets map[*yaml.Node]*target
	deleted map[*yaml.Node]bool // items, keys and values deleted
	edited  []*yaml.Node        // collections inserted into, scalars set
}

type empty struct {
	coll *yaml.Node
	at   int
	text string
}

type cut struct{ from, to int }

type insert struct {
	at   int
	text string
	// lines: whole lines, written after the other texts inserted at the same
	// offset (the end of a line's text comes before the lines after it).
	lines bool
}

// New starts editing data, whose parsed document is root: the nodes given to
// the editor must be root's, whose positions are data's. root tells where
// anchors are used (AliasOutside); without it (nil), no alias is known.
//
// A file that is not UTF-8 is refused: the parser reads UTF-16 too, and
// counts its columns in characters of text the editor does not see. A UTF-8
// byte order mark that opens the file is not counted in the columns of the
// first line, as the parser does not count it.
//
// A file whose lines end in a carriage return alone (CR, as classic Mac OS
// wrote them) is refused: YAML reads a CR as a line break, the editor counts
// lines by their LF (LF or CRLF endings), and would cut the wrong bytes. So is
// a file holding a next line (U+0085), a line separator (U+2028) or a
// paragraph separator (U+2029), which the parser reads as line breaks too.
func New(data []byte, root *yaml.Node) (*Editor, error) {
	if err := checkText(data); err != nil {
		return nil, err
	}
	eol := "\n"
	if i := bytes.IndexByte(data, '\n'); i > 0 && data[i-1] == '\r' {
		eol = "\r\n"
	}
	return &Editor{
		data: data, lines: splitLines(data), bom: bomLen(data), aliases: aliasTargets(root), eol: eol,
		parents: parentsOf(root), targets: map[*yaml.Node]*target{}, deleted: map[*yaml.Node]bool{},
	}, nil
}

// checkText refuses text whose lines the parser would count otherwise than
// the editor: not UTF-8, or with a line break that is not LF or CRLF.
func checkText(data []byte) error {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		line := func() int { return 1 + bytes.Count(data[:i], []byte{'\n'}) }
		switch {
		case r == utf8.RuneError && size == 1:
			return fmt.Errorf("line %d is not UTF-8 text (a file in UTF-16, or in a legacy encoding?): save the file as UTF-8", line())
		case r == '\r' && (i+1 == len(data) || data[i+1] != '\n'):
			return fmt.Errorf("line %d ends in a carriage return alone (CR), which the editor does not read as a line ending: save the file with LF (or CRLF) line endings", line())
		case r == '\u0085' || r == '\u2028' || r == '\u2029':
			return fmt.Errorf("line %d holds the character U+%04X, which YAML reads as a line break and the editor does not: remove it, or write it escaped in a double-quoted string", line(), r)
		}
		i += size
	}
	return nil
}

// Delete plans cutting out the bytes from offset from to offset to (excluded).
func (e *Editor) Delete(from, to int) {
	from, to = min(max(from, 0), len(e.data)), min(max(to, 0), len(e.data))
	if from < to {
		e.cuts = append(e.cuts, cut{from, to})
	}
}

// Insert plans writing text at offset at, before the byte there.
func (e *Editor) Insert(at int, text string) {
	e.inserts = append(e.inserts, insert{at: min(max(at, 0), len(e.data)), text: text})
}

// Lines are the lines (1-based, first and last) a deleted entry took in the
// file, its own comments included.
type Lines struct{ First, Last int }

// DeleteItems plans deleting the items of list marked in del (one mark per
// item), list being a sequence node written in place (not an alias) and the
// value of the mapping key key. It returns the lines each deleted item takes, in
// order.
//
// In a block list, each item's own lines go: the item, the comment lines
// directly above it at its dash's column, and the blank line that separated it
// from the next item when one also separates it from what comes before. A block
// list left empty is written `key: []`. In a flow list ([a, b, c]), each item
// goes with one comma, and a list left empty is written []. Deleting an item
// that defines an anchor used elsewhere (see AliasOutside), or emptying a block
// list that carries an anchor or a tag, is refused: the result would not read.
func (e *Editor) DeleteItems(key, list *yaml.Node, del []bool) (spans []Lines, err error) {
	switch {
	case list == nil:
		return nil, errors.New("no list given")
	case list.Kind != yaml.SequenceNode:
		return nil, fmt.Errorf("%d:%d: not a list written in place", list.Line, list.Column)
	case len(del) != len(list.Content):
		return nil, fmt.Errorf("%d:%d: %d marks for %d items", list.Line, list.Column, len(del), len(list.Content))
	case !slices.Contains(del, true):
		return nil, nil
	}
	for i, item := range list.Content {
		if !del[i] {
			continue
		}
		if alias := e.AliasOutside(item); alias != nil {
			return nil, fmt.Errorf("%d:%d: the item defines the anchor &%s, which line %d uses (*%s)", item.Line, item.Column, alias.Alias.Anchor, alias.Line, alias.Value)
		}
	}
	var gone []*yaml.Node
	for i, item := range list.Content {
		if del[i] {
			gone = append(gone, item)
		}
	}
	if err := e.canDelete(list, gone); err != nil {
		return nil, err
	}
	defer func() {
		if err == nil {
			for _, n := range gone {
				e.deleted[n] = true
			}
		}
	}()
	if list.Style&yaml.FlowStyle != 0 {
		return e.flow(list, del)
	}
	if !slices.Contains(del, false) && (key == nil || list.Anchor != "" || list.Style&yaml.TaggedStyle != 0) {
		return nil, fmt.Errorf("%d:%d: the block list would be left empty, and it carries an anchor or a tag, or is no mapping's value: write it empty by hand", list.Line, list.Column)
	}
	c := e.dashColumn(list)
	if c == 0 {
		return nil, fmt.Errorf("%d:%d: cannot find the dash of the list's first item", list.Line, list.Column)
	}
	colon := 0
	if !slices.Contains(del, false) {
		if colon, err = e.colon(key); err != nil {
			return nil, err
		}
	}
	return e.block(list, c, del, colon), nil
}

// AliasOutside returns an alias written outside n that refers to a node inside
// it (an anchor n defines, used elsewhere), or nil: deleting n would leave that
// alias dangling, and the file unreadable.
func (e *Editor) AliasOutside(n *yaml.Node) *yaml.Node {
	inside := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		inside[n] = true
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	for m := range inside {
		if m.Anchor == "" {
			continue
		}
		for _, a := range e.aliases[m] {
			if !inside[a] {
				return a
			}
		}
	}
	return nil
}

// aliasTargets maps every node an alias refers to, to the aliases that do
// (aliases are not followed: each node is visited once).
func aliasTargets(root *yaml.Node) map[*yaml.Node][]*yaml.Node {
	out := map[*yaml.Node][]*yaml.Node{}
	if root == nil {
		return out
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			out[n.Alias] = append(out[n.Alias], n)
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	return out
}

// block plans the deletion of the items of a block list, whose dashes are at
// column c, marked in del, line by line, and returns the lines each takes;
// colon is the offset after its key's colon, where " []" goes when no item is
// left.
func (e *Editor) block(seq *yaml.Node, c int, del []bool, colon int) []Lines {
	n := len(e.lines) - 1
	dash := make([]int, len(seq.Content)) // 0-based line of each item's dash
	for i, item := range seq.Content {
		dash[i] = e.dashLine(item.Line-1, c, seq.Line-1)
	}
	// Where the list ends: the first line after the last dash that holds
	// something less indented than the dashes.
	end := n
	for ln := dash[len(dash)-1] + 1; ln < n; ln++ {
		if !e.blank(ln) && e.comment(ln) == 0 && e.indent(ln) < c {
			end = ln
			break
		}
	}
	var spans []Lines
	for i := range seq.Content {
		if !del[i] {
			continue
		}
		next := end
		if i+1 < len(dash) {
			next = dash[i+1]
		}
		first, last := dash[i], next-1
		// Lines after the item that belong to what follows: blank lines, and
		// comments no more indented than the dashes.
		for last > first && (e.blank(last) || e.comment(last) != 0 && e.comment(last) <= c) {
			last--
		}
		// Its own comments directly above it, at its dash's column.
		for first > 0 && e.comment(first-1) == c {
			first--
		}
		// The blank line that separated it from the next entry goes with it
		// when one also separates it from what comes before, or when it was
		// the list's first entry left: the list then starts as it did.
		keptBefore := slices.Contains(del[:i], false)
		if first > 0 && (e.blank(first-1) || !keptBefore) && last+1 < n && e.blank(last+1) {
			last++
		}
		e.Delete(e.lines[first], e.lines[last+1])
		spans = append(spans, Lines{first + 1, last + 1})
	}
	if !slices.Contains(del, false) {
		// Nothing left: the key says the list is empty, unless items are
		// inserted into it.
		e.empties = append(e.empties, empty{seq, colon, " []"})
	}
	return spans
}

// start is the offset where a collection's content starts (its "[" or "{", or
// its first item's dash): past the anchor and the tag written before it, if
// any (the node's position is theirs).
func (e *Editor) start(n *yaml.Node) (int, error) {
	return e.contentStart(n)
}

// dashColumn is the column of the dashes of a block list, or 0 when its first
// item's dash is not found.
func (e *Editor) dashColumn(seq *yaml.Node) int {
	at, err := e.start(seq)
	if err != nil || at == len(e.data) || e.data[at] != '-' {
		return 0
	}
	ln := e.lineOf(at + 1)
	return 1 + utf8.RuneCount(e.data[e.lineStart(ln-1):at])
}

// dashLine is the 0-based line of the dash of the list item that starts on line
// from: the nearest line at or above it, not above top, with a "-" at column c
// after spaces only.
func (e *Editor) dashLine(from, c, top int) int {
	for ln := from; ln > top; ln-- {
		if e.indent(ln) == c-1 && e.at(ln, c-1) == '-' {
			return ln
		}
	}
	return top
}

// flow plans the deletion of the items of a flow list ([a, b, c]) marked in del:
// each run of deleted items goes with the comma after it, or, at the end of the
// list, the comma before it; a list left empty is written []. It returns the
// lines each deleted item takes.
func (e *Editor) flow(seq *yaml.Node, del []bool) ([]Lines, error) {
	open, entries, closing, err := e.flowSpans(seq)
	if err != nil {
		return nil, err
	}
	if len(entries) != len(seq.Content) {
		return nil, fmt.Errorf("%s: cannot read the flow list's items: edit it by hand", where(seq))
	}
	var spans []Lines
	for i, item := range seq.Content {
		if del[i] {
			spans = append(spans, Lines{item.Line, e.lineOf(entries[i].to)})
		}
	}
	e.deleteFlowRuns(open, closing, entries, del)
	return spans, nil
}

// deleteFlowRuns deletes the entries of a flow collection (between the offsets
// of its brackets, open and closing) marked in del: each run with the comma
// after it, or, at the end, the comma before it; all of them, everything
// between the brackets.
func (e *Editor) deleteFlowRuns(open, closing int, entries []span, del []bool) {
	if !slices.Contains(del, false) {
		e.Delete(open+1, closing)
		return
	}
	for i := 0; i < len(del); {
		if !del[i] {
			i++
			continue
		}
		j := i
		for j+1 < len(del) && del[j+1] {
			j++
		}
		if j+1 < len(del) {
			e.Delete(entries[i].from, entries[j+1].from)
		} else {
			e.Delete(entries[i-1].to, entries[j].to)
		}
		i = j + 1
	}
}

// lineOf is the 1-based line of the byte just before offset at.
func (e *Editor) lineOf(at int) int {
	i, found := slices.BinarySearch(e.lines[:len(e.lines)-1], max(at-1, 0))
	if !found {
		i--
	}
	return i + 1
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// Bytes returns the file with the planned edits made: the bytes Delete cut
// out are gone, the text Insert wrote is in, every other byte is as it was.
// Deleted ranges may overlap; text inserted inside a deleted range is written
// where the range ends.
func (e *Editor) Bytes() []byte {
	slices.SortFunc(e.cuts, func(a, b cut) int { return a.from - b.from })
	var out bytes.Buffer
	out.Grow(len(e.data))
	pos := 0
	ins := slices.Clone(e.inserts)
	for _, m := range e.empties {
		if e.targets[m.coll] == nil {
			ins = append(ins, insert{at: m.at, text: m.text})
		}
	}
	// Stable: texts inserted at one offset are written in the order planned.
	slices.SortStableFunc(ins, func(a, b insert) int {
		if a.at != b.at {
			return a.at - b.at
		}
		return cmp.Compare(btoi(a.lines), btoi(b.lines))
	})
	emit := func(to int) {
		for len(ins) > 0 && ins[0].at <= to {
			if ins[0].at >= pos {
				out.Write(e.data[pos:ins[0].at])
				pos = ins[0].at
			}
			out.WriteString(ins[0].text)
			ins = ins[1:]
		}
		if to > pos {
			out.Write(e.data[pos:to])
			pos = to
		}
	}
	for _, c := range e.cuts {
		if c.from > pos {
			emit(c.from)
		}
		pos = max(pos, c.to)
	}
	emit(len(e.data))
	return out.Bytes()
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// splitLines returns the offset where each line starts, and len(data) last.
func splitLines(data []byte) []int {
	lines := []int{0}
	for i, c := range data {
		if c == '\n' && i+1 < len(data) {
			lines = append(lines, i+1)
		}
	}
	return append(lines, len(data))
}

// text is line ln (0-based) without its line break.
func (e *Editor) text(ln int) []byte {
	s := e.data[e.lineStart(ln):e.lines[ln+1]]
	return bytes.TrimRight(s, "\r\n")
}

func (e *Editor) blank(ln int) bool { return len(bytes.TrimLeft(e.text(ln), " \t")) == 0 }

// comment is the 1-based column of the "#" of a line holding only a comment, or 0.
func (e *Editor) comment(ln int) int {
	t := e.text(ln)
	i := e.indent(ln)
	if i < len(t) && t[i] == '#' {
		return i + 1
	}
	return 0
}

// indent counts the spaces a line starts with.
func (e *Editor) indent(ln int) int {
	t := e.text(ln)
	i := 0
	for i < len(t) && t[i] == ' ' {
		i++
	}
	return i
}

// at is the byte at 0-based column col of line ln, or 0.
func (e *Editor) at(ln, col int) byte {
	t := e.text(ln)
	if col < len(t) {
		return t[col]
	}
	return 0
}

// Offset turns a node's position (its 1-based line, and its 1-based column
// counted in characters, as the YAML parser gives them) into a byte offset.
func (e *Editor) Offset(line, col int) int {
	start := e.lineStart(line - 1)
	t := e.text(line - 1)
	i := 0
	for n := 1; n < col && i < len(t); n++ {
		_, size := utf8.DecodeRune(t[i:])
		i += size
	}
	return start + i
}

// lineStart is the offset where the text of line ln (0-based) starts: where
// the line starts, past the byte order mark on the first line.
func (e *Editor) lineStart(ln int) int {
	if ln == 0 {
		return min(e.bom, e.lines[1])
	}
	return e.lines[ln]
}

// bomLen is the length of the UTF-8 byte order mark data starts with, or 0.
func bomLen(data []byte) int {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return 3
	}
	return 0
}
