package report

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// zwsp is a zero-width space. Put after "@", "www" and ":" it stops GitHub from
// turning text into a mention or a link, while the text still reads the same.
const zwsp = "\u200b"

// markup are the ASCII characters that can start markdown or HTML syntax: emphasis,
// code, links, images, tags, entities, tables, headings, lists, strikethrough and
// GitHub's math.
const markup = "\\`*_{}[]<>()#+-!|~&$"

// Escape makes text that may contain values from the file safe in GitHub-flavoured
// markdown and HTML: every markup character is backslash-escaped (so no emphasis,
// link, image, HTML tag or entity can form), line breaks and control
// characters are shown as escapes (so no new block can start), and "@", "www." and
// "://" are broken with a zero-width space (so no mention or autolink forms).
func Escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i, r := range s {
		switch {
		case r == '@':
			b.WriteString("\\@" + zwsp)
		case r == ':' && strings.HasPrefix(s[i:], "://"):
			b.WriteString("\\:" + zwsp)
		case strings.ContainsRune(markup, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, "\\\\u%04x", r)
		case (r == 'w' || r == 'W') && strings.HasPrefix(strings.ToLower(s[i:]), "www.") && (i == 0 || s[i-1] != 'w' && s[i-1] != 'W'):
			b.WriteRune(r)
			b.WriteString(zwsp)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Code renders a value from the file as an inline code span, inside which markdown,
// HTML, mentions and autolinks are inert. Control characters are shown escaped.
func Code(s string) string { return codeSpan(s, false) }

// CellCode is Code for a table cell, where "|" would end the cell even inside a code
// span and must be escaped.
func CellCode(s string) string { return codeSpan(s, true) }

func codeSpan(s string, cell bool) string {
	var b strings.Builder
	longest, run := 0, 0
	for _, r := range s {
		switch {
		case r == '`':
			run++
			longest = max(longest, run)
			b.WriteRune(r)
			continue
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, "\\u%04x", r)
		case r == '|' && cell:
			b.WriteString("\\|")
		default:
			b.WriteRune(r)
		}
		run = 0
	}
	body := b.String()
	if body == "" {
		return "` `"
	}
	fence := strings.Repeat("`", longest+1)
	// A code span loses one space at each end when it has one at both ends and is
	// not all spaces, and cannot start or end with a backtick: pad those cases with
	// a space that the renderer strips again.
	allSpaces := strings.Trim(body, " ") == ""
	if strings.HasPrefix(body, "`") || strings.HasSuffix(body, "`") ||
		!allSpaces && strings.HasPrefix(body, " ") && strings.HasSuffix(body, " ") {
		body = " " + body + " "
	}
	return fence + body + fence
}

// termSafe keeps a value from the file or the portal from writing control
// sequences to a terminal: control characters are shown as escapes.
func termSafe(s string) string {
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			q := strconv.QuoteToGraphic(s)
			return q[1 : len(q)-1]
		}
	}
	return s
}
