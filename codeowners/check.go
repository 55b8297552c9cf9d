package codeowners

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/qovery/portalctl/portal"
)

// MaxSize is the largest CODEOWNERS file GitHub reads: it ignores a file of 3 MB
// or more.
const MaxSize = 3 << 20

// Problem is one way a CODEOWNERS file fails to give a file its declared
// owners, or a line of it that GitHub would not use.
type Problem struct {
	// Pos is the CODEOWNERS line at fault, or the line that decided the
	// file's owners; only the CODEOWNERS file's name when no line matches.
	Pos portal.Pos
	// Path is the file whose owners are wrong; empty for a line at fault.
	Path string
	// Message says what is wrong, Hint what to write instead.
	Message, Hint string
	// Want is the line that gives Path its declared owners, as Lines writes
	// it; empty for a line at fault.
	Want string
}

func (p Problem) String() string { return p.Pos.String() + ": " + p.Message + " (" + p.Hint + ")" }

// rule is one line of a CODEOWNERS file that GitHub uses.
type rule struct {
	line    int
	pattern string // as written
	re      *regexp.Regexp
	owners  []string // as written
}

// Check reads a CODEOWNERS file as GitHub does (see the package documentation)
// and reports every entry whose effective owners, those of the last line that
// matches its path, are not exactly its declared owners (compared as sets,
// ignoring case), and every line GitHub would skip. name is how messages call
// the file, e.g. ".github/CODEOWNERS". The problems of lines come first, by
// line, then those of entries, in the entries' order. The error is for entries
// Lines would refuse.
func Check(name string, data []byte, entries []Entry) ([]Problem, error) {
	if err := validEntries(entries); err != nil {
		return nil, err
	}
	if len(data) >= MaxSize {
		return []Problem{{
			Pos:     portal.Pos{File: name},
			Message: fmt.Sprintf("the file has %d bytes: GitHub ignores a CODEOWNERS file of 3 MB or more, so no file has an owner", len(data)),
			Hint:    "shorten it, e.g. with patterns that cover whole directories",
		}}, nil
	}
	rules, problems := parse(name, data)
	for _, e := range entries {
		want := line(e)
		var decided *rule
		for i := len(rules) - 1; i >= 0; i-- {
			if rules[i].re.MatchString(e.Path) {
				decided = &rules[i]
				break
			}
		}
		declared := describe(e.Owners)
		if decided == nil {
			if len(e.Owners) > 0 {
				problems = append(problems, Problem{
					Pos: portal.Pos{File: name}, Path: e.Path, Want: want,
					Message: fmt.Sprintf("no line matches %s, declared to be owned by %s", e.Path, declared),
					Hint:    fmt.Sprintf("add the line `%s`, as portalctl codeowners prints it", want),
				})
			}
			continue
		}
		if sameOwners(decided.owners, e.Owners) {
			continue
		}
		hint := fmt.Sprintf("write the line `%s` after line %d (the last line that matches wins), as portalctl codeowners prints it", want, decided.line)
		if len(e.Owners) == 0 {
			hint += "; a line with no owner clears those of the lines above it"
		}
		problems = append(problems, Problem{
			Pos: portal.Pos{File: name, Line: decided.line, Col: 1}, Path: e.Path, Want: want,
			Message: fmt.Sprintf("%s is owned by %s from line %d (`%s`), but declared to be owned by %s",
				e.Path, describe(decided.owners), decided.line, decided.pattern, declared),
			Hint: hint,
		})
	}
	return problems, nil
}

