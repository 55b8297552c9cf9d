package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	east "github.com/yuin/goldmark/extension/ast"

	"github.com/qovery/portalctl/portal"
)

func addSeeds(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	for _, s := range []string{
		"", " ", "a", "`", "``", "` `", " `", "` ", "`a``b```c", "|", "\\|", "a\\", "@", "\u200b@x",
		"wwww.evil.com", "xwww.evil.com", "ww.w.", "http:/", "http://", "://", "a@b.co", "Bücher@bücher.de",
		"\u00a0x\u00a0", "&", "&amp", "&#", "<", "<!--", "<?php", "<![CDATA[", "*", "_", "__x__", "~", "[", "]", "![", "\x00",
		// Hidden controls (portal.HiddenControl), alone and in values a reviewer copies.
		"\u202egnp.exe", "alice@evil\u202e.com", "a\u200bb@company.com", "\ufeffbom", "\u2066iso\u2069", "\u200e\u200f", "\u200c\u200d",
		// Sentences as validation messages write them.
		`invalid email "bob@@company.com" in members`, "did you mean `email`?", `"\u202e"`, "write `role: admin` (e.g. alice@company.com).",
		`unterminated "quote`, "``", "a `b` c `d", "(www.evil.com),", "'@'", "@.", "x\ty\nz",
	} {
		f.Add(s)
	}
}

// FuzzEscape checks that escaped text stays text: one paragraph, no link, image,
// autolink or HTML, no mention, and it reads as the value (control characters shown
// as \uXXXX, zero-width spaces aside); in a table cell, it stays in its cell.
func FuzzEscape(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		src := "x " + Escape(s) + " y"
		d := parseMarkdown(src)
		if children(d.root) != 1 || d.root.FirstChild().Kind().String() != "Paragraph" {
			t.Fatalf("Escape(%q) = %q is not one paragraph: %v", s, src, d.shape)
		}
		if problems := d.check(); len(problems) > 0 {
			t.Fatalf("Escape(%q) = %q: %v", s, src, problems)
		}
		if len(d.codeSpans) != 0 {
			t.Fatalf("Escape(%q) = %q makes a code span", s, src)
		}
		for k, n := range d.kinds {
			switch k {
			case "Document", "Paragraph", "Text", "String":
			default:
				t.Fatalf("Escape(%q) = %q makes %d %s", s, src, n, k)
			}
		}
		want := "x " + visible(s) + " y"
		if got := stripZWSP(d.blocks[0]); utf8.ValidString(s) && got != stripZWSP(want) {
			t.Fatalf("Escape(%q) reads %q, want %q", s, got, want)
		}

		// Escaped text in a table cell stays in its cell.
		src = "| h | h2 |\n|---|---|\n| " + Escape(s) + " | z |\n"
		d = parseMarkdown(src)
		if tb := d.tables; len(tb) != 1 || children(d.root) != 1 || tb[0].header != 2 || len(tb[0].rows) != 1 || tb[0].rows[0] != 2 {
			t.Fatalf("Escape(%q) in a table = %q: %v %v", s, src, d.shape, d.tables)
		}
		if problems := d.check(); len(problems) > 0 {
			t.Fatalf("Escape(%q) in a table = %q: %v", s, src, problems)
		}
		if last := flatten(d.root.FirstChild().LastChild().LastChild(), d.src); last != "z" {
			t.Fatalf("Escape(%q) in a table = %q: the next cell reads %q", s, src, last)
		}
		// No hidden control of the value survives, only the zero-width spaces Escape
		// adds against mentions and links.
		if i := strings.IndexFunc(stripZWSP(Escape(s)), portal.HiddenControl); i >= 0 {
			t.Fatalf("Escape(%q) keeps a hidden control at byte %d", s, i)
		}

		checkProse(t, s)
		checkTerminalAndJSON(t, s)
	})
}

// checkProse: Prose(s) is one paragraph with no link, mention, HTML or hidden
// character, not even a zero-width space, that reads as the sentence with its
// quoted values and backticked spans shown as code.
func checkProse(t *testing.T, s string) {
	t.Helper()
	out := Prose(s)
	if i := strings.IndexFunc(out, portal.HiddenControl); i >= 0 {
		t.Fatalf("Prose(%q) = %q holds a hidden character at byte %d", s, out, i)
	}
	src := "x " + out + " y"
	d := parseMarkdown(src)
	if children(d.root) != 1 || d.root.FirstChild().Kind().String() != "Paragraph" {
		t.Fatalf("Prose(%q) = %q is not one paragraph: %v", s, src, d.shape)
	}
	if problems := d.check(); len(problems) > 0 {
		t.Fatalf("Prose(%q) = %q: %v", s, src, problems)
	}
	for k, n := range d.kinds {
		switch k {
		case "Document", "Paragraph", "Text", "String", "CodeSpan":
		default:
			t.Fatalf("Prose(%q) = %q makes %d %s", s, src, n, k)
		}
	}
	if want := "x " + proseReading(s) + " y"; utf8.ValidString(s) && d.reads[0] != want {
		t.Fatalf("Prose(%q) = %q reads %q, want %q", s, src, d.reads[0], want)
	}
}

