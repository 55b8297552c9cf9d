package portal

import (
	"fmt"
	"unicode/utf8"
)

// HiddenControl reports whether r is a bidirectional or invisible control character
// (docs/file-format.md#hidden-characters): U+200B–U+200F (zero-width spaces and joiners, directional marks),
// U+202A–U+202E (embeddings and overrides), U+2066–U+2069 (isolates) and U+FEFF (a
// byte-order mark or zero-width no-break space). Such a character makes a name or an
// address read differently from what it is: "alice@evil.com" can be shown as
// "moc.live@ecila", or two different emails can look the same. The file may not
// contain them, and every output escapes those that come from the live portal.
func HiddenControl(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F,
		r >= 0x202A && r <= 0x202E,
		r >= 0x2066 && r <= 0x2069,
		r == 0xFEFF:
		return true
	}
	return false
}

// FirstHiddenControl returns the first hidden control character in s and its byte
// offset, or ok false when there is none. Plain ASCII costs one byte comparison each.
func FirstHiddenControl(s string) (r rune, offset int, ok bool) {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if HiddenControl(c) {
			return c, i, true
		}
		i += size
	}
	return 0, 0, false
}

// EscapeHiddenJSON rewrites the hidden controls that encoding/json leaves raw in
// its output as \uXXXX escapes, so that a JSON document portalctl writes (a
// report, a plan file) shows none of them raw. JSON's structure is ASCII, so such
// a character can only be inside a string, where the escape decodes to the same
// value. It returns data itself when there is none.
func EscapeHiddenJSON(data []byte) []byte {
	var out []byte
	done := 0 // data[:done] is in out
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if HiddenControl(r) {
			out = append(out, data[done:i]...)
			out = fmt.Appendf(out, "\\u%04x", r)
			done = i + size
		}
		i += size
	}
	if out == nil {
		return data
	}
	return append(out, data[done:]...)
}
