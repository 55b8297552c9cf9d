package yamledit

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Where a node's text is. The parser gives a node the position where its
// properties start: its anchor (&name) and its tag (!tag, !!str, !<uri>), in
// either order, before its content. An anchor's name may hold any printable
// ASCII character but a space and , [ ] { }: ":", "#", quotes and "&"
// included ("&:0:" is the anchor ":0" on an empty key). So the editor does not
// guess where properties end from what follows them: it reads the anchor by
// the name the parser gave it, and the tag by the characters a tag may hold.

// propsEnd is the offset just after the properties (anchor and tag) written
// before n, or n's own offset when it has none.
func (e *Editor) propsEnd(n *yaml.Node) (int, error) {
	d := e.data
	i := e.Offset(n.Line, n.Column)
	anchor, tag := n.Anchor != "", n.Style&yaml.TaggedStyle != 0
	end := i
	for anchor || tag {
		switch {
		case i < len(d) && d[i] == '&' && anchor:
			name := "&" + n.Anchor
			if !bytes.HasPrefix(d[i:], []byte(name)) {
				return 0, fmt.Errorf("%s: cannot find the anchor %s", where(n), name)
			}
			i += len(name)
			anchor = false
		case i < len(d) && d[i] == '!' && tag:
			to, err := e.tagEnd(i)
			if err != nil {
				return 0, fmt.Errorf("%s: %w", where(n), err)
			}
			i = to
			tag = false
		default:
			return 0, fmt.Errorf("%s: cannot find the node's anchor or tag", where(n))
		}
		end = i
		i = e.skipBlank(i)
	}
	return end, nil
}

// contentStart is the offset where n's content starts: its first character
// past its properties and the spaces, line breaks and comments after them.
// n must have content (not an empty scalar).
func (e *Editor) contentStart(n *yaml.Node) (int, error) {
	i, err := e.propsEnd(n)
	if err != nil {
		return 0, err
	}
	if n.Anchor != "" || n.Style&yaml.TaggedStyle != 0 {
		i = e.skipBlank(i)
	}
	return i, nil
}

// tagEnd returns the offset just after the tag whose "!" is at at: a verbatim
// tag (!<uri>) up to its ">", else the characters a tag's URI may hold.
func (e *Editor) tagEnd(at int) (int, error) {
	d := e.data
	if at+1 < len(d) && d[at+1] == '<' {
		for i := at + 2; i < len(d) && !isSpace(d[i]); i++ {
			if d[i] == '>' {
				return i + 1, nil
			}
		}
		return 0, errors.New("a verbatim tag (!<…>) never closed")
	}
	i := at + 1
	for i < len(d) && isTagChar(d[i]) {
		i++
	}
	return i, nil
}

// isTagChar reports whether c may be written in a tag outside !<…>: letters,
// digits and the URI characters but the flow indicators.
func isTagChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("-_;/?:@&=+$.!~*'()%", c) >= 0
}

// skipBlank returns the first offset at or after at that is not a space, a
// tab, a line break or in a comment.
func (e *Editor) skipBlank(at int) int {
	d := e.data
	i := at
	for i < len(d) {
		switch {
		case isSpace(d[i]):
			i++
		case d[i] == '#' && (i == 0 || isSpace(d[i-1])):
			for i < len(d) && d[i] != '\n' {
				i++
			}
		default:
			return i
		}
	}
	return i
}

// quotedEnd returns the offset just after the closing quote of the quoted
// scalar whose opening quote is at at: inside single quotes, a doubled
// quote is one quote; inside double quotes, a backslash escapes what follows.
func (e *Editor) quotedEnd(at int) (int, error) {
	d := e.data
	q := d[at]
	for i := at + 1; i < len(d); i++ {
		switch {
		case q == '"' && d[i] == '\\':
			i++
		case d[i] == q && q == '\'' && i+1 < len(d) && d[i+1] == '\'':
			i++
		case d[i] == q:
			return i + 1, nil
		}
	}
	return 0, errors.New("a quoted scalar never closed")
}

