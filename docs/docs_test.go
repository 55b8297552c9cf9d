// Package docs_test checks the repository's documentation: every relative link in
// README.md, BENCHMARKS.md and docs/*.md leads to a file that exists, every anchor
// to a heading that exists, every page of docs/ that a Go file cites exists, with
// the heading it names, and every portal.yaml the pages show is one validate
// accepts. A page renamed, a heading reworded or a format changed without the
// pages that speak of it fails here, not in a reader's hands.
package docs_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/schema"
)

// root is the repository's root, seen from this package's directory.
const root = ".."

// pages are the markdown files whose links are checked, relative to root.
func pages(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatal("docs/ holds no markdown page")
	}
	out := []string{"README.md", "BENCHMARKS.md"}
	for _, d := range docs {
		rel, err := filepath.Rel(root, d)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(rel))
	}
	return out
}

func TestLinks(t *testing.T) {
	anchors := map[string][]string{} // page → its headings' anchors, read once
	n := 0
	for _, page := range pages(t) {
		data, err := os.ReadFile(filepath.Join(root, page))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range linksOf(string(data)) {
			n++
			if err := check(page, l.target, anchors); err != nil {
				t.Errorf("%s:%d: link to %q: %v", page, l.line, l.target, err)
			}
		}
	}
	t.Logf("%d links checked", n)
}

// TestCitations checks what Go files cite of docs/: "docs/report.md" or
// "docs/file-format.md#lints" in a comment must name a page, and a heading of it,
// that exist.
func TestCitations(t *testing.T) {
	cite := regexp.MustCompile(`\bdocs/([a-z0-9-]+\.md)(#[a-z0-9_-]+)?`)
	anchors := map[string][]string{}
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "docs_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, m := range cite.FindAllStringSubmatchIndex(string(data), -1) {
			n++
			target := string(data[m[0]:m[1]])
			if err := check(".", target, anchors); err != nil {
				t.Errorf("%s:%d: cites %q: %v", rel, lineAt(string(data), m[0]), target, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d citations of docs/ checked", n)
}

// check resolves a link's target, as written in page (a path relative to root),
// to a file inside the repository and, with an #anchor, a heading of that file.
func check(page, target string, anchors map[string][]string) error {
	if regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`).MatchString(target) {
		return nil // a URL: http(s), mailto; not the repository's to check
	}
	path, anchor, _ := strings.Cut(target, "#")
	path, err := url.PathUnescape(path)
	if err != nil {
		return err
	}
	file := page
	if path != "" {
		if strings.HasPrefix(path, "/") {
			return fmt.Errorf("an absolute path: write it relative to %s", page)
		}
		file = filepath.ToSlash(filepath.Join(filepath.Dir(page), path))
		if file == ".." || strings.HasPrefix(file, "../") {
			return fmt.Errorf("it leads out of the repository")
		}
		if _, err := os.Stat(filepath.Join(root, file)); err != nil {
			return fmt.Errorf("no such file or directory %s", file)
		}
	}
	if anchor == "" {
		return nil
	}
	if !strings.HasSuffix(file, ".md") {
		return fmt.Errorf("an anchor into %s, which is not a markdown page: link to the file alone", file)
	}
	known, ok := anchors[file]
	if !ok {
		data, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			return err
		}
		known = headingAnchors(string(data))
		anchors[file] = known
	}
	if !slices.Contains(known, anchor) {
		return fmt.Errorf("%s has no heading whose anchor is #%s (its anchors: %s)", file, anchor, strings.Join(known, ", "))
	}
	return nil
}

// TestExamples loads every portal.yaml the pages show (a yaml block with a
// version: key) with portalctl's loader: an example must hold no error. Its
// warnings (a date that has passed since it was written, say) are allowed.
func TestExamples(t *testing.T) {
	l, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?ms)^```yaml\n(.*?)^```")
	n := 0
	for _, page := range pages(t) {
		data, err := os.ReadFile(filepath.Join(root, page))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range block.FindAllSubmatchIndex(data, -1) {
			body := data[m[2]:m[3]]
			if !regexp.MustCompile(`(?m)^version:`).Match(body) {
				continue // a workflow or another YAML, not a portal.yaml
			}
			n++
			if regexp.MustCompile(`(?m)^include:`).Match(body) {
				// A root file reads its fragments beside it: the page shows
				// a file of examples/, loaded whole by portalctl's tests.
				if !shownFromExamples(t, body) {
					t.Errorf("%s:%d: a root file with include: must be a file of examples/ shown whole", page, lineAt(string(data), m[2]))
				}
				continue
			}
			_, ds := l.Parse(page, body)
			first := lineAt(string(data), m[2]) // the block's first line in the page
			for _, d := range ds {
				if d.Severity == diag.Error {
					t.Errorf("%s:%d:%d: %s", page, first-1+d.Pos.Line, d.Pos.Col, d.Message)
				}
			}
		}
	}
	if n == 0 {
		t.Error("no page shows a portal.yaml")
	}
}

// shownFromExamples reports whether body is, byte for byte, a file under
// examples/.
func shownFromExamples(t *testing.T, body []byte) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir(filepath.Join(root, "examples"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || found {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		found = bytes.Equal(data, body)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

type link struct {
	target string
	line   int
}

var (
	fence    = regexp.MustCompile("(?m)^[ \t]*(```|~~~)")
	codeSpan = regexp.MustCompile("(`+)[^`]*?`+")
	mdLink   = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]*)(?:\s+"[^"]*")?\)`)
	heading  = regexp.MustCompile(`^#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$`)
)

