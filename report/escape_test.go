package report

import (
	"strings"
	"testing"
	"unicode/utf8"

	east "github.com/yuin/goldmark/extension/ast"
)

func addSeeds(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	for _, s := range []string{
		"", " ", "a", "`", "``", "` `", " `", "` ", "`a``b```c", "|", "\\|", "a\\", "@", "\u200b@x",
		"wwww.evil.com", "xwww.evil.com", "ww.w.", "http:/", "http://", "://", "a@b.co", "Bücher@bücher.de",
		"\u00a0x\u00a0", "&", "&amp", "&#", "<", "<!--", "<?php", "<![CDATA[", "*", "_", "__x__", "~", "[", "]", "![", "\x00",
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
	})
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
