package review

import (
	"fmt"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"

	"github.com/qovery/portalctl/report"
)

// TestMarkdownRendersOnGitHub parses the packets' markdown as GitHub does
// (goldmark with GFM): one heading per packet under the title, tables whose
// rows all have their header's cells, values in code spans (no mention, link
// or autolink forms), a long audience folded in <details>, and no other HTML.
func TestMarkdownRendersOnGitHub(t *testing.T) {
	bk, bps, pasts := fixture(t, nil)
	ps := packets(bk, bps, pasts)
	// A long audience, with values that would be markup outside code spans.
	long := ps[0]
	long.Blueprint = "long|*_[x](http://evil)"
	long.Audience = nil
	for i := range 25 {
		long.Audience = append(long.Audience, Member{Email: fmt.Sprintf("m%02d|@company.com", i), Role: "user", Via: []string{"domain:company.com"}})
	}
	ps = append(ps, long)
	src := render(t, report.Markdown, bk.Header(bps, "portal.yaml", "alice@company.com"), ps, Options{MaxRows: 20})

	gfm := goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Linkify))
	root := gfm.Parser().Parse(text.NewReader([]byte(src)))
	var h1, h2, tables, details int
	var problems []string
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			switch n.Level {
			case 1:
				h1++
			case 2:
				h2++
			}
		case *east.Table:
			tables++
			header := n.FirstChild().ChildCount()
			for row := n.FirstChild().NextSibling(); row != nil; row = row.NextSibling() {
				if row.ChildCount() != header {
					problems = append(problems, fmt.Sprintf("a table row of %d cells under a header of %d", row.ChildCount(), header))
				}
			}
		case *ast.Link, *ast.AutoLink, *ast.Image:
			problems = append(problems, "a link: "+string(n.Text([]byte(src))))
		case *ast.HTMLBlock:
			var b strings.Builder
			for i := range n.Lines().Len() {
				seg := n.Lines().At(i)
				b.Write(seg.Value([]byte(src)))
			}
			html := strings.TrimSpace(b.String())
			switch {
			case strings.HasPrefix(html, "<details><summary>All 25 members</summary>"):
				details++
			case html == "</details>":
			default:
				problems = append(problems, "HTML: "+html)
			}
		case *ast.RawHTML:
			problems = append(problems, "inline HTML")
		}
		return ast.WalkContinue, nil
	})
	if h1 != 1 || h2 != len(ps) {
		problems = append(problems, fmt.Sprintf("%d titles and %d packet headings, want 1 and %d", h1, h2, len(ps)))
	}
	// Each packet: counts, rules, audience; the compared ones their changes.
	if want := 3*len(ps) + 3; tables != want {
		problems = append(problems, fmt.Sprintf("%d tables, want %d", tables, want))
	}
	if details != 1 {
		problems = append(problems, fmt.Sprintf("%d folded audiences, want 1", details))
	}
	if !strings.Contains(src, "| … and 5 more: `portalctl review --blueprint") {
		problems = append(problems, "the long audience is not cut at 20 rows")
	}
	for _, p := range problems {
		t.Error(p)
	}
	if t.Failed() {
		t.Log(src)
	}
}