// scalarSpan is where the text of the scalar n is, its anchor and tag aside:
// a quoted scalar with its quotes, or plain text on one line. An empty plain
// scalar, a block scalar (| or >) and a scalar over several lines are refused.
func (e *Editor) scalarSpan(n *yaml.Node) (from, to int, err error) {
	switch {
	case n.Kind != yaml.ScalarNode:
		return 0, 0, fmt.Errorf("%s: not a scalar", where(n))
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return 0, 0, fmt.Errorf("%s: a block scalar (| or >): edit it by hand", where(n))
	case n.Value == "" && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0:
		return 0, 0, fmt.Errorf("%s: an empty scalar: edit it by hand", where(n))
	}
	at, err := e.contentStart(n)
	if err != nil {
		return 0, 0, err
	}
	d := e.data
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		if at >= len(d) || d[at] != '"' && d[at] != '\'' {
			return 0, 0, fmt.Errorf("%s: cannot find the scalar's quote", where(n))
		}
		to, err := e.quotedEnd(at)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", where(n), err)
		}
		if bytes.IndexByte(d[at:to], '\n') >= 0 {
			return 0, 0, fmt.Errorf("%s: a quoted scalar over several lines: edit it by hand", where(n))
		}
		return at, to, nil
	}
	if strings.ContainsAny(n.Value, "\n") || !bytes.HasPrefix(d[at:], []byte(n.Value)) {
		return 0, 0, fmt.Errorf("%s: a scalar over several lines: edit it by hand", where(n))
	}
	return at, at + len(n.Value), nil
}

// colon is the offset just after the ":" that follows key, a scalar: past its
// text, or, an empty key, past its anchor and tag.
func (e *Editor) colon(key *yaml.Node) (int, error) {
	if key.Kind != yaml.ScalarNode {
		return 0, fmt.Errorf("%s: a key that is not a scalar: edit the mapping by hand", where(key))
	}
	var to int
	var err error
	if key.Value == "" && key.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
		to, err = e.propsEnd(key)
	} else {
		_, to, err = e.scalarSpan(key)
	}
	if err != nil {
		return 0, err
	}
	i := e.skipBlank(to)
	if i >= len(e.data) || e.data[i] != ':' {
		return 0, fmt.Errorf("%s: cannot find the colon after the key", where(key))
	}
	return i + 1, nil
}

// flowSpans reads the flow collection n ([a, b] or {a: 1}): the offset of its
// opening bracket, the text of each entry (an item, or a key and its value;
// spaces and comments around aside) and the offset of its closing bracket.
// The anchors, tags and quoted scalars of the nodes inside are read where the
// parser put them, so that a quote, a comma or a bracket in them is theirs.
func (e *Editor) flowSpans(n *yaml.Node) (open int, entries []span, closing int, err error) {
	open, err = e.start(n)
	if err != nil {
		return 0, nil, 0, err
	}
	want := byte('[')
	if n.Kind == yaml.MappingNode {
		want = '{'
	}
	d := e.data
	if open >= len(d) || d[open] != want {
		return 0, nil, 0, fmt.Errorf("%s: cannot find where the flow collection starts", where(n))
	}
	skip := map[int]int{} // from the offset where a property or a quoted scalar starts, to its end
	var walk func(m *yaml.Node) error
	walk = func(m *yaml.Node) error {
		if m.Anchor != "" || m.Style&yaml.TaggedStyle != 0 {
			end, err := e.propsEnd(m)
			if err != nil {
				return err
			}
			skip[e.Offset(m.Line, m.Column)] = end
		}
		if m.Kind == yaml.ScalarNode && m.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			at, err := e.contentStart(m)
			if err != nil {
				return err
			}
			if at >= len(d) || d[at] != '"' && d[at] != '\'' {
				return fmt.Errorf("%s: cannot find the scalar's quote", where(m))
			}
			end, err := e.quotedEnd(at)
			if err != nil {
				return fmt.Errorf("%s: %w", where(m), err)
			}
			skip[at] = end
		}
		for _, c := range m.Content {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	for _, c := range n.Content {
		if err := walk(c); err != nil {
			return 0, nil, 0, err
		}
	}
	depth := 0
	cur := span{-1, -1}
	for i := open + 1; i < len(d); i++ {
		if end, ok := skip[i]; ok && end > i {
			if cur.from < 0 {
				cur.from = i
			}
			cur.to = end
			i = end - 1
			continue
		}
		c := d[i]
		if isSpace(c) {
			continue
		}
		if c == '#' && isSpace(d[i-1]) {
			for i < len(d) && d[i] != '\n' {
				i++
			}
			continue
		}
		if depth == 0 && (c == ',' || c == ']' || c == '}') {
			if cur.from >= 0 {
				entries = append(entries, cur)
			}
			cur = span{-1, -1}
			if c != ',' {
				return open, entries, i, nil
			}
			continue
		}
		if cur.from < 0 {
			cur.from = i
		}
		switch c {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		}
		cur.to = i + 1
	}
	return 0, nil, 0, fmt.Errorf("%s: a flow collection never closed", where(n))
}