// checkTerminalAndJSON: on a terminal the value keeps no control or hidden
// character and no line break; in JSON it keeps no hidden character and decodes to
// itself.
func checkTerminalAndJSON(t *testing.T, s string) {
	t.Helper()
	if out := termSafe(s); strings.ContainsFunc(out, hidden) {
		t.Fatalf("termSafe(%q) = %q keeps a control or hidden character", s, out)
	}
	var b bytes.Buffer
	if err := writeJSON(&b, map[string]string{"v": s}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsFunc(b.String(), portal.HiddenControl) {
		t.Fatalf("JSON of %q holds a hidden character: %s", s, b.String())
	}
	var back map[string]string
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatalf("JSON of %q does not decode: %v", s, err)
	}
	if utf8.ValidString(s) && back["v"] != s {
		t.Fatalf("JSON of %q decodes to %q", s, back["v"])
	}
}

// FuzzCode checks that Code makes one code span that reads as the value, in a
// paragraph, and that CellCode does the same in a table cell without adding a cell
// or a row.
func FuzzCode(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		// Code("") is "` `" on purpose: "``" is no code span. All-space values are
		// TestCodeAllSpaces.
		roundTrip := utf8.ValidString(s) && strings.Trim(s, " ") != ""
		want := visible(s)

		src := "x " + Code(s) + " y"
		d := parseMarkdown(src)
		if children(d.root) != 1 || d.root.FirstChild().Kind().String() != "Paragraph" || len(d.codeSpans) != 1 {
			t.Fatalf("Code(%q) = %q is not one code span in one paragraph: %v %q", s, src, d.shape, d.codeSpans)
		}
		if problems := d.check(); len(problems) > 0 {
			t.Fatalf("Code(%q) = %q: %v", s, src, problems)
		}
		if d.blocks[0] != "x "+objectMark+" y" {
			t.Fatalf("Code(%q) = %q leaks out of its span: %q", s, src, d.blocks[0])
		}
		if roundTrip && d.codeSpans[0] != want {
			t.Fatalf("Code(%q) = %q reads %q, want %q", s, src, d.codeSpans[0], want)
		}
		if strings.ContainsFunc(Code(s), portal.HiddenControl) || strings.ContainsFunc(CellCode(s), portal.HiddenControl) {
			t.Fatalf("Code(%q) keeps a hidden control", s)
		}

		src = "| h | h2 |\n|---|---|\n| " + CellCode(s) + " | z |\n"
		d = parseMarkdown(src)
		if len(d.tables) != 1 || children(d.root) != 1 {
			t.Fatalf("CellCode(%q) = %q: not one table: %v", s, src, d.shape)
		}
		if tb := d.tables[0]; tb.header != 2 || len(tb.rows) != 1 || tb.rows[0] != 2 {
			t.Fatalf("CellCode(%q) = %q: table %+v, want 2 header cells and one row of 2 cells", s, src, tb)
		}
		if problems := d.check(); len(problems) > 0 {
			t.Fatalf("CellCode(%q) = %q: %v", s, src, problems)
		}
		cell := d.root.FirstChild().LastChild().FirstChild().(*east.TableCell)
		if got := flatten(cell, d.src); got != objectMark || len(d.codeSpans) != 1 {
			t.Fatalf("CellCode(%q) = %q: the cell reads %q, want only a code span", s, src, got)
		}
		if roundTrip && d.codeSpans[0] != want {
			t.Fatalf("CellCode(%q) = %q reads %q, want %q", s, src, d.codeSpans[0], want)
		}
		if last := flatten(d.root.FirstChild().LastChild().LastChild(), d.src); last != "z" {
			t.Fatalf("CellCode(%q) = %q: the next cell reads %q", s, src, last)
		}
	})
}

func TestEscapeExamples(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a@b.co", "a\\@\u200bb.co"},
		{"www.x.com", "w\u200bww.x.com"},
		{"https://x", "https\\:\u200b//x"},
		{"a\nb", "a\\\\u000ab"},
		{"<b>|`", "\\<b\\>\\|\\`"},
		{"time: 10:30", "time: 10:30"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCodeExamples(t *testing.T) {
	tests := []struct{ in, code, cell string }{
		{"a@b.co", "`a@b.co`", "`a@b.co`"},
		{"a|b", "`a|b`", "`a\\|b`"},
		{"a`b", "``a`b``", "``a`b``"},
		{"`a", "`` `a ``", "`` `a ``"},
		{"a\nb", "`a\\u000ab`", "`a\\u000ab`"},
		{"", "` `", "` `"},
	}
	for _, tt := range tests {
		if got := Code(tt.in); got != tt.code {
			t.Errorf("Code(%q) = %q, want %q", tt.in, got, tt.code)
		}
		if got := CellCode(tt.in); got != tt.cell {
			t.Errorf("CellCode(%q) = %q, want %q", tt.in, got, tt.cell)
		}
	}
}
