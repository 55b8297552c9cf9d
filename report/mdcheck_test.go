package report

import (
	"bufio"
	"bytes"
	"fmt"
	stdhtml "html"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"

	"github.com/qovery/portalctl/portal"
)

// gfm parses like GitHub: tables, strikethrough, task lists and autolinks of bare
// URLs, www. and emails (Linkify, named explicitly in case GFM ever drops it).
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Linkify))

// objectMark stands for a code span in the flattened text of a block.
const objectMark = "\uFFFC"

// mdDoc is what a markdown document holds once parsed by a GitHub-flavoured parser.
type mdDoc struct {
	root ast.Node
	src  []byte
	// problems are nodes that a value must never produce: links, images, raw HTML.
	problems []string
	// codeSpans holds the text of every code span, in order.
	codeSpans []string
	// blocks holds the text of every block with inline content (paragraphs, headings,
	// table cells), code spans replaced by objectMark, escapes resolved.
	blocks []string
	// reads holds the same text as a reader reads it: code spans inlined.
	reads []string
	// tables holds, for each table, the number of cells of its header and rows.
	tables []mdTable
	// html holds the text of the HTML blocks.
	html []string
	// kinds counts nodes by kind; shape lists the block kinds in document order.
	kinds map[string]int
	shape []string
}

type mdTable struct {
	header int
	rows   []int
}

func parseMarkdown(src string) *mdDoc {
	d := &mdDoc{src: []byte(src), kinds: map[string]int{}}
	d.root = gfm.Parser().Parse(text.NewReader(d.src))
	_ = ast.Walk(d.root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		kind := n.Kind().String()
		d.kinds[kind]++
		if n.Type() == ast.TypeBlock {
			s := kind
			if n.Kind() == ast.KindFencedCodeBlock {
				s += fmt.Sprintf("(%d lines)", n.Lines().Len())
			}
			d.shape = append(d.shape, s)
		}
		switch n := n.(type) {
		case *ast.Link:
			d.problems = append(d.problems, "link to "+string(n.Destination))
		case *ast.AutoLink:
			d.problems = append(d.problems, "autolink "+string(n.URL(d.src)))
		case *ast.Image:
			d.problems = append(d.problems, "image "+string(n.Destination))
		case *ast.RawHTML:
			var b strings.Builder
			for i := 0; i < n.Segments.Len(); i++ {
				seg := n.Segments.At(i)
				b.Write(seg.Value(d.src))
			}
			d.problems = append(d.problems, "inline HTML "+b.String())
		case *ast.HTMLBlock:
			d.html = append(d.html, strings.TrimSpace(string(n.Text(d.src))))
		case *ast.CodeSpan:
			d.codeSpans = append(d.codeSpans, codeSpanText(n, d.src))
			return ast.WalkSkipChildren, nil
		case *east.Table:
			d.tables = append(d.tables, readTable(n))
		}
		if n.Type() == ast.TypeBlock && n.FirstChild() != nil && n.FirstChild().Type() == ast.TypeInline {
			d.blocks = append(d.blocks, flatten(n, d.src))
			d.reads = append(d.reads, flattenAs(n, d.src, true))
		}
		return ast.WalkContinue, nil
	})
	return d
}

func readTable(t *east.Table) mdTable {
	var out mdTable
	for c := t.FirstChild(); c != nil; c = c.NextSibling() {
		switch c.(type) {
		case *east.TableHeader:
			out.header = children(c)
		case *east.TableRow:
			out.rows = append(out.rows, children(c))
		}
	}
	return out
}

// codeSpanText is what a reader sees in a code span.
func codeSpanText(n *ast.CodeSpan, src []byte) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
		case *ast.String:
			b.Write(c.Value)
		}
	}
	return b.String()
}

// flatten is the text a reader sees in an inline container, with objectMark for
// each code span.
func flatten(n ast.Node, src []byte) string { return flattenAs(n, src, false) }

