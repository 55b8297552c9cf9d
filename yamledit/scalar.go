package yamledit

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
)

// Scalar writes s as a YAML scalar that reads back as the string s, in a block
// or in a flow collection alike: plain when nothing in it means something else
// to YAML, single-quoted when it would (yes, null, 1e3, 2026-12-07, a leading
// "*", "&", "!" or "#", a ": " or " #" inside, a comma or a bracket…), and
// double-quoted, escaped, when it holds a line break or a character that cannot
// be written as it is. s is text: bytes that are not UTF-8 read back as U+FFFD.
func Scalar(s string) string {
	if plainReads(s, "!!str") {
		return s
	}
	return quoted(s, '\'')
}

// yaml11 are the words YAML 1.1 readers take for booleans or the merge and
// value keys, which the YAML 1.2 parser here reads as strings: written plain,
// another tool would read them as something else.
var yaml11 = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "n": true, "N": true, "no": true, "No": true, "NO": true,
	"on": true, "On": true, "ON": true, "off": true, "Off": true, "OFF": true, "<<": true, "=": true,
}

// numberLike matches what some YAML reader may take for a number or a date or
// a time (1_000, 0b101, 1:20:30, 2026-12-07, .5): such a string is quoted.
var numberLike = regexp.MustCompile(`^[-+.]?[0-9][0-9a-zA-Z_.:+-]*$`)

// plainReads reports whether s, written plain, reads back as the scalar s
// whose resolved tag is tag, in a block and in a flow collection alike.
func plainReads(s, tag string) bool {
	if s == "" || s != strings.TrimSpace(s) || !printable(s) || strings.ContainsAny(s, "\t,[]{}") {
		return false
	}
	if strings.ContainsRune("-?:,[]{}#&*!|>'\"%@`", rune(s[0])) && !(tag != "!!str" && (s[0] == '-' || s[0] == '.')) {
		return false
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return false
	}
	if tag == "!!str" && (yaml11[s] || numberLike.MatchString(s)) {
		return false
	}
	var doc yaml.Node
	if yaml.Unmarshal([]byte(s), &doc) != nil || len(doc.Content) != 1 {
		return false
	}
	n := doc.Content[0]
	return n.Kind == yaml.ScalarNode && n.Style == 0 && n.Value == s && n.ShortTag() == tag
}

// printable reports whether every character of s may be written as it is in
// a YAML scalar on one line.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r != ' ' && !unicode.IsPrint(r) || r == '\uFEFF' {
			return false
		}
	}
	return true
}

// quoted writes s in quotes: single when q is a single quote and s is printable on one
// line, else double, with escapes.
func quoted(s string, q byte) string {
	if q == '\'' && printable(s) {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == ' ' || unicode.IsPrint(r) && r != '\uFEFF':
			b.WriteRune(r)
		case r <= 0xFF:
			fmt.Fprintf(&b, "\\x%02x", r)
		case r <= 0xFFFF:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			fmt.Fprintf(&b, "\\U%08x", r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