// sameOwners reports whether a and b hold the same owners, ignoring case and
// repeats.
func sameOwners(a, b []string) bool {
	set := func(os []string) []string {
		out := make([]string, len(os))
		for i, o := range os {
			out[i] = ownerKey(o)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(set(a), set(b))
}

func describe(owners []string) string {
	if len(owners) == 0 {
		return "no owner"
	}
	return strings.Join(owners, " ")
}

// parse reads the lines of a CODEOWNERS file GitHub uses, and reports those
// it would skip.
func parse(name string, data []byte) ([]rule, []Problem) {
	var rules []rule
	var problems []Problem
	compiled := map[string]*regexp.Regexp{} // a pattern repeated is compiled once
	text := strings.TrimPrefix(string(data), "\uFEFF")
	for i, l := range strings.Split(text, "\n") {
		n := i + 1
		l = strings.TrimSuffix(l, "\r")
		bad := func(off int, msg, hint string) {
			col := utf8.RuneCountInString(l[:off]) + 1
			problems = append(problems, Problem{Pos: portal.Pos{File: name, Line: n, Col: col}, Message: msg, Hint: hint})
		}
		if !utf8.ValidString(l) {
			off := 0
			for off < len(l) {
				r, size := utf8.DecodeRuneInString(l[off:])
				if r == utf8.RuneError && size == 1 {
					break
				}
				off += size
			}
			bad(off, "the line is not valid UTF-8", "write the file in UTF-8")
			continue
		}
		start := len(l) - len(strings.TrimLeft(l, " \t"))
		if start == len(l) || l[start] == '#' {
			continue // blank, or a comment
		}
		end := start
		for end < len(l) && l[end] != ' ' && l[end] != '\t' {
			if l[end] == '\\' {
				end++
			}
			end++
		}
		end = min(end, len(l))
		pattern := l[start:end]
		if off, msg, hint := checkPattern(pattern); msg != "" {
			bad(start+off, msg, hint)
			continue
		}
		var owners []string
		ok := true
		for off := end; off < len(l); {
			for off < len(l) && (l[off] == ' ' || l[off] == '\t') {
				off++
			}
			if off == len(l) || l[off] == '#' {
				break // the rest is a comment
			}
			w := off
			for off < len(l) && l[off] != ' ' && l[off] != '\t' {
				off++
			}
			if err := ValidOwner(l[w:off]); err != nil {
				bad(w, err.Error()+"; GitHub skips this line", "write a valid owner, or a # before a comment")
				ok = false
				continue
			}
			owners = append(owners, l[w:off])
		}
		if !ok {
			continue
		}
		re, seen := compiled[pattern]
		if !seen {
			re, _ = compile(pattern)
			compiled[pattern] = re
		}
		if re == nil {
			bad(start, fmt.Sprintf("the pattern `%s` matches no file", pattern), "write the path of a file or directory, e.g. /config/")
			continue
		}
		rules = append(rules, rule{line: n, pattern: pattern, re: re, owners: owners})
	}
	return rules, problems
}

// checkPattern finds what GitHub does not support in a pattern, as written:
// the offset of the first such character, what is wrong, and what to write.
// msg is empty for a pattern GitHub reads.
func checkPattern(p string) (off int, msg, hint string) {
	switch {
	case strings.HasPrefix(p, "!"):
		return 0, "GitHub does not support negating a pattern with !, and skips this line",
			"give the files that have other owners their own lines after this one"
	case strings.HasPrefix(p, `\#`):
		return 0, `GitHub does not support escaping a leading # with \, and skips this line`,
			"match the file with ? in place of the #, e.g. /?notes.yaml"
	}
	// A "#", "[" or "]" is a problem even escaped: GitHub documents no
	// escape for them.
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			switch {
			case i+1 == len(p):
				return i, `the pattern ends with \, which escapes nothing`, `remove the \, or write "\ " for a space`
			case p[i+1] == '/':
				return i, `a / cannot be escaped in a pattern`, `remove the \`
			case p[i+1] != '#' && p[i+1] != '[' && p[i+1] != ']':
				i++
			}
		case '[', ']':
			return i, "GitHub does not support [ ] character ranges, and skips this line",
				"give each file its own line, or match the character with ?"
		case '#':
			return i, "a # inside a pattern may start a comment for GitHub",
				"match the character with ? instead, e.g. /a?b.yaml"
		}
	}
	return 0, "", ""
}