// flattenAs is flatten, with code spans inlined when inline is set.
func flattenAs(n ast.Node, src []byte, inline bool) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.CodeSpan:
			if inline {
				b.WriteString(codeSpanText(c, src))
			} else {
				b.WriteString(objectMark)
			}
		case *ast.Text:
			b.WriteString(visibleText(c.Segment.Value(src), c.IsRaw()))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteString("\n")
			}
		case *ast.String:
			b.WriteString(visibleText(c.Value, c.IsRaw()))
		default:
			b.WriteString(flattenAs(c, src, inline))
		}
	}
	return b.String()
}

// visibleText resolves backslash escapes and entities the way the HTML renderer
// does, then decodes the HTML it writes.
func visibleText(v []byte, raw bool) string {
	if raw {
		return string(v)
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	gmhtml.DefaultWriter.Write(w, v)
	_ = w.Flush()
	return stdhtml.UnescapeString(buf.String())
}

var (
	// GitHub links www. at the start of a line, after a space or after *, _, ~, (.
	wwwLink = regexp.MustCompile(`(?i)(^|[\s*_~(])www\.`)
	// A mention or an email autolink needs "@" followed by a word character.
	mentionAt = regexp.MustCompile(`@[^\x{200B}]|@$`)
)

// unsafeText lists what, in text outside code spans, GitHub would turn into a link or
// a mention.
func unsafeText(s string) []string {
	var out []string
	if m := mentionAt.FindString(s); m != "" {
		out = append(out, fmt.Sprintf("mention or email %q", m))
	}
	if wwwLink.MatchString(s) {
		out = append(out, "www. link")
	}
	if strings.Contains(s, "://") {
		out = append(out, "URL scheme")
	}
	return out
}

// check lists every way the document lets a value become markup: forbidden nodes,
// HTML other than allowed, mentions and link-looking text outside code spans.
func (d *mdDoc) check(allowedHTML ...string) []string {
	out := append([]string(nil), d.problems...)
	for _, h := range d.html {
		ok := false
		for _, a := range allowedHTML {
			ok = ok || h == a
		}
		if !ok {
			out = append(out, fmt.Sprintf("HTML block %q", h))
		}
	}
	for _, b := range d.blocks {
		for _, p := range unsafeText(b) {
			out = append(out, fmt.Sprintf("%s in %q", p, b))
		}
	}
	return out
}

func (d *mdDoc) hasCodeSpan(s string) bool {
	for _, c := range d.codeSpans {
		if c == s {
			return true
		}
	}
	return false
}

// visible is how a value reads once rendered: control characters, line separators
// and hidden controls shown as \uXXXX.
func visible(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || portal.HiddenControl(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func stripZWSP(s string) string { return strings.ReplaceAll(s, zwsp, "") }

// children counts the children of n by walking them: goldmark's ChildCount is off
// by one after a paragraph turns into a table.
func children(n ast.Node) int {
	c := 0
	for x := n.FirstChild(); x != nil; x = x.NextSibling() {
		c++
	}
	return c
}

// proseReading is how Prose(s) reads: text between backticks and Go-quoted strings
// read as their content, the rest as written.
func proseReading(s string) string {
	var b strings.Builder
	for s != "" {
		i := strings.IndexAny(s, "`\"")
		if i < 0 {
			b.WriteString(visible(s))
			break
		}
		b.WriteString(visible(s[:i]))
		s = s[i:]
		if s[0] == '`' {
			if end := strings.IndexByte(s[1:], '`'); end > 0 {
				b.WriteString(visible(s[1 : 1+end]))
				s = s[end+2:]
				continue
			}
		} else if q, err := strconv.QuotedPrefix(s); err == nil {
			if v, err := strconv.Unquote(q); err == nil && v != "" {
				b.WriteString(visible(v))
				s = s[len(q):]
				continue
			}
		}
		b.WriteString(visible(s[:1]))
		s = s[1:]
	}
	return b.String()
}