// prose is text without its fenced code blocks, each line of one blanked so
// that offsets keep their line numbers.
func prose(text string) string {
	lines := strings.SplitAfter(text, "\n")
	in := false
	for i, l := range lines {
		if fence.MatchString(l) {
			in = !in
			lines[i] = "\n"
			continue
		}
		if in {
			lines[i] = strings.Repeat(" ", len(strings.TrimRight(l, "\n"))) + l[len(strings.TrimRight(l, "\n")):]
		}
	}
	return strings.Join(lines, "")
}

// linksOf returns the inline links and images of a markdown text, outside code
// blocks and code spans, with the line each starts on.
func linksOf(text string) []link {
	p := prose(text)
	// Code spans are blanked, not removed, so that offsets stay lines.
	p = codeSpan.ReplaceAllStringFunc(p, func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '\n' {
				return r
			}
			return ' '
		}, s)
	})
	var out []link
	for _, m := range mdLink.FindAllStringSubmatchIndex(p, -1) {
		out = append(out, link{target: p[m[2]:m[3]], line: lineAt(p, m[0])})
	}
	return out
}

// headingAnchors are the anchors GitHub gives the headings of a markdown text, in
// order: a second heading of the same anchor gets -1, a third -2.
func headingAnchors(text string) []string {
	var out []string
	seen := map[string]int{}
	for _, l := range strings.Split(prose(text), "\n") {
		m := heading.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		a := slug(m[1])
		if n := seen[a]; n > 0 {
			seen[a]++
			a = fmt.Sprintf("%s-%d", a, n)
		} else {
			seen[a] = 1
		}
		out = append(out, a)
	}
	return out
}

var linkText = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// slug is the anchor GitHub makes of a heading's text: the text as shown (a link by
// its text), lower-cased, with every character but letters, marks, digits, "_",
// "-" and spaces dropped, and each space made a "-".
func slug(h string) string {
	h = linkText.ReplaceAllString(h, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-', unicode.IsLetter(r), unicode.IsMark(r), unicode.IsNumber(r), unicode.Is(unicode.Pc, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func lineAt(text string, offset int) int { return strings.Count(text[:offset], "\n") + 1 }

func TestSlug(t *testing.T) {
	for _, c := range []struct{ name, heading, want string }{
		{"words", "Saved plans", "saved-plans"},
		{"punctuation dropped", "Fail closed: what portalctl refuses", "fail-closed-what-portalctl-refuses"},
		{"code span", "The policy (`policy:`)", "the-policy-policy"},
		{"underscore kept", "The organization's members (`organization_members`)", "the-organizations-members-organization_members"},
		{"hyphens kept, not merged", "`access --all`: who can see what, and why", "access---all-who-can-see-what-and-why"},
		{"a number", "The plan file, format 3", "the-plan-file-format-3"},
		{"a link by its text", "See [the rails](#the-rails)", "see-the-rails"},
		{"an arrow dropped", "base → head", "base--head"},
		{"non-ASCII letters kept", "Bücher", "bücher"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := slug(c.heading); got != c.want {
				t.Errorf("slug(%q) = %q, want %q", c.heading, got, c.want)
			}
		})
	}
}

func TestHeadingAnchors(t *testing.T) {
	text := "# Title\n\n## Same\n\n```sh\n# not a heading\n```\n\n## Same\n\n### Same ###\n"
	want := []string{"title", "same", "same-1", "same-2"}
	if got := headingAnchors(text); !slices.Equal(got, want) {
		t.Errorf("headingAnchors = %q, want %q", got, want)
	}
}

func TestLinksOf(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       []link
	}{
		{"inline link", "see [the rails](guarantees.md#the-rails).", []link{{"guarantees.md#the-rails", 1}}},
		{"code span in the text", "[`qovery/routes.go`](../qovery/routes.go)", []link{{"../qovery/routes.go", 1}}},
		{"text across lines", "a\n[fail\nclosed](g.md#x)", []link{{"g.md#x", 2}}},
		{"image", "![logo](img/logo.png)", []link{{"img/logo.png", 1}}},
		{"title", `[x](a.md "A")`, []link{{"a.md", 1}}},
		{"in a code span", "`[x](nowhere.md)`", nil},
		{"in a fenced block", "```md\n[x](nowhere.md)\n```\n[y](y.md)", []link{{"y.md", 4}}},
		{"a URL", "[go-yaml](https://github.com/yaml/go-yaml)", []link{{"https://github.com/yaml/go-yaml", 1}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := linksOf(c.text); !slices.Equal(got, c.want) {
				t.Errorf("linksOf(%q) = %v, want %v", c.text, got, c.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	anchors := map[string][]string{}
	for _, c := range []struct {
		name, page, target string
		ok                 bool
	}{
		{"a page", "README.md", "docs/design.md", true},
		{"a heading", "README.md", "docs/guarantees.md#saved-plans", true},
		{"a heading of the page itself", "docs/guarantees.md", "#the-rails", true},
		{"a directory", "docs/api.md", "../qovery", true},
		{"a URL", "README.md", "https://example.com/x#y", true},
		{"no such file", "README.md", "docs/nowhere.md", false},
		{"no such heading", "README.md", "docs/guarantees.md#nowhere", false},
		{"out of the repository", "docs/api.md", "../../etc/passwd", false},
		{"an absolute path", "README.md", "/etc/passwd", false},
		{"an anchor into code", "docs/api.md", "../qovery/routes.go#L10", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := check(c.page, c.target, anchors)
			if (err == nil) != c.ok {
				t.Errorf("check(%q, %q) = %v, want ok %v", c.page, c.target, err, c.ok)
			}
		})
	}
}
