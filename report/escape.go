package report

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/qovery/portalctl/portal"
)

// zwsp is a zero-width space. Put after "@", "www" and ":" it stops GitHub from
// turning text into a mention or a link, while the text still reads the same. It is
// only a last resort for prose: values a reviewer may copy are code spans (see Prose).
const zwsp = "\u200b"

// markup are the ASCII characters that can start markdown or HTML syntax anywhere
// in a line: emphasis, code, links and images (which need a "["), tags, entities,
// tables, issue references, strikethrough and GitHub's math. Parentheses, "!" and
// braces only mean something after one of these and stay as they are.
const markup = "\\`*_[]<>#|~&$"

// hidden reports the characters no output may carry raw: control characters, line
// and paragraph separators, and the bidirectional and invisible controls of
// portal.HiddenControl, which can make a value read as another.
func hidden(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || portal.HiddenControl(r)
}

// Escape makes text that may contain values from the file safe in GitHub-flavoured
// markdown and HTML, where it may start a line: every markup character is
// backslash-escaped (so no emphasis, link, image, HTML tag or entity can form), and
// so is a leading "+", "-", "=" or the "." of a leading number (so no list or
// heading starts); line breaks, control characters and hidden controls are shown as
// escapes (so no new block can start and nothing can reorder the line), and "@",
// "www." and "://" are broken with a zero-width space (so no mention or autolink
// forms).
func Escape(s string) string { return escapeMD(s, true) }

// escapeMD is Escape for text that starts a line (start) or follows other text.
func escapeMD(s string, start bool) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	lead := start // still in the leading spaces of a line
	for i, r := range s {
		switch {
		case r == '@':
			b.WriteString("\\@" + zwsp)
		case r == ':' && strings.HasPrefix(s[i:], "://"):
			b.WriteString("\\:" + zwsp)
		case strings.ContainsRune(markup, r), lead && strings.ContainsRune("+-=", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case lead && r >= '0' && r <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			b.WriteString(s[i:j])
			if j < len(s) && (s[j] == '.' || s[j] == ')') {
				b.WriteByte('\\')
			}
			// The rest of the number is written; skip it.
			return b.String() + escapeMD(s[j:], false)
		case hidden(r):
			fmt.Fprintf(&b, "\\\\u%04x", r)
		case (r == 'w' || r == 'W') && strings.HasPrefix(strings.ToLower(s[i:]), "www.") && (i == 0 || s[i-1] != 'w' && s[i-1] != 'W'):
			b.WriteRune(r)
			b.WriteString(zwsp)
		default:
			b.WriteRune(r)
		}
		if r != ' ' {
			lead = false
		}
	}
	return b.String()
}

// Code renders a value from the file as an inline code span, inside which markdown,
// HTML, mentions and autolinks are inert. Control characters and hidden controls are
// shown escaped, so the span reads as what it holds and cannot reorder its line.
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
		case hidden(r):
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

// Prose renders a sentence written by portalctl that quotes values, such as a
// validation message or hint: text between backticks and Go-quoted strings ("x")
// become code spans, and so does any word that holds an "@", "://" or "www.", so that
// an email or an address reads and copies exactly as written, with no zero-width
// character in it. The rest is escaped with Escape.
func Prose(s string) string { return proseMD(s, true) }

// proseMD is Prose for a sentence that starts a line (start) or follows other text.
func proseMD(s string, start bool) string {
	var segs []segment
	add := func(code bool, v string) {
		// Two code spans side by side would run their backticks together: one span.
		if n := len(segs); n > 0 && code && segs[n-1].code {
			segs[n-1].s += v
			return
		}
		segs = append(segs, segment{code, v})
	}
	for s != "" {
		i := strings.IndexAny(s, "`\"")
		if i < 0 {
			proseText(add, s)
			break
		}
		proseText(add, s[:i])
		s = s[i:]
		if s[0] == '`' {
			if end := strings.IndexByte(s[1:], '`'); end > 0 {
				add(true, s[1:1+end])
				s = s[end+2:]
				continue
			}
		} else if q, err := strconv.QuotedPrefix(s); err == nil {
			if v, err := strconv.Unquote(q); err == nil && v != "" {
				add(true, v)
				s = s[len(q):]
				continue
			}
		}
		add(false, s[:1])
		s = s[1:]
	}
	var b strings.Builder
	for _, sg := range segs {
		if sg.code {
			b.WriteString(Code(sg.s))
		} else {
			b.WriteString(escapeMD(sg.s, start && b.Len() == 0))
		}
	}
	return b.String()
}

// segment is a piece of a sentence: text, or a value shown as code.
type segment struct {
	code bool
	s    string
}

// proseText splits plain text into words, making code of the ones GitHub would link
// or mention.
func proseText(add func(code bool, v string), t string) {
	for t != "" {
		end := strings.IndexFunc(t, unicode.IsSpace)
		if end < 0 {
			end = len(t)
		}
		if word := t[:end]; linkish(word) {
			lead, core, trail := trimPunct(word)
			if lead != "" {
				add(false, lead)
			}
			add(true, core)
			if trail != "" {
				add(false, trail)
			}
		} else if word != "" {
			add(false, word)
		}
		t = t[end:]
		if t != "" {
			_, size := utf8.DecodeRuneInString(t)
			add(false, t[:size])
			t = t[size:]
		}
	}
}

// linkish reports whether GitHub could turn word into a mention or a link.
func linkish(word string) bool {
	w := strings.ToLower(word)
	return strings.Contains(w, "@") || strings.Contains(w, "://") || strings.Contains(w, "www.")
}

// trimPunct splits the punctuation that ends or starts a sentence off a word
// ("(alice@company.com)," → "(", "alice@company.com", "),").
func trimPunct(word string) (lead, core, trail string) {
	core = strings.TrimLeft(word, "([{'")
	lead = word[:len(word)-len(core)]
	trimmed := strings.TrimRight(core, ".,;:!?)]}'")
	trail = core[len(trimmed):]
	if trimmed == "" {
		return "", word, ""
	}
	return lead, trimmed, trail
}

// termSafe keeps a value from the file or the portal from writing control
// sequences to a terminal or reordering its line: control characters and hidden
// controls are shown as Go escapes (\x1b, \n, \u202e), the rest as it is.
func termSafe(s string) string {
	if strings.IndexFunc(s, hidden) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if hidden(r) {
			q := strconv.QuoteRuneToGraphic(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TermSafe is termSafe for other packages' text output (the review packets): a
// value from the file or the portal, with its control characters and hidden
// controls shown as Go escapes.
func TermSafe(s string) string { return rowSafe(s) }

// CSVCell is csvCell for other packages' CSV (the review packets' evidence): a
// cell a spreadsheet would run as a formula gets a leading apostrophe, and hidden
// controls are shown as escapes (docs/commands.md).
func CSVCell(s string) string { return csvCell(s) }
