package codeowners

import (
	"regexp"
	"strings"
)

// compile translates a CODEOWNERS pattern, as written (escapes kept), into a
// regular expression over slash-separated paths relative to the repository
// root. The pattern has passed checkPattern: no "[", "]", "!" at its start,
// no unescaped "#", no "\" at its end. ok is false for a pattern that can
// match nothing ("/", or only slashes).
func compile(p string) (re *regexp.Regexp, ok bool) {
	dirOnly := strings.HasSuffix(p, "/")
	body := strings.TrimSuffix(p, "/")
	anchored := strings.HasPrefix(body, "/") || strings.Contains(strings.TrimPrefix(body, "/"), "/")
	body = strings.TrimPrefix(body, "/")
	if body == "" {
		return nil, false
	}
	segs := strings.Split(body, "/")
	var b strings.Builder
	b.WriteString(`\A`)
	if !anchored {
		b.WriteString(`(?:[^/]+/)*`) // the name at any depth
	}
	last := len(segs) - 1
	for i, s := range segs {
		if s == "**" {
			if i == last {
				if dirOnly {
					b.WriteString(`[^/]+/.+`) // what is in the directories inside
				} else {
					b.WriteString(`.+`) // everything inside, not the directory itself
				}
				b.WriteString(`\z`)
				return regexp.MustCompile(b.String()), true
			}
			b.WriteString(`(?:[^/]+/)*`) // zero or more directories
			continue
		}
		b.WriteString(segment(s))
		if i < last {
			b.WriteString("/")
		}
	}
	switch {
	case dirOnly:
		b.WriteString(`/.+`) // only what is inside
	case anchored && segs[last] == "*":
		// GitHub: "docs/*" owns the files directly in docs, not deeper ones.
	default:
		b.WriteString(`(?:/.+)?`) // the file, or everything in the directory
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String()), true
}

// segment translates one path segment of a pattern: "*" any run of characters
// but "/", "?" one of them, "\x" the character x.
func segment(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteString(regexp.QuoteMeta(s[i : i+1]))
			}
		case '*':
			b.WriteString(`[^/]*`)
		case '?':
			b.WriteString(`[^/]`)
		default:
			b.WriteString(regexp.QuoteMeta(s[i : i+1]))
		}
	}
	return b.String()
}
